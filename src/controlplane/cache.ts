import { stageNotFound } from './stage-record.js'
import { loadApi } from './documents.js'
import type { ManagementDeps, Route } from './router.js'

/**
 * Empties a stage's cache after the stage was deleted or its cache cluster turned off: AWS deletes
 * the cache cluster then, so the stage created or turned on again starts empty. The store change
 * is committed already; a cache that cannot be reached (Redis down) is logged, not failed (its
 * entries expire on their own).
 */
export async function dropStageCache(deps: ManagementDeps, apiId: string, stageName: string): Promise<void> {
  try {
    await deps.cache.flush(`${apiId}/${stageName}`)
  } catch (error) {
    deps.dataPlane.log.warn({ err: error, apiId, stageName }, 'stage cache not emptied')
  }
}

/** FlushStageCache (AWS API reference): empties a stage's cache; 202 with no body. */
export const cacheRoutes: Route[] = [
  {
    method: 'DELETE',
    path: '/restapis/{restapi_id}/stages/{stage_name}/cache/data',
    handler: async (req, { store, config, cache }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const stageName = req.params['stage_name'] ?? ''
      const stage = await store.read(async (r) => {
        await loadApi(r, config, apiId)
        return r.get('stage', apiId, stageName)
      })
      if (!stage) throw stageNotFound()
      await cache.flush(`${apiId}/${stageName}`)
      return { status: 202 }
    },
  },
]
