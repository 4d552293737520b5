import {
  CreateModelCommand,
  CreateRequestValidatorCommand,
  DeleteGatewayResponseCommand,
  DeleteModelCommand,
  DeleteRequestValidatorCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetModelCommand,
  GetModelsCommand,
  GetRequestValidatorCommand,
  GetRequestValidatorsCommand,
  PutGatewayResponseCommand,
  PutMethodCommand,
  UpdateGatewayResponseCommand,
  UpdateModelCommand,
  UpdateRequestValidatorCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../support/apis.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError, storedApi } from '../support/parity.js'

// Expected values: test/parity/controlplane/{models,request-validators,gateway-responses}.json.
const models = parity('models')
const validators = parity('request-validators')
const responses = parity('gateway-responses')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

const CALC_SCHEMA = JSON.stringify({
  title: 'Calc output',
  type: 'object',
  properties: {
    a: { type: 'number' },
    b: { type: 'number' },
    op: { description: 'operation of +, -, * or /', type: 'string' },
    c: { type: 'number' },
  },
  required: ['a', 'b', 'op'],
})

describe('models', () => {
  it('creates with the default Empty and Error models alongside, gets, updates and deletes', async () => {
    const { apiId } = await createApi(tg.client)
    const created = await tg.client.send(
      new CreateModelCommand({
        restApiId: apiId,
        name: 'Calc',
        description: 'Calc output model',
        contentType: 'application/json',
        schema: CALC_SCHEMA,
      }),
    )
    expect(created).toMatchObject({
      name: 'Calc',
      contentType: 'application/json',
      description: 'Calc output model',
    })
    expect(JSON.parse(created.schema!)).toEqual(JSON.parse(CALC_SCHEMA))

    // Recorded get-models: the created model plus AWS's defaults, with their exact schemas.
    const recorded = (
      models.shapes['test_model_lifecycle/get-models'] as {
        items: { description: string; schema: { title: string } }[]
      }
    ).items
    const list = await tg.client.send(new GetModelsCommand({ restApiId: apiId }))
    expect(list.items!.map((m) => m.name)).toEqual(['Calc', 'Empty', 'Error'])
    for (const [index, name] of [
      [1, 'Empty'],
      [2, 'Error'],
    ] as const) {
      const model = list.items!.find((m) => m.name === name)!
      const expected = recorded[index]!
      expect(model.description).toBe(expected.description)
      expect(JSON.parse(model.schema!)).toEqual({ ...expected.schema, title: `${name} Schema` })
    }

    const updated = await tg.client.send(
      new UpdateModelCommand({
        restApiId: apiId,
        modelName: 'Calc',
        patchOperations: [{ op: 'replace', path: '/description', value: 'new' }],
      }),
    )
    expect(updated.description).toBe('new')
    expect(
      (await tg.client.send(new GetModelCommand({ restApiId: apiId, modelName: 'Calc' }))).description,
    ).toBe('new')
    await tg.client.send(new DeleteModelCommand({ restApiId: apiId, modelName: 'Calc' }))
    await expect(
      tg.client.send(new GetModelCommand({ restApiId: apiId, modelName: 'Calc' })),
    ).rejects.toThrow('Invalid model name specified: Calc')
  })

  it('refuses bad models and deleting a model in use, with the recorded errors', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new CreateModelCommand({
        restApiId: apiId,
        name: 'MySchema',
        contentType: 'application/json',
        schema: CALC_SCHEMA,
      }),
    )
    const before = await storedApi(tg, apiId)
    const create = (input: Partial<ConstructorParameters<typeof CreateModelCommand>[0]>) =>
      tg.client.send(
        new CreateModelCommand({
          restApiId: apiId,
          name: 'Other',
          contentType: 'application/json',
          schema: CALC_SCHEMA,
          ...input,
        }),
      )
    await expectAwsError(create({ restApiId: 'abcde0' }), {
      code: 'NotFoundException',
      message: 'Invalid API identifier specified 000000000000:abcde0',
    })
    await expectAwsError(
      create({ name: 'MySchema' }),
      recordedError(models, 'test_model_validation/create-model-already-exists'),
    )
    await expectAwsError(
      create({ name: '' }),
      recordedError(models, 'test_model_validation/create-model-empty-name'),
    )
    await expectAwsError(
      create({ schema: '{}' }),
      recordedError(models, 'test_model_validation/create-model-empty-schema'),
    )
    await expectAwsError(
      tg.client.send(
        new UpdateModelCommand({
          restApiId: apiId,
          modelName: 'MySchema',
          patchOperations: [{ op: 'replace', path: '/name', value: 'x' }],
        }),
      ),
      recordedError(models, 'test_update_model/update-model-invalid-path'),
    )
    await expectAwsError(
      tg.client.send(
        new UpdateModelCommand({
          restApiId: apiId,
          modelName: 'MySchema',
          patchOperations: [{ op: 'add', path: '/wrong-path', value: 'x' }],
        }),
      ),
      recordedError(models, 'test_update_model/update-model-invalid-op'),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)

    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'ANY',
        authorizationType: 'NONE',
        requestModels: { 'application/json': 'MySchema' },
      }),
    )
    // Recorded: "Cannot delete model '<name>', is referenced in method request: //ANY".
    await expectAwsError(
      tg.client.send(new DeleteModelCommand({ restApiId: apiId, modelName: 'MySchema' })),
      {
        code: 'ConflictException',
        message: "Cannot delete model 'MySchema', is referenced in method request: //ANY",
      },
    )
    expect(recordedError(models, 'test_model_validation/create-model-already-exists').code).toBe(
      'ConflictException',
    )
  })
})

describe('request validators', () => {
  it('creates, lists, updates and deletes with the recorded shapes', async () => {
    const { apiId } = await createApi(tg.client)
    const created = await tg.client.send(
      new CreateRequestValidatorCommand({ restApiId: apiId, name: 'validator' }),
    )
    expect(created).toMatchObject({
      name: 'validator',
      validateRequestBody: false,
      validateRequestParameters: false,
    })
    const updated = await tg.client.send(
      new UpdateRequestValidatorCommand({
        restApiId: apiId,
        requestValidatorId: created.id,
        patchOperations: [{ op: 'replace', path: '/validateRequestBody', value: 'true' }],
      }),
    )
    expect(updated.validateRequestBody).toBe(true)
    const cleared = await tg.client.send(
      new UpdateRequestValidatorCommand({
        restApiId: apiId,
        requestValidatorId: created.id,
        patchOperations: [{ op: 'replace', path: '/validateRequestBody' }],
      }),
    )
    expect(cleared.validateRequestBody).toBe(false)
    expect((await tg.client.send(new GetRequestValidatorsCommand({ restApiId: apiId }))).items).toHaveLength(
      1,
    )
    await tg.client.send(
      new DeleteRequestValidatorCommand({ restApiId: apiId, requestValidatorId: created.id }),
    )
    await expectAwsError(
      tg.client.send(new GetRequestValidatorCommand({ restApiId: apiId, requestValidatorId: created.id })),
      recordedError(validators, 'test_request_validator_lifecycle/get-deleted-request-validator'),
    )
  })

  it('answers bad calls with the recorded errors', async () => {
    const { apiId } = await createApi(tg.client)
    const created = await tg.client.send(new CreateRequestValidatorCommand({ restApiId: apiId, name: 'v' }))
    await expectAwsError(
      tg.client.send(new CreateRequestValidatorCommand({ restApiId: 'nosuchapi0', name: 'v' })),
      recordedError(
        validators,
        'test_create_request_validator_invalid_api_id/invalid-create-request-validator',
      ),
    )
    const update = (op: { op: 'add' | 'replace' | 'remove'; path: string; value?: string }) =>
      tg.client.send(
        new UpdateRequestValidatorCommand({
          restApiId: apiId,
          requestValidatorId: created.id,
          patchOperations: [op],
        }),
      )
    await expectAwsError(
      update({ op: 'add', path: '/validateRequestBody', value: 'true' }),
      recordedError(
        validators,
        'test_invalid_update_request_validator_operations/update-request-validator-invalid-add-operation',
      ),
    )
    await expectAwsError(
      update({ op: 'replace', path: '/invalidPath', value: 'x' }),
      recordedError(
        validators,
        'test_invalid_update_request_validator_operations/update-request-validator-invalid-path',
      ),
    )
    await expectAwsError(
      update({ op: 'replace', path: '/name', value: '' }),
      recordedError(
        validators,
        'test_invalid_update_request_validator_operations/update-request-validator-empty-name-value',
      ),
    )
  })
})

describe('gateway responses', () => {
  it('answers defaults for types not put, and lists every type', async () => {
    const { apiId } = await createApi(tg.client)
    const got = await tg.client.send(
      new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'MISSING_AUTHENTICATION_TOKEN' }),
    )
    expect({ ...got, $metadata: undefined }).toEqual({
      ...(responses.shapes['test_gateway_response_crud/get-gateway-response-default'] as object),
      $metadata: undefined,
    })
    // The recorded list was taken after put-gateway-response (MISSING_AUTHENTICATION_TOKEN -> 404).
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: '404',
      }),
    )
    const list = await tg.client.send(new GetGatewayResponsesCommand({ restApiId: apiId, limit: 500 }))
    const recorded = (
      responses.shapes['test_gateway_response_crud/get-gateway-responses'] as {
        items: { responseType: string; statusCode?: string; defaultResponse: boolean }[]
      }
    ).items
    const summary = (
      items: {
        responseType?: string | undefined
        statusCode?: string | undefined
        defaultResponse?: boolean | undefined
      }[],
    ) => items.map((i) => [i.responseType, i.statusCode, i.defaultResponse])
    expect(summary(list.items!)).toEqual(summary(recorded))
  })

  it('puts, updates and deletes a customised response', async () => {
    const { apiId } = await createApi(tg.client)
    const recordedPut = responses.shapes['test_gateway_response_crud/put-gateway-response'] as {
      responseParameters: Record<string, string>
      responseTemplates: Record<string, string>
    }
    const put = await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: '404',
        responseParameters: recordedPut.responseParameters,
        responseTemplates: recordedPut.responseTemplates,
      }),
    )
    expect({ ...put, $metadata: undefined }).toEqual({ ...recordedPut, $metadata: undefined })
    const statusOnly = await tg.client.send(
      new PutGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX', statusCode: '444' }),
    )
    expect(statusOnly).toMatchObject({
      defaultResponse: false,
      responseParameters: {},
      responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
    })
    const updated = await tg.client.send(
      new UpdateGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'DEFAULT_4XX',
        patchOperations: [
          {
            op: 'add',
            path: '/responseTemplates/application~1xml',
            value: '<m>$context.error.messageString</m>',
          },
          { op: 'replace', path: '/statusCode', value: '445' },
        ],
      }),
    )
    expect(updated.statusCode).toBe('445')
    expect(updated.responseTemplates?.['application/xml']).toBe('<m>$context.error.messageString</m>')
    await tg.client.send(
      new DeleteGatewayResponseCommand({ restApiId: apiId, responseType: 'MISSING_AUTHENTICATION_TOKEN' }),
    )
    const after = await tg.client.send(
      new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'MISSING_AUTHENTICATION_TOKEN' }),
    )
    expect(after.defaultResponse).toBe(true)
    expect(after.statusCode).toBe('403')
  })

  it('answers bad calls with the recorded errors and changes nothing', async () => {
    const { apiId } = await createApi(tg.client)
    await tg.client.send(
      new PutGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX', statusCode: '444' }),
    )
    const before = await storedApi(tg, apiId)
    await expectAwsError(
      tg.client.send(new DeleteGatewayResponseCommand({ restApiId: apiId, responseType: 'ACCESS_DENIED' })),
      recordedError(responses, 'test_gateway_response_validation/delete-gateway-response-not-set'),
    )
    const wrongType = await rawCall(tg.url, 'GET', `/restapis/${apiId}/gatewayresponses/FAKE_RESPONSE_TYPE`)
    const expected = recordedError(
      responses,
      'test_gateway_response_validation/get-gateway-response-wrong-response-type',
    )
    expect(wrongType).toEqual({ status: 400, errorType: expected.code, json: { message: expected.message } })
    const update = (op: { op: 'add' | 'replace' | 'remove'; path: string; value?: string }) =>
      tg.client.send(
        new UpdateGatewayResponseCommand({
          restApiId: apiId,
          responseType: 'DEFAULT_4XX',
          patchOperations: [op],
        }),
      )
    await expectAwsError(
      update({ op: 'add', path: '/statusCode', value: '400' }),
      recordedError(responses, 'test_update_gateway_response/update-gateway-add-status-code'),
    )
    await expectAwsError(
      update({ op: 'replace', path: '/wrongPath', value: 'x' }),
      recordedError(responses, 'test_update_gateway_response/update-gateway-wrong-path'),
    )
    await expectAwsError(
      update({ op: 'replace', path: '/responseParameters/gatewayresponse.header.nope', value: "'x'" }),
      recordedError(responses, 'test_update_gateway_response/update-gateway-replace-invalid-parameter'),
    )
    await expectAwsError(
      update({ op: 'add', path: '/responseTemplates/application~1json', value: '' }),
      recordedError(
        responses,
        'test_update_gateway_response/update-gateway-replace-invalid-parameter-0-none',
      ),
    )
    const wrongOp = await rawCall(
      tg.url,
      'PATCH',
      `/restapis/${apiId}/gatewayresponses/DEFAULT_4XX`,
      JSON.stringify({ patchOperations: [{ op: 'wrong-op', path: '/statusCode', value: '400' }] }),
    )
    const expectedOp = recordedError(responses, 'test_update_gateway_response/update-gateway-wrong-op')
    expect(wrongOp).toEqual({
      status: 400,
      errorType: expectedOp.code,
      json: { message: expectedOp.message },
    })
    expect(await storedApi(tg, apiId)).toEqual(before)
  })
})
