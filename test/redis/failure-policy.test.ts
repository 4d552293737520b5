import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/config.js'
import { startGateway, type Gateway } from '../../src/server.js'
import { createApi, deploy, putMockMethod, requireApiKey } from '../support/apis.js'
import { sdkClient } from '../support/gateway.js'
import { PrivateRedis } from '../support/redis.js'
import { redisServer, requireTool } from '../support/tools.js'

// A gateway whose Redis goes away under load and comes back (issue 13, "Redis shared state"):
// policy open serves with this node's own limits, policy closed answers 503; neither crashes, and
// both use Redis again once it is back, without a restart. The outage is logged once.

const noRedis = await requireTool(redisServer)

interface Node {
  gateway: Gateway
  client: APIGatewayClient
  logs: string[]
  redis: PrivateRedis
  /** A keyless MOCK API (only the account throttle applies). */
  free: string
  /** A keyed MOCK API whose plan allows a burst of 2 and (almost) no refill. */
  keyed: string
  key: string
  planId: string
}

const nodes: Node[] = []
afterEach(async () => {
  for (const node of nodes.splice(0)) {
    node.client.destroy()
    await node.gateway.close()
    await node.redis.stop()
  }
})

async function startNode(policy: 'open' | 'closed', redisUp = true): Promise<Node> {
  const redis = redisUp ? await PrivateRedis.start() : await PrivateRedis.reserve()
  const logs: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString())
      done()
    },
  })
  const config = loadConfig(
    { port: 0, dataDir: ':memory:', redis: redis.url, redisFailurePolicy: policy },
    {},
  )
  const gateway = await startGateway(config, pino({ level: 'info' }, sink))
  const client = sdkClient(gateway.url)
  const free = await createApi(client, 'free')
  await putMockMethod(client, free.apiId, free.rootId, 'GET', '{"ok": true}')
  await deploy(client, free.apiId, 'prod')
  const keyed = await createApi(client, 'keyed')
  await putMockMethod(client, keyed.apiId, keyed.rootId, 'GET', '{"ok": true}')
  await requireApiKey(client, keyed.apiId, keyed.rootId, 'GET')
  await deploy(client, keyed.apiId, 'prod')
  const plan = await client.send(
    new CreateUsagePlanCommand({
      name: 'p',
      throttle: { rateLimit: 0.001, burstLimit: 2 },
      apiStages: [{ apiId: keyed.apiId, stage: 'prod' }],
    }),
  )
  const key = await client.send(new CreateApiKeyCommand({ name: 'k', enabled: true }))
  await client.send(
    new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
  )
  const node = {
    gateway,
    client,
    logs,
    redis,
    free: free.apiId,
    keyed: keyed.apiId,
    key: key.value!,
    planId: plan.id!,
  }
  nodes.push(node)
  return node
}

async function call(node: Node, apiId: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${node.gateway.url}/_aws/execute-api/${apiId}/prod/`, {
    headers: { 'x-api-key': node.key },
  })
  return { status: response.status, body: await response.text() }
}

async function statuses(node: Node, apiId: string, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await call(node, apiId)).status)
  return out
}

/** Keyless requests from 4 clients until `stop` resolves; every status seen. */
async function load(node: Node, during: () => Promise<void>): Promise<Set<number>> {
  const seen = new Set<number>()
  let running = true
  const client = async (): Promise<void> => {
    while (running) seen.add((await call(node, node.free)).status)
  }
  const clients = [client(), client(), client(), client()]
  await new Promise((resolve) => setTimeout(resolve, 100))
  await during()
  await new Promise((resolve) => setTimeout(resolve, 300))
  running = false
  await Promise.all(clients)
  return seen
}

const metrics = async (node: Node): Promise<string> =>
  (await fetch(`${node.gateway.url}/_tollgate/metrics`)).text()

async function waitUntilUp(node: Node): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (/^tollgate_redis_up 1$/m.test(await metrics(node))) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the gateway did not reconnect to Redis')
}

const lines = (node: Node, text: string): number => node.logs.filter((l) => l.includes(text)).length

describe.skipIf(noRedis)('Redis failure policy', () => {
  it('open: keeps serving with local limits while Redis is down, then shares again', async () => {
    const node = await startNode('open')
    expect(await statuses(node, node.keyed, 3)).toEqual([200, 200, 429])

    const seen = await load(node, () => node.redis.stop())
    expect([...seen]).toEqual([200])
    // This node's own buckets: a fresh burst of 2, then 429.
    expect(await statuses(node, node.keyed, 3)).toEqual([200, 200, 429])
    const text = await metrics(node)
    expect(text).toMatch(/^tollgate_redis_up 0$/m)
    expect(text).toMatch(/tollgate_redis_failures_total\{operation="throttle"\} [1-9]/)
    expect(lines(node, 'redis unreachable')).toBe(1)

    await node.redis.start()
    await waitUntilUp(node)
    // Redis again (an empty one): its buckets, shared with any other node.
    expect(await statuses(node, node.keyed, 3)).toEqual([200, 200, 429])
    expect(lines(node, 'redis reachable again')).toBe(1)
  })

  it('closed: answers 503 while Redis is down, without crashing, and recovers without a restart', async () => {
    const node = await startNode('closed')
    expect((await call(node, node.free)).status).toBe(200)

    const seen = await load(node, () => node.redis.stop())
    expect([...seen].sort()).toEqual([200, 503])
    const refused = await call(node, node.free)
    expect(refused).toEqual({ status: 503, body: '{"message":"Service Unavailable"}' })
    expect(lines(node, 'redis unreachable')).toBe(1)
    // The management API says so too, where it needs Redis (usage reports).
    const day = new Date().toISOString().slice(0, 10)
    const usage = await fetch(
      `${node.gateway.url}/usageplans/${node.planId}/usage?startDate=${day}&endDate=${day}`,
    )
    expect(usage.status).toBe(503)
    expect(usage.headers.get('x-amzn-errortype')).toBe('ServiceUnavailableException')
    // A balancer stops sending it requests meanwhile.
    const ready = await fetch(`${node.gateway.url}/_tollgate/ready`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ checks: { store: true, redis: false } })

    await node.redis.start()
    await waitUntilUp(node)
    expect((await call(node, node.free)).status).toBe(200)
    expect((await fetch(`${node.gateway.url}/_tollgate/ready`)).status).toBe(200)
    expect(await statuses(node, node.keyed, 3)).toEqual([200, 200, 429])
  })

  it('starts while Redis is down, serves by the policy, and uses Redis once it comes up', async () => {
    const node = await startNode('open', false)
    expect(lines(node, 'redis unreachable at start')).toBe(1)
    expect(await statuses(node, node.keyed, 3)).toEqual([200, 200, 429])
    await node.redis.start()
    await waitUntilUp(node)
    expect(await statuses(node, node.keyed, 3)).toEqual([200, 200, 429])
    expect(lines(node, 'redis connected')).toBe(1)
  })
})
