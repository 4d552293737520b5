import type { MethodResponse, RestApiDocument } from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import {
  checkModel,
  checkStatusCode,
  findMethod,
  javaBoolean,
  mapPatchKey,
  readResponsePatch,
  responseNotFound,
} from './method-lookup.js'
import { invalidPatchOperation, patchPathSegments, type PatchOperation } from './patch.js'
import { resourceNotFound } from './resources.js'
import type { Route } from './router.js'

const RESPONSE_PATH =
  '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}'
const RESPONSE_HEADER = /^method\.response\.header\.[^.]+$/

/** Method responses: PutMethodResponse, GetMethodResponse, UpdateMethodResponse, DeleteMethodResponse. */
export const methodResponseRoutes: Route[] = [
  {
    method: 'PUT',
    path: RESPONSE_PATH,
    handler: async (req, { store, config }) => {
      // The body is deserialised (SerializationException) before the input is validated.
      const responseParameters = req.body.booleanMap('responseParameters')
      const responseModels = req.body.stringMap('responseModels')
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        checkResponseParameterNames(Object.keys(responseParameters ?? {}))
        for (const model of Object.values(responseModels ?? {})) checkModel(doc, model)
        // Maps sent empty are answered empty (recorded: test_lifecycle_method_response "put-method-response").
        const created: MethodResponse = {
          statusCode,
          ...(responseParameters ? { responseParameters } : {}),
          ...(responseModels ? { responseModels } : {}),
        }
        method.methodResponses = { ...method.methodResponses, [statusCode]: created }
        await saveApi(tx, doc)
        return created
      })
      return { status: 201, body: response }
    },
  },
  {
    method: 'GET',
    path: RESPONSE_PATH,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', resourceNotFound),
      )
      const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
      const response = method.methodResponses?.[statusCode]
      if (!response) throw responseNotFound()
      return { status: 200, body: response }
    },
  },
  {
    method: 'PATCH',
    path: RESPONSE_PATH,
    handler: async (req, { store, config }) => {
      const statusCode = req.params['status_code'] ?? ''
      const operations = readResponsePatch(req.body, 'updateMethodResponseInput', statusCode)
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        const current = method.methodResponses?.[statusCode]
        if (!current) throw responseNotFound()
        for (const op of operations) applyMethodResponsePatch(current, op, doc)
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: response }
    },
  },
  {
    method: 'DELETE',
    path: RESPONSE_PATH,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        if (!method.methodResponses?.[statusCode]) throw responseNotFound()
        const responses = { ...method.methodResponses }
        delete responses[statusCode]
        // As for integration responses (recorded "get-method-get-after-int-resp-delete").
        if (Object.keys(responses).length > 0) method.methodResponses = responses
        else delete method.methodResponses
        await saveApi(tx, doc)
      })
      return { status: 204 }
    },
  },
]

/**
 * Method response parameters are response headers, `method.response.header.NAME`. The wording
 * for another key is the one AWS records for bad method request parameters (not recorded here).
 */
function checkResponseParameterNames(keys: readonly string[]): void {
  for (const key of keys) {
    if (!RESPONSE_HEADER.test(key)) {
      throw badRequest(
        `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${key}]`,
      )
    }
  }
}

/**
 * One UpdateMethodResponse operation. Messages recorded in test_update_method_response*,
 * test_update_method_lack_response_parameters_and_models and test_update_method_wrong_param_names:
 * an unknown parameter name, or removing/replacing one that is not there, is a NotFoundException
 * "Invalid parameter name specified"; a missing content type is "Content-Type specified was not found".
 */
function applyMethodResponsePatch(response: MethodResponse, op: PatchOperation, doc: RestApiDocument): void {
  const [field, ...rest] = patchPathSegments(op.path)
  if (field !== 'responseParameters' && field !== 'responseModels') {
    throw badRequest(`Invalid patch path ${op.path}`)
  }
  const key = mapPatchKey(op, rest)
  if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
    throw invalidPatchOperation(['add', 'remove', 'replace'])
  }
  const isChange = op.op === 'remove' || op.op === 'replace'
  if (field === 'responseParameters') {
    const params = { ...response.responseParameters }
    if (!RESPONSE_HEADER.test(key) || (isChange && !Object.hasOwn(params, key))) {
      throw notFound('Invalid parameter name specified')
    }
    if (op.op === 'remove') delete params[key]
    else params[key] = javaBoolean(op.value)
    // Recorded "remove-update-method-response": removing the last entry removes the map.
    if (Object.keys(params).length > 0) response.responseParameters = params
    else delete response.responseParameters
    return
  }
  const models = { ...response.responseModels }
  if (isChange && !Object.hasOwn(models, key)) throw notFound('Content-Type specified was not found')
  if (op.op === 'remove') delete models[key]
  else {
    checkModel(doc, op.value ?? '')
    models[key] = op.value ?? ''
  }
  if (Object.keys(models).length > 0) response.responseModels = models
  else delete response.responseModels
}
