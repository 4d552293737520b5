import { UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApi,
  createPath,
  deploy,
  putMethodWithIntegration,
  putMockMethod,
  setResponseTemplates,
} from '../support/apis.js'
import { sdkClient } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { spawnTollgate, type TollgateProcess } from '../support/process.js'
import { dropPostgresSchema, postgresServer, postgresTestUrl, requireTool } from '../support/tools.js'

// Three gateway processes sharing the machine's PostgreSQL (issue 13): what one node is told,
// every node serves. Skips with a reason without PostgreSQL; never under CI=true.
const skip = await requireTool(postgresServer)

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

const get = (node: TollgateProcess, path: string): Promise<string> =>
  fetch(`${node.url}${path}`).then((response) => response.text().then((text) => `${response.status} ${text}`))

describe.skipIf(skip)('three nodes on one PostgreSQL store', () => {
  const url = postgresTestUrl()
  let nodes: TollgateProcess[] = []
  let clients: APIGatewayClient[] = []

  beforeAll(async () => {
    // Started together: they migrate the new schema at the same time (one wins the lock).
    nodes = await Promise.all([0, 1, 2].map(() => spawnTollgate(['--store', url])))
    clients = nodes.map((node) => sdkClient(node.url))
  }, 60_000)

  afterAll(async () => {
    for (const client of clients) client.destroy()
    for (const node of nodes) node.kill()
    await Promise.all(nodes.map((node) => node.exited))
    await dropPostgresSchema(url)
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

  it('reports every node ready, with the store reachable', async () => {
    for (const node of nodes) {
      const response = await fetch(`${node.url}/_tollgate/ready`)
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ status: 'ready', checks: { store: true } })
    }
  })
})
