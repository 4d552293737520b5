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
import {
  checkStageName,
  checkStageVariables,
  newStage,
  readCanarySettings,
  readStageSettings,
} from './stage-record.js'

/** AWS's answer for a deployment id the API does not have. */
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
          // The document as just read: written to the store at once, so later edits of the API
          // never reach the deployment (nothing here changes `doc`).
          snapshot: doc,
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
      // GetDeployments has no `embed`: the API summary comes with GetDeployment only.
      const items = records.map((d) => publicDeployment(d, false))
      return { status: 200, body: paginate(items, req.query) }
    },
  },
  {
    method: 'GET',
    path: '/restapis/{restapi_id}/deployments/{deployment_id}',
    handler: async (req, { store, config }) => {
      const apiId = req.params['restapi_id'] ?? ''
      const record = await store.read(async (r) => {
        await loadApi(r, config, apiId)
        return r.get('deployment', apiId, req.params['deployment_id'] ?? '')
      })
      if (!record) throw deploymentNotFound()
      const withSummary = req.query.getAll('embed').includes('apisummary')
      return { status: 200, body: publicDeployment(record, withSummary) }
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
        // A stage serving it, as its deployment or as its canary, pins it (AWS's message).
        const stages = await tx.list('stage', apiId)
        const inUse = stages.some(
          (s) => s.deploymentId === deploymentId || s.canarySettings?.deploymentId === deploymentId,
        )
        if (inUse) throw badRequest('Active stages pointing to this deployment must be moved or deleted')
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
  // AWS docs "apigateway-private-apis": a private API needs a resource policy before it deploys.
  if (doc.api.endpointConfiguration.types.includes('PRIVATE') && !doc.api.policy)
    throw badRequest("Private REST API doesn't have a resource policy attached to it")
}

/**
 * CreateDeployment's stage side. With `stageName`, the stage is created or pointed at the new
 * deployment; with `canarySettings` too, the stage must already exist and the new deployment
 * becomes its canary instead, replacing any previous one (messages and outcomes recorded in
 * test_apigateway_canary.snapshot.json, test_create_canary_deployment*).
 */
async function applyToStage(tx: ConfigTx, apiId: string, deploymentId: string, body: Input): Promise<void> {
  const stageName = body.string('stageName')
  const canary = body.object('canarySettings')
  const variables = body.stringMap('variables')
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
    const settings = readCanarySettings(canary, deploymentId)
    await tx.put('stage', apiId, stageName, {
      ...stage,
      canarySettings: { ...settings, deploymentId },
      lastUpdatedDate: nowEpochSeconds(),
    })
    return
  }
  if (!stageName) return
  const existing = await tx.get('stage', apiId, stageName)
  if (existing) {
    const stage: StageRecord = { ...existing, deploymentId, lastUpdatedDate: nowEpochSeconds() }
    if (variables) stage.variables = checkStageVariables({ ...existing.variables, ...variables })
    await tx.put('stage', apiId, stageName, stage)
    return
  }
  const description = body.string('stageDescription')
  const stage = newStage(apiId, checkStageName(stageName), deploymentId, {
    ...readStageSettings(body, 'createDeploymentInput'),
    ...(description !== undefined ? { description } : {}),
    ...(variables ? { variables: checkStageVariables(variables) } : {}),
  })
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
