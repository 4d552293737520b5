import {
  DeleteGatewayResponseCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  PutGatewayResponseCommand,
  UpdateGatewayResponseCommand,
  type GatewayResponseType,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../support/apis.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError, storedApi } from '../support/parity.js'

// Expected values: test/parity/controlplane/gateway-responses.json, copied from AWS recordings
// (test_apigateway_api.snapshot.json, TestApiGatewayGatewayResponse). The recordings replace the
// account id by 111111111111 and the unknown API id by "fake-api-id", so the gateway runs with that
// account id and the tests use that API id.
const responses = parity('gateway-responses')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway({ accountId: '111111111111' })
})
afterAll(() => tg.close())

interface RecordedResponse {
  responseType: GatewayResponseType
  statusCode?: string
  responseParameters?: Record<string, string>
  responseTemplates?: Record<string, unknown>
}
/**
 * A recorded response. LocalStack's snapshots parse template strings that hold JSON into
 * objects (test_update_gateway_response sent `json.dumps({...})` as a template), so those are
 * turned back into the strings AWS returned.
 */
function recorded(key: string): RecordedResponse {
  const value = structuredClone(responses.shapes[key]) as RecordedResponse
  for (const [contentType, template] of Object.entries(value.responseTemplates ?? {})) {
    if (typeof template !== 'string') value.responseTemplates![contentType] = JSON.stringify(template)
  }
  return value
}
const strip = <T extends { $metadata: unknown }>({ $metadata: _, ...rest }: T): Omit<T, '$metadata'> => rest
/** The PutGatewayResponse input that reproduces a recorded response's fields. */
const putInput = (apiId: string, from: RecordedResponse, fields: readonly (keyof RecordedResponse)[]) => ({
  restApiId: apiId,
  responseType: from.responseType,
  ...Object.fromEntries(fields.map((f) => [f, from[f]])),
})

describe('gateway responses', () => {
  it('gets the default, puts, lists, gets and deletes as recorded (test_gateway_response_crud)', async () => {
    const { apiId } = await createApi(tg.client)
    const step = (name: string) => recorded(`test_gateway_response_crud/${name}`)
    const get = async () =>
      strip(
        await tg.client.send(
          new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'MISSING_AUTHENTICATION_TOKEN' }),
        ),
      )
    expect(await get()).toEqual(step('get-gateway-response-default'))
    const put = step('put-gateway-response')
    const created = await tg.client.send(
      new PutGatewayResponseCommand(
        putInput(apiId, put, ['statusCode', 'responseParameters', 'responseTemplates']),
      ),
    )
    expect(created.$metadata.httpStatusCode).toBe(201)
    expect(strip(created)).toEqual(put)
    // Every type, the customised one among AWS's defaults (DEFAULT_4XX/5XX without a status).
    const list = await tg.client.send(new GetGatewayResponsesCommand({ restApiId: apiId }))
    expect(strip(list)).toEqual(step('get-gateway-responses'))
    expect(await get()).toEqual(step('get-gateway-response'))
    const deleted = await tg.client.send(
      new DeleteGatewayResponseCommand({ restApiId: apiId, responseType: 'MISSING_AUTHENTICATION_TOKEN' }),
    )
    expect(deleted.$metadata.httpStatusCode).toBe(202)
    expect(await get()).toEqual(step('get-deleted-gw-response'))
  })

  it('replaces on put, and a customised DEFAULT_5XX shows through every other 5XX type (test_gateway_response_put)', async () => {
    const { apiId } = await createApi(tg.client)
    const step = (name: string) => recorded(`test_gateway_response_put/${name}`)
    const put = async (name: string, fields: readonly (keyof RecordedResponse)[]) => {
      const expected = step(name)
      const answer = await tg.client.send(new PutGatewayResponseCommand(putInput(apiId, expected, fields)))
      expect(strip(answer), name).toEqual(expected)
    }
    await put('put-gateway-response-all-value', ['statusCode', 'responseParameters', 'responseTemplates'])
    await put('put-gateway-response-status-only', ['statusCode'])
    await put('put-gateway-response-response-parameters-only', ['responseParameters'])
    await put('put-gateway-response-response-templates-only', ['responseTemplates'])
    await put('put-gateway-response-default-5xx', ['statusCode', 'responseParameters', 'responseTemplates'])
    await put('put-gateway-response-default-ignored', ['responseParameters'])
    const list = await tg.client.send(new GetGatewayResponsesCommand({ restApiId: apiId }))
    expect(strip(list)).toEqual(step('get-gateway-responses'))
    // GetGatewayResponse answers the same inherited values as the list.
    const one = await tg.client.send(
      new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'INTEGRATION_TIMEOUT' }),
    )
    expect(strip(one)).toEqual(list.items?.find((i) => i.responseType === 'INTEGRATION_TIMEOUT'))
  })

  it('updates with the recorded shapes (test_update_gateway_response)', async () => {
    const { apiId } = await createApi(tg.client)
    const step = (name: string) => recorded(`test_update_gateway_response/${name}`)
    const update = (...patchOperations: PatchOperation[]) =>
      tg.client.send(
        new UpdateGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX', patchOperations }),
      )
    const get = () =>
      tg.client.send(new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX' }))
    // Patching a type never put customises it.
    expect(strip(await update({ op: 'replace', path: '/statusCode', value: '444' }))).toEqual(
      step('update-gateway-response-not-set'),
    )
    expect(strip(await get())).toEqual(step('default-get-gateway-response'))
    const put = step('put-gateway-response')
    const created = await tg.client.send(
      new PutGatewayResponseCommand(
        putInput(apiId, put, ['statusCode', 'responseParameters', 'responseTemplates']),
      ),
    )
    expect(strip(created)).toEqual(put)
    const updated = await update(
      { op: 'replace', path: '/statusCode', value: '444' },
      {
        op: 'replace',
        path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin',
        value: "'example.com'",
      },
      {
        op: 'add',
        path: '/responseTemplates/application~1xml',
        value:
          '<gatewayResponse><message>$context.error.messageString</message><type>$context.error.responseType</type></gatewayResponse>',
      },
    )
    expect(strip(updated)).toEqual(step('update-gateway-response'))
    expect(strip(await get())).toEqual(step('get-gateway-response'))
    // Remove takes a key out.
    const removed = await update({ op: 'remove', path: '/responseTemplates/application~1xml' })
    expect(Object.keys(removed.responseTemplates ?? {})).toEqual(['application/json'])
  })

  it('answers bad patches with the recorded errors and changes nothing', async () => {
    const { apiId } = await createApi(tg.client)
    await tg.client.send(
      new PutGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'DEFAULT_4XX',
        statusCode: '404',
        responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'" },
        responseTemplates: { 'application/xml': '<m/>' },
      }),
    )
    const before = await storedApi(tg, apiId)
    const error = (step: string) => recordedError(responses, `test_update_gateway_response/${step}`)
    const update = (responseType: GatewayResponseType, ...patchOperations: PatchOperation[]) =>
      tg.client.send(new UpdateGatewayResponseCommand({ restApiId: apiId, responseType, patchOperations }))
    await expectAwsError(
      update('DEFAULT_4XX', { op: 'add', path: '/statusCode', value: '444' }),
      error('update-gateway-add-status-code'),
    )
    await expectAwsError(
      update('DEFAULT_4XX', { op: 'remove', path: '/statusCode' }),
      error('update-gateway-remove-status-code'),
    )
    await expectAwsError(
      update('DEFAULT_5XX', {
        op: 'replace',
        path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin',
        value: "'example.com'",
      }),
      error('update-gateway-replace-invalid-parameter'),
    )
    await expectAwsError(
      update('DEFAULT_4XX', { op: 'add', value: "'example.com'" }),
      error('update-gateway-no-path'),
    )
    await expectAwsError(
      update('DEFAULT_4XX', {
        op: 'wrong-op',
        path: '/statusCode',
        value: "'example.com'",
      } as unknown as PatchOperation),
      error('update-gateway-wrong-op'),
    )
    await expectAwsError(
      update('DEFAULT_4XX', { op: 'add', path: '/wrongPath', value: "'example.com'" }),
      error('update-gateway-wrong-path'),
    )
    await expectAwsError(
      update('DEFAULT_4XX', { op: 'replace', path: '/responseTemplates/application~1xml' }),
      error('update-gateway-replace-invalid-parameter-0-none'),
    )
    await expectAwsError(
      update('DEFAULT_4XX', {
        op: 'replace',
        path: '/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin',
      }),
      error('update-gateway-replace-invalid-parameter-1-none'),
    )
    // The valid first operation is rolled back with the failing second one.
    await expectAwsError(
      update(
        'DEFAULT_4XX',
        { op: 'replace', path: '/statusCode', value: '444' },
        { op: 'add', path: '/wrongPath', value: 'x' },
      ),
      error('update-gateway-wrong-path'),
    )
    // Not recorded: a status code that is not one.
    await expectAwsError(update('DEFAULT_4XX', { op: 'replace', path: '/statusCode', value: '600' }), {
      code: 'BadRequestException',
      message: 'Invalid status code specified: 600',
    })
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('answers unknown APIs and types with the recorded errors (test_gateway_response_validation)', async () => {
    const { apiId } = await createApi(tg.client)
    const error = (step: string) => recordedError(responses, `test_gateway_response_validation/${step}`)
    const fake = 'fake-api-id'
    await expectAwsError(
      tg.client.send(new GetGatewayResponsesCommand({ restApiId: fake })),
      error('get-gateway-responses-no-api'),
    )
    await expectAwsError(
      tg.client.send(new GetGatewayResponseCommand({ restApiId: fake, responseType: 'DEFAULT_4XX' })),
      error('get-gateway-response-no-api'),
    )
    await expectAwsError(
      tg.client.send(new DeleteGatewayResponseCommand({ restApiId: fake, responseType: 'DEFAULT_4XX' })),
      error('delete-gateway-response-no-api'),
    )
    await expectAwsError(
      tg.client.send(
        new UpdateGatewayResponseCommand({
          restApiId: fake,
          responseType: 'DEFAULT_4XX',
          patchOperations: [],
        }),
      ),
      error('update-gateway-response-no-api'),
    )
    const before = await storedApi(tg, apiId)
    await expectAwsError(
      tg.client.send(new DeleteGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX' })),
      error('delete-gateway-response-not-set'),
    )
    const wrong = 'FAKE_RESPONSE_TYPE' as GatewayResponseType
    await expectAwsError(
      tg.client.send(new GetGatewayResponseCommand({ restApiId: apiId, responseType: wrong })),
      error('get-gateway-response-wrong-response-type'),
    )
    await expectAwsError(
      tg.client.send(new DeleteGatewayResponseCommand({ restApiId: apiId, responseType: wrong })),
      error('delete-gateway-response-wrong-response-type'),
    )
    await expectAwsError(
      tg.client.send(
        new UpdateGatewayResponseCommand({ restApiId: apiId, responseType: wrong, patchOperations: [] }),
      ),
      error('update-gateway-response-wrong-response-type'),
    )
    await expectAwsError(
      tg.client.send(
        new PutGatewayResponseCommand({
          restApiId: apiId,
          responseType: wrong,
          statusCode: '404',
          responseParameters: {},
          responseTemplates: {},
        }),
      ),
      error('put-gateway-response-wrong-response-type'),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('refuses bad put bodies and changes nothing', async () => {
    const { apiId } = await createApi(tg.client)
    const before = await storedApi(tg, apiId)
    const put = (body: object) =>
      rawCall(tg.url, 'PUT', `/restapis/${apiId}/gatewayresponses/THROTTLED`, JSON.stringify(body))
    expect(await put({ statusCode: 429 })).toEqual({
      status: 400,
      errorType: 'SerializationException',
      json: {
        message:
          'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
      },
    })
    expect(await put({ responseTemplates: ['x'] })).toEqual({
      status: 400,
      errorType: 'SerializationException',
      json: { message: 'Start of structure or map found where not expected.' },
    })
    // StatusCode's constraint in AWS's API model is the pattern [1-5]\d\d.
    expect(await put({ statusCode: '600' })).toEqual({
      status: 400,
      errorType: 'ValidationException',
      json: {
        message:
          "1 validation error detected: Value '600' at 'putGatewayResponseInput.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d",
      },
    })
    expect(await put({ responseParameters: { 'method.response.header.x': "'y'" } })).toMatchObject({
      status: 400,
      errorType: 'BadRequestException',
    })
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('resets a family default status to null, giving its types their own back (AWS docs)', async () => {
    const { apiId } = await createApi(tg.client)
    const status = async (responseType: GatewayResponseType) =>
      (await tg.client.send(new GetGatewayResponseCommand({ restApiId: apiId, responseType }))).statusCode
    await tg.client.send(
      new PutGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX', statusCode: '418' }),
    )
    expect(await status('THROTTLED')).toBe('418')
    expect(await status('INTEGRATION_FAILURE')).toBe('504')
    const reset = await tg.client.send(
      new UpdateGatewayResponseCommand({
        restApiId: apiId,
        responseType: 'DEFAULT_4XX',
        patchOperations: [{ op: 'replace', path: '/statusCode' }],
      }),
    )
    expect(reset.statusCode).toBeUndefined()
    expect(reset.defaultResponse).toBe(false)
    expect(await status('THROTTLED')).toBe('429')
  })
})
