import { afterAll, describe, expect, it } from 'vitest'
import { Agent, request } from 'undici'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { sdkClient } from '../support/gateway.js'
import { killAll, spawnTollgate } from '../support/process.js'

// SIGTERM with 200 slow requests in flight (issue 16): every one is answered, then the process
// exits 0. The backend holds each request for a second; the gateway is a real process.
describe('SIGTERM under load', () => {
  let backend: TestBackend | undefined
  afterAll(async () => {
    killAll()
    await backend?.close()
  })

  it('answers all 200 in-flight requests, then exits 0', async () => {
    backend = await startBackend((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"slow": true}')
      }, 1_000)
    })
    const gateway = await spawnTollgate(['--shutdown-grace-ms', '20000'])
    const client = sdkClient(gateway.url)
    const { apiId, rootId } = await createApi(client)
    const slow = await createPath(client, apiId, rootId, 'slow')
    await putMethodWithIntegration(client, apiId, slow, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `${backend.url}/slow`,
    })
    await deploy(client, apiId, 'prod')
    client.destroy()

    // 200 connections at once (one request each), so none waits for another to finish.
    const dispatcher = new Agent({ connections: 200 })
    const requests = Array.from({ length: 200 }, () =>
      request(`${gateway.url}/_aws/execute-api/${apiId}/prod/slow`, { dispatcher }).then(
        async (response) => ({ status: response.statusCode, body: await response.body.text() }),
      ),
    )
    // Signal once every request has reached the backend: all 200 are in flight in the gateway.
    const deadline = Date.now() + 10_000
    while (backend.received.length < 200 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10))
    expect(backend.received.length).toBe(200)
    gateway.kill('SIGTERM')

    const answers = await Promise.all(requests)
    expect(answers.filter((a) => a.status !== 200 || a.body !== '{"slow": true}')).toEqual([])
    expect(await gateway.waitExit()).toBe(0)
    await dispatcher.close()
  }, 60_000)
})
