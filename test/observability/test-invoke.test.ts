import {
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  TestInvokeMethodCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// TestInvokeMethod (AWS API reference): the method run as defined, answering like a real invoke,
// with its latency and an execution log.

let tg: TestGateway
let backend: TestBackend
let apiId: string
let resourceId: string
beforeAll(async () => {
  tg = await startTestGateway()
  backend = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'yes' })
    res.end(JSON.stringify({ got: JSON.parse(req.body.toString() || '{}') as unknown, url: req.url }))
  })
  const api = await createApi(tg.client)
  apiId = api.apiId
  resourceId = await createPath(tg.client, apiId, api.rootId, 'orders/{id}')
  await tg.client.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId,
      httpMethod: 'POST',
      authorizationType: 'NONE',
      requestParameters: { 'method.request.path.id': true },
    }),
  )
  await tg.client.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId,
      httpMethod: 'POST',
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: `${backend.url}/orders/{id}`,
      requestParameters: { 'integration.request.path.id': 'method.request.path.id' },
      requestTemplates: {
        'application/json': '{"order": "$input.params(\'id\')", "item": $input.json(\'$.item\')}',
      },
    }),
  )
  await tg.client.send(
    new PutMethodResponseCommand({
      restApiId: apiId,
      resourceId,
      httpMethod: 'POST',
      statusCode: '201',
      responseParameters: { 'method.response.header.X-Order': false },
    }),
  )
  await tg.client.send(
    new PutIntegrationResponseCommand({
      restApiId: apiId,
      resourceId,
      httpMethod: 'POST',
      statusCode: '201',
      selectionPattern: '',
      responseParameters: { 'method.response.header.X-Order': 'integration.response.header.x-backend' },
      responseTemplates: {
        'application/json': '{"created": $input.json(\'$.got\'), "path": "$input.path(\'$.url\')"}',
      },
    }),
  )
  await deploy(tg.client, apiId, 'prod')
})
afterAll(async () => {
  await tg.close()
  await backend.close()
})

describe('TestInvokeMethod', () => {
  it('answers as a real invoke does, with latency and an execution log', async () => {
    const real = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/orders/42`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item": "book"}',
    })
    const test = await tg.client.send(
      new TestInvokeMethodCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'POST',
        pathWithQueryString: '/orders/42',
        headers: { 'Content-Type': 'application/json' },
        body: '{"item": "book"}',
      }),
    )
    expect(test.status).toBe(real.status)
    expect(test.status).toBe(201)
    expect(JSON.parse(test.body!)).toEqual(await real.json())
    expect(test.headers?.['X-Order']).toBe('yes')
    expect(test.multiValueHeaders?.['X-Order']).toEqual(['yes'])
    expect(typeof test.latency).toBe('number')
    expect(test.log).toContain('Endpoint request body after transformations: {"order": "42", "item": "book"}')
    expect(test.log).toContain('Method completed with status: 201')
  })
})
