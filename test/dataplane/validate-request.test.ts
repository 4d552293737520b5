import {
  CreateModelCommand,
  CreateRequestValidatorCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateModelCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

interface Options {
  body: boolean
  params: boolean
  /** requestModels of the method; Item for application/json by default. */
  models?: Record<string, string>
  /** Declare `issuer` as a required path parameter the resource path lacks (default true). */
  issuer?: boolean
}

/**
 * POST /items/{id}: a MOCK method with a request validator, required parameters (a header, the
 * `{id}` path parameter, `issuer` declared on the path but absent from it, a query string) and
 * request models Item -> Tag by `$ref`. Returns the API id.
 */
async function validatedApi(options: Options): Promise<string> {
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
      validateRequestBody: options.body,
      validateRequestParameters: options.params,
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
        ...(options.issuer === false ? {} : { 'method.request.path.issuer': true }),
      },
      requestModels: options.models ?? { 'application/json': 'Item' },
    }),
  )
  await tg.client.send(
    new PutIntegrationCommand({
      ...common,
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}', 'text/plain': '{"statusCode": 200}' },
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

describe('request validation: parameters', () => {
  it('lists missing required parameters as AWS does', async () => {
    const apiId = await validatedApi({ body: true, params: true })
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1', '{"name":"a"}')
    // Recorded (test_apigateway_common.snapshot.json, "missing-all-required-request-params-post"):
    // names ordered by their sorted full keys, header < path < querystring.
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    expect(await response.text()).toBe(
      '{"message":"Missing required request parameters: [x-header-param, issuer, qs1]"}',
    )
  })

  it('counts an empty query value as present and a blank header as missing', async () => {
    const apiId = await validatedApi({ body: false, params: true })
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1?qs1=', '{}', { 'x-header-param': '' })
    expect(await response.json()).toEqual({
      message: 'Missing required request parameters: [x-header-param, issuer]',
    })
  })

  it('lets a request with every required parameter through', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const resource = await createPath(tg.client, apiId, rootId, 'orders/{issuer}')
    const validator = await tg.client.send(
      new CreateRequestValidatorCommand({ restApiId: apiId, name: 'p', validateRequestParameters: true }),
    )
    const common = { restApiId: apiId, resourceId: resource, httpMethod: 'GET' }
    await tg.client.send(
      new PutMethodCommand({
        ...common,
        authorizationType: 'NONE',
        requestValidatorId: validator.id,
        requestParameters: {
          'method.request.path.issuer': true,
          'method.request.querystring.qs1': true,
          'method.request.header.X-Header-Param': true,
        },
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
      new PutIntegrationResponseCommand({ ...common, statusCode: '200', selectionPattern: '' }),
    )
    await deploy(tg.client, apiId, 'dev')
    const url = `${tg.url}/_aws/execute-api/${apiId}/dev/orders/me`
    expect((await fetch(`${url}?qs1=x`, { headers: { 'x-header-param': 'h' } })).status).toBe(200)
    const missing = await fetch(url, { headers: { 'x-header-param': 'h' } })
    expect(await missing.json()).toEqual({ message: 'Missing required request parameters: [qs1]' })
  })

  it('reports parameters, not the body, when both fail', async () => {
    const apiId = await validatedApi({ body: true, params: true })
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1', 'not json')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      message: 'Missing required request parameters: [x-header-param, issuer, qs1]',
    })
  })

  it('skips the body when the validator only checks parameters', async () => {
    const apiId = await validatedApi({ body: false, params: true, issuer: false })
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1?qs1=1', 'not json at all', { 'x-header-param': 'h' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('{"ok":true}')
  })
})

describe('request validation: body', () => {
  it('validates the body against the model, following $ref between models', async () => {
    const apiId = await validatedApi({ body: true, params: false })
    await deploy(tg.client, apiId, 'dev')
    const invalid = await post(apiId, '/items/1', '{"price":"free"}')
    expect(invalid.status).toBe(400)
    expect(invalid.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    // Recorded: test_apigateway_common.snapshot.json "invalid-request-body".
    expect(await invalid.text()).toBe('{"message":"Invalid request body"}')
    expect((await post(apiId, '/items/1', '{"name":"a","tag":{}}')).status).toBe(400)
    expect((await post(apiId, '/items/1', '{"name":"a","tag":{"label":7}}')).status).toBe(400)
    const valid = await post(apiId, '/items/1', '{"name":"a","tag":{"label":"x"}}')
    expect(valid.status).toBe(200)
    expect(await valid.text()).toBe('{"ok":true}')
    // A body-only validator does not check parameters (none of the required ones are sent).
    expect((await post(apiId, '/items/1', '{"name":"a"}')).status).toBe(200)
  })

  it('validates an empty body as {} and fails a body that is not JSON', async () => {
    const apiId = await validatedApi({ body: true, params: false })
    await deploy(tg.client, apiId, 'dev')
    // Recorded "failed-validation-no-data": the model requires "name".
    const empty = await post(apiId, '/items/1', undefined)
    expect(empty.status).toBe(400)
    expect(await empty.json()).toEqual({ message: 'Invalid request body' })
    const notJson = await post(apiId, '/items/1', '{"name": "a"')
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toEqual({ message: 'Invalid request body' })
  })

  it('validates only content types with a model, or every type with $default', async () => {
    const jsonOnly = await validatedApi({ body: true, params: false })
    await deploy(tg.client, jsonOnly, 'dev')
    const plain = { 'content-type': 'text/plain' }
    expect((await post(jsonOnly, '/items/1', 'hello', plain)).status).toBe(200)
    expect(
      (await post(jsonOnly, '/items/1', '{}', { 'content-type': 'application/json; charset=utf-8' })).status,
    ).toBe(400)

    const anyType = await validatedApi({ body: true, params: false, models: { $default: 'Item' } })
    await deploy(tg.client, anyType, 'dev')
    expect((await post(anyType, '/items/1', 'hello', plain)).status).toBe(400)
    expect((await post(anyType, '/items/1', '{"name":"a"}', plain)).status).toBe(200)
  })

  it('keeps validating with the deployed models until the next deployment', async () => {
    const apiId = await validatedApi({ body: true, params: false })
    await deploy(tg.client, apiId, 'dev')
    await tg.client.send(
      new UpdateModelCommand({
        restApiId: apiId,
        modelName: 'Item',
        patchOperations: [
          { op: 'replace', path: '/schema', value: '{"type": "object", "required": ["sku"]}' },
        ],
      }),
    )
    expect((await post(apiId, '/items/1', '{"name":"a"}')).status).toBe(200)
    await deploy(tg.client, apiId, 'dev')
    expect((await post(apiId, '/items/1', '{"name":"a"}')).status).toBe(400)
    expect((await post(apiId, '/items/1', '{"sku":"a"}')).status).toBe(200)
  })
})

describe('request validation: gateway responses', () => {
  it('exposes $context.error.validationErrorString to a customised BAD_REQUEST_BODY', async () => {
    const apiId = await validatedApi({ body: true, params: false })
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'BAD_REQUEST_BODY',
        statusCode: '422',
        responseTemplates: {
          'application/json':
            '{"message": $context.error.messageString, "details": "$context.error.validationErrorString"}',
        },
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1', '{"price":1}')
    expect(response.status).toBe(422)
    // Substituted as is, as AWS does (templates that need valid JSON use $util.escapeJavaScript);
    // the wording is the Java json-schema-validator's, which AWS uses.
    expect(await response.text()).toBe(
      '{"message": "Invalid request body", "details": "[object has missing required properties (["name"])]"}',
    )
  })

  it('renders a customised BAD_REQUEST_PARAMETERS with the message', async () => {
    const apiId = await validatedApi({ body: false, params: true })
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'BAD_REQUEST_PARAMETERS',
        responseTemplates: { 'application/json': '{"error": $context.error.messageString}' },
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const response = await post(apiId, '/items/1?qs1=a', '{}')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'Missing required request parameters: [x-header-param, issuer]',
    })
  })
})
