import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  PutGatewayResponseCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMockMethod, requireApiKey } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// Throttling as AWS docs "api-gateway-request-throttling" describe it: token buckets (burst =
// capacity, rate = refill per second) per method of a stage, per API key of a usage plan, per
// account; a refused request gets 429 {"message":"Too Many Requests"} (gateway response THROTTLED,
// x-amzn-ErrorType TooManyRequestsException).

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

/** Both answers carry the time the gateway took the request: the bucket's clock. */
const STAMPED = '{"t": $context.requestTimeEpoch}'

/**
 * An API with GET / and GET /other (MOCK), deployed to `prod`. Its 200s carry the gateway's
 * request time; `stamped` customises the THROTTLED gateway response so its 429s carry it too.
 */
async function mockApi(gateway: TestGateway, { keyRequired = false, stamped = false } = {}): Promise<string> {
  const { apiId, rootId } = await createApi(gateway.client)
  const otherId = await createPath(gateway.client, apiId, rootId, 'other')
  for (const id of [rootId, otherId]) {
    await putMockMethod(gateway.client, apiId, id, 'GET', STAMPED)
    if (keyRequired) await requireApiKey(gateway.client, apiId, id, 'GET')
  }
  if (stamped)
    await gateway.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'THROTTLED',
        responseTemplates: { 'application/json': STAMPED },
      }),
    )
  await deploy(gateway.client, apiId, 'prod')
  return apiId
}

const patchStage = (gateway: TestGateway, apiId: string, ops: PatchOperation[]) =>
  gateway.client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: ops }))

/** Sends `count` requests at once; returns the statuses and how long the volley took (s). */
async function volley(
  gateway: TestGateway,
  apiId: string,
  path: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<{ statuses: number[]; seconds: number; refused?: Response }> {
  const started = performance.now()
  const responses = await Promise.all(
    Array.from({ length: count }, () =>
      fetch(`${gateway.url}/_aws/execute-api/${apiId}/prod${path}`, { headers }),
    ),
  )
  const seconds = (performance.now() - started) / 1000
  const refused = responses.find((r) => r.status === 429)
  await Promise.all(responses.filter((r) => r !== refused).map((r) => r.arrayBuffer()))
  return { statuses: responses.map((r) => r.status), seconds, ...(refused ? { refused } : {}) }
}

const passed = (statuses: number[]): number => statuses.filter((s) => s === 200).length

/** At most `burst` plus what the rate refilled while the volley ran (one token of slack for timing). */
const expectWithinBucket = (ok: number, burst: number, rate: number, seconds: number): void => {
  expect(ok).toBeGreaterThanOrEqual(burst)
  expect(ok).toBeLessThanOrEqual(burst + Math.ceil(rate * seconds) + 1)
}

/**
 * Sends `count` requests, one every `everyMs`, to the given paths in turn; returns how many
 * passed and the span (s) between the first and last request as the gateway timed them.
 */
async function paced(
  gateway: TestGateway,
  targets: { apiId: string; path: string }[],
  count: number,
  everyMs: number,
): Promise<{ ok: number; refused: number; span: number }> {
  const calls: Promise<{ status: number; t: number }>[] = []
  for (let i = 0; i < count; i++) {
    const { apiId, path } = targets[i % targets.length]!
    calls.push(
      fetch(`${gateway.url}/_aws/execute-api/${apiId}/prod${path}`).then(async (r) => ({
        status: r.status,
        t: ((await r.json()) as { t: number }).t,
      })),
    )
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  const results = await Promise.all(calls)
  const times = results.map((r) => r.t)
  return {
    ok: results.filter((r) => r.status === 200).length,
    refused: results.filter((r) => r.status === 429).length,
    span: (Math.max(...times) - Math.min(...times)) / 1000,
  }
}

/**
 * The token bucket's bounds for a load faster than the rate: the full bucket (burst), plus what
 * the rate refilled over the span, give or take the one token in the bucket at the end and what
 * refills in 20 ms: the time between a request's stamp and its bucket check, when a loaded
 * machine (CI, two cores) delays the gateway's event loop.
 */
function expectTokenBucket(run: { ok: number; span: number }, burst: number, rate: number): void {
  const slack = 1 + Math.ceil(rate * 0.02)
  expect(run.ok).toBeGreaterThanOrEqual(burst + Math.floor(rate * run.span) - slack)
  expect(run.ok).toBeLessThanOrEqual(burst + Math.ceil(rate * run.span) + slack)
}

describe('throttling under a known load (200 requests in about 1 s)', () => {
  it('holds a stage default of rate 50, burst 20 to its token bucket', async () => {
    const apiId = await mockApi(tg, { stamped: true })
    await patchStage(tg, apiId, [
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '20' },
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '50' },
    ])
    const run = await paced(tg, [{ apiId, path: '/' }], 200, 5)
    expect(run.ok + run.refused).toBe(200)
    expectTokenBucket(run, 20, 50)
  })

  it("holds a method's override (rate 50, burst 20) while the stage default is higher", async () => {
    const apiId = await mockApi(tg, { stamped: true })
    await patchStage(tg, apiId, [
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '1000' },
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '1000' },
      { op: 'replace', path: '/~1other/GET/throttling/burstLimit', value: '20' },
      { op: 'replace', path: '/~1other/GET/throttling/rateLimit', value: '50' },
    ])
    const run = await paced(tg, [{ apiId, path: '/other' }], 200, 5)
    expectTokenBucket(run, 20, 50)
  })
})

describe('throttling', () => {
  it('applies the stage default (*/*) to each method on its own, with AWS 429 body and headers', async () => {
    const apiId = await mockApi(tg)
    await patchStage(tg, apiId, [
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '5' },
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '1' },
    ])
    const root = await volley(tg, apiId, '/', 30)
    expectWithinBucket(passed(root.statuses), 5, 1, root.seconds)
    expect(root.statuses.every((s) => s === 200 || s === 429)).toBe(true)
    expect(root.refused!.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException')
    expect(root.refused!.headers.get('content-type')).toBe('application/json')
    expect(await root.refused!.json()).toEqual({ message: 'Too Many Requests' })
    // "Applied at the API method level for a stage": /other has a bucket of its own.
    const other = await volley(tg, apiId, '/other', 30)
    expectWithinBucket(passed(other.statuses), 5, 1, other.seconds)
  })

  it("lets a method's own settings override the stage default", async () => {
    const apiId = await mockApi(tg)
    await patchStage(tg, apiId, [
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '2' },
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '0.5' },
      { op: 'replace', path: '/~1other/GET/throttling/burstLimit', value: '12' },
      { op: 'replace', path: '/~1other/GET/throttling/rateLimit', value: '1' },
    ])
    const root = await volley(tg, apiId, '/', 20)
    expectWithinBucket(passed(root.statuses), 2, 0.5, root.seconds)
    const other = await volley(tg, apiId, '/other', 30)
    expectWithinBucket(passed(other.statuses), 12, 1, other.seconds)
  })

  it('throttles each API key of a usage plan on its own, and per method of the plan', async () => {
    const apiId = await mockApi(tg, { keyRequired: true })
    const plan = await tg.client.send(
      new CreateUsagePlanCommand({
        name: 'throttled',
        throttle: { burstLimit: 4, rateLimit: 1 },
        apiStages: [{ apiId, stage: 'prod', throttle: { '/other/GET': { burstLimit: 2, rateLimit: 0.5 } } }],
      }),
    )
    const keys = await Promise.all(
      ['a', 'b'].map((name) => tg.client.send(new CreateApiKeyCommand({ name, enabled: true }))),
    )
    for (const key of keys)
      await tg.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
      )
    const [a, b] = keys.map((k) => ({ 'x-api-key': k.value! }))
    const first = await volley(tg, apiId, '/other', 20, a)
    expectWithinBucket(passed(first.statuses), 2, 0.5, first.seconds)
    expect(await first.refused!.json()).toEqual({ message: 'Too Many Requests' })
    const rest = await volley(tg, apiId, '/', 20, a)
    // The plan's bucket (burst 4) is shared by the key's methods: /other spent 2 of it.
    expect(passed(rest.statuses)).toBeLessThanOrEqual(2 + Math.ceil(rest.seconds + first.seconds) + 1)
    // Key b has buckets of its own.
    const second = await volley(tg, apiId, '/', 20, b)
    expectWithinBucket(passed(second.statuses), 4, 1, second.seconds)
  })
})

describe('account-level throttling', () => {
  let small: TestGateway
  beforeAll(async () => {
    small = await startTestGateway({ accountBurstLimit: 6, accountRateLimit: 1 })
  })
  afterAll(() => small.close())

  it('holds an account limit of rate 50, burst 20 over two APIs under a known load', async () => {
    const paced50 = await startTestGateway({ accountBurstLimit: 20, accountRateLimit: 50 })
    try {
      const [one, two] = [
        await mockApi(paced50, { stamped: true }),
        await mockApi(paced50, { stamped: true }),
      ]
      const run = await paced(
        paced50,
        [
          { apiId: one, path: '/' },
          { apiId: two, path: '/other' },
        ],
        200,
        5,
      )
      expectTokenBucket(run, 20, 50)
    } finally {
      await paced50.close()
    }
  })

  it('caps all APIs of the gateway together (TOLLGATE_ACCOUNT_BURST_LIMIT / _RATE_LIMIT)', async () => {
    const [one, two] = [await mockApi(small), await mockApi(small)]
    const started = performance.now()
    const [x, y] = await Promise.all([volley(small, one, '/', 10), volley(small, two, '/', 10)])
    const seconds = (performance.now() - started) / 1000
    expectWithinBucket(passed(x.statuses) + passed(y.statuses), 6, 1, seconds)
  })
})
