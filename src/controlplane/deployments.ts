import {
  newId,
  nowEpochSeconds,
  resourcePath,
  type Deployment,
  type DeploymentRecord,
  type RestApiDocument,
  type StageRecord,
} from '../model/index.js'
import type { ConfigTx } from '../store/index.js'
import { badRequest, notFound } from './api-error.js'
import { loadApi } from './documents.js'
import type { Input } from './input.js'
import { paginate } from './paging.js'
import { readPatchOperations, invalidPatchPath } from './patch.js'
import type { Route } from './router.js'
import { newStage } from './stages.js'

export const deploymentNotFound = (): Error => notFound('Invalid Deployment identifier specified')

/** Deployments: immutable snapshots of an API, with history (`/restapis/{id}/deployments`). */
export const deploymentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/deployments',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const deployment = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, apiId)
        checkDeployable(doc)
        const description = req.body.string('description')
        const record: DeploymentRecord = {
          id: newId(6),
          createdDate: nowEpochSeconds(),
          ...(description !== undefined ? { description } : {}),
          restApiId: apiId,
          // A deep copy: later edits of the API never reach a deployment.
          snapshot: structuredClone(doc),
        }
        await applyToStage(tx, apiId, record.id, req.body)
        await tx.put('deployment', apiId, record.id, record)
        return publicDeployment(record, false)
      })
      return { status: 201, body: deployment }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/deployments',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const records = await store.read(async (r) => {
        await loadApi(r, config, apiId)
        return r.list('deployment', apiId)
      })
      const embed = req.query.getAll('embed').includes('apisummary')
      return {
        status: 200,
        body: paginate(
          records.map((d) => publicDeployment(d, embed)),
          req.query,
        ),
      }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/deployments/{deployment_id}',
    handler: async (req, { store, config }) => {
      const record = await store.read(async (r) => {
        await loadApi(r, config, req.params['restapi_id'] ?? '')
        return r.get('deployment', req.params['restapi_id'] ?? '', req.params['deployment_id'] ?? '')
      })
      if (!record) throw deploymentNotFound()
      return { status: 200, body: publicDeployment(record, req.query.getAll('embed').includes('apisummary')) }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}/deployments/{deployment_id}',
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateDeploymentInput')
      const apiId = req.params['restapi_id'] ?? ''
      const updated = await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        const record = await tx.get('deployment', apiId, req.params['deployment_id'] ?? '')
        if (!record) throw deploymentNotFound()
        for (const op of operations) {
          if (op.path !== '/description' || (op.op !== 'replace' && op.op !== 'remove')) {
            throw invalidPatchPath(op, ['/description'])
          }
          if (op.op === 'remove' || !op.value) delete record.description
          else record.description = op.value
        }
        await tx.put('deployment', apiId, record.id, record)
        return publicDeployment(record, false)
      })
      return { status: 200, body: updated }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/deployments/{deployment_id}',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const deploymentId = req.params['deployment_id'] ?? ''
      await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        if (!(await tx.get('deployment', apiId, deploymentId))) throw deploymentNotFound()
        const stages = await tx.list('stage', apiId)
        if (
          stages.some(
            (s) => s.deploymentId === deploymentId || s.canarySettings?.deploymentId === deploymentId,
          )
        ) {
          throw badRequest('Active stages pointing to this deployment must be moved or deleted')
        }
        await tx.delete('deployment', apiId, deploymentId)
      })
      return { status: 202 }
    },
  },
]

/** AWS refuses to deploy an API without methods, or with a method that has no integration. */
function checkDeployable(doc: RestApiDocument): void {
  const methods = Object.values(doc.resources).flatMap((r) => Object.values(r.resourceMethods ?? {}))
  if (methods.length === 0) throw badRequest("The REST API doesn't contain any methods")
  if (methods.some((m) => !m.methodIntegration)) throw badRequest('No integration defined for method')
}

/**
 * CreateDeployment's stage side: with `stageName`, creates the stage or points it at the new
 * deployment; with `canarySettings` too, the stage must exist and the deployment becomes its
 * canary instead (messages recorded in test_apigateway_canary.snapshot.json).
 */
async function applyToStage(tx: ConfigTx, apiId: string, deploymentId: string, body: Input): Promise<void> {
  const stageName = body.string('stageName')
  const canary = body.object('canarySettings')
  if (canary) {
    if (!stageName) {
      throw badRequest(
        `Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is ${stageName ?? 'null'}`,
      )
    }
    const stage = await tx.get('stage', apiId, stageName)
    if (!stage) {
      throw badRequest(
        `Invalid deployment content specified.Stage ${stageName} must already be created before making a canary release deployment`,
      )
    }
    const overrides = canary.stringMap('stageVariableOverrides')
    stage.canarySettings = {
      deploymentId,
      percentTraffic: canary.number('percentTraffic') ?? 0,
      ...(overrides ? { stageVariableOverrides: overrides } : {}),
      useStageCache: canary.boolean('useStageCache') ?? false,
    }
    stage.lastUpdatedDate = nowEpochSeconds()
    await tx.put('stage', apiId, stageName, stage)
    return
  }
  if (!stageName) return
  const variables = body.stringMap('variables')
  const existing = await tx.get('stage', apiId, stageName)
  let stage: StageRecord
  if (existing) {
    stage = { ...existing, deploymentId, lastUpdatedDate: nowEpochSeconds() }
    if (variables) stage.variables = { ...existing.variables, ...variables }
  } else {
    const description = body.string('stageDescription')
    const cacheClusterSize = body.string('cacheClusterSize')
    stage = newStage(apiId, stageName, deploymentId, {
      ...(description !== undefined ? { description } : {}),
      ...(variables ? { variables } : {}),
      cacheClusterEnabled: body.boolean('cacheClusterEnabled') ?? false,
      ...(cacheClusterSize !== undefined ? { cacheClusterSize } : {}),
      tracingEnabled: body.boolean('tracingEnabled') ?? false,
    })
  }
  await tx.put('stage', apiId, stageName, stage)
}

/** The Deployment shape; `apiSummary` (path -> method -> auth) with `embed=apisummary`. */
function publicDeployment(record: DeploymentRecord, withSummary: boolean): Deployment {
  const { id, description, createdDate } = record
  const out: Deployment = { id, createdDate, ...(description !== undefined ? { description } : {}) }
  if (withSummary) {
    const summary: NonNullable<Deployment['apiSummary']> = {}
    for (const resource of Object.values(record.snapshot.resources)) {
      const methods = Object.entries(resource.resourceMethods ?? {})
      if (methods.length === 0) continue
      summary[resourcePath(record.snapshot.resources, resource.id)] = Object.fromEntries(
        methods.map(([name, m]) => [
          name,
          { authorizationType: m.authorizationType, apiKeyRequired: m.apiKeyRequired },
        ]),
      )
    }
    out.apiSummary = summary
  }
  return out
}
