import { type APIGatewayClient } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMockMethod, setResponseTemplates } from '../support/apis.js'
import { sdkClient } from '../support/gateway.js'
import { privatePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js'
import { spawnTollgate, type TollgateProcess } from '../support/process.js'
import { requireTool } from '../support/tools.js'

// A PostgreSQL server of the test's own (the machine's is shared with other tests), stopped and
// started again under two nodes: they keep serving the configuration they hold, report not
// ready, and catch up once it is back. Skips without PostgreSQL's server binaries; never under CI.
const skip = await requireTool(privatePostgres)

const get = (node: TollgateProcess, path: string): Promise<{ status: number; body: string }> =>
  fetch(`${node.url}${path}`).then(async (response) => ({
    status: response.status,
    body: await response.text(),
  }))

async function until<T>(
  what: string,
  withinMs: number,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + withinMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (ok(value)) return value
      last = value
    } catch (error) {
      last = String(error)
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${withinMs} ms (last: ${JSON.stringify(last)})`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe.skipIf(skip)('PostgreSQL restarted under two nodes', () => {
  let postgres: PrivatePostgres
  let nodes: TollgateProcess[] = []
  let client: APIGatewayClient

  beforeAll(async () => {
    postgres = await startPrivatePostgres()
    nodes = await Promise.all([0, 1].map(() => spawnTollgate(['--store', postgres.url])))
    client = sdkClient(nodes[0]!.url)
  }, 60_000)

  afterAll(async () => {
    client?.destroy()
    for (const node of nodes) node.kill()
    await Promise.all(nodes.map((node) => node.exited))
    await postgres?.destroy()
  })

  it('keeps serving the last configuration while it is down, and catches up after', async () => {
    const [a, b] = nodes as [TollgateProcess, TollgateProcess]
    const { apiId, rootId } = await createApi(client, 'survivor')
    await putMockMethod(client, apiId, rootId, 'GET', '{"version": "before"}')
    await deploy(client, apiId, 'prod')
    const path = `/_aws/execute-api/${apiId}/prod/`
    for (const node of nodes)
      await until(
        'deployed',
        2_000,
        () => get(node, path),
        (r) => r.body.includes('before'),
      )

    await postgres.stop()
    // Both nodes notice (readiness), and go on answering from what they hold, for longer than
    // their periodic store check and the listener's reconnection attempts.
    for (const node of nodes) {
      const ready = await until(
        'not ready',
        5_000,
        () => get(node, '/_tollgate/ready'),
        (r) => r.status === 503,
      )
      expect(JSON.parse(ready.body)).toMatchObject({ checks: { store: false } })
      expect((await get(node, '/_tollgate/health')).status).toBe(200)
    }
    const deadline = Date.now() + 2_500
    let served = 0
    while (Date.now() < deadline) {
      for (const node of nodes) {
        const response = await get(node, path)
        expect(response).toEqual({ status: 200, body: '{"version": "before"}' })
        served++
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(served).toBeGreaterThan(10)
    // A management call cannot be kept: it fails, AWS-shaped, and changes nothing.
    const refused = await fetch(`${a.url}/restapis/${apiId}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stageName: 'prod' }),
    })
    expect(refused.status).toBeGreaterThanOrEqual(500)
    expect(await refused.json()).toHaveProperty('message')

    await postgres.start()
    for (const node of nodes)
      await until(
        'ready again',
        10_000,
        () => get(node, '/_tollgate/ready'),
        (r) => r.status === 200,
      )
    // A change made through A after the restart reaches B (its change feed reconnected).
    await setResponseTemplates(client, apiId, rootId, 'GET', { 'application/json': '{"version": "after"}' })
    await deploy(client, apiId, 'prod')
    await until(
      'new deployment on B',
      2_000,
      () => get(b, path),
      (r) => r.body.includes('after'),
    )
    expect((await get(a, path)).body).toBe('{"version": "after"}')
  }, 60_000)
})
