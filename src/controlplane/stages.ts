import { emptyStageCache } from '../cache/cache-store.js'
import { nowEpochSeconds } from '../model/index.js'
import { conflict } from './api-error.js'
import { loadApi } from './documents.js'
import type { Input } from './input.js'
import { readPatchOperations } from './patch.js'
import type { Route } from './router.js'
import { applyStagePatch } from './stage-patch.js'
import { checkTags } from './tags.js'
import {
  checkStageName,
  checkStageVariables,
  deploymentIdMissing,
  newStage,
  publicStage,
  readCanarySettings,
  readStageSettings,
  stageNotFound,
} from './stage-record.js'

/** Stages of an API: `/restapis/{id}/stages`. */
export const stageRoutes: Route[] = [
  {
    method: 'POST',
    path: '/restapis/{restapi_id}/stages',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const input = readCreateStage(req.body)
      const stage = await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        const stageName = checkStageName(input.stageName)
        const deploymentId = input.deploymentId ?? ''
        if (!(await tx.get('deployment', apiId, deploymentId))) throw deploymentIdMissing()
        if (await tx.get('stage', apiId, stageName)) throw conflict('Stage already exists')
        const record = newStage(apiId, stageName, deploymentId, input.fields)
        // Recorded (test_create_canary_deployment, bad-canary-deployment-id).
        const canaryId = record.canarySettings?.deploymentId
        if (canaryId !== undefined && !(await tx.get('deployment', apiId, canaryId))) {
          throw deploymentIdMissing()
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
      // Recorded (test_get_stages_filters_by_deployment_id): `{"item": [...]}`, not paged.
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
    handler: async (req, deps) => {
      const { store, config } = deps
      const apiId = req.params['restapi_id'] ?? ''
      const operations = readPatchOperations(req.body, 'updateStageInput')
      const { stage, cacheTurnedOff } = await store.transaction(async (tx) => {
        await loadApi(tx, config, apiId)
        const current = await tx.get('stage', apiId, req.params['stage_name'] ?? '')
        if (!current) throw stageNotFound()
        const deploymentIds = new Set((await tx.list('deployment', apiId)).map((d) => d.id))
        const updated = structuredClone(current)
        for (const op of operations) applyStagePatch(updated, op, deploymentIds)
        updated.lastUpdatedDate = nowEpochSeconds()
        await tx.put('stage', apiId, updated.stageName, updated)
        return {
          stage: publicStage(updated),
          cacheTurnedOff: current.cacheClusterEnabled && !updated.cacheClusterEnabled,
        }
      })
      if (cacheTurnedOff) await emptyStageCache(deps.cache, deps.dataPlane.log, apiId, stage.stageName)
      return { status: 200, body: stage }
    },
  },
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/stages/{stage_name}',
    handler: async (req, deps) => {
      const apiId = req.params['restapi_id'] ?? ''
      const stageName = req.params['stage_name'] ?? ''
      await deps.store.transaction(async (tx) => {
        await loadApi(tx, deps.config, apiId)
        if (!(await tx.delete('stage', apiId, stageName))) throw stageNotFound()
      })
      await emptyStageCache(deps.cache, deps.dataPlane.log, apiId, stageName)
      return { status: 202 }
    },
  },
]

/** Reads a CreateStage body; wrong JSON types fail here, before the store is touched. */
function readCreateStage(body: Input): {
  stageName: string | undefined
  deploymentId: string | undefined
  fields: Parameters<typeof newStage>[3]
} {
  const description = body.string('description')
  const documentationVersion = body.string('documentationVersion')
  const variables = body.stringMap('variables')
  const tags = body.stringMap('tags')
  const deploymentId = body.string('deploymentId')
  const canary = body.object('canarySettings')
  return {
    stageName: body.string('stageName'),
    deploymentId,
    fields: {
      // A canary without its own deployment starts on the stage's, as UpdateStage does.
      ...(canary ? { canarySettings: readCanarySettings(canary, deploymentId ?? '') } : {}),
      ...readStageSettings(body, 'createStageInput'),
      ...(description !== undefined ? { description } : {}),
      ...(documentationVersion !== undefined ? { documentationVersion } : {}),
      ...(variables ? { variables: checkStageVariables(variables) } : {}),
      ...(tags ? { tags: checkTags(tags) } : {}),
    },
  }
}
