import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteStageCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetStageCommand,
  UpdateDeploymentCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Method } from '../../src/model/index.js'
import { rawCall, startTestGateway, type TestGateway } from '../support/gateway.js'
import { expectAwsError, parity, recordedError } from '../support/parity.js'

// Expected values recorded against AWS: test/parity/controlplane/canary.json
// (test_apigateway_canary.snapshot.json). The refusals to deploy and to delete a deployment in
// use are not in the recordings; their texts are AWS's documented messages.
const canary = parity('canary')
let tg: TestGateway
beforeAll(async () => {
  tg = await startTestGateway()
})
afterAll(() => tg.close())

const MOCK_GET: Method = {
  httpMethod: 'GET',
  authorizationType: 'NONE',
  apiKeyRequired: false,
  methodIntegration: { type: 'MOCK', timeoutInMillis: 29000, cacheKeyParameters: [] },
}

/** An API whose root has the given methods, written straight to the store (PutMethod is tested elsewhere). */
async function apiWithMethods(methods: Partial<Record<Method['httpMethod'], Method>>) {
  const api = await tg.client.send(new CreateRestApiCommand({ name: 'deployments' }))
  const apiId = api.id!
  const rootId = api.rootResourceId!
  await tg.gateway.store.transaction(async (tx) => {
    const doc = (await tx.get('restapi', '', apiId))!
    doc.resources[rootId]!.resourceMethods = methods
    await tx.put('restapi', '', apiId, doc)
  })
  return { apiId, rootId }
}
const deployableApi = () => apiWithMethods({ GET: MOCK_GET })

/** Everything the store holds for an API, to show that a failed call changed nothing. */
const storeState = (apiId: string) =>
  tg.gateway.store.read(async (r) => ({
    api: await r.get('restapi', '', apiId),
    deployments: await r.list('deployment', apiId),
    stages: await r.list('stage', apiId),
  }))

/** Replaces what AWS's recordings replace: dates by "datetime", ids by their placeholders. */
function asRecorded(value: object, ids: Record<string, string>): unknown {
  return JSON.parse(
    JSON.stringify({ ...value, $metadata: undefined }, (_key, v: unknown) => {
      if (typeof v === 'string' && ids[v]) return ids[v]
      return typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? 'datetime' : v
    }),
  )
}

describe('CreateDeployment', () => {
  it('snapshots the API: later edits never reach the deployment', async () => {
    const { apiId, rootId } = await deployableApi()
    const created = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, description: 'v1' }))
    expect(created.id).toMatch(/^[a-z0-9]{6}$/)
    expect(Math.abs(created.createdDate!.getTime() - Date.now())).toBeLessThan(5_000)
    expect(created.description).toBe('v1')
    expect(created.apiSummary).toBeUndefined()
    // Recorded shape of a deployment without description (create-deployment-1): id and date only.
    const plain = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))
    expect(asRecorded(plain, { [plain.id!]: '<deployment-id:2>' })).toEqual(
      canary.shapes['test_create_update_stages/create-deployment-1'],
    )

    const stored = await tg.gateway.store.read((r) => r.get('deployment', apiId, created.id!))
    const apiAtDeploy = await tg.gateway.store.read((r) => r.get('restapi', '', apiId))
    expect(stored?.snapshot).toEqual(apiAtDeploy)
    expect(stored?.restApiId).toBe(apiId)

    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: 'replace', path: '/name', value: 'renamed' }],
      }),
    )
    await tg.gateway.store.transaction(async (tx) => {
      const doc = (await tx.get('restapi', '', apiId))!
      doc.resources[rootId]!.resourceMethods!.POST = { ...MOCK_GET, httpMethod: 'POST', apiKeyRequired: true }
      await tx.put('restapi', '', apiId, doc)
    })
    const after = await tg.gateway.store.read((r) => r.get('deployment', apiId, created.id!))
    expect(after).toEqual(stored)
    expect(after?.snapshot.api.name).toBe('deployments')

    const summary = await tg.client.send(
      new GetDeploymentCommand({ restApiId: apiId, deploymentId: created.id, embed: ['apisummary'] }),
    )
    expect(summary.apiSummary).toEqual({ '/': { GET: { authorizationType: 'NONE', apiKeyRequired: false } } })
    const latest = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))
    const latestSummary = await tg.client.send(
      new GetDeploymentCommand({ restApiId: apiId, deploymentId: latest.id, embed: ['apisummary'] }),
    )
    expect(latestSummary.apiSummary?.['/']).toEqual({
      GET: { authorizationType: 'NONE', apiKeyRequired: false },
      POST: { authorizationType: 'NONE', apiKeyRequired: true },
    })
    const withoutEmbed = await tg.client.send(
      new GetDeploymentCommand({ restApiId: apiId, deploymentId: created.id }),
    )
    expect(withoutEmbed.apiSummary).toBeUndefined()
  })

  it('refuses an API without methods, or with a method without integration, and stores nothing', async () => {
    const empty = await apiWithMethods({})
    await expectAwsError(
      tg.client.send(new CreateDeploymentCommand({ restApiId: empty.apiId, stageName: 'dev' })),
      { code: 'BadRequestException', message: "The REST API doesn't contain any methods" },
    )
    expect((await storeState(empty.apiId)).deployments).toEqual([])

    const { methodIntegration: _none, ...bare } = MOCK_GET
    const noIntegration = await apiWithMethods({ GET: MOCK_GET, POST: { ...bare, httpMethod: 'POST' } })
    const before = await storeState(noIntegration.apiId)
    await expectAwsError(
      tg.client.send(new CreateDeploymentCommand({ restApiId: noIntegration.apiId, stageName: 'dev' })),
      { code: 'BadRequestException', message: 'No integration defined for method' },
    )
    expect(await storeState(noIntegration.apiId)).toEqual(before)
  })

  it('answers an unknown API and wrong JSON types with AWS errors', async () => {
    await expectAwsError(tg.client.send(new CreateDeploymentCommand({ restApiId: 'nosuchapi0' })), {
      code: 'NotFoundException',
      message: `Invalid API identifier specified ${tg.gateway.config.accountId}:nosuchapi0`,
    })
    const { apiId } = await deployableApi()
    const before = await storeState(apiId)
    for (const body of [
      { description: 5 },
      { stageName: true },
      { stageName: 'dev', variables: ['a'] },
      { stageName: 'dev', cacheClusterEnabled: 'maybe' },
    ]) {
      const response = await rawCall(tg.url, 'POST', `/restapis/${apiId}/deployments`, JSON.stringify(body))
      expect(response.status).toBe(400)
      expect(response.errorType).toBe('SerializationException')
    }
    expect(await storeState(apiId)).toEqual(before)
  })

  it('creates the named stage with the stage members of the request', async () => {
    const { apiId } = await deployableApi()
    const deployment = await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        stageDescription: 'development',
        variables: { testVar: 'default' },
        tracingEnabled: true,
        cacheClusterEnabled: true,
      }),
    )
    const stage = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(stage).toMatchObject({
      stageName: 'dev',
      deploymentId: deployment.id,
      description: 'development',
      variables: { testVar: 'default' },
      tracingEnabled: true,
      cacheClusterEnabled: true,
      cacheClusterStatus: 'AVAILABLE',
      cacheClusterSize: '0.5',
      methodSettings: {},
    })
    expect(stage.canarySettings).toBeUndefined()
  })

  it('points an existing stage at the new deployment, merging variables', async () => {
    const { apiId } = await deployableApi()
    const first = await tg.client.send(
      new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', variables: { a: '1', b: '1' } }),
    )
    const second = await tg.client.send(
      new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', variables: { b: '2' } }),
    )
    const stage = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(stage.deploymentId).toBe(second.id)
    expect(stage.deploymentId).not.toBe(first.id)
    expect(stage.variables).toEqual({ a: '1', b: '2' })
  })

  it('refuses a bad stage name or cache size in the same transaction', async () => {
    const { apiId } = await deployableApi()
    const before = await storeState(apiId)
    await expectAwsError(
      tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'bad name' })),
      {
        code: 'BadRequestException',
        message: 'Stage name only allows a-zA-Z0-9_ and -, up to 128 characters',
      },
    )
    await expectAwsError(
      tg.client.send(
        new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', cacheClusterSize: '2' as '0.5' }),
      ),
      {
        code: 'ValidationException',
        message:
          "1 validation error detected: Value '2' at 'createDeploymentInput.cacheClusterSize' failed to satisfy constraint: Member must satisfy enum value set: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]",
      },
    )
    expect(await storeState(apiId)).toEqual(before)
  })
})

describe('canary deployments', () => {
  it('answers the recorded validation errors and stores nothing', async () => {
    const { apiId } = await deployableApi()
    await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))
    const before = await storeState(apiId)
    const canarySettings = { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } }
    const cases: [string | undefined, string][] = [
      [undefined, 'create-canary-deployment-no-stage'],
      ['', 'create-canary-deployment-empty-stage'],
      ['non-existing', 'create-canary-deployment-non-existing-stage'],
    ]
    for (const [stageName, step] of cases) {
      await expectAwsError(
        tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName, canarySettings })),
        recordedError(canary, `test_create_canary_deployment_validation/${step}`),
      )
    }
    expect(await storeState(apiId)).toEqual(before)
  })

  it('makes the new deployment the canary of an existing stage (recorded shapes)', async () => {
    // test_create_canary_deployment_with_stage: create-deployment, create-stage, create-canary-deployment, get-stage.
    const { apiId } = await deployableApi()
    const base = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))
    const ids = { [base.id!]: '<deployment-id:1>' }
    const stage = await tg.client.send(
      new CreateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        deploymentId: base.id,
        description: 'dev stage',
        variables: { testVar: 'default' },
      }),
    )
    expect(asRecorded(stage, ids)).toEqual(
      canary.shapes['test_create_canary_deployment_with_stage/create-stage'],
    )
    const canaryDeployment = await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        canarySettings: { percentTraffic: 50, stageVariableOverrides: { testVar: 'canary' } },
      }),
    )
    ids[canaryDeployment.id!] = '<deployment-id:2>'
    const got = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(asRecorded(got, ids)).toEqual(canary.shapes['test_create_canary_deployment_with_stage/get-stage'])

    // test_create_canary_deployment: a second canary deployment replaces the first canary.
    const next = await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        canarySettings: { percentTraffic: 60, useStageCache: true },
      }),
    )
    const replaced = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }))
    expect(replaced.canarySettings).toEqual({
      deploymentId: next.id,
      percentTraffic: 60,
      useStageCache: true,
    })
    expect(replaced.deploymentId).toBe(base.id)
  })
})

describe('GetDeployments, UpdateDeployment, DeleteDeployment', () => {
  it('lists the history oldest first, with paging', async () => {
    const { apiId } = await deployableApi()
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      ids.push((await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId }))).id!)
    }
    const page1 = await tg.client.send(new GetDeploymentsCommand({ restApiId: apiId, limit: 2 }))
    expect(page1.items).toHaveLength(2)
    expect(page1.position).toBeDefined()
    const page2 = await tg.client.send(
      new GetDeploymentsCommand({ restApiId: apiId, limit: 2, position: page1.position }),
    )
    expect(page2.position).toBeUndefined()
    expect([...page1.items!, ...page2.items!].map((d) => d.id)).toEqual(ids)
    expect(page1.items!.every((d) => d.apiSummary === undefined)).toBe(true)
    await expectAwsError(tg.client.send(new GetDeploymentsCommand({ restApiId: 'nosuchapi0' })), {
      code: 'NotFoundException',
      message: `Invalid API identifier specified ${tg.gateway.config.accountId}:nosuchapi0`,
    })
  })

  it('updates the description and refuses other paths, changing nothing', async () => {
    const { apiId } = await deployableApi()
    const { id } = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, description: 'a' }))
    const updated = await tg.client.send(
      new UpdateDeploymentCommand({
        restApiId: apiId,
        deploymentId: id,
        patchOperations: [{ op: 'replace', path: '/description', value: 'b' }],
      }),
    )
    expect(updated).toMatchObject({ id, description: 'b' })
    const before = await storeState(apiId)
    await expectAwsError(
      tg.client.send(
        new UpdateDeploymentCommand({
          restApiId: apiId,
          deploymentId: id,
          patchOperations: [
            { op: 'replace', path: '/description', value: 'c' },
            { op: 'replace', path: '/id', value: 'x' },
          ],
        }),
      ),
      {
        code: 'BadRequestException',
        message: "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description]",
      },
    )
    expect(await storeState(apiId)).toEqual(before)
    const cleared = await tg.client.send(
      new UpdateDeploymentCommand({
        restApiId: apiId,
        deploymentId: id,
        patchOperations: [{ op: 'remove', path: '/description' }],
      }),
    )
    expect(cleared.description).toBeUndefined()
  })

  it('refuses to delete a deployment a stage or a canary uses', async () => {
    const { apiId } = await deployableApi()
    const main = await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))
    const next = await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'dev',
        canarySettings: { percentTraffic: 10 },
      }),
    )
    const before = await storeState(apiId)
    const inUse = {
      code: 'BadRequestException',
      message: 'Active stages pointing to this deployment must be moved or deleted',
    }
    await expectAwsError(
      tg.client.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId: main.id })),
      inUse,
    )
    await expectAwsError(
      tg.client.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId: next.id })),
      inUse,
    )
    expect(await storeState(apiId)).toEqual(before)

    // Promote the canary, drop it: the old deployment is free; then the stage goes, freeing the other.
    await tg.client.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        patchOperations: [
          { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
          { op: 'remove', path: '/canarySettings' },
        ],
      }),
    )
    const deleted = await tg.client.send(
      new DeleteDeploymentCommand({ restApiId: apiId, deploymentId: main.id }),
    )
    expect(deleted.$metadata.httpStatusCode).toBe(202)
    await expectAwsError(
      tg.client.send(new GetDeploymentCommand({ restApiId: apiId, deploymentId: main.id })),
      { code: 'NotFoundException', message: 'Invalid Deployment identifier specified' },
    )
    await tg.client.send(new DeleteStageCommand({ restApiId: apiId, stageName: 'dev' }))
    await tg.client.send(new DeleteDeploymentCommand({ restApiId: apiId, deploymentId: next.id }))
    expect((await storeState(apiId)).deployments).toEqual([])
  })

  it('does not find a deployment through another API', async () => {
    const a = await deployableApi()
    const b = await deployableApi()
    const { id } = await tg.client.send(new CreateDeploymentCommand({ restApiId: a.apiId }))
    const notFound = { code: 'NotFoundException', message: 'Invalid Deployment identifier specified' }
    await expectAwsError(
      tg.client.send(new GetDeploymentCommand({ restApiId: b.apiId, deploymentId: id })),
      notFound,
    )
    await expectAwsError(
      tg.client.send(
        new UpdateDeploymentCommand({
          restApiId: b.apiId,
          deploymentId: id,
          patchOperations: [{ op: 'replace', path: '/description', value: 'x' }],
        }),
      ),
      notFound,
    )
    await expectAwsError(
      tg.client.send(new DeleteDeploymentCommand({ restApiId: b.apiId, deploymentId: id })),
      notFound,
    )
    expect(await tg.gateway.store.read((r) => r.get('deployment', a.apiId, id!))).toBeDefined()
  })
})
