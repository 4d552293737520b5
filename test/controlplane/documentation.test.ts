import {
  CreateDocumentationPartCommand,
  CreateDocumentationVersionCommand,
  DeleteDocumentationPartCommand,
  GetDocumentationPartCommand,
  GetDocumentationPartsCommand,
  GetDocumentationVersionsCommand,
  ImportDocumentationPartsCommand,
  ImportRestApiCommand,
  UpdateDocumentationPartCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../support/apis.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError, storedApi } from '../support/parity.js'

// Expected values: recorded in test_apigateway_api.snapshot.json (TestApiGatewayApiDocumentationPart).
const recorded = parity('restapis')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway({ accountId: '111111111111' })
})
afterAll(() => tg.close())

const docsExtension = {
  swagger: '2.0',
  info: { title: 'documented', version: '1' },
  paths: {
    '/': {
      get: {
        'x-amazon-apigateway-integration': {
          type: 'mock',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
        },
      },
    },
  },
  'x-amazon-apigateway-documentation': {
    version: '1',
    documentationParts: [
      { location: { type: 'API' }, properties: { description: 'API description' } },
      {
        location: { type: 'METHOD', path: '/', method: 'GET' },
        properties: { description: 'Method description.' },
      },
    ],
  },
}

describe('documentation parts', () => {
  it('follows the recorded lifecycle', async () => {
    const { apiId } = await createApi(tg.client)
    const created = await tg.client.send(
      new CreateDocumentationPartCommand({
        restApiId: apiId,
        location: { type: 'API' },
        properties: '{"description": "Sample API description"}',
      }),
    )
    expect(created.location).toEqual({ type: 'API' })
    expect(JSON.parse(created.properties!)).toEqual({ description: 'Sample API description' })
    const got = await tg.client.send(
      new GetDocumentationPartCommand({ restApiId: apiId, documentationPartId: created.id }),
    )
    expect(got.id).toBe(created.id)
    expect((await tg.client.send(new GetDocumentationPartsCommand({ restApiId: apiId }))).items).toHaveLength(
      1,
    )
    const updated = await tg.client.send(
      new UpdateDocumentationPartCommand({
        restApiId: apiId,
        documentationPartId: created.id,
        patchOperations: [
          { op: 'replace', path: '/properties', value: '{"description": "Updated Sample API description"}' },
        ],
      }),
    )
    expect(JSON.parse(updated.properties!)).toEqual({ description: 'Updated Sample API description' })
    await tg.client.send(
      new DeleteDocumentationPartCommand({ restApiId: apiId, documentationPartId: created.id }),
    )
    await expectAwsError(
      tg.client.send(
        new DeleteDocumentationPartCommand({ restApiId: apiId, documentationPartId: created.id }),
      ),
      recordedError(
        parity('restapis'),
        'test_invalid_delete_documentation_part/delete_already_deleted_documentation_part',
      ),
    )
  })

  it('answers bad calls with the recorded errors and changes nothing', async () => {
    const { apiId } = await createApi(tg.client)
    const part = await tg.client.send(
      new CreateDocumentationPartCommand({ restApiId: apiId, location: { type: 'API' }, properties: '{}' }),
    )
    const before = await storedApi(tg, apiId)
    await expectAwsError(
      tg.client.send(
        new CreateDocumentationPartCommand({
          restApiId: 'api_id',
          location: { type: 'API' },
          properties: '{}',
        }),
      ),
      recordedError(
        recorded,
        'test_invalid_create_documentation_part_operations/create_documentation_part_invalid_api_id',
      ),
    )
    const invalidType = await rawCall(
      tg.url,
      'POST',
      `/restapis/${apiId}/documentation/parts`,
      JSON.stringify({ location: { type: 'INVALID' }, properties: '{}' }),
    )
    const expected = recordedError(
      recorded,
      'test_invalid_create_documentation_part_operations/create_documentation_part_invalid_location_type',
    )
    expect(invalidType).toEqual({
      status: 400,
      errorType: expected.code,
      json: { message: expected.message },
    })
    const update = (op: 'add' | 'replace', path: string) =>
      tg.client.send(
        new UpdateDocumentationPartCommand({
          restApiId: apiId,
          documentationPartId: part.id,
          patchOperations: [{ op, path, value: '{}' }],
        }),
      )
    await expectAwsError(
      update('add', '/properties'),
      recordedError(
        recorded,
        'test_invalid_update_documentation_part/update-documentation-part-invalid-add-operation',
      ),
    )
    await expectAwsError(
      update('replace', '/invalidPath'),
      recordedError(
        recorded,
        'test_invalid_update_documentation_part/update-documentation-part-invalid-path',
      ),
    )
    await expectAwsError(
      tg.client.send(new GetDocumentationPartCommand({ restApiId: apiId, documentationPartId: 'nope' })),
      recordedError(recorded, 'test_invalid_get_documentation_part/get-documentation-part-invalid-doc-id'),
    )
    expect(await storedApi(tg, apiId)).toEqual(before)
  })

  it('imports parts with an API and on their own, and publishes versions', async () => {
    const api = await tg.client.send(
      new ImportRestApiCommand({ body: Buffer.from(JSON.stringify(docsExtension)) }),
    )
    const parts = await tg.client.send(new GetDocumentationPartsCommand({ restApiId: api.id }))
    expect(parts.items!.map((p) => p.location)).toEqual([
      { type: 'API' },
      { type: 'METHOD', path: '/', method: 'GET' },
    ])
    const imported = await tg.client.send(
      new ImportDocumentationPartsCommand({
        restApiId: api.id,
        mode: 'overwrite',
        body: Buffer.from(JSON.stringify(docsExtension)),
      }),
    )
    expect(imported.ids).toHaveLength(2)
    expect(
      (await tg.client.send(new GetDocumentationPartsCommand({ restApiId: api.id })))
        .items!.map((p) => p.id)
        .sort(),
    ).toEqual([...imported.ids!].sort())
    await expectAwsError(
      tg.client.send(
        new ImportDocumentationPartsCommand({ restApiId: api.id, body: Buffer.from('not: [valid') }),
      ),
      recordedError(
        recorded,
        'test_import_documentation_parts_bad_file/import-documentation-parts-bad-yaml-file',
      ),
    )
    await tg.client.send(
      new CreateDocumentationVersionCommand({
        restApiId: api.id,
        documentationVersion: 'v1',
        description: 'first',
      }),
    )
    expect(
      (await tg.client.send(new GetDocumentationVersionsCommand({ restApiId: api.id }))).items,
    ).toMatchObject([{ version: 'v1', description: 'first' }])
  })
})
