import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { spawnTollgate, type TollgateProcess } from '../support/process.js'

const run = promisify(execFile)
const BIN = new URL('../../bin/tollgate.js', import.meta.url).pathname
const example = (path: string) => new URL(`../../examples/${path}`, import.meta.url).pathname

const started: TollgateProcess[] = []
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL')
})

async function up(from: string): Promise<{ gateway: TollgateProcess; urls: string[] }> {
  const gateway = await spawnTollgate()
  started.push(gateway)
  const { stdout } = await run(process.execPath, [BIN, 'up', '--from', from, '--endpoint', gateway.url])
  return { gateway, urls: [...stdout.matchAll(/: (http\S+)/g)].map((m) => m[1]!) }
}

describe('tollgate up --from', () => {
  it('serves a SAM template: implicit API on stage Prod, Globals applied', async () => {
    const { urls } = await up(example('sam-app/template.yaml'))
    expect(urls).toHaveLength(1)
    expect(urls[0]).toMatch(/\/Prod\/$/)
    expect(await (await fetch(`${urls[0]}hello/ann`)).json()).toEqual({
      message: 'Hello, ann!',
      stage: 'Prod',
    })
    const echo = await fetch(`${urls[0]}echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":1}',
    })
    expect(await echo.json()).toEqual({ echo: { x: 1 } })
  })

  it('serves a serverless.yml: http events in both forms, provider environment', async () => {
    const { urls } = await up(example('serverless-app/serverless.yml'))
    expect(urls[0]).toMatch(/\/dev\/$/)
    expect(await (await fetch(`${urls[0]}todos`)).json()).toEqual({ table: 'todos', items: ['a', 'b'] })
    expect(await (await fetch(`${urls[0]}todos/7`)).json()).toEqual({ id: '7' })
  })
})
