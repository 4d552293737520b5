import { connect, type Socket } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMockMethod } from '../support/apis.js'
import { sdkClient } from '../support/gateway.js'
import { killAll, spawnTollgate } from '../support/process.js'

// 2,000 keep-alive connections held open and idle while the gateway serves others (issue 16).
// The gateway is its own process, so its descriptors and event loop are its own.
afterAll(killAll)

describe('idle keep-alive connections', () => {
  it('holds 2,000 idle connections open and keeps answering on new ones', async () => {
    const gateway = await spawnTollgate()
    const client = sdkClient(gateway.url)
    const { apiId, rootId } = await createApi(client)
    await putMockMethod(client, apiId, rootId, 'GET', '{"ok": true}')
    await deploy(client, apiId, 'prod')
    client.destroy()
    const path = `/_aws/execute-api/${apiId}/prod/`
    const { port } = new URL(gateway.url)

    // Each connection makes one keep-alive request, reads its answer, then stays open, idle.
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
        )
        socket.once('data', (chunk: Buffer) =>
          chunk.toString().startsWith('HTTP/1.1 200') ? resolve(socket) : reject(new Error(chunk.toString())),
        )
        socket.once('error', reject)
      })
    const sockets: Socket[] = []
    for (let batch = 0; batch < 20; batch++)
      sockets.push(...(await Promise.all(Array.from({ length: 100 }, open))))
    expect(sockets).toHaveLength(2_000)

    // While they are held: new requests are answered.
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${gateway.url}${path}`).then((r) => r.status)),
    )
    expect(answers.every((status) => status === 200)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    // And none of the idle ones was dropped: each still answers a second request.
    const again = await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<boolean>((resolve) => {
            if (socket.destroyed) return resolve(false)
            socket.once('data', (chunk: Buffer) => resolve(chunk.toString().startsWith('HTTP/1.1 200')))
            socket.once('close', () => resolve(false))
            socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
          }),
      ),
    )
    expect(again.filter((ok) => !ok)).toHaveLength(0)
    for (const socket of sockets) socket.destroy()
  }, 60_000)
})
