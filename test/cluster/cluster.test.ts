import {
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteStageCommand,
  UpdateStageCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway'
import { DeleteFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda'
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApi,
  createPath,
  deploy,
  putMethodWithIntegration,
  putMockMethod,
  requireApiKey,
  setResponseTemplates,
} from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { deletePrefix, redisTestPrefix, testRedisLink } from '../support/redis.js'
import { sdkClient } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { spawnTollgate, type TollgateProcess } from '../support/process.js'
import {
  dropPostgresSchema,
  postgresServer,
  postgresTestUrl,
  REDIS_URL,
  redisServer,
  requireTool,
} from '../support/tools.js'

// Three gateway processes sharing the machine's PostgreSQL and Redis (issue 13): what one node is
// told, every node serves; limits, quotas and the cache hold for the cluster as a whole. Skips
// with a reason without PostgreSQL or Redis; never under CI=true.
const skip = (await requireTool(postgresServer)) || (await requireTool(redisServer))

/** Polls `fetchBody` until `expected` appears; fails when `withinMs` passes first. */
async function seenWithin(
  withinMs: number,
  fetchBody: () => Promise<string>,
  expected: string,
): Promise<void> {
  const deadline = Date.now() + withinMs
  let last = ''
  for (;;) {
    last = await fetchBody().catch((error: unknown) => String(error))
    if (last.includes(expected)) return
    if (Date.now() > deadline)
      throw new Error(`not seen within ${withinMs} ms: ${expected}; last answer: ${last}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** How many function environments (node-runner.mjs processes) run under a process. */
function environmentsOf(pid: number): number {
  let count = 0
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
        if (child.trim() === '') continue
        if (readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('node-runner.mjs')) count++
        else count += environmentsOf(Number(child))
      }
    }
  } catch {
    // ended meanwhile
  }
  return count
}

const get = (node: TollgateProcess, path: string): Promise<string> =>
  fetch(`${node.url}${path}`).then((response) => response.text().then((text) => `${response.status} ${text}`))

describe.skipIf(skip)('three nodes on one PostgreSQL store and one Redis', () => {
  const url = postgresTestUrl()
  const prefix = redisTestPrefix()
  let nodes: TollgateProcess[] = []
  let clients: APIGatewayClient[] = []
  let backend: TestBackend

  beforeAll(async () => {
    backend = await startBackend()
    // Started together: they migrate the new schema at the same time (one wins the lock).
    // A short revalidation: the test of deleted stages below waits for it.
    const args = [
      '--store',
      url,
      '--redis',
      REDIS_URL,
      '--redis-key-prefix',
      prefix,
      '--stage-revalidate-ms',
      '200',
    ]
    nodes = await Promise.all([0, 1, 2].map(() => spawnTollgate(args)))
    clients = nodes.map((node) => sdkClient(node.url))
  }, 60_000)

  afterAll(async () => {
    for (const client of clients) client.destroy()
    for (const node of nodes) node.kill()
    await Promise.all(nodes.map((node) => node.exited))
    await dropPostgresSchema(url)
    const link = await testRedisLink(REDIS_URL, prefix)
    await deletePrefix(link)
    await link.close()
    await backend?.close()
  })

  /**
   * An API whose GET / needs an API key of a usage plan with `plan` (throttle or quota), deployed
   * to `prod` through A and served by every node; returns the API id and the key's value.
   */
  async function keyedApi(
    name: string,
    plan: Record<string, unknown>,
  ): Promise<{ apiId: string; key: string }> {
    const client = clients[0]!
    const { apiId, rootId } = await createApi(client, name)
    await putMockMethod(client, apiId, rootId, 'GET', '{"ok": true}')
    await requireApiKey(client, apiId, rootId, 'GET')
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }))
    const created = await client.send(
      new CreateUsagePlanCommand({ name, apiStages: [{ apiId, stage: 'prod' }], ...plan }),
    )
    const key = await client.send(new CreateApiKeyCommand({ name, enabled: true }))
    await client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: created.id, keyId: key.id, keyType: 'API_KEY' }),
    )
    // Keys and plans are views every node rebuilds on the change feed: wait until all serve it.
    for (const node of nodes)
      await seenWithin(1_000, () => keyed(node, apiId, key.value!).then(String), '200')
    return { apiId, key: key.value! }
  }

  const keyed = async (node: TollgateProcess, apiId: string, key: string): Promise<number> => {
    const response = await fetch(`${node.url}/_aws/execute-api/${apiId}/prod/`, {
      headers: { 'x-api-key': key },
    })
    await response.arrayBuffer()
    return response.status
  }

  it('holds a usage plan of 10 requests per second for the cluster as a whole', async () => {
    const { apiId, key } = await keyedApi('ten-rps', { throttle: { rateLimit: 10, burstLimit: 10 } })
    // About 40 requests per second for 3 s, spread over the three nodes in turn: four times the
    // plan's rate, so each node alone would pass (almost) everything if it counted on its own.
    const firstSent = Date.now()
    const calls: Promise<{ status: number; at: number }>[] = []
    for (let i = 0; i < 120; i++) {
      calls.push(keyed(nodes[i % 3]!, apiId, key).then((status) => ({ status, at: Date.now() })))
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const lastSent = Date.now()
    const results = await Promise.all(calls)
    const ok = results.filter((r) => r.status === 200).length
    expect(ok + results.filter((r) => r.status === 429).length).toBe(120)
    // Token bucket bounds (burst 10, rate 10/s) over the shortest and longest span the gateway
    // could have seen, one token either way for the bucket's state at the edges. The warm-up
    // requests of keyedApi (three, moments before) come out of the same bucket.
    const firstAnswered = Math.min(...results.map((r) => r.at))
    const lastAnswered = Math.max(...results.map((r) => r.at))
    const shortest = Math.max(0, (lastSent - firstAnswered) / 1000)
    const longest = (lastAnswered - firstSent) / 1000
    expect(ok).toBeGreaterThanOrEqual(10 - 3 + Math.floor(10 * shortest) - 1)
    expect(ok).toBeLessThanOrEqual(10 + Math.ceil(10 * longest) + 1)
  })

  it('spends on B and C a quota spent on A', async () => {
    const { apiId, key } = await keyedApi('quota', { quota: { limit: 6, period: 'DAY' } })
    // keyedApi spent three (one per node); three remain for the day, wherever they are spent.
    const [a, b, c] = nodes as [TollgateProcess, TollgateProcess, TollgateProcess]
    const statuses = [
      await keyed(a, apiId, key),
      await keyed(a, apiId, key),
      await keyed(a, apiId, key),
      await keyed(b, apiId, key),
      await keyed(c, apiId, key),
    ]
    expect(statuses).toEqual([200, 200, 200, 429, 429])
  })

  it('serves on B and C a cache entry filled through A', async () => {
    const client = clients[0]!
    const { apiId, rootId } = await createApi(client, 'cached')
    const item = await createPath(client, apiId, rootId, 'item')
    await putMethodWithIntegration(client, apiId, item, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: `${backend.url}/cached-item`,
    })
    await client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'prod',
        cacheClusterEnabled: true,
        cacheClusterSize: '0.5',
      }),
    )
    const path = `/_aws/execute-api/${apiId}/prod/item`
    const [a, b, c] = nodes as [TollgateProcess, TollgateProcess, TollgateProcess]
    await seenWithin(1_000, () => get(a, path), '200 ')
    await seenWithin(1_000, () => get(b, path), '200 ')
    await seenWithin(1_000, () => get(c, path), '200 ')
    expect(backend.received.filter((r) => r.url === '/cached-item')).toHaveLength(1)
  })

  it('serves on B and C, within 1 s, an API created and deployed through A; a rollback through C reaches A', async () => {
    const [a, b, c] = nodes as [TollgateProcess, TollgateProcess, TollgateProcess]
    const [clientA, clientB, clientC] = clients as [APIGatewayClient, APIGatewayClient, APIGatewayClient]
    const { apiId, rootId } = await createApi(clientA, 'cluster')
    await putMockMethod(clientA, apiId, rootId, 'GET', '{"version": "one", "color": "$stageVariables.color"}')
    const first = await deploy(clientA, apiId, 'prod', { color: 'red' })
    const path = `/_aws/execute-api/${apiId}/prod/`
    await Promise.all([b, c].map((node) => seenWithin(1_000, () => get(node, path), '200 {"version": "one"')))

    await setResponseTemplates(clientA, apiId, rootId, 'GET', {
      'application/json': '{"version": "two", "color": "$stageVariables.color"}',
    })
    await deploy(clientA, apiId, 'prod')
    await Promise.all(nodes.map((node) => seenWithin(1_000, () => get(node, path), '"version": "two"')))

    // Rollback (the stage back on the first deployment) through C.
    await clientC.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/deploymentId', value: first }],
      }),
    )
    await seenWithin(1_000, () => get(a, path), '"version": "one"')

    // A stage setting changed through B: the stage variable the template prints, on C.
    await clientB.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/variables/color', value: 'blue' }],
      }),
    )
    await seenWithin(1_000, () => get(c, path), '"color": "blue"')
  })

  it('forgets on B a stage deleted through A that B served, without B being asked for it again', async () => {
    const [, b] = nodes as [TollgateProcess, TollgateProcess, TollgateProcess]
    const [clientA] = clients as [APIGatewayClient]
    const { apiId, rootId } = await createApi(clientA, 'forgotten')
    await putMockMethod(clientA, apiId, rootId, 'GET', '{"ok": true}')
    for (const stage of ['kept', 'gone']) {
      await deploy(clientA, apiId, stage)
      await seenWithin(1_000, () => get(b, `/_aws/execute-api/${apiId}/${stage}/`), '200')
    }
    const series = (stage: string) => `tollgate_api_requests_total{api="${apiId}",stage="${stage}"`
    const metricsOfB = () => get(b, '/_tollgate/metrics')
    expect(await metricsOfB()).toContain(series('gone'))
    await clientA.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'gone' }))
    // B learns of the change through the store, reloads its unused stages 200 ms later, and drops
    // the deleted one's series (and its compiled deployment, cache and execution logs).
    const deadline = Date.now() + 5_000
    let text = await metricsOfB()
    while (text.includes(series('gone')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      text = await metricsOfB()
    }
    // Failed twice in CI (2026-12-07): B's first load of the stage was overtaken by the
    // deployment's own notification, so its registry did not count it as served and dropped it
    // untold (test/deployment/stage-registry.test.ts reproduces it). Should it fail again, whether
    // B still serves the stage tells a change B never learned of from one it did not report; a
    // boolean, so that the metrics text does not bury the diagnosis.
    const diagnosis = text.includes(series('gone'))
      ? `B answers the deleted stage with ${(await get(b, `/_aws/execute-api/${apiId}/gone/`)).slice(0, 80)}; B printed: ${b.output().slice(-1_500)}`
      : ''
    expect(text.includes(series('gone')), diagnosis).toBe(false)
    expect(text.includes(series('kept'))).toBe(true)
  })

  it('runs on every node a function whose code was uploaded to A', async () => {
    const [a, b, c] = nodes as [TollgateProcess, TollgateProcess, TollgateProcess]
    const lambdaA = lambdaClient(a.url)
    const lambdaC = lambdaClient(c.url)
    try {
      await createFunction(lambdaA, 'cluster-fn', {
        'index.mjs': `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ pid: process.env.AWS_LAMBDA_FUNCTION_NAME, path: event.path ?? null }) })`,
      })
      const invoked = await lambdaC.send(
        new InvokeCommand({ FunctionName: 'cluster-fn', Payload: Buffer.from('{}') }),
      )
      expect(invoked.FunctionError).toBeUndefined()
      expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toMatchObject({ statusCode: 200 })

      const clientA = clients[0]!
      const { apiId, rootId } = await createApi(clientA, 'cluster-lambda')
      const resourceId = await createPath(clientA, apiId, rootId, 'hello')
      await putMethodWithIntegration(clientA, apiId, resourceId, 'GET', {
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:cluster-fn/invocations',
      })
      await deploy(clientA, apiId, 'dev')
      await seenWithin(5_000, () => get(b, `/_aws/execute-api/${apiId}/dev/hello`), '"path":"/hello"')
    } finally {
      lambdaA.destroy()
      lambdaC.destroy()
    }
  })

  it('forgets on B a function deleted through A that B ran, without B being asked for it again', async () => {
    const [a, b] = nodes as [TollgateProcess, TollgateProcess, TollgateProcess]
    const lambdaA = lambdaClient(a.url)
    const lambdaB = lambdaClient(b.url)
    try {
      await createFunction(lambdaA, 'deleted-fn', {
        'index.mjs': 'export const handler = async () => "ran"',
      })
      await createFunction(lambdaA, 'kept-fn', { 'index.mjs': 'export const handler = async () => "ran"' })
      for (const name of ['deleted-fn', 'kept-fn']) {
        const invoked = await lambdaB.send(new InvokeCommand({ FunctionName: name }))
        expect(Buffer.from(invoked.Payload!).toString()).toBe('"ran"')
      }
      const series = (name: string) => `tollgate_lambda_invocations_total{function="${name}"}`
      const metricsOfB = () => get(b, '/_tollgate/metrics')
      expect(await metricsOfB()).toContain(series('deleted-fn'))
      // B also runs the environment of the test above's function.
      const running = environmentsOf(b.pid)
      expect(running).toBeGreaterThanOrEqual(2)
      await lambdaA.send(new DeleteFunctionCommand({ FunctionName: 'deleted-fn' }))
      // B learns of the change through the store, reloads the function records nobody asked for
      // 200 ms later (--stage-revalidate-ms), finds the function gone and forgets it: its warm
      // environment stops and its series go.
      const deadline = Date.now() + 5_000
      let text = await metricsOfB()
      while (
        (text.includes(series('deleted-fn')) || environmentsOf(b.pid) !== running - 1) &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        text = await metricsOfB()
      }
      expect(text).not.toContain(series('deleted-fn'))
      expect(text).toContain(series('kept-fn'))
      expect(environmentsOf(b.pid)).toBe(running - 1)
    } finally {
      lambdaA.destroy()
      lambdaB.destroy()
    }
  })

  it('reports every node ready, with the store reachable', async () => {
    for (const node of nodes) {
      const response = await fetch(`${node.url}/_tollgate/ready`)
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ status: 'ready', checks: { store: true } })
    }
  })
})
