import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateStageCommand,
  DeleteStageCommand,
  FlushStageCacheCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheBudgetBytes } from '../../src/cache/cache-store.js'
import { MemoryCacheStore } from '../../src/cache/memory-cache-store.js'
import { createApi, createPath } from '../support/apis.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// The stage cache (AWS docs "api-gateway-caching"): keys from the stage, cacheNamespace, method and
// cacheKeyParameters; TTL; Cache-Control: max-age=0 per unauthorizedCacheControlHeaderStrategy;
// FlushStageCache; entries over 1 MB not cached. Every endpoint response is cached, errors too
// (AWS documents no exception; users report 429s served from its cache).

let tg: TestGateway
let backend: TestBackend
let apiId: string
const calls = (path: string) => backend.received.filter((r) => r.url.startsWith(path)).length

beforeAll(async () => {
  tg = await startTestGateway()
  backend = await startBackend((req, res) => {
    const big = req.url.startsWith('/big')
    res.writeHead(req.url.includes('missing') ? 404 : 200, { 'content-type': 'application/json' })
    res.end(
      big
        ? JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) })
        : JSON.stringify({ n: backend.received.length, url: req.url }),
    )
  })
  const api = await createApi(tg.client)
  apiId = api.apiId
  const user = await createPath(tg.client, apiId, api.rootId, 'users/{id}')
  const big = await createPath(tg.client, apiId, api.rootId, 'big')
  for (const [resourceId, httpMethod, uri, keys] of [
    [user, 'GET', `${backend.url}/users/{id}`, ['method.request.querystring.v']],
    [user, 'POST', `${backend.url}/users/{id}`, []],
    [big, 'GET', `${backend.url}/big`, []],
  ] as const) {
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId,
        httpMethod,
        authorizationType: 'NONE',
        requestParameters: resourceId === user ? { 'method.request.path.id': true } : {},
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId,
        httpMethod,
        type: 'HTTP_PROXY',
        integrationHttpMethod: httpMethod,
        uri,
        cacheKeyParameters: [...keys],
        ...(resourceId === user
          ? { requestParameters: { 'integration.request.path.id': 'method.request.path.id' } }
          : {}),
      }),
    )
  }
  await tg.client.send(
    new CreateDeploymentCommand({
      restApiId: apiId,
      stageName: 'prod',
      cacheClusterEnabled: true,
      cacheClusterSize: '0.5',
    }),
  )
})
afterAll(async () => {
  await tg.close()
  await backend.close()
})

const get = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
  const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod${path}`, { method, headers })
  return { status: response.status, headers: response.headers, body: await response.text() }
}
const patchStage = (ops: PatchOperation[]) =>
  tg.client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: ops }))

describe('stage cache', () => {
  it('answers a repeated GET from the cache, keyed by cacheKeyParameters only', async () => {
    const first = await get('/users/1?v=a')
    const again = await get('/users/1?v=a')
    expect(again.body).toBe(first.body)
    expect(calls('/users/1')).toBe(1)
    // No X-Cache or similar header: AWS sends none.
    expect([...again.headers.keys()].filter((h) => h.toLowerCase().includes('cache'))).toEqual([])
    // Another value of a key parameter is another entry ...
    await get('/users/1?v=b')
    expect(calls('/users/1')).toBe(2)
    // ... while a path parameter that is not a key parameter shares the entry, as on AWS.
    const other = await get('/users/2?v=a')
    expect(other.body).toBe(first.body)
    expect(calls('/users/2')).toBe(0)
    // POST is not cached unless enabled for it.
    await get('/users/1', {}, 'POST')
    await get('/users/1', {}, 'POST')
    expect(backend.received.filter((r) => r.method === 'POST')).toHaveLength(2)
  })

  it('expires entries after the TTL, and never serves entries of an older configuration', async () => {
    await patchStage([{ op: 'replace', path: '/~1users~1{id}/GET/caching/ttlInSeconds', value: '1' }])
    await patchStage([{ op: 'replace', path: '/~1users~1{id}/GET/caching/enabled', value: 'true' }])
    const before = calls('/users/3')
    await get('/users/3?v=ttl')
    await get('/users/3?v=ttl')
    expect(calls('/users/3')).toBe(before + 1)
    await new Promise((r) => setTimeout(r, 1_100))
    await get('/users/3?v=ttl')
    expect(calls('/users/3')).toBe(before + 2)
    // A new deployment starts from an empty cache.
    await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'prod',
        cacheClusterEnabled: true,
        cacheClusterSize: '0.5',
      }),
    )
    await get('/users/3?v=ttl')
    expect(calls('/users/3')).toBe(before + 3)
  })

  it('handles Cache-Control: max-age=0 per unauthorizedCacheControlHeaderStrategy', async () => {
    await patchStage([{ op: 'replace', path: '/~1users~1{id}/GET/caching/ttlInSeconds', value: '300' }])
    await get('/users/4?v=cc')
    const base = calls('/users/4')
    // Default: authorisation required, ignored with a warning header.
    const warned = await get('/users/4?v=cc', { 'Cache-Control': 'max-age=0' })
    expect(calls('/users/4')).toBe(base)
    expect(warned.headers.get('warning')).toMatch(/^199 /)
    await patchStage([
      {
        op: 'replace',
        path: '/~1users~1{id}/GET/caching/unauthorizedCacheControlHeaderStrategy',
        value: 'FAIL_WITH_403',
      },
    ])
    expect((await get('/users/4?v=cc', { 'Cache-Control': 'max-age=0' })).status).toBe(403)
    await patchStage([
      {
        op: 'replace',
        path: '/~1users~1{id}/GET/caching/requireAuthorizationForCacheControl',
        value: 'false',
      },
    ])
    await get('/users/4?v=cc') // a miss after the settings change, then cached
    const refreshedBase = calls('/users/4')
    await get('/users/4?v=cc', { 'Cache-Control': 'max-age=0' })
    expect(calls('/users/4')).toBe(refreshedBase + 1)
    await get('/users/4?v=cc')
    expect(calls('/users/4')).toBe(refreshedBase + 1)
  })

  it('empties on FlushStageCache, caches errors, and skips bodies over 1 MB', async () => {
    await get('/users/5?v=f')
    await get('/users/5?v=f')
    expect(calls('/users/5')).toBe(1)
    await tg.client.send(new FlushStageCacheCommand({ restApiId: apiId, stageName: 'prod' }))
    await get('/users/5?v=f')
    expect(calls('/users/5')).toBe(2)
    await get('/users/missing?v=e')
    const error = await get('/users/missing?v=e')
    expect(error.status).toBe(404)
    expect(calls('/users/missing')).toBe(1)
    await get('/big')
    await get('/big')
    expect(calls('/big')).toBe(2)
  })
})

describe('stage cache invalidation with permission', () => {
  it('lets a caller whose authorizer policy allows execute-api:InvalidateCache refresh an entry', async () => {
    const lambda = lambdaClient(tg.url)
    await createFunction(lambda, 'cache-authorizer', {
      'index.js': `exports.handler = async (event) => {
        const actions = event.authorizationToken === 'admin' ? ['execute-api:Invoke', 'execute-api:InvalidateCache'] : ['execute-api:Invoke']
        return { principalId: event.authorizationToken, policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: event.methodArn }] } }
      }`,
    })
    lambda.destroy()
    const { apiId: guarded, rootId } = await createApi(tg.client)
    const authorizer = await tg.client.send(
      new CreateAuthorizerCommand({
        restApiId: guarded,
        name: 'gate',
        type: 'TOKEN',
        identitySource: 'method.request.header.Authorization',
        authorizerUri:
          'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:cache-authorizer/invocations',
      }),
    )
    await tg.client.send(
      new PutMethodCommand({
        restApiId: guarded,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'CUSTOM',
        authorizerId: authorizer.id,
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: guarded,
        resourceId: rootId,
        httpMethod: 'GET',
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: `${backend.url}/guarded`,
      }),
    )
    await tg.client.send(
      new CreateDeploymentCommand({ restApiId: guarded, stageName: 'prod', cacheClusterEnabled: true }),
    )
    const call = (token: string, headers: Record<string, string> = {}) =>
      fetch(`${tg.url}/_aws/execute-api/${guarded}/prod/`, {
        headers: { Authorization: token, ...headers },
      }).then((r) => r.text())
    await call('user')
    await call('user')
    expect(calls('/guarded')).toBe(1)
    // Without the permission the header is ignored (default strategy); with it the entry is refreshed.
    await call('user', { 'Cache-Control': 'max-age=0' })
    expect(calls('/guarded')).toBe(1)
    await call('admin', { 'Cache-Control': 'max-age=0' })
    expect(calls('/guarded')).toBe(2)
    // Authorizers run on hits too: an unauthorized caller never reaches the cached answer.
    const denied = await fetch(`${tg.url}/_aws/execute-api/${guarded}/prod/`)
    expect(denied.status).toBe(401)
  })
})

describe('a cache cluster deleted', () => {
  // AWS deletes a stage's cache cluster with the stage, and when cacheClusterEnabled turns false:
  // the stage created again, or the cache turned on again, starts empty. Here the store change is
  // made and the next request follows at once (no time for the gateway's background reload).
  it('with its stage: the stage created again at once does not serve the old answers', async () => {
    const deploymentId = (
      await tg.client.send(
        new CreateDeploymentCommand({
          restApiId: apiId,
          stageName: 'again',
          cacheClusterEnabled: true,
          cacheClusterSize: '0.5',
        }),
      )
    ).id
    const get = async (): Promise<string> =>
      (await fetch(`${tg.url}/_aws/execute-api/${apiId}/again/users/7`)).text()
    const first = await get()
    expect(await get()).toBe(first)
    const backendCalls = calls('/users/7')
    await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'again' }))
    await tg.client.send(
      new CreateStageCommand({
        restApiId: apiId,
        stageName: 'again',
        deploymentId,
        cacheClusterEnabled: true,
        cacheClusterSize: '0.5',
      }),
    )
    const fresh = await get()
    expect(calls('/users/7')).toBe(backendCalls + 1)
    expect(fresh).not.toBe(first)
  })

  it('when the cache is turned off: turned on again, it starts empty', async () => {
    await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'toggled',
        cacheClusterEnabled: true,
        cacheClusterSize: '0.5',
      }),
    )
    const get = async (): Promise<string> =>
      (await fetch(`${tg.url}/_aws/execute-api/${apiId}/toggled/users/8`)).text()
    const turn = (on: boolean) =>
      tg.client.send(
        new UpdateStageCommand({
          restApiId: apiId,
          stageName: 'toggled',
          patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: String(on) }],
        }),
      )
    const first = await get()
    expect(await get()).toBe(first)
    await turn(false)
    await turn(true)
    const backendCalls = calls('/users/8')
    expect(await get()).not.toBe(first)
    expect(calls('/users/8')).toBe(backendCalls + 1)
  })
})

describe('stage cache memory budget', () => {
  it("keeps a stage within cacheClusterSize's budget by evicting the least recently used", async () => {
    const store = new MemoryCacheStore()
    const budget = cacheBudgetBytes('0.5', 1e-5) // 0.5 GB scaled to ~5.4 kB
    expect(budget).toBe(Math.floor(0.5 * 1024 ** 3 * 1e-5))
    const entry = {
      status: 200,
      headers: [['content-type', 'application/json']] as const,
      body: Buffer.alloc(1000),
    }
    for (let i = 0; i < 50; i++)
      await store.set('api/prod', `k${i}`, { ...entry, headers: [...entry.headers] }, 60_000, budget)
    expect(await store.size('api/prod')).toBeLessThanOrEqual(budget)
    expect(await store.size('api/prod')).toBeGreaterThan(budget / 2)
    expect(await store.get('api/prod', 'k0')).toBeUndefined()
    expect(await store.get('api/prod', 'k49')).toBeDefined()
    await store.flush('api/prod')
    expect(await store.size('api/prod')).toBe(0)
  })
})
