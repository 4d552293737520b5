import { loadApi } from './documents.js'
import { notFound } from './api-error.js'
import { exportOpenApi, serialiseExport } from './openapi/export.js'
import type { Route } from './router.js'
import { stageNotFound } from './stage-record.js'

/** GetExport: `/restapis/{id}/stages/{stage}/exports/{oas30|swagger}`. */
export const exportRoutes: Route[] = [
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const type = req.params['export_type']
      // AWS's exportType is 'oas30' or 'swagger' only (API reference GetExport); Postman is not an
      // export type but the `extensions=postman` parameter of these two, so `exports/postman` is
      // refused like any other unknown type.
      if (type !== 'oas30' && type !== 'swagger')
        throw notFound(`No export type ${type ?? ''}: must be oas30 or swagger`)
      const { stage, deployment } = await store.read(async (r) => {
        await loadApi(r, config, apiId)
        const found = await r.get('stage', apiId, req.params['stage_name'] ?? '')
        if (!found) throw stageNotFound()
        return { stage: found, deployment: await r.get('deployment', apiId, found.deploymentId) }
      })
      if (!deployment) throw stageNotFound()
      const extensions = new Set(
        (req.query.get('parameters.extensions') ?? req.query.get('extensions') ?? '')
          .split(',')
          .filter(Boolean),
      )
      const document = exportOpenApi(deployment.snapshot, stage, { type, extensions, region: config.region })
      const { body, contentType } = serialiseExport(document, req.headers['accept'])
      return {
        status: 200,
        rawBody: body,
        headers: {
          'content-type': contentType,
          'content-disposition': `attachment; filename="${type}_${apiId}.${contentType.endsWith('yaml') ? 'yaml' : 'json'}"`,
        },
      }
    },
  },
]
