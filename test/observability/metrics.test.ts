import {
  CreateDeploymentCommand,
  PutMethodCommand,
  PutIntegrationCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import { createApi, createPath, putMockMethod } from '../support/apis.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// /_tollgate/metrics: AWS's API Gateway metrics (Count, 4XXError, 5XXError, Latency,
// IntegrationLatency, CacheHitCount, CacheMissCount; AWS docs "api-gateway-metrics-and-dimensions")
// in Prometheus format, by API and stage, and by resource and method with detailed metrics on.

let tg: TestGateway
let apiId: string
beforeAll(async () => {
  tg = await startTestGateway()
  const api = await createApi(tg.client)
  apiId = api.apiId
  const ok = await createPath(tg.client, apiId, api.rootId, 'ok')
  await putMockMethod(tg.client, apiId, ok, 'GET', '{"ok": true}')
  const broken = await createPath(tg.client, apiId, api.rootId, 'broken')
  await tg.client.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId: broken,
      httpMethod: 'GET',
      authorizationType: 'NONE',
    }),
  )
  // A MOCK without a status code in its template: a 500 configuration error.
  await tg.client.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId: broken,
      httpMethod: 'GET',
      type: 'MOCK',
      requestTemplates: { 'application/json': '{}' },
    }),
  )
  await tg.client.send(
    new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', cacheClusterEnabled: true }),
  )
  await tg.client.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: 'prod',
      // A method's own settings decide its caching too: turn both on.
      patchOperations: [
        { op: 'replace', path: '/~1ok/GET/metrics/enabled', value: 'true' },
        { op: 'replace', path: '/~1ok/GET/caching/enabled', value: 'true' },
      ],
    }),
  )
})
afterAll(() => tg.close())

/** The value of one series in the exposition text, 0 when absent. */
function value(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)))
  return line ? Number(line.split(' ').at(-1)) : 0
}

describe('Lambda metrics', () => {
  it('counts invocations, errors and durations per function', async () => {
    const lambda = lambdaClient(tg.url)
    await createFunction(lambda, 'metered', {
      'index.js': 'exports.handler = async (event) => { if (event.fail) throw new Error("no"); return "ok" }',
    })
    await lambda.send(new InvokeCommand({ FunctionName: 'metered', Payload: Buffer.from('{}') }))
    await lambda.send(new InvokeCommand({ FunctionName: 'metered', Payload: Buffer.from('{"fail": true}') }))
    lambda.destroy()
    const text = await (await fetch(`${tg.url}/_tollgate/metrics`)).text()
    expect(value(text, 'tollgate_lambda_invocations_total', { function: 'metered' })).toBe(2)
    expect(value(text, 'tollgate_lambda_errors_total', { function: 'metered' })).toBe(1)
    expect(value(text, 'tollgate_lambda_duration_seconds_count', { function: 'metered' })).toBe(2)
    expect(value(text, 'tollgate_lambda_concurrent_executions', { function: 'metered' })).toBe(0)
    // The gauge keeps its series at 0 after the invocations ended; a counter shows none before it counted.
    expect(text).toContain('tollgate_lambda_concurrent_executions{function="metered"} 0')
    expect(text).not.toContain('tollgate_lambda_throttles_total{function="metered"}')
    expect(text).toContain('tollgate_lambda_duration_seconds_bucket{le="+Inf",function="metered"} 2')
  })
})

describe('metrics', () => {
  it('counts requests, errors, cache hits and latencies after a known set of requests', async () => {
    const call = async (path: string) =>
      (await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod${path}`)).status
    expect([await call('/ok'), await call('/ok'), await call('/ok')]).toEqual([200, 200, 200])
    expect(await call('/missing')).toBe(403)
    expect(await call('/broken')).toBe(500)
    const response = await fetch(`${tg.url}/_tollgate/metrics`)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await response.text()
    const detailed = { api: apiId, stage: 'prod', resource: '/ok', method: 'GET' }
    const plain = { api: apiId, stage: 'prod', resource: '', method: '' }
    expect(value(text, 'tollgate_api_requests_total', detailed)).toBe(3)
    // GET /ok is cached by default on a stage with the cache on: one miss, then hits.
    expect(value(text, 'tollgate_api_cache_misses_total', detailed)).toBe(1)
    expect(value(text, 'tollgate_api_cache_hits_total', detailed)).toBe(2)
    expect(value(text, 'tollgate_api_latency_seconds_count', detailed)).toBe(3)
    expect(value(text, 'tollgate_api_integration_latency_seconds_count', detailed)).toBe(1)
    // Methods without detailed metrics count under the API and stage only.
    expect(value(text, 'tollgate_api_requests_total', plain)).toBe(2)
    expect(value(text, 'tollgate_api_4xx_errors_total', plain)).toBe(1)
    expect(value(text, 'tollgate_api_5xx_errors_total', plain)).toBe(1)
    // The latency histogram in Prometheus's text format: HELP and TYPE lines, cumulative buckets
    // with `le` first and ascending, +Inf equal to the count, a sum.
    expect(text).toContain('# TYPE tollgate_api_latency_seconds histogram')
    const buckets = text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('tollgate_api_latency_seconds_bucket{le=') &&
          l.includes(`api="${apiId}",stage="prod",resource="/ok",method="GET"}`),
      )
      .map((l) => ({ le: /le="([^"]+)"/.exec(l)![1]!, count: Number(l.split(' ').at(-1)) }))
    expect(buckets.map((b) => b.le)).toEqual([
      ...[
        '0.001',
        '0.0025',
        '0.005',
        '0.01',
        '0.025',
        '0.05',
        '0.1',
        '0.25',
        '0.5',
        '1',
        '2.5',
        '5',
        '10',
        '29',
      ],
      '+Inf',
    ])
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]!.count).toBeGreaterThanOrEqual(buckets[i - 1]!.count)
    expect(buckets.at(-1)!.count).toBe(3)
    expect(buckets.at(-2)!.count).toBe(3)
    expect(value(text, 'tollgate_api_latency_seconds_sum', detailed)).toBeGreaterThan(0)
    expect(value(text, 'tollgate_api_latency_seconds_sum', detailed)).toBeLessThan(29 * 3)
    // A label set counts only what happened to it: no 4xx series for /ok.
    expect(text).not.toMatch(/tollgate_api_4xx_errors_total\{[^}]*resource="\/ok"/)
    expect(text).toContain('tollgate_process_resident_memory_bytes')
    expect(text).toContain('tollgate_nodejs_eventloop_lag_seconds')
  })
})
