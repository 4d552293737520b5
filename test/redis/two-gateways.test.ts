import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetUsageCommand,
  UpdateMethodCommand,
} from '@aws-sdk/client-api-gateway'
import { InvokeCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda'
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApi,
  createPath,
  putMethodWithIntegration,
  putMockMethod,
  requireApiKey,
} from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { tempDir } from '../support/process.js'
import { REDIS_URL, redisServer, requireTool } from '../support/tools.js'
import { deletePrefix, redisTestPrefix, testRedisLink } from '../support/redis.js'

// Two gateway nodes sharing one Redis (issue 13, "Redis shared state" and "Lambda across nodes"):
// a usage plan's rate limit and quota hold across both, a stage cache entry filled on one is a hit
// on the other (an authorizer result too), and a function's reserved concurrency counts
// invocations on both. The
// nodes share one data directory, so they serve the same APIs, keys and plans.

const noRedis = await requireTool(redisServer)
const today = (): string => new Date().toISOString().slice(0, 10)

describe.skipIf(noRedis)('two gateways on one Redis', () => {
  const dataDir = tempDir()
  const prefix = redisTestPrefix()
  let a: TestGateway
  let b: TestGateway
  let backend: TestBackend
  const ids = { throttled: '', quota: '', cached: '', guarded: '', key: '', keyId: '', quotaPlan: '' }

  beforeAll(async () => {
    const redis = { redis: REDIS_URL, redisKeyPrefix: prefix, dataDir }
    a = await startTestGateway(redis)
    backend = await startBackend()
    const keyed = async (name: string, plan: Record<string, unknown>): Promise<[string, string]> => {
      const { apiId, rootId } = await createApi(a.client, name)
      await putMockMethod(a.client, apiId, rootId, 'GET', '{"ok": true}')
      await requireApiKey(a.client, apiId, rootId, 'GET')
      await a.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }))
      const created = await a.client.send(
        new CreateUsagePlanCommand({ name, apiStages: [{ apiId, stage: 'prod' }], ...plan }),
      )
      await a.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: created.id, keyId: ids.keyId, keyType: 'API_KEY' }),
      )
      return [apiId, created.id!]
    }
    const key = await a.client.send(new CreateApiKeyCommand({ name: 'shared', enabled: true }))
    ids.key = key.value!
    ids.keyId = key.id!
    ;[ids.throttled] = await keyed('throttled', { throttle: { rateLimit: 0.01, burstLimit: 4 } })
    ;[ids.quota, ids.quotaPlan] = await keyed('quota', { quota: { limit: 3, period: 'DAY' } })
    const cached = await createApi(a.client, 'cached')
    const item = await createPath(a.client, cached.apiId, cached.rootId, 'item')
    await putMethodWithIntegration(a.client, cached.apiId, item, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `${backend.url}/item`,
    })
    await a.client.send(
      new CreateDeploymentCommand({
        restApiId: cached.apiId,
        stageName: 'prod',
        cacheClusterEnabled: true,
        cacheClusterSize: '0.5',
      }),
    )
    ids.cached = cached.apiId
    const lambda = lambdaClient(a.url)
    await createFunction(lambda, 'narrow', {
      'index.js':
        'exports.handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return "done" }',
    })
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'narrow', ReservedConcurrentExecutions: 1 }),
    )
    await createFunction(lambda, 'allow-all', {
      'index.js':
        'exports.handler = async (event) => ({ principalId: "user", policyDocument: { Version: "2012-10-17", ' +
        'Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "*" }] } })',
    })
    lambda.destroy()
    const guarded = await createApi(a.client, 'guarded')
    await putMockMethod(a.client, guarded.apiId, guarded.rootId, 'GET', '{"ok": true}')
    const authorizer = await a.client.send(
      new CreateAuthorizerCommand({
        restApiId: guarded.apiId,
        name: 'allow-all',
        type: 'TOKEN',
        identitySource: 'method.request.header.Authorization',
        authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:allow-all/invocations`,
        authorizerResultTtlInSeconds: 300,
      }),
    )
    await a.client.send(
      new UpdateMethodCommand({
        restApiId: guarded.apiId,
        resourceId: guarded.rootId,
        httpMethod: 'GET',
        patchOperations: [
          { op: 'replace', path: '/authorizationType', value: 'CUSTOM' },
          { op: 'replace', path: '/authorizerId', value: authorizer.id! },
        ],
      }),
    )
    await a.client.send(new CreateDeploymentCommand({ restApiId: guarded.apiId, stageName: 'prod' }))
    ids.guarded = guarded.apiId
    // The second node starts on the finished configuration.
    b = await startTestGateway(redis)
  })

  afterAll(async () => {
    await a.close()
    await b.close()
    await backend.close()
    const link = await testRedisLink(REDIS_URL, prefix)
    await deletePrefix(link)
    await link.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const status = async (node: TestGateway, apiId: string, path = '/'): Promise<number> => {
    const response = await fetch(`${node.url}/_aws/execute-api/${apiId}/prod${path}`, {
      headers: { 'x-api-key': ids.key },
    })
    await response.arrayBuffer()
    return response.status
  }

  it("holds a usage plan's burst across both nodes", async () => {
    const results: number[] = []
    for (let i = 0; i < 4; i++) results.push(await status(a, ids.throttled), await status(b, ids.throttled))
    expect(results.filter((s) => s === 200)).toHaveLength(4)
    expect(results.slice(4)).toEqual([429, 429, 429, 429])
  })

  it('holds a quota across both nodes, and either reports the usage', async () => {
    const results = [
      await status(a, ids.quota),
      await status(b, ids.quota),
      await status(a, ids.quota),
      await status(b, ids.quota),
      await status(a, ids.quota),
    ]
    expect(results).toEqual([200, 200, 200, 429, 429])
    const usage = await b.client.send(
      new GetUsageCommand({ usagePlanId: ids.quotaPlan, startDate: today(), endDate: today() }),
    )
    expect(usage.items).toEqual({ [ids.keyId]: [[3, 0]] })
  })

  it('serves on one node a cache entry the other filled', async () => {
    expect(await status(a, ids.cached, '/item')).toBe(200)
    expect(await status(b, ids.cached, '/item')).toBe(200)
    expect(await status(b, ids.cached, '/item')).toBe(200)
    expect(backend.received.filter((r) => r.url === '/item')).toHaveLength(1)
  })

  it("holds a function's reserved concurrency across both nodes (TooManyRequestsException)", async () => {
    const clients = [lambdaClient(a.url), lambdaClient(b.url)]
    const invoke = (i: number) =>
      clients[i]!.send(new InvokeCommand({ FunctionName: 'narrow' })).then(
        (result) => Buffer.from(result.Payload ?? []).toString(),
        (error: unknown) => (error as Error).name,
      )
    try {
      const first = invoke(0)
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(await invoke(1)).toBe('TooManyRequestsException')
      expect(await first).toBe('"done"')
      // The lease went back with the answer: the other node may run it now.
      expect(await invoke(1)).toBe('"done"')
    } finally {
      for (const client of clients) client.destroy()
    }
  })

  it('answers on one node from the authorizer result the other cached, without calling the authorizer', async () => {
    const authorized = async (node: TestGateway): Promise<number> => {
      const response = await fetch(`${node.url}/_aws/execute-api/${ids.guarded}/prod/`, {
        headers: { Authorization: 'token-1' },
      })
      await response.arrayBuffer()
      return response.status
    }
    const invocations = async (node: TestGateway): Promise<number> => {
      const text = await (await fetch(`${node.url}/_tollgate/metrics`)).text()
      return Number(/^tollgate_lambda_invocations_total\{function="allow-all"\} (\d+)$/m.exec(text)?.[1] ?? 0)
    }
    expect(await authorized(a)).toBe(200)
    expect(await authorized(b)).toBe(200)
    expect(await invocations(a)).toBe(1)
    expect(await invocations(b)).toBe(0)
  })
})
