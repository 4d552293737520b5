import { PutGatewayResponseCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMethodWithIntegration, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

const invoke = (apiId: string, path: string, init?: RequestInit): Promise<Response> =>
  fetch(`${tg.url}/_aws/execute-api/${apiId}/dev${path}`, init)

async function mockApi(): Promise<string> {
  const { apiId, rootId } = await createApi(tg.client)
  await putMockMethod(tg.client, apiId, rootId, 'GET', '{}')
  return apiId
}

// AWS docs "supported-gateway-response-types" and "customize-gateway-responses": a customised
// type replaces the default status, headers and body; types not customised fall back to a
// customised DEFAULT_4XX / DEFAULT_5XX of their family, then to AWS's defaults.
describe('gateway responses', () => {
  it('uses a customised response for its type, with status, header mappings and template', async () => {
    const apiId = await mockApi()
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: '404',
        responseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
          'gatewayresponse.header.X-Request-Path': 'method.request.header.x-probe',
        },
        responseTemplates: {
          'application/json':
            '{"error":$context.error.messageString,"type":"$context.error.responseType","stage":"$context.stage"}',
        },
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const response = await invoke(apiId, '/nowhere', { headers: { 'x-probe': 'probe-value' } })
    expect(response.status).toBe(404)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('x-request-path')).toBe('probe-value')
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await response.json()).toEqual({
      error: 'Missing Authentication Token',
      type: 'MISSING_AUTHENTICATION_TOKEN',
      stage: 'dev',
    })
  })

  it('falls back to a customised DEFAULT_4XX for types not customised, and only after a deployment', async () => {
    const apiId = await mockApi()
    await deploy(tg.client, apiId, 'dev')
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'DEFAULT_4XX',
        statusCode: '400',
        responseTemplates: { 'application/json': '{"oops":$context.error.messageString}' },
      }),
    )
    // Undeployed: still AWS's default.
    const before = await invoke(apiId, '/nowhere')
    expect(before.status).toBe(403)
    expect(await before.text()).toBe('{"message":"Missing Authentication Token"}')

    await deploy(tg.client, apiId, 'dev')
    const after = await invoke(apiId, '/nowhere')
    expect(after.status).toBe(400)
    expect(await after.json()).toEqual({ oops: 'Missing Authentication Token' })
  })

  it('does not let DEFAULT_4XX change a 5XX response', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    // A MOCK without a status code in its template is a 500 API configuration error.
    await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
      type: 'MOCK',
      requestTemplates: { 'application/json': '{}' },
    })
    await tg.client.send(
      new PutGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX', statusCode: '418' }),
    )
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'DEFAULT_5XX',
        responseTemplates: { 'application/json': '{"failure":"$context.error.responseType"}' },
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const response = await invoke(apiId, '/')
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ failure: 'API_CONFIGURATION_ERROR' })
  })
})
