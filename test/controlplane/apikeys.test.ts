import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  ImportApiKeysCommand,
  UpdateApiKeyCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy, putMockMethod, requireApiKey } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError } from '../support/parity.js'

let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

// Recorded in test_apigateway_extended.snapshot.json (test_get_api_keys, test_create_api_key_with_invalid_*,
// test_update_api_key_immutable_field, test_get_usage_plan_api_keys).
describe('API keys', () => {
  it('creates with a generated 40-character value, disabled by default, and hides values unless asked', async () => {
    const key = await tg.client.send(new CreateApiKeyCommand({ name: 'first-key' }))
    expect(key).toMatchObject({ name: 'first-key', enabled: false, stageKeys: [] })
    expect(key.value).toMatch(/^[A-Za-z0-9]{40}$/)
    expect((await tg.client.send(new GetApiKeyCommand({ apiKey: key.id }))).value).toBeUndefined()
    expect((await tg.client.send(new GetApiKeyCommand({ apiKey: key.id, includeValue: true }))).value).toBe(
      key.value,
    )
    const given = await tg.client.send(
      new CreateApiKeyCommand({ name: 'first-given', value: 'a'.repeat(30), enabled: true }),
    )
    expect(given).toMatchObject({ value: 'a'.repeat(30), enabled: true })
    // nameQuery is a case-sensitive prefix; newest first.
    const listed = await tg.client.send(new GetApiKeysCommand({ nameQuery: 'first' }))
    expect(listed.items!.map((k) => k.name)).toEqual(['first-given', 'first-key'])
    expect(listed.items![0]!.value).toBeUndefined()
    expect((await tg.client.send(new GetApiKeysCommand({ nameQuery: 'First' }))).items).toEqual([])
    expect((await tg.client.send(new GetApiKeysCommand({ nameQuery: 'key' }))).items).toEqual([])
    const withValues = await tg.client.send(
      new GetApiKeysCommand({ nameQuery: 'first-key', includeValues: true }),
    )
    expect(withValues.items![0]!.value).toBe(key.value)
  })

  it('updates by patch and refuses what AWS refuses', async () => {
    const key = await tg.client.send(new CreateApiKeyCommand({ name: 'patched' }))
    const updated = await tg.client.send(
      new UpdateApiKeyCommand({
        apiKey: key.id,
        patchOperations: [
          { op: 'replace', path: '/enabled', value: 'true' },
          { op: 'replace', path: '/name', value: 'renamed' },
          { op: 'replace', path: '/description', value: 'd' },
        ],
      }),
    )
    expect(updated).toMatchObject({ enabled: true, name: 'renamed', description: 'd', tags: {} })
    await expectAwsError(
      tg.client.send(
        new UpdateApiKeyCommand({
          apiKey: key.id,
          patchOperations: [{ op: 'replace', path: '/id', value: 'x' }],
        }),
      ),
      {
        code: 'BadRequestException',
        message:
          "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]",
      },
    )
    await expectAwsError(tg.client.send(new CreateApiKeyCommand({ value: 'short' })), {
      code: 'BadRequestException',
      message: 'API Key value should be at least 20 characters',
    })
    await expectAwsError(tg.client.send(new CreateApiKeyCommand({ value: 'x'.repeat(129) })), {
      code: 'BadRequestException',
      message: 'API Key value exceeds maximum size of 128 characters',
    })
    await expectAwsError(tg.client.send(new CreateApiKeyCommand({ name: 'n'.repeat(1025) })), {
      code: 'BadRequestException',
      message: 'Invalid API Key name, can be at most 1024 characters.',
    })
    await tg.client.send(new DeleteApiKeyCommand({ apiKey: key.id }))
    await expect(tg.client.send(new GetApiKeyCommand({ apiKey: key.id }))).rejects.toMatchObject({
      name: 'NotFoundException',
    })
  })

  it('imports keys from CSV (AWS docs "api-key-file-format")', async () => {
    const csv = `Name,Key,Description,Enabled\ncsv-one,${'c'.repeat(24)},imported,TRUE\ncsv-two,${'d'.repeat(24)},,false\n`
    const result = await tg.client.send(new ImportApiKeysCommand({ body: Buffer.from(csv), format: 'csv' }))
    expect(result.ids).toHaveLength(2)
    const one = await tg.client.send(new GetApiKeyCommand({ apiKey: result.ids![0], includeValue: true }))
    expect(one).toMatchObject({
      name: 'csv-one',
      value: 'c'.repeat(24),
      description: 'imported',
      enabled: true,
    })
  })
})

describe('usage plans', () => {
  it('creates, lists, updates and deletes plans and their keys', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMockMethod(tg.client, apiId, rootId, 'GET', '{}')
    await deploy(tg.client, apiId, 'prod')
    // Recorded wording (AWS-BEHAVIOR §3.7): "Invalid API Stage {api: <id>, stage: <name>} specified for usageplan <id>".
    const refused = await tg.client
      .send(new CreateUsagePlanCommand({ name: 'bad', apiStages: [{ apiId, stage: 'nostage' }] }))
      .catch((e: unknown) => e as Error)
    expect(refused).toMatchObject({ name: 'BadRequestException' })
    expect((refused as Error).message).toMatch(
      new RegExp(`^Invalid API Stage \\{api: ${apiId}, stage: nostage\\} specified for usageplan \\w+$`),
    )
    const plan = await tg.client.send(
      new CreateUsagePlanCommand({
        name: 'gold',
        apiStages: [{ apiId, stage: 'prod', throttle: { '/GET': { rateLimit: 5, burstLimit: 2 } } }],
        throttle: { burstLimit: 20, rateLimit: 10 },
        quota: { limit: 1000, period: 'MONTH', offset: 0 },
      }),
    )
    expect(plan).toMatchObject({
      name: 'gold',
      throttle: { burstLimit: 20, rateLimit: 10 },
      quota: { limit: 1000, period: 'MONTH', offset: 0 },
    })
    expect(plan.apiStages).toEqual([
      { apiId, stage: 'prod', throttle: { '/GET': { rateLimit: 5, burstLimit: 2 } } },
    ])
    const key = await tg.client.send(new CreateApiKeyCommand({ name: 'member', enabled: true }))
    const member = await tg.client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
    )
    expect(member).toEqual({
      $metadata: expect.anything(),
      id: key.id,
      type: 'API_KEY',
      value: key.value,
      name: 'member',
    })
    expect((await tg.client.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items).toHaveLength(
      1,
    )
    expect(
      (await tg.client.send(new GetUsagePlansCommand({ keyId: key.id }))).items!.map((p) => p.id),
    ).toEqual([plan.id])
    const updated = await tg.client.send(
      new UpdateUsagePlanCommand({
        usagePlanId: plan.id,
        patchOperations: [
          { op: 'replace', path: '/name', value: 'platinum' },
          { op: 'replace', path: '/throttle/rateLimit', value: '50' },
          { op: 'replace', path: '/quota/limit', value: '5000' },
        ],
      }),
    )
    expect(updated).toMatchObject({
      name: 'platinum',
      throttle: { rateLimit: 50, burstLimit: 20 },
      quota: { limit: 5000 },
    })
    expect((await tg.client.send(new GetUsagePlanCommand({ usagePlanId: plan.id }))).name).toBe('platinum')
    // Per-method throttles: `/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/...`
    // (AWS API reference, UpdateUsagePlan), the resource path escaped as a JSON Pointer.
    const perMethod = await tg.client.send(
      new UpdateUsagePlanCommand({
        usagePlanId: plan.id,
        patchOperations: [
          { op: 'replace', path: `/apiStages/${apiId}:prod/throttle/~1/GET/burstLimit`, value: '7' },
          { op: 'replace', path: `/apiStages/${apiId}:prod/throttle/~1/GET/rateLimit`, value: '3' },
          { op: 'remove', path: `/apiStages/${apiId}:prod/throttle/GET` },
          { op: 'replace', path: `/apiStages/${apiId}:prod/throttle/~1/POST/rateLimit`, value: '1.5' },
        ],
      }),
    )
    expect(perMethod.apiStages![0]!.throttle).toEqual({
      '//GET': { burstLimit: 7, rateLimit: 3 },
      '//POST': { rateLimit: 1.5 },
    })
    await tg.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }))
    expect((await tg.client.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items).toEqual([])
    await tg.client.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }))
    await expect(tg.client.send(new GetUsagePlanCommand({ usagePlanId: plan.id }))).rejects.toMatchObject({
      name: 'NotFoundException',
    })
  })
})

describe('API key enforcement on the data plane', () => {
  it('answers 403 Forbidden for a missing, unknown, disabled or uncovered key, and serves a good one', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMockMethod(tg.client, apiId, rootId, 'GET', '{"key": "$context.identity.apiKeyId"}')
    await requireApiKey(tg.client, apiId, rootId, 'GET')
    await deploy(tg.client, apiId, 'prod')
    await deploy(tg.client, apiId, 'other')
    const plan = await tg.client.send(
      new CreateUsagePlanCommand({ name: 'p', apiStages: [{ apiId, stage: 'prod' }] }),
    )
    const good = await tg.client.send(new CreateApiKeyCommand({ name: 'good', enabled: true }))
    const disabled = await tg.client.send(new CreateApiKeyCommand({ name: 'off', enabled: false }))
    const outside = await tg.client.send(new CreateApiKeyCommand({ name: 'outside', enabled: true }))
    for (const key of [good, disabled])
      await tg.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
      )

    const call = (stage: string, key?: string) =>
      fetch(`${tg.url}/_aws/execute-api/${apiId}/${stage}/`, { headers: key ? { 'x-api-key': key } : {} })
    for (const [stage, key] of [
      ['prod', undefined],
      ['prod', 'unknown-key-value-000000000'],
      ['prod', disabled.value],
      ['prod', outside.value],
      ['other', good.value],
    ] as const) {
      const response = await call(stage, key)
      expect(response.status, `${stage} ${String(key)}`).toBe(403)
      expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException')
      expect(await response.json()).toEqual({ message: 'Forbidden' })
    }
    const ok = await call('prod', good.value)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ key: good.id })
    // A good key elsewhere than the x-api-key header is no key (apiKeySource HEADER): not in the
    // query string, not under a header name with underscores (which some proxies equate).
    for (const elsewhere of [
      fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/?x-api-key=${good.value!}`),
      fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/`, { headers: { x_api_key: good.value! } }),
    ]) {
      const response = await elsewhere
      expect(response.status).toBe(403)
      expect(await response.json()).toEqual({ message: 'Forbidden' })
    }
  })
})
