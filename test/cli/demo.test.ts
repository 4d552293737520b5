import { afterEach, describe, expect, it } from 'vitest'
import { spawnTollgate, tempDir, type TollgateProcess } from '../support/process.js'

const started: TollgateProcess[] = []
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL')
})

describe('tollgate serve --demo (what npm start runs)', () => {
  it('deploys the demo API and prints invoke URLs that answer', async () => {
    const dataDir = tempDir()
    const p = await spawnTollgate(['--demo', '--data-dir', dataDir])
    started.push(p)
    const deadline = Date.now() + 20_000
    while (!p.output().includes('curl ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const urls = [...p.output().matchAll(/curl (\S+)/g)].map((m) => m[1]!)
    expect(urls).toHaveLength(2)

    const mock = await fetch(urls[0]!)
    expect(mock.status).toBe(200)
    expect(await mock.json()).toMatchObject({ message: 'Hello from Tollgate', stage: 'demo' })

    const proxied = await fetch(urls[1]!)
    expect(proxied.status).toBe(200)
    expect(await proxied.json()).toEqual({
      message: 'Hello from the demo backend',
      method: 'GET',
      path: '/hello',
    })

    // A restart on the same data directory replaces the demo API instead of adding a second one.
    p.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    const again = await spawnTollgate(['--demo', '--data-dir', dataDir])
    started.push(again)
    while (!again.output().includes('curl ') && Date.now() < deadline + 20_000)
      await new Promise((r) => setTimeout(r, 50))
    const apis = (await (await fetch(`${again.url}/restapis`)).json()) as { item: { name: string }[] }
    expect(apis.item.filter((a) => a.name === 'tollgate-demo')).toHaveLength(1)
    const url = [...again.output().matchAll(/curl (\S+)/g)].map((m) => m[1]!)[1]!
    expect((await fetch(url)).status).toBe(200)
  })
})
