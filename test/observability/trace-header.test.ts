import { PutIntegrationCommand, PutMethodCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

// X-Amzn-Trace-Id (AWS docs "apigateway-using-xray"): kept when the client sends one, started by
// the gateway otherwise, and passed to HTTP and HTTP_PROXY backends.

let tg: TestGateway
let backend: TestBackend
let apiId: string
beforeAll(async () => {
  tg = await startTestGateway()
  backend = await startBackend()
  const api = await createApi(tg.client)
  apiId = api.apiId
  for (const type of ['HTTP_PROXY', 'HTTP'] as const) {
    const resourceId = await createPath(tg.client, apiId, api.rootId, type.toLowerCase())
    await putMethodWithIntegration(tg.client, apiId, resourceId, 'GET', {
      type,
      integrationHttpMethod: 'GET',
      uri: `${backend.url}/${type}`,
    })
  }
  await deploy(tg.client, apiId, 'prod')
})
afterAll(async () => {
  await tg.close()
  await backend.close()
})

describe('X-Amzn-Trace-Id in Lambda', () => {
  it('reaches the function as _X_AMZN_TRACE_ID and in the proxy event', async () => {
    const lambda = lambdaClient(tg.url)
    await createFunction(lambda, 'traced', {
      'index.js':
        'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ env: process.env._X_AMZN_TRACE_ID, header: event.headers["X-Amzn-Trace-Id"] }) })',
    })
    lambda.destroy()
    const { apiId: id, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: id,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: id,
        resourceId: rootId,
        httpMethod: 'GET',
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:traced/invocations',
      }),
    )
    await deploy(tg.client, id, 'prod')
    const mine = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1'
    const response = await fetch(`${tg.url}/_aws/execute-api/${id}/prod/`, {
      headers: { 'X-Amzn-Trace-Id': mine },
    })
    expect(await response.json()).toEqual({ env: mine, header: mine })
  })
})

describe('X-Amzn-Trace-Id', () => {
  it('starts a trace for each request and passes it to proxy and non-proxy backends', async () => {
    for (const path of ['/http_proxy', '/http']) {
      await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod${path}`)
      const trace = backend.received.at(-1)!.headers['x-amzn-trace-id']
      expect(trace, path).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
    }
    expect(backend.received.at(-1)!.headers['x-amzn-trace-id']).not.toBe(
      backend.received.at(-2)!.headers['x-amzn-trace-id'],
    )
  })

  it("keeps the client's trace header", async () => {
    const mine = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1'
    await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/http`, { headers: { 'X-Amzn-Trace-Id': mine } })
    expect(backend.received.at(-1)!.headers['x-amzn-trace-id']).toBe(mine)
  })
})
