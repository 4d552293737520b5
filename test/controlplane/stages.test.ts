import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteStageCommand,
  GetStageCommand,
  GetStagesCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Method } from '../../src/model/index.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError } from '../support/parity.js'

// Expected values recorded against AWS: test/parity/controlplane/stages.json
// (test_apigateway_api.snapshot.json, TestApiGatewayStage) and canary.json
// (test_apigateway_canary.snapshot.json, TestStageCrudCanary).
const stages = parity('stages')
const canary = parity('canary')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())
afterEach(() => {
  vi.useRealTimers()
})

const MOCK_GET: Method = {
  httpMethod: 'GET',
  authorizationType: 'NONE',
  apiKeyRequired: false,
  methodIntegration: { type: 'MOCK', timeoutInMillis: 29000, cacheKeyParameters: [] },
}

/** A deployable API (a MOCK GET on the root, written to the store) and `count` deployments of it. */
async function deployedApi(count = 1): Promise<{ apiId: string; deployments: string[] }> {
  const api = await tg.client.send(new CreateRestApiCommand({ name: 'stages' }))
  const apiId = api.id!
  await tg.gateway.store.transaction(async (tx) => {
    const doc = (await tx.get('restapi', '', apiId))!
    doc.resources[api.rootResourceId!]!.resourceMethods = { GET: MOCK_GET }
    await tx.put('restapi', '', apiId, doc)
  })
  const deployments: string[] = []
  for (let i = 0; i < count; i++) {
    deployments.push((await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))).id!)
  }
  return { apiId, deployments }
}

/** An API with one deployment and a stage `dev` on it, created as the recordings create it. */
async function apiWithStage(fields: { variables?: Record<string, string> } = {}) {
  const { apiId, deployments } = await deployedApi(2)
  await tg.client.send(
    new CreateStageCommand({
      restApiId: apiId,
      stageName: 'dev',
      deploymentId: deployments[0],
      description: 'dev stage',
      ...fields,
    }),
  )
  const patch = (...patchOperations: PatchOperation[]) =>
    tg.client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations }))
  const ids = { [deployments[0]!]: '<deployment-id:1>', [deployments[1]!]: '<deployment-id:2>' }
  return { apiId, deployments, patch, ids }
}

const storedStage = (apiId: string, name = 'dev') => tg.gateway.store.read((r) => r.get('stage', apiId, name))

/** Replaces what AWS's recordings replace: dates by "datetime", ids by their placeholders. */
function asRecorded(value: object, ids: Record<string, string>): unknown {
  return JSON.parse(
    JSON.stringify({ ...value, $metadata: undefined }, (_key, v: unknown) => {
      if (typeof v === 'string' && ids[v]) return ids[v]
      return typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? 'datetime' : v
    }),
  )
}

describe('CreateStage, GetStage(s), DeleteStage', () => {
  it('creates a stage with the recorded defaults', async () => {
    const { apiId, deployments } = await deployedApi()
    const created = await tg.client.send(
      new CreateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        deploymentId: deployments[0],
        description: 'dev stage',
      }),
    )
    expect(created.$metadata.httpStatusCode).toBe(201)
    const ids = { [deployments[0]!]: '<id:1>' }
    expect(asRecorded(created, ids)).toEqual(stages.shapes['test_stage_access_log_settings/create-stage'])
    const got = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(asRecorded(got, ids)).toEqual(stages.shapes['test_stage_access_log_settings/create-stage'])
    expect(got.createdDate).toEqual(created.createdDate)
  })

  it('lists stages as {item}, filtered by deploymentId (recorded)', async () => {
    const { apiId } = await deployedApi(0)
    const d1 = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'stage1' }))
    const d2 = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'stage2' }))
    const ids = { [d1.id!]: '<deployment-id:1>', [d2.id!]: '<deployment-id:2>' }
    const list = (deploymentId?: string) =>
      tg.client.send(new GetStagesCommand({ restApiId: apiId, deploymentId }))
    const recorded = (step: string) => stages.shapes[`test_get_stages_filters_by_deployment_id/${step}`]
    expect(asRecorded(await list(), ids)).toEqual(recorded('all-stages'))
    expect(asRecorded(await list(d1.id), ids)).toEqual(recorded('stages-deploy1'))
    expect(asRecorded(await list(d2.id), ids)).toEqual(recorded('stages-deploy2'))
    // The wire shape is `{"item": [...]}` with no paging position.
    const raw = await rawCall(tg.url, 'GET', `/restapis/${apiId}/stages?deploymentId=${d2.id!}`)
    expect(Object.keys(raw.json as object)).toEqual(['item'])
    const none = await tg.client.send(new GetStagesCommand({ restApiId: apiId, deploymentId: 'nope00' }))
    expect(none.item).toEqual([])
  })

  it('creates a stage with a canary (recorded shape) and checks the canary deployment', async () => {
    // test_create_update_stages/create-stage; test_create_canary_deployment/bad-canary-deployment-id.
    const { apiId, deployments } = await deployedApi(2)
    const [main, second] = deployments as [string, string]
    const created = await tg.client.send(
      new CreateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        deploymentId: second,
        description: 'dev stage',
        variables: { testVar: 'default' },
        canarySettings: {
          deploymentId: main,
          percentTraffic: 50,
          stageVariableOverrides: { testVar: 'canary' },
        },
      }),
    )
    const ids = { [main]: '<deployment-id:1>', [second]: '<deployment-id:2>' }
    expect(asRecorded(created, ids)).toEqual(canary.shapes['test_create_update_stages/create-stage'])
    const before = await tg.gateway.store.read((r) => r.list('stage', apiId))
    await expectAwsError(
      tg.client.send(
        new CreateStageCommand({
          restApiId: apiId,
          stageName: 'dev3',
          deploymentId: main,
          description: 'dev stage',
          canarySettings: { deploymentId: 'deploy' },
        }),
      ),
      recordedError(canary, 'test_create_canary_deployment/bad-canary-deployment-id'),
    )
    const noCanaryDeployment = await tg.client.send(
      new CreateStageCommand({
        restApiId: apiId,
        stageName: 'dev4',
        deploymentId: main,
        canarySettings: { percentTraffic: 5 },
      }),
    )
    expect(noCanaryDeployment.canarySettings).toEqual({
      deploymentId: main,
      percentTraffic: 5,
      useStageCache: false,
    })
    expect((await tg.gateway.store.read((r) => r.list('stage', apiId))).map((s) => s.stageName)).toEqual([
      ...before.map((s) => s.stageName),
      'dev4',
    ])
  })

  it('refuses duplicates, unknown or foreign deployments, bad names and bad types, storing nothing', async () => {
    const { apiId, deployments } = await deployedApi()
    const other = await deployedApi()
    await tg.client.send(
      new CreateStageCommand({ restApiId: apiId, stageName: 'dev', deploymentId: deployments[0] }),
    )
    const before = await tg.gateway.store.read((r) => r.list('stage', apiId))
    const create = (stageName: string, deploymentId: string | undefined) =>
      tg.client.send(new CreateStageCommand({ restApiId: apiId, stageName, deploymentId }))
    await expectAwsError(create('dev', deployments[0]), {
      code: 'ConflictException',
      message: 'Stage already exists',
    })
    const missing = { code: 'BadRequestException', message: 'Deployment id does not exist' }
    await expectAwsError(create('qa', 'nope00'), missing)
    await expectAwsError(create('qa', other.deployments[0]), missing)
    await expectAwsError(create('q a', deployments[0]), {
      code: 'BadRequestException',
      message: 'Stage name only allows a-zA-Z0-9_ and -, up to 128 characters',
    })
    await expectAwsError(create('', deployments[0]), {
      code: 'BadRequestException',
      message: 'Stage name must be non-empty',
    })
    await expectAwsError(
      tg.client.send(
        new CreateStageCommand({
          restApiId: apiId,
          stageName: 'qa',
          deploymentId: deployments[0],
          variables: { 'a-b': 'x' },
        }),
      ),
      {
        code: 'BadRequestException',
        message: 'Stage variable names must be alphanumeric or underscore, up to 64 characters',
      },
    )
    await expectAwsError(
      tg.client.send(
        new CreateStageCommand({
          restApiId: apiId,
          stageName: 'qa',
          deploymentId: deployments[0],
          canarySettings: { percentTraffic: 101 },
        }),
      ),
      { code: 'BadRequestException', message: 'Canary traffic percentage must be between 0.0 and 100.0' },
    )
    for (const body of [
      { stageName: 1, deploymentId: deployments[0] },
      { stageName: 'qa', deploymentId: deployments[0], variables: 'x' },
      { stageName: 'qa', deploymentId: deployments[0], tracingEnabled: 'yes' },
      { stageName: 'qa', deploymentId: deployments[0], canarySettings: { percentTraffic: 'half' } },
    ]) {
      const response = await rawCall(tg.url, 'POST', `/restapis/${apiId}/stages`, JSON.stringify(body))
      expect(response.status).toBe(400)
      expect(response.errorType).toBe('SerializationException')
    }
    expect(await tg.gateway.store.read((r) => r.list('stage', apiId))).toEqual(before)
    await expectAwsError(
      tg.client.send(new CreateStageCommand({ restApiId: 'nosuchapi0', stageName: 'qa', deploymentId: 'x' })),
      {
        code: 'NotFoundException',
        message: `Invalid API identifier specified ${tg.gateway.config.accountId}:nosuchapi0`,
      },
    )
  })

  it('deletes a stage; unknown and foreign stages are not found', async () => {
    const { apiId } = await apiWithStage()
    const other = await deployedApi()
    const notFound = { code: 'NotFoundException', message: 'Invalid Stage identifier specified' }
    await expectAwsError(
      tg.client.send(new GetStageCommand({ restApiId: other.apiId, stageName: 'dev' })),
      notFound,
    )
    await expectAwsError(
      tg.client.send(new DeleteStageCommand({ restApiId: other.apiId, stageName: 'dev' })),
      notFound,
    )
    await expectAwsError(
      tg.client.send(
        new UpdateStageCommand({
          restApiId: other.apiId,
          stageName: 'dev',
          patchOperations: [{ op: 'replace', path: '/description', value: 'x' }],
        }),
      ),
      notFound,
    )
    expect(await storedStage(apiId)).toBeDefined()
    const deleted = await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(deleted.$metadata.httpStatusCode).toBe(202)
    expect(await storedStage(apiId)).toBeUndefined()
    await expectAwsError(
      tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' })),
      notFound,
    )
    await expectAwsError(
      tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'dev' })),
      notFound,
    )
  })
})

describe('UpdateStage: stage fields and variables', () => {
  it('replaces deploymentId, description, cache, tracing and the optional ids', async () => {
    const { apiId, deployments, patch } = await apiWithStage({ variables: { a: '1' } })
    const created = await storedStage(apiId)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date((created!.lastUpdatedDate + 100) * 1000))
    const updated = await patch(
      { op: 'replace', path: '/deploymentId', value: deployments[1] },
      { op: 'replace', path: '/description', value: 'development' },
      { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
      { op: 'replace', path: '/tracingEnabled', value: 'true' },
      { op: 'replace', path: '/clientCertificateId', value: 'cert01' },
      { op: 'replace', path: '/documentationVersion', value: '1.0' },
      { op: 'add', path: '/variables/b', value: '2' },
      { op: 'replace', path: '/variables/a', value: '10' },
    )
    vi.useRealTimers()
    expect(updated).toMatchObject({
      deploymentId: deployments[1],
      description: 'development',
      cacheClusterEnabled: true,
      cacheClusterStatus: 'AVAILABLE',
      cacheClusterSize: '0.5',
      tracingEnabled: true,
      clientCertificateId: 'cert01',
      documentationVersion: '1.0',
      variables: { a: '10', b: '2' },
    })
    expect(updated.lastUpdatedDate!.getTime() / 1000).toBe(created!.lastUpdatedDate + 100)
    expect(updated.createdDate!.getTime() / 1000).toBe(created!.createdDate)

    const again = await patch(
      { op: 'replace', path: '/cacheClusterSize', value: '6.1' },
      { op: 'replace', path: '/cacheClusterEnabled', value: 'false' },
      { op: 'remove', path: '/description' },
      { op: 'remove', path: '/clientCertificateId' },
      { op: 'remove', path: '/variables/a' },
      { op: 'remove', path: '/variables/b' },
    )
    expect(again).toMatchObject({
      cacheClusterEnabled: false,
      cacheClusterStatus: 'NOT_AVAILABLE',
      cacheClusterSize: '6.1',
    })
    expect(again.description).toBeUndefined()
    expect(again.clientCertificateId).toBeUndefined()
    expect(again.variables).toBeUndefined()
    expect((await storedStage(apiId))?.variables).toBeUndefined()
  })

  it('refuses bad values, ops and paths, and a failed patch changes nothing', async () => {
    const { apiId, patch } = await apiWithStage()
    const other = await deployedApi()
    const before = await storedStage(apiId)
    const badPath = recordedError(
      canary,
      'test_update_stage_canary_deployment_validation/update-stage-canary-settings-replace-bad-path',
    )
    const invalidPath = (path: string) => ({
      code: badPath.code,
      message: badPath.message.replace('/canarySettings/badPath', path),
    })
    const cases: [PatchOperation[], { code: string; message: string }][] = [
      [
        [{ op: 'replace', path: '/deploymentId', value: 'nope00' }],
        recordedError(canary, 'test_update_stage_canary_deployment_validation/update-stage-no-deployment'),
      ],
      [
        [{ op: 'replace', path: '/deploymentId', value: other.deployments[0] }],
        { code: 'BadRequestException', message: 'Deployment id does not exist' },
      ],
      [
        [{ op: 'add', path: '/deploymentId', value: 'x' }],
        { code: 'BadRequestException', message: 'Invalid add operation with path: /deploymentId' },
      ],
      [[{ op: 'replace', path: '/stageName', value: 'x' }], invalidPath('/stageName')],
      [
        [{ op: 'remove', path: '/cacheClusterEnabled' }],
        { code: 'BadRequestException', message: 'Invalid remove operation with path: /cacheClusterEnabled' },
      ],
      [
        [{ op: 'replace', path: '/cacheClusterEnabled', value: 'yes' }],
        { code: 'BadRequestException', message: 'Invalid value for boolean field /cacheClusterEnabled: yes' },
      ],
      [
        [{ op: 'replace', path: '/cacheClusterSize', value: '2' }],
        { code: 'BadRequestException', message: 'Invalid cache cluster size specified: 2' },
      ],
      [[{ op: 'replace', path: '/variables', value: 'x' }], invalidPath('/variables')],
      [
        [{ op: 'replace', path: '/variables/a-b', value: 'x' }],
        {
          code: 'BadRequestException',
          message: 'Stage variable names must be alphanumeric or underscore, up to 64 characters',
        },
      ],
      [
        [{ op: 'replace', path: '/variables/v', value: 'x'.repeat(513) }],
        { code: 'BadRequestException', message: 'Stage variable value must be at most 512 characters' },
      ],
      [
        [
          { op: 'replace', path: '/description', value: 'changed' },
          { op: 'replace', path: '/tracingEnabled', value: 'maybe' },
        ],
        { code: 'BadRequestException', message: 'Invalid value for boolean field /tracingEnabled: maybe' },
      ],
      [
        [{ op: 'move', path: '/description', from: '/x' }],
        { code: 'BadRequestException', message: 'Invalid move operation with path: /description' },
      ],
    ]
    for (const [operations, expected] of cases) await expectAwsError(patch(...operations), expected)
    const wrongOp = await rawCall(
      tg.url,
      'PATCH',
      `/restapis/${apiId}/stages/dev`,
      JSON.stringify({ patchOperations: [{ op: 'wrong', path: '/description', value: 'x' }] }),
    )
    expect(wrongOp.errorType).toBe('ValidationException')
    expect(wrongOp.json).toEqual({
      message:
        "1 validation error detected: Value 'wrong' at 'updateStageInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
    })
    expect(await storedStage(apiId)).toEqual(before)
  })
})

describe('UpdateStage: method settings', () => {
  it('creates entries from AWS defaults, keyed as AWS keys them, and removes them', async () => {
    const { apiId, patch } = await apiWithStage()
    const defaults = {
      metricsEnabled: false,
      dataTraceEnabled: false,
      throttlingBurstLimit: 5000,
      throttlingRateLimit: 10000,
      cachingEnabled: false,
      cacheTtlInSeconds: 300,
      cacheDataEncrypted: false,
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
    }
    const first = await patch({ op: 'replace', path: '/*/*/throttling/rateLimit', value: '100.5' })
    expect(first.methodSettings).toEqual({ '*/*': { ...defaults, throttlingRateLimit: 100.5 } })

    const all = await patch(
      { op: 'replace', path: '/~1pets~1{id}/GET/metrics/enabled', value: 'true' },
      { op: 'replace', path: '/~1pets~1{id}/GET/logging/loglevel', value: 'INFO' },
      { op: 'replace', path: '/~1pets~1{id}/GET/logging/dataTrace', value: 'true' },
      { op: 'replace', path: '/~1pets~1{id}/GET/throttling/burstLimit', value: '20' },
      { op: 'replace', path: '/~1pets~1{id}/GET/throttling/rateLimit', value: '10' },
      { op: 'replace', path: '/~1pets~1{id}/GET/caching/enabled', value: 'true' },
      { op: 'replace', path: '/~1pets~1{id}/GET/caching/ttlInSeconds', value: '60' },
      { op: 'replace', path: '/~1pets~1{id}/GET/caching/dataEncrypted', value: 'true' },
      {
        op: 'replace',
        path: '/~1pets~1{id}/GET/caching/requireAuthorizationForCacheControl',
        value: 'false',
      },
      {
        op: 'replace',
        path: '/~1pets~1{id}/GET/caching/unauthorizedCacheControlHeaderStrategy',
        value: 'FAIL_WITH_403',
      },
    )
    expect(all.methodSettings?.['~1pets~1{id}/GET']).toEqual({
      metricsEnabled: true,
      loggingLevel: 'INFO',
      dataTraceEnabled: true,
      throttlingBurstLimit: 20,
      throttlingRateLimit: 10,
      cachingEnabled: true,
      cacheTtlInSeconds: 60,
      cacheDataEncrypted: true,
      requireAuthorizationForCacheControl: false,
      unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403',
    })
    expect(all.methodSettings?.['*/*']).toEqual(first.methodSettings?.['*/*'])

    const removed = await patch({ op: 'remove', path: '/~1pets~1{id}/GET' })
    expect(Object.keys(removed.methodSettings ?? {})).toEqual(['*/*'])
    expect(Object.keys((await storedStage(apiId))!.methodSettings)).toEqual(['*/*'])
  })

  it('refuses unknown settings and bad values, changing nothing', async () => {
    const { apiId, patch } = await apiWithStage()
    await patch({ op: 'replace', path: '/*/*/metrics/enabled', value: 'true' })
    const before = await storedStage(apiId)
    const badPath = recordedError(
      canary,
      'test_update_stage_canary_deployment_validation/update-stage-canary-settings-replace-bad-path',
    )
    const invalidPath = (path: string) => ({
      code: badPath.code,
      message: badPath.message.replace('/canarySettings/badPath', path),
    })
    const bad = (message: string) => ({ code: 'BadRequestException', message })
    const cases: [PatchOperation, { code: string; message: string }][] = [
      [{ op: 'replace', path: '/*/*/metrics/on', value: 'true' }, invalidPath('/*/*/metrics/on')],
      [{ op: 'replace', path: '/*/*', value: 'true' }, invalidPath('/*/*')],
      [
        { op: 'replace', path: '/*/*/metrics/enabled', value: 'on' },
        bad('Invalid value for boolean field /*/*/metrics/enabled: on'),
      ],
      [
        { op: 'replace', path: '/*/*/logging/loglevel', value: 'DEBUG' },
        bad('Invalid logging level: DEBUG. Must be one of: [OFF, ERROR, INFO]'),
      ],
      [
        { op: 'replace', path: '/*/*/throttling/burstLimit', value: '-1' },
        bad('Invalid value for /*/*/throttling/burstLimit: -1'),
      ],
      [
        { op: 'replace', path: '/*/*/throttling/rateLimit', value: 'fast' },
        bad('Invalid value for /*/*/throttling/rateLimit: fast'),
      ],
      [
        { op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '3601' },
        bad('Invalid value for /*/*/caching/ttlInSeconds: 3601'),
      ],
      [
        { op: 'replace', path: '/*/*/caching/unauthorizedCacheControlHeaderStrategy', value: 'IGNORE' },
        bad(
          'Invalid unauthorized cache control header strategy: IGNORE. Must be one of: [FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER]',
        ),
      ],
      [
        { op: 'remove', path: '/~1pets/GET' },
        bad('Cannot remove method setting ~1pets/GET because there is no method setting for this method '),
      ],
      [
        { op: 'remove', path: '/*/*/metrics/enabled' },
        bad(
          'Cannot remove method setting */*/metrics/enabled because there is no method setting for this method ',
        ),
      ],
    ]
    for (const [op, expected] of cases) await expectAwsError(patch(op), expected)
    expect(await storedStage(apiId)).toEqual(before)
  })
})

describe('UpdateStage: access log settings', () => {
  it('adds, replaces and removes them (recorded test_stage_access_log_settings)', async () => {
    const { patch, deployments } = await apiWithStage()
    const ids = { [deployments[0]!]: '<id:1>' }
    const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:access'
    const recorded = (step: string) => stages.shapes[`test_stage_access_log_settings/${step}`]
    const withArn = (value: object) =>
      JSON.parse(JSON.stringify(asRecorded(value, ids)).replaceAll(arn, '<log-group-arn>')) as unknown
    expect(
      withArn(await patch({ op: 'add', path: '/accessLogSettings/destinationArn', value: arn })),
    ).toEqual(recorded('update-stage-access-log-dest-add'))
    expect(
      withArn(await patch({ op: 'replace', path: '/accessLogSettings/destinationArn', value: `${arn}a` })),
    ).toEqual(recorded('update-stage-access-log-dest-replace'))
    expect(
      withArn(
        await patch({
          op: 'add',
          path: '/accessLogSettings/format',
          value: '$context.requestId $context.identity.sourceIp',
        }),
      ),
    ).toEqual(recorded('update-stage-access-log-format-add'))
    expect(withArn(await patch({ op: 'remove', path: '/accessLogSettings' }))).toEqual(
      recorded('update-stage-access-log-remove-all'),
    )
  })

  it('answers the recorded errors of test_stage_access_log_settings_validation, changing nothing', async () => {
    const { apiId, patch } = await apiWithStage()
    const error = (step: string) => recordedError(stages, `test_stage_access_log_settings_validation/${step}`)
    const ops = ['add', 'remove', 'replace'] as const
    for (const op of ops) {
      await expectAwsError(
        patch({ op, path: '/accessLogSettings/randomValue', value: 'updated' }),
        error(`invalid-path-${op}`),
      )
      await expectAwsError(
        patch({ op, path: '/accessLogSettings/*', value: 'updated' }),
        error(`star-and-${op}`),
      )
    }
    for (const op of ['add', 'replace'] as const) {
      await expectAwsError(patch({ op, path: '/accessLogSettings', value: 'test' }), error(`root-and-${op}`))
    }
    await patch({
      op: 'add',
      path: '/accessLogSettings/destinationArn',
      value: 'arn:aws:logs:us-east-1:1:log-group:x',
    })
    const before = await storedStage(apiId)
    for (const field of ['destinationArn', 'format']) {
      await expectAwsError(
        patch({ op: 'replace', path: `/accessLogSettings/${field}`, value: '' }),
        error(`update-stage-access-log-${field}-empty`),
      )
    }
    // Recorded: removing a member is refused even though destinationArn is set.
    await expectAwsError(
      patch({ op: 'remove', path: '/accessLogSettings/destinationArn' }),
      error('update-stage-access-log-dest-remove'),
    )
    expect(await storedStage(apiId)).toEqual(before)
  })
})

describe('UpdateStage: canary settings', () => {
  it('creates a canary by patch from the stage deployment (recorded test_create_canary_deployment_by_stage_update)', async () => {
    const { patch, ids, deployments } = await apiWithStage({ variables: { testVar: 'default' } })
    const recorded = (step: string) => canary.shapes[`test_create_canary_deployment_by_stage_update/${step}`]
    expect(
      asRecorded(
        await patch({ op: 'replace', path: '/canarySettings/deploymentId', value: deployments[1] }),
        ids,
      ),
    ).toEqual(recorded('update-stage-with-deployment'))
    expect(asRecorded(await patch({ op: 'remove', path: '/canarySettings' }), ids)).toEqual(
      recorded('remove-stage-canary'),
    )
    expect(
      asRecorded(await patch({ op: 'replace', path: '/canarySettings/percentTraffic', value: '50' }), ids),
    ).toEqual(recorded('update-stage-with-percent'))
    const useCache = await patch({ op: 'replace', path: '/canarySettings/useStageCache', value: 'true' })
    expect(useCache.canarySettings?.useStageCache).toBe(true)
  })

  it('updates and removes overrides (recorded test_create_update_stages)', async () => {
    const { apiId, deployments } = await deployedApi(2)
    const [d1, d2] = deployments as [string, string]
    await tg.client.send(
      new CreateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        deploymentId: d1,
        description: 'dev stage',
        variables: { testVar: 'default' },
        canarySettings: {
          deploymentId: d2,
          percentTraffic: 50,
          stageVariableOverrides: { testVar: 'canary' },
        },
      }),
    )
    // Recorded with the stage on <deployment-id:2> and the canary on <deployment-id:1>.
    const ids = { [d1]: '<deployment-id:2>', [d2]: '<deployment-id:1>' }
    const patch = (...patchOperations: PatchOperation[]) =>
      tg.client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations }))
    const recorded = (step: string) => canary.shapes[`test_create_update_stages/${step}`]
    expect(
      asRecorded(
        await patch({
          op: 'replace',
          path: '/canarySettings/stageVariableOverrides/testVar',
          value: 'updated',
        }),
        ids,
      ),
    ).toEqual(recorded('update-stage-canary-settings-overrides'))
    const added = await patch({
      op: 'replace',
      path: '/canarySettings/stageVariableOverrides/other',
      value: 'x',
    })
    expect(added.canarySettings?.stageVariableOverrides).toEqual({ testVar: 'updated', other: 'x' })
    const dropped = await patch({ op: 'remove', path: '/canarySettings/stageVariableOverrides/other' })
    expect(dropped.canarySettings?.stageVariableOverrides).toEqual({ testVar: 'updated' })
    expect(asRecorded(await patch({ op: 'remove', path: '/canarySettings' }), ids)).toEqual(
      recorded('update-stage-remove-canary-settings'),
    )
    const got = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(asRecorded(got, ids)).toEqual(recorded('get-stage-after-remove'))
  })

  it('answers the recorded errors of test_update_stage_canary_deployment_validation, changing nothing', async () => {
    const { apiId, deployments } = await deployedApi(0)
    await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))
    const got = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(asRecorded(got, { [got.deploymentId!]: '<deployment-id:1>' })).toEqual(
      canary.shapes['test_update_stage_canary_deployment_validation/get-stage'],
    )
    await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } },
      }),
    )
    expect(deployments).toEqual([])
    const patch = (stageName: string, op: PatchOperation) =>
      tg.client.send(new UpdateStageCommand({ restApiId: apiId, stageName, patchOperations: [op] }))
    const error = (step: string) =>
      recordedError(canary, `test_update_stage_canary_deployment_validation/${step}`)
    const before = await storedStage(apiId)
    await expectAwsError(
      patch('dev', { op: 'remove', path: '/canarySettings/stageVariableOverrides' }),
      error('update-stage-canary-settings-remove-overrides'),
    )
    await expectAwsError(
      patch('dev', { op: 'remove', path: '/canarySettings/badPath' }),
      error('update-stage-canary-settings-bad-path'),
    )
    await expectAwsError(
      patch('dev', { op: 'replace', path: '/canarySettings', value: 'test' }),
      error('update-stage-canary-settings-bad-path-2'),
    )
    await expectAwsError(
      patch('dev', { op: 'replace', path: '/canarySettings/badPath', value: 'badPath' }),
      error('update-stage-canary-settings-replace-bad-path'),
    )
    await expectAwsError(
      patch('dev', { op: 'replace', path: '/canarySettings/percentTraffic', value: '100.5' }),
      { code: 'BadRequestException', message: 'Canary traffic percentage must be between 0.0 and 100.0' },
    )
    expect(await storedStage(apiId)).toEqual(before)

    const second = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev2' }))
    const before2 = await storedStage(apiId, 'dev2')
    await expectAwsError(
      patch('dev2', { op: 'add', path: '/canarySettings/deploymentId', value: second.id! }),
      error('update-stage-add-deployment'),
    )
    await expectAwsError(
      patch('dev2', { op: 'replace', path: '/canarySettings/deploymentId', value: 'deploy' }),
      error('update-stage-no-deployment'),
    )
    expect(await storedStage(apiId, 'dev2')).toEqual(before2)
  })

  it('promotes a canary with copy operations (recorded test_update_stage_with_copy_ops)', async () => {
    const { apiId } = await deployedApi(0)
    const first = await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        variables: { testVar: 'test', testVar2: 'test2' },
      }),
    )
    const ids = { [first.id!]: '<deployment-id:1>' }
    const patch = (...patchOperations: PatchOperation[]) =>
      tg.client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations }))
    const recorded = (step: string) => canary.shapes[`test_update_stage_with_copy_ops/${step}`]
    const before = await storedStage(apiId)
    await expectAwsError(
      patch(
        { op: 'copy', path: '/canarySettings/stageVariableOverrides', from: '/variables' },
        { op: 'copy', path: '/canarySettings/deploymentId', from: '/deploymentId' },
      ),
      recordedError(canary, 'test_update_stage_with_copy_ops/copy-with-bad-statement'),
    )
    const promote: PatchOperation[] = [
      { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
      { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
    ]
    await expectAwsError(
      patch(...promote),
      recordedError(canary, 'test_update_stage_with_copy_ops/copy-with-no-replace'),
    )
    expect(await storedStage(apiId)).toEqual(before)

    const zero: PatchOperation = { op: 'replace', value: '0.0', path: '/canarySettings/percentTraffic' }
    expect(asRecorded(await patch(zero, promote[1]!, promote[0]!), ids)).toEqual(
      recorded('update-stage-with-copy'),
    )
    const canaryDeployment = await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'override' } },
      }),
    )
    ids[canaryDeployment.id!] = '<deployment-id:2>'
    const got = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(asRecorded(got, ids)).toEqual(recorded('get-stage'))
    expect(asRecorded(await patch(zero, promote[1]!, promote[0]!), ids)).toEqual(
      recorded('update-stage-with-copy-2'),
    )
  })
})
