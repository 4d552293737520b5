import {
  CreateModelCommand,
  CreateRequestValidatorCommand,
  DeleteIntegrationCommand,
  DeleteIntegrationResponseCommand,
  DeleteMethodCommand,
  DeleteMethodResponseCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateIntegrationResponseCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath } from '../support/apis.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError, storedApi } from '../support/parity.js'

// Expected errors: test/parity/controlplane/methods.json and integrations.json (recorded against AWS).
const methods = parity('methods')
const integrations = parity('integrations')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

describe('methods', () => {
  it('puts, gets, updates and deletes a method with the recorded shapes', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const put = await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'ANY',
        authorizationType: 'NONE',
      }),
    )
    expect({ ...put, $metadata: undefined }).toEqual({
      ...(methods.shapes['test_method_lifecycle/put-base-method-response'] as object),
      $metadata: undefined,
    })
    const validator = await tg.client.send(
      new CreateRequestValidatorCommand({ restApiId: apiId, name: 'v', validateRequestBody: true }),
    )
    const updated = await tg.client.send(
      new UpdateMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'ANY',
        patchOperations: [
          { op: 'add', path: '/requestParameters/method.request.querystring.optional', value: 'true' },
          { op: 'add', path: '/requestModels/application~1json', value: 'Empty' },
          { op: 'replace', path: '/apiKeyRequired', value: 'true' },
          { op: 'replace', path: '/authorizationType', value: 'AWS_IAM' },
          { op: 'replace', path: '/operationName', value: 'ReplacedOperationName' },
          { op: 'replace', path: '/requestValidatorId', value: validator.id },
        ],
      }),
    )
    expect(updated).toMatchObject({
      apiKeyRequired: true,
      authorizationType: 'AWS_IAM',
      httpMethod: 'ANY',
      operationName: 'ReplacedOperationName',
      requestModels: { 'application/json': 'Empty' },
      requestParameters: { 'method.request.querystring.optional': true },
      requestValidatorId: validator.id,
    })
    const got = await tg.client.send(
      new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' }),
    )
    expect(got.requestParameters).toEqual({ 'method.request.querystring.optional': true })

    const resources = await tg.client.send(new GetResourcesCommand({ restApiId: apiId, embed: ['methods'] }))
    expect(resources.items![0]!.resourceMethods!['ANY']).toMatchObject({
      operationName: 'ReplacedOperationName',
    })

    await tg.client.send(new DeleteMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' }))
    await expectAwsError(
      tg.client.send(new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' })),
      recordedError(methods, 'test_method_lifecycle/get-deleted-method-response'),
    )
    await expectAwsError(
      tg.client.send(new DeleteMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'ANY' })),
      recordedError(methods, 'test_method_lifecycle/delete-deleted-method-response'),
    )
  })

  it('refuses invalid methods with the recorded errors and changes nothing', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const other = await createApi(tg.client)
    const before = await storedApi(tg, apiId)
    const put = (input: Partial<ConstructorParameters<typeof PutMethodCommand>[0]>) =>
      tg.client.send(
        new PutMethodCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          authorizationType: 'NONE',
          ...input,
        }),
      )
    await expectAwsError(
      put({ restApiId: 'nosuchapi0' }),
      recordedError(methods, 'test_put_method_validation/wrong-api'),
    )
    await expectAwsError(
      put({ resourceId: other.rootId }),
      recordedError(methods, 'test_put_method_validation/wrong-resource'),
    )
    await expectAwsError(
      put({ httpMethod: 'WRONG' }),
      recordedError(methods, 'test_put_method_validation/wrong-method'),
    )
    await expectAwsError(
      put({ authorizationType: 'CUSTOM' }),
      recordedError(methods, 'test_put_method_validation/missing-authorizer-id'),
    )
    await expectAwsError(
      put({ requestValidatorId: 'nope' }),
      recordedError(methods, 'test_put_method_validation/invalid-request-validator'),
    )
    await expectAwsError(
      put({ requestModels: { 'application/json': 'petModel' } }),
      recordedError(methods, 'test_put_method_validation/invalid-model-name'),
    )
    await expectAwsError(
      put({
        requestParameters: { 'method.request.querystring.test': true, 'method.request.header.test': false },
      }),
      recordedError(methods, 'test_method_request_parameters/req-params-same-name'),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('refuses invalid method updates with the recorded errors', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'ANY',
        authorizationType: 'NONE',
      }),
    )
    const before = await storedApi(tg, apiId)
    const update = (
      op: { op: 'add' | 'replace' | 'remove' | 'copy'; path: string; value?: string },
      httpMethod = 'ANY',
    ) =>
      tg.client.send(
        new UpdateMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod, patchOperations: [op] }),
      )
    await expectAwsError(
      update({ op: 'replace', path: '/apiKeyRequired', value: 'true' }, 'GET'),
      recordedError(methods, 'test_update_method_validation/method-does-not-exist'),
    )
    await expectAwsError(
      update({ op: 'add', path: '/operationName', value: 'x' }),
      recordedError(methods, 'test_update_method_validation/unsupported-operation'),
    )
    await expectAwsError(
      update({ op: 'replace', path: '/httpMethod', value: 'GET' }),
      recordedError(methods, 'test_update_method_validation/unsupported-path'),
    )
    await expectAwsError(
      update({ op: 'add', path: '/requestParameters', value: 'x' }),
      recordedError(methods, 'test_update_method_validation/wrong-path-request-parameters'),
    )
    await expectAwsError(
      update({ op: 'replace', path: '/authorizationType', value: 'CUSTOM' }),
      recordedError(methods, 'test_update_method_validation/wrong-auth-type'),
    )
    await expectAwsError(
      update({ op: 'replace', path: '/requestValidatorId', value: 'wrong' }),
      recordedError(methods, 'test_update_method_validation/wrong-req-validator-id'),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
  })
})

describe('method responses', () => {
  it('puts, gets, updates and deletes', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new CreateModelCommand({
        restApiId: apiId,
        name: 'Pet',
        contentType: 'application/json',
        schema: '{"type":"object","properties":{"id":{"type":"string"}}}',
      }),
    )
    const put = await tg.client.send(
      new PutMethodResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
        responseParameters: { 'method.response.header.my-header': false },
        responseModels: { 'application/json': 'Empty' },
      }),
    )
    expect(put).toMatchObject({
      statusCode: '200',
      responseParameters: { 'method.response.header.my-header': false },
      responseModels: { 'application/json': 'Empty' },
    })
    const updated = await tg.client.send(
      new UpdateMethodResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
        patchOperations: [
          { op: 'replace', path: '/responseParameters/method.response.header.my-header', value: 'true' },
          { op: 'add', path: '/responseModels/application~1xml', value: 'Pet' },
          { op: 'remove', path: '/responseModels/application~1json' },
        ],
      }),
    )
    expect(updated.responseParameters).toEqual({ 'method.response.header.my-header': true })
    expect(updated.responseModels).toEqual({ 'application/xml': 'Pet' })
    const method = await tg.client.send(
      new GetMethodCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET' }),
    )
    expect(method.methodResponses?.['200']?.responseModels).toEqual({ 'application/xml': 'Pet' })
    await tg.client.send(
      new DeleteMethodResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
      }),
    )
    await expect(
      tg.client.send(
        new GetMethodResponseCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          statusCode: '200',
        }),
      ),
    ).rejects.toThrow('Invalid Response status code specified')
  })

  it('reports unknown patch ops together with a bad status code, as recorded', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    const r = await rawCall(
      tg.url,
      'PATCH',
      `/restapis/${apiId}/resources/${rootId}/methods/GET/responses/200`,
      JSON.stringify({
        patchOperations: [{ op: 'wrong_op', path: '/responseParameters/method.response.header.my-header' }],
      }),
    )
    const expected = recordedError(
      methods,
      'test_update_method_response_wrong_operations/update-method-response-wrong-operation-1',
    )
    expect(r).toEqual({ status: 400, errorType: expected.code, json: { message: expected.message } })
  })
})

describe('integrations', () => {
  it('puts, gets, updates and deletes an integration and its responses', async () => {
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
    const put = await tg.client.send(
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
    expect(put).toMatchObject({
      type: 'HTTP',
      httpMethod: 'GET',
      uri: 'http://petstore.example.com/pets',
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutInMillis: 29000,
      cacheNamespace: pets,
      cacheKeyParameters: [],
    })
    const updated = await tg.client.send(
      new UpdateIntegrationCommand({
        restApiId: apiId,
        resourceId: pets,
        httpMethod: 'GET',
        patchOperations: [
          { op: 'replace', path: '/timeoutInMillis', value: '1000' },
          { op: 'replace', path: '/uri', value: 'https://other.example.com/${stageVariables.path}' },
          { op: 'remove', path: '/requestTemplates/application~1json' },
          { op: 'add', path: '/cacheKeyParameters/method.request.path.id' },
        ],
      }),
    )
    expect(updated).toMatchObject({
      timeoutInMillis: 1000,
      uri: 'https://other.example.com/${stageVariables.path}',
      cacheKeyParameters: ['method.request.path.id'],
    })
    expect(updated.requestTemplates).toBeUndefined()

    await tg.client.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: pets,
        httpMethod: 'GET',
        statusCode: '200',
        selectionPattern: '2\\d{2}',
        responseTemplates: { 'application/json': '$input.body' },
      }),
    )
    const ir = await tg.client.send(
      new UpdateIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: pets,
        httpMethod: 'GET',
        statusCode: '200',
        patchOperations: [
          { op: 'replace', path: '/selectionPattern', value: '200' },
          { op: 'add', path: '/responseParameters/method.response.header.x-b', value: "'c'" },
        ],
      }),
    )
    expect(ir).toMatchObject({
      statusCode: '200',
      selectionPattern: '200',
      responseParameters: { 'method.response.header.x-b': "'c'" },
    })
    const method = await tg.client.send(
      new GetMethodCommand({ restApiId: apiId, resourceId: pets, httpMethod: 'GET' }),
    )
    expect(method.methodIntegration?.integrationResponses?.['200']?.selectionPattern).toBe('200')
    const got = await tg.client.send(
      new GetIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: pets,
        httpMethod: 'GET',
        statusCode: '200',
      }),
    )
    expect(got.responseTemplates).toEqual({ 'application/json': '$input.body' })
    await tg.client.send(
      new DeleteIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: pets,
        httpMethod: 'GET',
        statusCode: '200',
      }),
    )
    await expectAwsError(
      tg.client.send(
        new DeleteIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: pets,
          httpMethod: 'GET',
          statusCode: '200',
        }),
      ),
      recordedError(methods, 'test_delete_integration_response_errors/non-existent-status-code'),
    )
    await tg.client.send(
      new DeleteIntegrationCommand({ restApiId: apiId, resourceId: pets, httpMethod: 'GET' }),
    )
    await expectAwsError(
      tg.client.send(new GetIntegrationCommand({ restApiId: apiId, resourceId: pets, httpMethod: 'GET' })),
      recordedError(methods, 'test_get_integration_non_existent/get-integration-no-integration'),
    )
  })

  it('refuses invalid integrations with the recorded errors and changes nothing', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    const before = await storedApi(tg, apiId)
    const put = (input: Partial<ConstructorParameters<typeof PutIntegrationCommand>[0]>) =>
      tg.client.send(
        new PutIntegrationCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          type: 'HTTP',
          integrationHttpMethod: 'GET',
          uri: 'http://example.com',
          ...input,
        }),
      )
    await expectAwsError(
      put({ type: 'HTTPS_PROXY' as 'HTTP' }),
      recordedError(methods, 'test_put_integration_wrong_type/put-integration-wrong-type'),
    )
    await expectAwsError(
      put({ integrationHttpMethod: undefined }),
      recordedError(integrations, 'test_put_integration_validation/required-integration-method-HTTP'),
    )
    await expectAwsError(
      put({ uri: 'not-a-url' }),
      recordedError(integrations, 'test_put_integration_validation/invalid-uri-HTTP'),
    )
    await expectAwsError(
      put({ type: 'AWS', uri: 'not-an-arn' }),
      recordedError(integrations, 'test_put_integration_validation/invalid-uri-not-an-arn'),
    )
    await expectAwsError(
      put({ type: 'AWS', uri: 'arn:aws:apigateway:us-east-1:s3:bucket/key' }),
      recordedError(integrations, 'test_put_integration_validation/invalid-uri-invalid-arn'),
    )
    await expectAwsError(
      put({ type: 'AWS_PROXY', uri: 'arn:aws:apigateway:us-east-1:s3:path/bucket/key' }),
      recordedError(integrations, 'test_put_integration_validation/no-s3-support-AWS_PROXY'),
    )
    const wrongType = await rawCall(
      tg.url,
      'PUT',
      `/restapis/${apiId}/resources/${rootId}/methods/GET/integration`,
      JSON.stringify({ type: 'MOCK', requestParameters: { 'integration.request.header.x': true } }),
    )
    const expected = recordedError(
      methods,
      'test_put_integration_request_parameter_bool_type/put-integration-request-param-bool-value',
    )
    expect(wrongType).toEqual({ status: 400, errorType: expected.code, json: { message: expected.message } })
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('validates integration response status codes and template content types as recorded', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', type: 'MOCK' }),
    )
    await expectAwsError(
      tg.client.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          statusCode: 'wrong',
        }),
      ),
      recordedError(
        methods,
        'test_integration_response_invalid_statuscode/put-integration-response-invalid-statusCode',
      ),
    )
    await expectAwsError(
      tg.client.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          statusCode: '200',
          responseTemplates: { '123': 'x' },
        }),
      ),
      recordedError(
        methods,
        'test_integration_response_invalid_responsetemplates/put-integration-response-invalid-responseTemplates-2',
      ),
    )
    const numeric = await rawCall(
      tg.url,
      'PUT',
      `/restapis/${apiId}/resources/${rootId}/methods/GET/integration/responses/200`,
      JSON.stringify({ responseTemplates: { 'application/json': 123 } }),
    )
    const expected = recordedError(
      methods,
      'test_integration_response_invalid_responsetemplates/put-integration-response-invalid-responseTemplates-1',
    )
    expect(numeric).toEqual({ status: 400, errorType: expected.code, json: { message: expected.message } })
  })
})

describe('integration response mappings', () => {
  it('refuses method.request.* as a response mapping source', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({ restApiId: apiId, resourceId: rootId, httpMethod: 'GET', type: 'MOCK' }),
    )
    const before = await storedApi(tg, apiId)
    await expect(
      tg.client.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          statusCode: '200',
          responseParameters: { 'method.response.header.x': 'method.request.header.y' },
        }),
      ),
    ).rejects.toThrow('Invalid mapping expression specified')
    expect(await storedApi(tg, apiId)).toEqual(before)
    const ok = await tg.client.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
        responseParameters: {
          'method.response.header.a': "'static'",
          'method.response.header.b': 'integration.response.header.x',
          'method.response.header.c': 'context.requestId',
          'method.response.header.d': 'stageVariables.v',
        },
      }),
    )
    expect(Object.keys(ok.responseParameters ?? {})).toHaveLength(4)
  })
})
