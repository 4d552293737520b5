import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consoleFile } from '../../src/console/static-files.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

describe('console files: which path names which file', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'console-'))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('maps the folder to index.html and other paths inside the folder', () => {
    expect(consoleFile(root, '/_tollgate/console/')).toBe(join(root, 'index.html'))
    expect(consoleFile(root, '/_tollgate/console/js/app.js')).toBe(join(root, 'js', 'app.js'))
    expect(consoleFile(root, '/_tollgate/console/js%2Fapp.js')).toBeUndefined()
  })

  it.each([
    '/_tollgate/console/../package.json',
    '/_tollgate/console/%2e%2e/package.json',
    '/_tollgate/console/js/..%2f..%2fpackage.json',
    '/_tollgate/console/..%5c..%5cpackage.json',
    '/_tollgate/console/js//app.js',
    '/_tollgate/console/%00.js',
    '/_tollgate/console/.env.js',
    '/_tollgate/console/%E0%A4%A.js',
    '/_tollgate/console/server.ts',
    '/_tollgate/console/notes',
    '/_tollgate/console/tsconfig.json',
  ])('refuses %s', (path) => {
    expect(consoleFile(root, path)).toBeUndefined()
  })
})

describe('console files over HTTP', () => {
  let gw: TestGateway
  beforeAll(async () => {
    gw = await startTestGateway()
  })
  afterAll(async () => {
    await gw.close()
  })

  it('redirects /_tollgate/console to the folder', async () => {
    const response = await fetch(`${gw.url}/_tollgate/console`, { redirect: 'manual' })
    expect(response.status).toBe(301)
    expect(response.headers.get('location')).toBe('/_tollgate/console/')
  })

  it('serves the page, scripts and styles with their types, a CSP and revalidation', async () => {
    const page = await fetch(`${gw.url}/_tollgate/console/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('<script type="module" src="js/app.js"></script>')
    const script = await fetch(`${gw.url}/_tollgate/console/js/app.js`)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const style = await fetch(`${gw.url}/_tollgate/console/style.css`)
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8')

    const etag = script.headers.get('etag') ?? ''
    expect(etag).toMatch(/^".+"$/)
    const again = await fetch(`${gw.url}/_tollgate/console/js/app.js`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
  })

  it('answers 404 outside the folder and 405 to writes', async () => {
    for (const path of ['/_tollgate/console/%2e%2e/%2e%2e/package.json', '/_tollgate/console/missing.js']) {
      const response = await fetch(`${gw.url}${path}`)
      expect(response.status, path).toBe(404)
      await response.text()
    }
    const write = await fetch(`${gw.url}/_tollgate/console/index.html`, { method: 'PUT', body: 'x' })
    expect(write.status).toBe(405)
    expect(write.headers.get('allow')).toBe('GET, HEAD')
  })

  it('serves every file the page loads from the console folder itself', async () => {
    const html = await (await fetch(`${gw.url}/_tollgate/console/`)).text()
    // No CDN: every src/href is relative (or a data: URL or a hash link).
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g))
      expect(url).toMatch(/^(?:[a-z./]|data:|#)/)
    expect(html).not.toMatch(/https?:\/\//)
  })
})
