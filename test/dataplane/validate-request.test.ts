import {
  CreateModelCommand,
  CreateRequestValidatorCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

/** A POST /items/{id} MOCK method with a validator, required parameters and a body model. */
async function validatedApi(flags: { body: boolean; params: boolean }): Promise<string> {
  const { apiId, rootId } = await createApi(tg.client)
  const item = await createPath(tg.client, apiId, rootId, 'items/{id}')
  await tg.client.send(
    new CreateModelCommand({
      restApiId: apiId,
      name: 'Tag',
      contentType: 'application/json',
      schema: JSON.stringify({
        type: 'object',
        properties: { label: { type: 'string' } },
        required: ['label'],
      }),
    }),
  )
  await tg.client.send(
    new CreateModelCommand({
      restApiId: apiId,
      name: 'Item',
      contentType: 'application/json',
      schema: JSON.stringify({
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        properties: {
          name: { type: 'string' },
          price: { type: 'number' },
          tag: { $ref: `https://apigateway.amazonaws.com/restapis/${apiId}/models/Tag` },
        },
        required: ['name'],
      }),
    }),
  )
  const validator = await tg.client.send(
    new CreateRequestValidatorCommand({
      restApiId: apiId,
      name: 'v',
      validateRequestBody: flags.body,
      validateRequestParameters: flags.params,
    }),
  )
  const common = { restApiId: apiId, resourceId: item, httpMethod: 'POST' }
  await tg.client.send(
    new PutMethodCommand({
      ...common,
      authorizationType: 'NONE',
      requestValidatorId: validator.id,
      requestParameters: {
        'method.request.querystring.qs1': true,
        'method.request.header.x-header-param': true,
        'method.request.querystring.optional': false,
        'method.request.path.id': true,
      },
      requestModels: { 'application/json': 'Item' },
    }),
  )
  await tg.client.send(
    new PutIntegrationCommand({
      ...common,
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
    }),
  )
  await tg.client.send(new PutMethodResponseCommand({ ...common, statusCode: '200' }))
  await tg.client.send(
    new PutIntegrationResponseCommand({
      ...common,
      statusCode: '200',
      selectionPattern: '',
      responseTemplates: { 'application/json': '{"ok":true}' },
    }),
  )
  return apiId
}

const post = (apiId: string, path: string, body: string | undefined, headers: Record<string, string> = {}) =>
  fetch(`${tg.url}/_aws/execute-api/${apiId}/dev${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  })

describe('request validation', () => {
  it('lists missing required parameters as AWS does', async () => {
    const apiId = await validatedApi({ body: true, params: true })
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1', '{"name":"a"}')
    // Recorded (test_apigateway_common.snapshot.json, "missing-all-required-request-params-post"):
    // names ordered by their sorted full keys, header < path < querystring.
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    expect(await response.text()).toBe(
      '{"message":"Missing required request parameters: [x-header-param, qs1]"}',
    )
    const onlyHeader = await post(apiId, '/items/1?qs1=', '{"name":"a"}')
    expect(await onlyHeader.json()).toEqual({
      message: 'Missing required request parameters: [x-header-param]',
    })
    const ok = await post(apiId, '/items/1?qs1=x', '{"name":"a","tag":{"label":"l"}}', {
      'X-Header-Param': 'h',
    })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('{"ok":true}')
  })

  it('validates the body against the model, following $ref between models', async () => {
    const apiId = await validatedApi({ body: true, params: false })
    await deploy(tg.client, apiId, 'dev')
    const invalid = await post(apiId, '/items/1', '{"price":"free"}')
    expect(invalid.status).toBe(400)
    expect(invalid.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    // Recorded: test_apigateway_common.snapshot.json "invalid-request-body".
    expect(await invalid.text()).toBe('{"message":"Invalid request body"}')
    expect((await post(apiId, '/items/1', '{"name":"a","tag":{}}')).status).toBe(400)
    expect((await post(apiId, '/items/1', 'not json')).status).toBe(400)
    // An empty body is validated as {} (recorded "failed-validation-no-data"): "name" is required.
    expect((await post(apiId, '/items/1', undefined)).status).toBe(400)
    expect((await post(apiId, '/items/1', '{"name":"a","tag":{"label":"x"}}')).status).toBe(200)
    // Parameters are not checked by a body-only validator.
    expect((await post(apiId, '/items/1', '{"name":"a"}')).status).toBe(200)
  })

  it('skips the body when the validator only checks parameters', async () => {
    const apiId = await validatedApi({ body: false, params: true })
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1?qs1=1', 'not json at all', { 'x-header-param': 'h' })
    expect(response.status).toBe(200)
  })

  it('exposes $context.error.validationErrorString to a customised BAD_REQUEST_BODY', async () => {
    const apiId = await validatedApi({ body: true, params: false })
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'BAD_REQUEST_BODY',
        statusCode: '422',
        responseTemplates: { 'application/json': '{"error":"$context.error.validationErrorString"}' },
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1', '{"price":1}')
    expect(response.status).toBe(422)
    // Substituted as is, as AWS does (templates that need valid JSON use $util.escapeJavaScript).
    expect(await response.text()).toBe('{"error":"[object has missing required properties (["name"])]"}')
  })
})
