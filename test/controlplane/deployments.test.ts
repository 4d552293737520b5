import {
  CreateDeploymentCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteStageCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetStageCommand,
  GetStagesCommand,
  GetTagsCommand,
  PutMethodCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDeploymentCommand,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, putMethodWithIntegration } from '../support/apis.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError } from '../support/parity.js'

// Expected values: test/parity/controlplane/{stages,canary}.json (recorded against AWS).
const stages = parity('stages')
const canary = parity('canary')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

async function deployableApi(): Promise<{ apiId: string; rootId: string }> {
  const ids = await createApi(tg.client)
  await putMethodWithIntegration(tg.client, ids.apiId, ids.rootId, 'GET', {
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
  })
  return ids
}

const storedStage = (apiId: string, name: string) => tg.gateway.store.read((r) => r.get('stage', apiId, name))

describe('deployments', () => {
  it('snapshots the API: later edits do not change a deployment', async () => {
    const { apiId, rootId } = await deployableApi()
    const deployment = await tg.client.send(
      new CreateDeploymentCommand({ restApiId: apiId, description: 'first' }),
    )
    expect(deployment.id).toMatch(/^[a-z0-9]{6}$/)
    expect(deployment.createdDate).toBeInstanceOf(Date)
    expect(deployment.description).toBe('first')
    const snapshotBefore = await tg.gateway.store.read((r) => r.get('deployment', apiId, deployment.id!))
    await createPath(tg.client, apiId, rootId, 'later')
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'POST',
        authorizationType: 'NONE',
      }),
    )
    const snapshotAfter = await tg.gateway.store.read((r) => r.get('deployment', apiId, deployment.id!))
    expect(snapshotAfter).toEqual(snapshotBefore)
    expect(Object.values(snapshotAfter!.snapshot.resources).map((r) => r.pathPart)).not.toContain('later')

    const summary = await tg.client.send(
      new GetDeploymentCommand({ restApiId: apiId, deploymentId: deployment.id, embed: ['apisummary'] }),
    )
    expect(summary.apiSummary).toEqual({ '/': { GET: { authorizationType: 'NONE', apiKeyRequired: false } } })
  })

  it('refuses an API without methods or with a method without integration', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await expect(tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))).rejects.toThrow(
      "The REST API doesn't contain any methods",
    )
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await expect(
      tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' })),
    ).rejects.toThrow('No integration defined for method')
    expect(await storedStage(apiId, 'dev')).toBeUndefined()
  })

  it('lists the history with paging, updates the description, deletes when unused', async () => {
    const { apiId } = await deployableApi()
    const ids: string[] = []
    for (let i = 0; i < 3; i++)
      ids.push(
        (await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))).id!,
      )
    const page1 = await tg.client.send(new GetDeploymentsCommand({ restApiId: apiId, limit: 2 }))
    expect(page1.items).toHaveLength(2)
    const page2 = await tg.client.send(
      new GetDeploymentsCommand({ restApiId: apiId, limit: 2, position: page1.position }),
    )
    expect([...page1.items!, ...page2.items!].map((d) => d.id)).toEqual(ids)
    const updated = await tg.client.send(
      new UpdateDeploymentCommand({
        restApiId: apiId,
        deploymentId: ids[0],
        patchOperations: [{ op: 'replace', path: '/description', value: 'renamed' }],
      }),
    )
    expect(updated.description).toBe('renamed')

    // The stage points to the newest deployment: deleting it is refused, older ones can go.
    await expect(
      tg.client.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId: ids[2] })),
    ).rejects.toThrow('Active stages pointing to this deployment must be moved or deleted')
    await tg.client.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId: ids[0] }))
    await expect(
      tg.client.send(new GetDeploymentCommand({ restApiId: apiId, deploymentId: ids[0] })),
    ).rejects.toThrow('Invalid Deployment identifier specified')
  })
})

describe('stages', () => {
  it('creates a stage with the recorded defaults and filters the list by deployment', async () => {
    const { apiId } = await deployableApi()
    const d1 = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))
    const d2 = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))
    const created = await tg.client.send(
      new CreateStageCommand({ restApiId: apiId, stageName: 'stage1', deploymentId: d1.id }),
    )
    await tg.client.send(
      new CreateStageCommand({ restApiId: apiId, stageName: 'stage2', deploymentId: d2.id }),
    )
    const recorded = (
      stages.shapes['test_get_stages_filters_by_deployment_id/all-stages'] as {
        item: Record<string, unknown>[]
      }
    ).item[0]!
    for (const key of [
      'cacheClusterEnabled',
      'cacheClusterStatus',
      'methodSettings',
      'tracingEnabled',
      'stageName',
    ] as const) {
      expect(created[key as keyof typeof created]).toEqual(recorded[key])
    }
    expect(created.lastUpdatedDate).toBeInstanceOf(Date)
    const filtered = await tg.client.send(new GetStagesCommand({ restApiId: apiId, deploymentId: d2.id }))
    expect(filtered.item!.map((s) => s.stageName)).toEqual(['stage2'])
    expect((await tg.client.send(new GetStagesCommand({ restApiId: apiId }))).item).toHaveLength(2)
    await expect(
      tg.client.send(new CreateStageCommand({ restApiId: apiId, stageName: 'stage1', deploymentId: d1.id })),
    ).rejects.toThrow('Stage already exists')
    await expect(
      tg.client.send(new CreateStageCommand({ restApiId: apiId, stageName: 'x', deploymentId: 'nope00' })),
    ).rejects.toThrow('Deployment id does not exist')
  })

  it('updates variables, settings, method settings and access logs by patch', async () => {
    const { apiId } = await deployableApi()
    const d1 = await tg.client.send(
      new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', variables: { a: '1' } }),
    )
    const d2 = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))
    const patch = (patchOperations: PatchOperation[]) =>
      tg.client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations }))
    const updated = await patch([
      { op: 'replace', path: '/deploymentId', value: d2.id },
      { op: 'replace', path: '/description', value: 'development' },
      { op: 'replace', path: '/variables/b', value: '2' },
      { op: 'remove', path: '/variables/a' },
      { op: 'replace', path: '/tracingEnabled', value: 'true' },
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '100' },
      { op: 'replace', path: '/~1pets~1{id}/GET/caching/enabled', value: 'true' },
      { op: 'replace', path: '/accessLogSettings/format', value: '$context.requestId' },
      {
        op: 'replace',
        path: '/accessLogSettings/destinationArn',
        value: 'arn:aws:logs:us-east-1:000000000000:log-group:x',
      },
    ])
    expect(updated).toMatchObject({
      deploymentId: d2.id,
      description: 'development',
      variables: { b: '2' },
      tracingEnabled: true,
      accessLogSettings: {
        format: '$context.requestId',
        destinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:x',
      },
    })
    expect(updated.methodSettings?.['*/*']).toMatchObject({
      throttlingRateLimit: 100,
      throttlingBurstLimit: 5000,
      cachingEnabled: false,
    })
    expect(updated.methodSettings?.['~1pets~1{id}/GET']).toMatchObject({
      cachingEnabled: true,
      cacheTtlInSeconds: 300,
    })
    const removed = await patch([{ op: 'remove', path: '/~1pets~1{id}/GET' }])
    expect(Object.keys(removed.methodSettings ?? {})).toEqual(['*/*'])
    expect(d1.id).not.toBe(d2.id)
  })

  it('answers bad stage patches with the recorded errors and changes nothing', async () => {
    const { apiId } = await deployableApi()
    await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))
    const before = await storedStage(apiId, 'dev')
    const patch = (op: PatchOperation) =>
      tg.client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations: [op] }))
    await expectAwsError(
      patch({ op: 'add', path: '/accessLogSettings/randomValue', value: 'x' }),
      recordedError(stages, 'test_stage_access_log_settings_validation/invalid-path-add'),
    )
    await expectAwsError(
      patch({ op: 'remove', path: '/accessLogSettings/randomValue' }),
      recordedError(stages, 'test_stage_access_log_settings_validation/invalid-path-remove'),
    )
    await expectAwsError(
      patch({ op: 'replace', path: '/accessLogSettings/format', value: '' }),
      recordedError(stages, 'test_stage_access_log_settings_validation/update-stage-access-log-format-empty'),
    )
    await expectAwsError(
      patch({ op: 'replace', path: '/canarySettings/badPath', value: 'x' }),
      recordedError(
        canary,
        'test_update_stage_canary_deployment_validation/update-stage-canary-settings-replace-bad-path',
      ),
    )
    await expectAwsError(
      patch({ op: 'add', path: '/canarySettings/deploymentId', value: 'x' }),
      recordedError(canary, 'test_update_stage_canary_deployment_validation/update-stage-add-deployment'),
    )
    await expectAwsError(
      patch({ op: 'replace', path: '/canarySettings/deploymentId', value: 'nope00' }),
      recordedError(canary, 'test_update_stage_canary_deployment_validation/update-stage-no-deployment'),
    )
    await expectAwsError(
      patch({ op: 'copy', path: '/canarySettings/stageVariableOverrides', from: '/variables' }),
      recordedError(canary, 'test_update_stage_with_copy_ops/copy-with-bad-statement'),
    )
    await expectAwsError(
      patch({ op: 'copy', path: '/deploymentId', from: '/canarySettings/deploymentId' }),
      recordedError(canary, 'test_update_stage_with_copy_ops/copy-with-no-replace'),
    )
    expect(await storedStage(apiId, 'dev')).toEqual(before)
  })

  it('creates a canary with CreateDeployment and promotes it with copy operations', async () => {
    const { apiId } = await deployableApi()
    const base = await tg.client.send(
      new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', variables: { testVar: 'default' } }),
    )
    await expectAwsError(
      tg.client.send(
        new CreateDeploymentCommand({ restApiId: apiId, canarySettings: { percentTraffic: 50 } }),
      ),
      recordedError(canary, 'test_create_canary_deployment_validation/create-canary-deployment-no-stage'),
    )
    await expectAwsError(
      tg.client.send(
        new CreateDeploymentCommand({
          restApiId: apiId,
          stageName: 'non-existing',
          canarySettings: { percentTraffic: 50 },
        }),
      ),
      recordedError(
        canary,
        'test_create_canary_deployment_validation/create-canary-deployment-non-existing-stage',
      ),
    )
    const canaryDeployment = await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } },
      }),
    )
    const stage = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(stage.deploymentId).toBe(base.id)
    expect(stage.canarySettings).toEqual({
      deploymentId: canaryDeployment.id,
      percentTraffic: 50,
      stageVariableOverrides: { testVar: 'canary' },
      useStageCache: false,
    })
    const promoted = await tg.client.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        patchOperations: [
          { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
          { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' },
          { op: 'remove', path: '/canarySettings' },
        ],
      }),
    )
    expect(promoted.deploymentId).toBe(canaryDeployment.id)
    expect(promoted.variables).toEqual({ testVar: 'canary' })
    expect(promoted.canarySettings).toBeUndefined()
    // The old deployment is free now and can be deleted.
    await tg.client.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId: base.id }))
    await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'dev' }))
    await expect(tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))).rejects.toThrow(
      'Invalid Stage identifier specified',
    )
  })
})

describe('tags', () => {
  it('tags and untags APIs and stages by ARN', async () => {
    const { apiId } = await deployableApi()
    await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))
    const apiArn = `arn:aws:apigateway:us-east-1::/restapis/${apiId}`
    const stageArn = `${apiArn}/stages/dev`
    await tg.client.send(new TagResourceCommand({ resourceArn: apiArn, tags: { team: 'a', env: 'x' } }))
    await tg.client.send(new TagResourceCommand({ resourceArn: stageArn, tags: { tier: 'gold' } }))
    await tg.client.send(new UntagResourceCommand({ resourceArn: apiArn, tagKeys: ['env'] }))
    expect((await tg.client.send(new GetTagsCommand({ resourceArn: apiArn }))).tags).toEqual({ team: 'a' })
    expect((await tg.client.send(new GetTagsCommand({ resourceArn: stageArn }))).tags).toEqual({
      tier: 'gold',
    })
    expect((await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))).tags).toEqual({
      tier: 'gold',
    })
    const missing = await rawCall(
      tg.url,
      'GET',
      `/tags/${encodeURIComponent('arn:aws:apigateway:us-east-1::/restapis/nosuchapi0')}`,
    )
    expect(missing.status).toBe(404)
    expect(missing.errorType).toBe('NotFoundException')
  })
})
