import { stageNotFound } from './stage-record.js'
import { loadApi } from './documents.js'
import type { Route } from './router.js'

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
