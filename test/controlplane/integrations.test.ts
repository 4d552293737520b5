import {
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  type PatchOperation,
  type PutIntegrationCommandInput,
  type PutIntegrationResponseCommandInput,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath } from '../support/apis.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { parity, storedApi } from '../support/parity.js'

// Expected values: test/parity/controlplane/integrations.json, copied from
// aws-recordings/test_apigateway_api.snapshot.json (TestApigatewayIntegration,
// TestApigatewayIntegrationResponse) and test_apigateway_integrations.snapshot.json
// (test_put_integration_validation, test_put_integration_responses); keys are '<test>/<step>'.
const recorded = parity('integrations')

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

type RecordedError = { code: string; message: string; status?: number }

/**
 * The recorded shape of a step with its placeholders filled in: `<cache-namespace:1>` is the
 * resource id, `<partition>` and `<region>` are ours, `<uri:1>` is the URI the test sent.
 */
function recordedShape(key: string, values: Record<string, string> = {}): unknown {
  const shape = recorded.shapes[key]
  if (shape === undefined) throw new Error(`no recorded shape ${key}`)
  let text = JSON.stringify(shape).replaceAll('<partition>', 'aws').replaceAll('<region>', 'us-east-1')
  for (const [placeholder, value] of Object.entries(values)) text = text.replaceAll(placeholder, value)
  return JSON.parse(text)
}

/** What the SDK parsed, without `$metadata`; JSON-object templates compared parsed, as recorded. */
function shapeOf(output: object): unknown {
  return JSON.parse(JSON.stringify({ ...output, $metadata: undefined }), (key, value: unknown) => {
    if (key !== '' && typeof value === 'string' && value.startsWith('{')) {
      try {
        return JSON.parse(value) as unknown
      } catch {
        return value
      }
    }
    return value
  })
}

/** Asserts that a call failed with the recorded error type, message and HTTP status. */
async function expectRecordedError(call: Promise<unknown>, key: string): Promise<void> {
  const expected = recorded.errors[key] as RecordedError | undefined
  if (!expected) throw new Error(`no recorded error ${key}`)
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined
  expect(error, `${key}: expected ${expected.code}`).toBeDefined()
  expect(
    { name: error?.name, message: error?.message, status: error?.$metadata?.httpStatusCode },
    key,
  ).toEqual({
    name: expected.code,
    message: expected.message,
    status: expected.status,
  })
}

/** Same check for a raw HTTP call (bodies the SDK would not send). */
function expectRawError(r: Awaited<ReturnType<typeof rawCall>>, key: string): void {
  const expected = recorded.errors[key] as RecordedError | undefined
  if (!expected) throw new Error(`no recorded error ${key}`)
  expect(r, key).toEqual({
    status: expected.status,
    errorType: expected.code,
    json: { message: expected.message },
  })
}

async function apiWithMethod(httpMethod = 'GET'): Promise<{ apiId: string; rootId: string }> {
  const api = await createApi(tg.client)
  await tg.client.send(
    new PutMethodCommand({
      restApiId: api.apiId,
      resourceId: api.rootId,
      httpMethod,
      authorizationType: 'NONE',
    }),
  )
  return api
}

const LAMBDA_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:MyLambda/invocations'

describe('integrations', () => {
  it('validates and answers each integration type as recorded (test_put_integration_validation)', async () => {
    const { apiId, rootId } = await apiWithMethod()
    const put = (input: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>) =>
      tg.client.send(
        new PutIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', ...input }),
      )
    const step = (name: string) => `test_put_integration_validation/${name}`
    const before = await storedApi(tg, apiId)
    for (const type of ['HTTP', 'HTTP_PROXY', 'AWS'] as const) {
      await expectRecordedError(
        put({ type, uri: 'http://example.com' }),
        step(`required-integration-method-${type}`),
      )
    }
    expect(await storedApi(tg, apiId)).toEqual(before)
    const ids = { '<cache-namespace:1>': rootId }
    const mock = await put({ type: 'MOCK' })
    expect(mock.$metadata.httpStatusCode).toBe(201)
    expect(shapeOf(mock)).toEqual(recordedShape(step('not-required-integration-method-MOCK'), ids))
    for (const type of ['HTTP', 'HTTP_PROXY'] as const) {
      const http = await put({ type, uri: 'http://example.com', integrationHttpMethod: 'POST' })
      expect(shapeOf(http)).toEqual(recordedShape(step(`http-method-${type}`), ids))
    }
    const s3 = await put({
      type: 'AWS',
      uri: 'arn:aws:apigateway:us-east-1:s3:path/b/k',
      integrationHttpMethod: 'POST',
      credentials: 'arn:aws:iam::111111111111:role/service-role/testfunction-role-oe783psq',
    })
    expect(shapeOf(s3)).toEqual(recordedShape(step('aws-integration-AWS'), ids))
    for (const type of ['AWS', 'AWS_PROXY'] as const) {
      const lambda = await put({ type, uri: LAMBDA_URI, integrationHttpMethod: 'POST' })
      expect(shapeOf(lambda)).toEqual(recordedShape(step(`aws-integration-type-${type}`), ids))
    }
    const last = await storedApi(tg, apiId)
    await expectRecordedError(
      put({
        type: 'AWS_PROXY',
        uri: 'arn:aws:apigateway:us-west-2:s3:path/b/k',
        integrationHttpMethod: 'POST',
      }),
      step('no-s3-support-AWS_PROXY'),
    )
    for (const type of ['HTTP', 'HTTP_PROXY'] as const) {
      await expectRecordedError(
        put({ type, uri: 'non-valid-http', integrationHttpMethod: 'POST' }),
        step(`invalid-uri-${type}`),
      )
    }
    await expectRecordedError(
      put({ type: 'AWS', uri: 'non-valid-arn', integrationHttpMethod: 'POST' }),
      step('invalid-uri-not-an-arn'),
    )
    await expectRecordedError(
      put({
        type: 'AWS',
        uri: 'arn:aws:iam::0000000000:role/service-role/asdf',
        integrationHttpMethod: 'POST',
      }),
      step('invalid-uri-invalid-arn'),
    )
    await expectRecordedError(
      put({ type: 'AWS', uri: 'arn:aws:apigateway:us-east-1:s3:bucket/key', integrationHttpMethod: 'POST' }),
      step('invalid-uri-invalid-arn'),
    )
    expect(await storedApi(tg, apiId)).toEqual(last)
  })

  it('accepts stage variables in an HTTP URI and answers connectionType INTERNET', async () => {
    const { apiId, rootId } = await apiWithMethod()
    const put = await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        type: 'HTTP',
        uri: 'https://${stageVariables.host}/pets/${stageVariables.path}',
        integrationHttpMethod: 'POST',
      }),
    )
    // Same defaults as recorded for test_put_integration_responses "put-integration-get".
    expect(shapeOf(put)).toEqual(
      recordedShape('test_put_integration_responses/put-integration-get', {
        '<cache-namespace:1>': rootId,
        '<uri:1>': 'https://${stageVariables.host}/pets/${stageVariables.path}',
      }),
    )
  })

  it('puts and updates a VPC link integration as recorded (test_create_integration_with_vpc_link)', async () => {
    const { apiId, rootId } = await apiWithMethod()
    const ids = { '<cache-namespace:1>': rootId }
    const key = (s: string) => `test_create_integration_with_vpc_link/${s}`
    const put = await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: 'http://my-vpclink-test-nlb-1234567890abcdef.us-east-1.amazonaws.com',
        connectionType: 'VPC_LINK',
        connectionId: '${stageVariables.vpcLinkId}',
      }),
    )
    expect(shapeOf(put)).toEqual(recordedShape(key('put-integration-vpc-link'), ids))
    const got = await tg.client.send(
      new GetIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' }),
    )
    expect(shapeOf(got)).toEqual(recordedShape(key('get-integration-vpc-link'), ids))
    const updated = await tg.client.send(
      new UpdateIntegrationCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        patchOperations: [{ op: 'replace', path: '/connectionId', value: '${stageVariables.vpcLinkIdBeta}' }],
      }),
    )
    expect(shapeOf(updated)).toEqual(recordedShape(key('update-integration-vpc-link'), ids))
    const again = await tg.client.send(
      new GetIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' }),
    )
    expect(shapeOf(again)).toEqual(recordedShape(key('get-integration-update-vpc-link'), ids))
  })

  it('refuses wrong types as recorded, before looking anything up', async () => {
    const { apiId, rootId } = await apiWithMethod()
    const before = await storedApi(tg, apiId)
    const path = `/restapis/${apiId}/resources/${rootId}/methods/GET/integration`
    // The enum is checked before the (missing) POST method is looked up.
    expectRawError(
      await rawCall(tg.url, 'PUT', path.replace('/GET/', '/POST/'), JSON.stringify({ type: 'HTTPS_PROXY' })),
      'test_put_integration_wrong_type/put-integration-wrong-type',
    )
    // A boolean where a string is due fails deserialisation, before HTTP_PROXY's missing httpMethod.
    const bool = 'test_put_integration_request_parameter_bool_type'
    expectRawError(
      await rawCall(
        tg.url,
        'PUT',
        path,
        JSON.stringify({ type: 'HTTP_PROXY', requestParameters: { true: true } }),
      ),
      `${bool}/put-integration-request-param-wrong-type`,
    )
    expectRawError(
      await rawCall(
        tg.url,
        'PUT',
        path,
        JSON.stringify({
          type: 'HTTP_PROXY',
          requestParameters: { 'integration.request.path.testPath': true },
        }),
      ),
      `${bool}/put-integration-request-param-bool-value`,
    )
    // type is required (AWS's "Member must not be null" form for a required member).
    const noType = await rawCall(tg.url, 'PUT', path, '{}')
    expect(noType).toEqual({
      status: 400,
      errorType: 'ValidationException',
      json: {
        message:
          "1 validation error detected: Value null at 'putIntegrationInput.type' failed to satisfy constraint: Member must not be null",
      },
    })
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('answers unknown APIs, resources, methods and integrations as recorded', async () => {
    const { apiId, rootId } = await apiWithMethod('POST')
    const other = await createApi(tg.client)
    const get = (restApiId: string, resourceId: string, httpMethod: string) =>
      tg.client.send(new GetIntegrationCommand({ restApiId, resourceId, httpMethod }))
    const missing = 'test_get_integration_non_existent'
    await expectRecordedError(get('nosuchapi', rootId, 'POST'), `${missing}/get-integration-no-api`)
    await expectRecordedError(get(apiId, 'nosuch', 'POST'), `${missing}/get-integration-no-resource`)
    await expectRecordedError(get(apiId, other.rootId, 'POST'), `${missing}/get-integration-no-resource`)
    await expectRecordedError(get(apiId, rootId, 'GET'), `${missing}/get-integration-no-method`)
    await expectRecordedError(get(apiId, rootId, 'POST'), `${missing}/get-integration-no-integration`)

    const before = await storedApi(tg, apiId)
    const put = (resourceId: string, httpMethod: string) =>
      tg.client.send(
        new PutIntegrationCommand({
          restApiId: apiId,
          resourceId,
          httpMethod,
          type: 'MOCK',
          integrationHttpMethod: 'GET',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
        }),
      )
    const validation = 'test_put_integration_response_validation'
    await expectRecordedError(put(rootId, 'GET'), `${validation}/put-integration-wrong-method`)
    await expectRecordedError(put('badresource', 'GET'), `${validation}/put-integration-wrong-resource`)
    expect(await storedApi(tg, apiId)).toEqual(before)
    await expectRecordedError(
      tg.client.send(
        new DeleteIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'POST' }),
      ),
      `${missing}/get-integration-no-integration`,
    )
  })

  it('updates by patch, refuses what PutIntegration would refuse, and deletes', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const pets = await createPath(tg.client, apiId, rootId, 'pets')
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: pets,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: pets,
        httpMethod: 'GET',
        type: 'HTTP',
        integrationHttpMethod: 'GET',
        uri: 'http://petstore.example.com/pets',
        requestParameters: { 'integration.request.header.x-a': "'b'" },
        requestTemplates: { 'application/json': '{"a": 1}' },
      }),
    )
    const update = (ops: PatchOperation[]) =>
      tg.client.send(
        new UpdateIntegrationCommand({
          restApiId: apiId,
          resourceId: pets,
          httpMethod: 'GET',
          patchOperations: ops,
        }),
      )
    const updated = await update([
      { op: 'replace', path: '/timeoutInMillis', value: '1000' },
      { op: 'replace', path: '/uri', value: 'https://other.example.com/${stageVariables.path}' },
      { op: 'remove', path: '/requestTemplates/application~1json' },
      { op: 'add', path: '/requestTemplates/application~1xml', value: '<a/>' },
      {
        op: 'add',
        path: '/requestParameters/integration.request.querystring.q',
        value: 'method.request.path.id',
      },
      { op: 'add', path: '/cacheKeyParameters/method.request.path.id' },
      { op: 'replace', path: '/passthroughBehavior', value: 'NEVER' },
      { op: 'replace', path: '/contentHandling', value: 'CONVERT_TO_TEXT' },
      { op: 'replace', path: '/cacheNamespace', value: 'ns' },
    ])
    expect(shapeOf(updated)).toEqual({
      type: 'HTTP',
      httpMethod: 'GET',
      uri: 'https://other.example.com/${stageVariables.path}',
      connectionType: 'INTERNET',
      requestParameters: {
        'integration.request.header.x-a': "'b'",
        'integration.request.querystring.q': 'method.request.path.id',
      },
      requestTemplates: { 'application/xml': '<a/>' },
      passthroughBehavior: 'NEVER',
      contentHandling: 'CONVERT_TO_TEXT',
      timeoutInMillis: 1000,
      cacheNamespace: 'ns',
      cacheKeyParameters: ['method.request.path.id'],
    })
    const before = await storedApi(tg, apiId)
    const refusals: [PatchOperation[], string, string][] = [
      [
        [{ op: 'replace', path: '/uri', value: 'not-a-url' }],
        'BadRequestException',
        'Invalid HTTP endpoint specified for URI',
      ],
      [[{ op: 'remove', path: '/uri' }], 'BadRequestException', 'Invalid HTTP endpoint specified for URI'],
      [
        [{ op: 'replace', path: '/httpMethod', value: '' }],
        'BadRequestException',
        'Enumeration value for HttpMethod must be non-empty',
      ],
      [[{ op: 'replace', path: '/nosuch', value: 'x' }], 'BadRequestException', 'Invalid patch path /nosuch'],
      [
        [{ op: 'add', path: '/uri', value: 'http://a.example' }],
        'BadRequestException',
        'Invalid patch operation specified. Must be one of: [replace, remove]',
      ],
      [
        [{ op: 'add', path: '/requestTemplates/123', value: 'x' }],
        'BadRequestException',
        'Validation Result: warnings : [], errors : [Invalid content type specified: 123]',
      ],
      [
        [{ op: 'replace', path: '/timeoutInMillis', value: '10' }],
        'BadRequestException',
        'Timeout should be between 50 ms and 29000 ms',
      ],
      [
        [{ op: 'replace', path: '/type', value: 'HTTPS' }],
        'ValidationException',
        "1 validation error detected: Value 'HTTPS' at 'updateIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]",
      ],
    ]
    for (const [ops, name, message] of refusals) {
      const error = await update(ops).catch((e: unknown) => e as Error)
      expect({ name: (error as Error).name, message: (error as Error).message }, JSON.stringify(ops)).toEqual(
        {
          name,
          message,
        },
      )
    }
    expect(await storedApi(tg, apiId)).toEqual(before)

    // Switching to MOCK drops the need for a URI and an HTTP method.
    const mock = await update([
      { op: 'replace', path: '/type', value: 'MOCK' },
      { op: 'remove', path: '/uri' },
    ])
    expect(mock.type).toBe('MOCK')
    expect(mock.uri).toBeUndefined()
    const deleted = await tg.client.send(
      new DeleteIntegrationCommand({ restApiId: apiId, resourceId: pets, httpMethod: 'GET' }),
    )
    expect(deleted.$metadata.httpStatusCode).toBe(204)
    await expectRecordedError(
      tg.client.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: pets, httpMethod: 'GET' })),
      'test_get_integration_non_existent/get-integration-no-integration',
    )
    const method = await tg.client.send(
      new GetMethodCommand({ restApiId: apiId, resourceId: pets, httpMethod: 'GET' }),
    )
    expect(method.methodIntegration).toBeUndefined()
  })

  it('refuses a timeout outside 50 ms to 29 s on put', async () => {
    const { apiId, rootId } = await apiWithMethod()
    const before = await storedApi(tg, apiId)
    for (const timeoutInMillis of [49, 29_001]) {
      await expect(
        tg.client.send(
          new PutIntegrationCommand({
            restApiId: apiId,
            resourceId: rootId,
            httpMethod: 'GET',
            type: 'MOCK',
            timeoutInMillis,
          }),
        ),
      ).rejects.toMatchObject({
        name: 'BadRequestException',
        message: 'Timeout should be between 50 ms and 29000 ms',
      })
    }
    expect(await storedApi(tg, apiId)).toEqual(before)
  })
})

describe('integration responses', () => {
  /** The recorded set-up: a GET method with a MOCK integration on the root resource. */
  async function mockIntegration(): Promise<{ apiId: string; rootId: string }> {
    const api = await apiWithMethod()
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: api.apiId,
        resourceId: api.rootId,
        httpMethod: 'GET',
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
      }),
    )
    return api
  }
  const putResponse = (input: Partial<PutIntegrationResponseCommandInput> & { restApiId: string }) =>
    tg.client.send(
      new PutIntegrationResponseCommand({ resourceId: '', httpMethod: 'GET', statusCode: '200', ...input }),
    )
  const getResponse = (restApiId: string, resourceId: string, httpMethod = 'GET', statusCode = '200') =>
    tg.client.send(new GetIntegrationResponseCommand({ restApiId, resourceId, httpMethod, statusCode }))

  it('puts, gets, updates, overwrites and deletes as recorded (test_lifecycle_integration_response)', async () => {
    const { apiId, rootId } = await mockIntegration()
    const key = (s: string) => `test_lifecycle_integration_response/${s}`
    const put = await putResponse({
      restApiId: apiId,
      resourceId: rootId,
      responseTemplates: { 'application/json': '"created"' },
      selectionPattern: '',
    })
    expect(put.$metadata.httpStatusCode).toBe(201)
    expect(shapeOf(put)).toEqual(recordedShape(key('put-integration-response')))
    expect(shapeOf(await getResponse(apiId, rootId))).toEqual(recordedShape(key('get-integration-response')))
    const updated = await tg.client.send(
      new UpdateIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
        patchOperations: [{ op: 'replace', path: '/selectionPattern', value: 'updated-pattern' }],
      }),
    )
    expect(shapeOf(updated)).toEqual(recordedShape(key('update-integration-response')))
    const overwritten = await putResponse({
      restApiId: apiId,
      resourceId: rootId,
      responseTemplates: { 'application/json': 'overwrite' },
      selectionPattern: 'overwrite-pattern',
    })
    expect(shapeOf(overwritten)).toEqual(recordedShape(key('overwrite-integration-response')))
    const method = await tg.client.send(
      new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' }),
    )
    expect(shapeOf(method)).toEqual(recordedShape(key('get-method'), { '<cache-namespace:1>': rootId }))
    const deleted = await tg.client.send(
      new DeleteIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
      }),
    )
    expect(deleted.$metadata.httpStatusCode).toBe(204)
    await expectRecordedError(
      getResponse(apiId, rootId),
      'test_integration_response_wrong_status_code/get-integration-response-wrong-status-code',
    )
  })

  it('nests responses in GetMethod and keeps content handling as recorded (test_put_integration_responses)', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const key = (s: string) => `test_put_integration_responses/${s}`
    const uri = 'http://backend.example.com/post'
    const ids = { '<cache-namespace:1>': rootId, '<uri:1>': uri }
    for (const httpMethod of ['GET', 'PUT']) {
      const suffix = httpMethod.toLowerCase()
      const method = await tg.client.send(
        new PutMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod, authorizationType: 'NONE' }),
      )
      expect(shapeOf(method)).toEqual(recordedShape(key(`put-method-${suffix}`)))
      const response = await tg.client.send(
        new PutMethodResponseCommand({ restApiId: apiId, resourceId: rootId, httpMethod, statusCode: '200' }),
      )
      expect(shapeOf(response)).toEqual(recordedShape(key(`put-method-response-${suffix}`)))
      const integration = await tg.client.send(
        new PutIntegrationCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod,
          type: 'HTTP',
          uri,
          integrationHttpMethod: 'POST',
        }),
      )
      expect(shapeOf(integration)).toEqual(recordedShape(key(`put-integration-${suffix}`), ids))
    }
    const getResp = await putResponse({
      restApiId: apiId,
      resourceId: rootId,
      selectionPattern: '2\\d{2}',
      responseTemplates: {},
    })
    expect(shapeOf(getResp)).toEqual(recordedShape(key('put-integration-response-get')))
    expect(shapeOf(await getResponse(apiId, rootId))).toEqual(
      recordedShape(key('get-integration-response-get')),
    )
    const getMethod = () =>
      tg.client.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' }))
    expect(shapeOf(await getMethod())).toEqual(recordedShape(key('get-method-get'), ids))
    await tg.client.send(
      new DeleteIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
      }),
    )
    expect(shapeOf(await getMethod())).toEqual(
      recordedShape(key('get-method-get-after-int-resp-delete'), ids),
    )
    const binary = await putResponse({
      restApiId: apiId,
      resourceId: rootId,
      httpMethod: 'PUT',
      selectionPattern: '2\\d{2}',
      contentHandling: 'CONVERT_TO_BINARY',
    })
    expect(shapeOf(binary)).toEqual(recordedShape(key('put-integration-response-put')))
    expect(shapeOf(await getResponse(apiId, rootId, 'PUT'))).toEqual(
      recordedShape(key('get-integration-response-put')),
    )
  })

  it('stores empty and null templates as null (test_put_integration_response_templates)', async () => {
    const { apiId, rootId } = await mockIntegration()
    const key = (s: string) => `test_put_integration_response_templates/${s}`
    const path = `/restapis/${apiId}/resources/${rootId}/methods/GET/integration/responses/200`
    const none = await rawCall(
      tg.url,
      'PUT',
      path,
      JSON.stringify({ selectionPattern: '', responseTemplates: { 'application/json': null } }),
    )
    expect({ status: none.status, json: none.json }).toEqual({
      status: 201,
      json: recordedShape(key('put-integration-response-template-none')),
    })
    const empty = await putResponse({
      restApiId: apiId,
      resourceId: rootId,
      selectionPattern: '',
      responseTemplates: { 'application/json': '' },
    })
    expect(shapeOf(empty)).toEqual(recordedShape(key('put-integration-response-template-empty')))
    const without = await putResponse({ restApiId: apiId, resourceId: rootId, selectionPattern: '' })
    expect(shapeOf(without)).toEqual(recordedShape(key('put-integration-no-response-template')))
  })

  it('answers unknown APIs, resources, methods, integrations and status codes as recorded', async () => {
    const { apiId, rootId } = await mockIntegration()
    const noIntegration = await apiWithMethod()
    await expectRecordedError(
      putResponse({ restApiId: 'wrong-api', resourceId: 'dummy-value' }),
      'test_integration_response_wrong_api/put-integration-response-wrong-api',
    )
    await expectRecordedError(
      getResponse('wrong-api', 'dummy-value'),
      'test_integration_response_wrong_api/get-integration-response-wrong-api',
    )
    await expectRecordedError(
      putResponse({ restApiId: apiId, resourceId: 'wrong-resource' }),
      'test_integration_response_wrong_resource/put-integration-response-wrong-resource',
    )
    await expectRecordedError(
      getResponse(apiId, 'wrong-resource'),
      'test_integration_response_wrong_resource/get-integration-response-wrong-resource',
    )
    await expectRecordedError(
      putResponse({ restApiId: apiId, resourceId: rootId, httpMethod: 'wrong-method' }),
      'test_integration_response_wrong_method/put-integration-response-wrong-method',
    )
    await expectRecordedError(
      getResponse(apiId, rootId, 'wrong-method'),
      'test_integration_response_wrong_method/get-integration-response-wrong-method',
    )
    await expectRecordedError(
      putResponse({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'POST',
        responseTemplates: { 'application/json': '{}' },
      }),
      'test_put_integration_response_validation/put-integration-response-wrong-method',
    )
    await expectRecordedError(
      putResponse({ restApiId: apiId, resourceId: 'badresource' }),
      'test_put_integration_response_validation/put-integration-response-wrong-resource',
    )
    // The status code is validated before anything is looked up (the recorded method had none).
    await expectRecordedError(
      putResponse({
        restApiId: noIntegration.apiId,
        resourceId: noIntegration.rootId,
        httpMethod: 'DELETE',
        statusCode: 'wrong',
      }),
      'test_integration_response_invalid_statuscode/put-integration-response-invalid-statusCode',
    )
    await expectRecordedError(
      getResponse(noIntegration.apiId, noIntegration.rootId, 'DELETE', 'wrong'),
      'test_integration_response_invalid_statuscode/get-integration-response-invalid-statusCode',
    )
    await expectRecordedError(
      getResponse(noIntegration.apiId, noIntegration.rootId),
      'test_integration_response_invalid_integration/get-integration-response-without-integration',
    )
    await expectRecordedError(
      getResponse(apiId, rootId, 'GET', '201'),
      'test_integration_response_wrong_status_code/get-integration-response-wrong-status-code',
    )
  })

  it('refuses bad templates as recorded and changes nothing (test_integration_response_invalid_responsetemplates)', async () => {
    const { apiId, rootId } = await mockIntegration()
    const before = await storedApi(tg, apiId)
    const path = `/restapis/${apiId}/resources/${rootId}/methods/GET/integration/responses/200`
    const key = (n: number) =>
      `test_integration_response_invalid_responsetemplates/put-integration-response-invalid-responseTemplates-${n}`
    expectRawError(
      await rawCall(
        tg.url,
        'PUT',
        path,
        JSON.stringify({ selectionPattern: '', responseTemplates: { 'application/json': 123 } }),
      ),
      key(1),
    )
    await expectRecordedError(
      putResponse({
        restApiId: apiId,
        resourceId: rootId,
        selectionPattern: '',
        responseTemplates: { '123': '{"statusCode": 200}' },
      }),
      key(2),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('deletes with the recorded errors (test_delete_integration_response_errors)', async () => {
    const { apiId, rootId } = await mockIntegration()
    const put = await putResponse({
      restApiId: apiId,
      resourceId: rootId,
      responseTemplates: { 'application/json': '"created"' },
      selectionPattern: '',
    })
    expect(shapeOf(put)).toEqual(
      recordedShape('test_delete_integration_response_errors/put-integration-response'),
    )
    const before = await storedApi(tg, apiId)
    const del = (restApiId: string, resourceId: string, httpMethod: string, statusCode: string) =>
      tg.client.send(new DeleteIntegrationResponseCommand({ restApiId, resourceId, httpMethod, statusCode }))
    const key = (s: string) => `test_delete_integration_response_errors/${s}`
    await expectRecordedError(del(apiId, 'nosuch', 'GET', '200'), key('non-existent-resource'))
    await expectRecordedError(del('nosuchapi', rootId, 'GET', '200'), key('non-existent-api-id'))
    await expectRecordedError(del(apiId, rootId, 'POST', '200'), key('non-existent-method'))
    await expectRecordedError(del(apiId, rootId, 'GET', '201'), key('non-existent-status-code'))
    await expectRecordedError(del(apiId, rootId, 'WRONG', '200'), key('bad-method'))
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('updates mappings and templates by patch and refuses invalid ones, changing nothing', async () => {
    const { apiId, rootId } = await mockIntegration()
    await putResponse({
      restApiId: apiId,
      resourceId: rootId,
      selectionPattern: '',
      responseTemplates: { 'application/json': 'a' },
    })
    const update = (ops: PatchOperation[]) =>
      tg.client.send(
        new UpdateIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          statusCode: '200',
          patchOperations: ops,
        }),
      )
    const updated = await update([
      { op: 'add', path: '/responseParameters/method.response.header.x-b', value: "'c'" },
      { op: 'add', path: '/responseTemplates/application~1xml', value: '<a/>' },
      { op: 'remove', path: '/responseTemplates/application~1json' },
      { op: 'replace', path: '/contentHandling', value: 'CONVERT_TO_TEXT' },
    ])
    expect(shapeOf(updated)).toEqual({
      statusCode: '200',
      selectionPattern: '',
      responseParameters: { 'method.response.header.x-b': "'c'" },
      responseTemplates: { 'application/xml': '<a/>' },
      contentHandling: 'CONVERT_TO_TEXT',
    })
    const before = await storedApi(tg, apiId)
    await expect(update([{ op: 'add', path: '/responseTemplates/123', value: 'x' }])).rejects.toThrow(
      'Validation Result: warnings : [], errors : [Invalid content type specified: 123]',
    )
    await expect(
      update([
        { op: 'add', path: '/responseParameters/method.response.header.y', value: 'method.request.header.y' },
      ]),
    ).rejects.toThrow('Invalid mapping expression specified')
    await expect(update([{ op: 'replace', path: '/statusCode', value: '201' }])).rejects.toThrow(
      'Invalid patch path /statusCode',
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('refuses method.request.* as a response mapping source, accepts the documented ones', async () => {
    const { apiId, rootId } = await mockIntegration()
    const before = await storedApi(tg, apiId)
    // AWS docs "request-response-data-mappings": response mappings read the integration
    // response, the context, stage variables or a literal.
    await expect(
      putResponse({
        restApiId: apiId,
        resourceId: rootId,
        responseParameters: { 'method.response.header.x': 'method.request.header.y' },
      }),
    ).rejects.toThrow(
      'Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: method.request.header.y]',
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
    const responseParameters = {
      'method.response.header.a': "'static'",
      'method.response.header.b': 'integration.response.header.x',
      'method.response.header.c': 'context.requestId',
      'method.response.header.d': 'stageVariables.v',
      'method.response.header.e': 'integration.response.body.id',
    }
    const ok = await putResponse({ restApiId: apiId, resourceId: rootId, responseParameters })
    expect(ok.responseParameters).toEqual(responseParameters)
  })
})
