import { nowEpochSeconds, type Stage, type StageRecord } from '../model/index.js'
import { badRequest, conflict, notFound } from './api-error.js'
import { loadApi } from './documents.js'
import { readPatchOperations } from './patch.js'
import type { Route } from './router.js'
import { applyStagePatch } from './stage-patch.js'

export const stageNotFound = (): Error => notFound('Invalid Stage identifier specified')

/** A stage with AWS's defaults (recorded create-stage / get-stages outputs). */
export function newStage(
  apiId: string,
  stageName: string,
  deploymentId: string,
  fields: Partial<Omit<Stage, 'stageName' | 'deploymentId'>> = {},
): StageRecord {
  const now = nowEpochSeconds()
  return {
    cacheClusterEnabled: false,
    cacheClusterStatus: 'NOT_AVAILABLE',
    methodSettings: {},
    tracingEnabled: false,
    ...fields,
    restApiId: apiId,
    stageName,
    deploymentId,
    createdDate: now,
    lastUpdatedDate: now,
  }
}

/** The Stage shape (the stored record without our bookkeeping). */
export function publicStage(record: StageRecord): Stage {
  const { restApiId, ...stage } = record
  return stage
}

/** Stages of an API: `/restapis/{id}/stages`. */
export const stageRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/stages',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const stageName = req.body.string('stageName')
      const deploymentId = req.body.string('deploymentId')
      const stage = await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        if (!stageName) throw badRequest('Stage name must be non-empty')
        if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
          throw badRequest('Stage name only allows a-zA-Z0-9_ and -, up to 128 characters')
        }
        if (!deploymentId) throw badRequest('Deployment id must be non-empty')
        if (!(await tx.get('deployment', apiId, deploymentId)))
          throw badRequest('Deployment id does not exist')
        if (await tx.get('stage', apiId, stageName)) throw conflict('Stage already exists')
        const description = req.body.string('description')
        const variables = req.body.stringMap('variables')
        const tags = req.body.stringMap('tags')
        const cacheClusterSize = req.body.string('cacheClusterSize')
        const record = newStage(apiId, stageName, deploymentId, {
          ...(description !== undefined ? { description } : {}),
          ...(variables ? { variables } : {}),
          ...(tags ? { tags } : {}),
          cacheClusterEnabled: req.body.boolean('cacheClusterEnabled') ?? false,
          ...(cacheClusterSize !== undefined ? { cacheClusterSize } : {}),
          tracingEnabled: req.body.boolean('tracingEnabled') ?? false,
        })
        const canary = req.body.object('canarySettings')
        if (canary) {
          const canaryDeployment = canary.string('deploymentId')
          if (canaryDeployment !== undefined && !(await tx.get('deployment', apiId, canaryDeployment))) {
            throw badRequest('Deployment id does not exist')
          }
          const overrides = canary.stringMap('stageVariableOverrides')
          record.canarySettings = {
            ...(canaryDeployment !== undefined ? { deploymentId: canaryDeployment } : {}),
            percentTraffic: canary.number('percentTraffic') ?? 0,
            ...(overrides ? { stageVariableOverrides: overrides } : {}),
            useStageCache: canary.boolean('useStageCache') ?? false,
          }
        }
        await tx.put('stage', apiId, stageName, record)
        return publicStage(record)
      })
      return { status: 201, body: stage }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/stages',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const stages = await store.read(async (r) => {
        await loadApi(r, config, apiId)
        return r.list('stage', apiId)
      })
      const deploymentId = req.query.get('deploymentId')
      const item = stages
        .filter((s) => deploymentId === null || s.deploymentId === deploymentId)
        .map(publicStage)
      // Recorded (test_get_stages_filters_by_deployment_id): stages come as `{"item": [...]}`, unpaged.
      return { status: 200, body: { item } }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/stages/{stage_name}',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const stage = await store.read(async (r) => {
        await loadApi(r, config, apiId)
        return r.get('stage', apiId, req.params['stage_name'] ?? '')
      })
      if (!stage) throw stageNotFound()
      return { status: 200, body: publicStage(stage) }
    },
  },
  {
    method: 'PATCH',
    path: '/restapis/{restapi_id}/stages/{stage_name}',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const operations = readPatchOperations(req.body, 'updateStageInput')
      const stage = await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        const current = await tx.get('stage', apiId, req.params['stage_name'] ?? '')
        if (!current) throw stageNotFound()
        const deploymentIds = new Set((await tx.list('deployment', apiId)).map((d) => d.id))
        for (const op of operations) applyStagePatch(current, op, deploymentIds)
        current.lastUpdatedDate = nowEpochSeconds()
        await tx.put('stage', apiId, current.stageName, current)
        return publicStage(current)
      })
      return { status: 200, body: stage }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/stages/{stage_name}',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        if (!(await tx.delete('stage', apiId, req.params['stage_name'] ?? ''))) throw stageNotFound()
      })
      return { status: 202 }
    },
  },
]
