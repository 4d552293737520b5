import type { HttpMethod, Method, RestApiDocument } from '../model/index.js'
import { conflict } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import type { Input } from './input.js'
import {
  checkAuthorizationType,
  checkRequestParameterNames,
  checkValidator,
  settleAuthorizer,
} from './method-checks.js'
import { checkHttpMethod, checkModel, findMethod } from './method-lookup.js'
import { applyMethodPatch } from './method-patch.js'
import { methodResponseRoutes } from './method-responses.js'
import { readPatchOperations } from './patch.js'
import { findResource, resourceNotFound } from './resources.js'
import type { Route } from './router.js'
import { ValidationErrors } from './validation.js'

const METHOD_PATH = '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}'

/** Methods of a resource (PutMethod, GetMethod, UpdateMethod, DeleteMethod) and their responses. */
export const methodRoutes: Route[] = [
  {
    method: 'PUT',
    path: METHOD_PATH,
    handler: async (req, { store, config }) => {
      const input = readPutMethod(req.body)
      const method = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        // Recorded (test_put_method_validation "wrong-api", "wrong-resource"): an unknown API or
        // resource wins over an invalid HTTP method.
        const resource = findResource(doc, req.params['resource_id'] ?? '')
        const httpMethod = checkHttpMethod(req.params['http_method'] ?? '')
        // PutMethod never overwrites: "Method already exists for this resource" (AWS's answer
        // reproduced by AWS support in aws/aws-cli#3992; UpdateMethod is the way to change one).
        if (resource.resourceMethods?.[httpMethod]) {
          throw conflict('Method already exists for this resource')
        }
        const created = buildMethod(input, httpMethod, doc)
        resource.resourceMethods = { ...resource.resourceMethods, [httpMethod]: created }
        await saveApi(tx, doc)
        return created
      })
      return { status: 201, body: method }
    },
  },
  {
    method: 'GET',
    path: METHOD_PATH,
    handler: async (req, { store, config }) => {
      const doc = await store.read((r) =>
        loadApi(r, config, req.params['restapi_id'] ?? '', resourceNotFound),
      )
      // Method responses and the integration (with its responses) are nested, as recorded
      // (test_lifecycle_method_response "get-method").
      return {
        status: 200,
        body: findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? ''),
      }
    },
  },
  {
    method: 'PATCH',
    path: METHOD_PATH,
    handler: async (req, { store, config }) => {
      const operations = readPatchOperations(req.body, 'updateMethodInput')
      const method = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const current = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        for (const op of operations) applyMethodPatch(current, op, doc)
        settleAuthorizer(current, doc)
        await saveApi(tx, doc)
        return current
      })
      return { status: 200, body: method }
    },
  },
  {
    method: 'DELETE',
    path: METHOD_PATH,
    handler: async (req, { store, config }) => {
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const resource = findResource(doc, req.params['resource_id'] ?? '')
        const method = findMethod(doc, resource.id, req.params['http_method'] ?? '')
        const methods = { ...resource.resourceMethods }
        delete methods[method.httpMethod]
        resource.resourceMethods = methods
        await saveApi(tx, doc)
      })
      return { status: 204 }
    },
  },
  ...methodResponseRoutes,
]

/** A PutMethod body, read and type-checked before anything is looked up (as AWS deserialises first). */
interface PutMethodInput {
  authorizationType: string
  authorizerId: string | undefined
  apiKeyRequired: boolean | undefined
  requestParameters: Record<string, boolean> | undefined
  requestModels: Record<string, string> | undefined
  requestValidatorId: string | undefined
  operationName: string | undefined
  authorizationScopes: string[] | undefined
}

function readPutMethod(body: Input): PutMethodInput {
  const input = {
    authorizationType: body.string('authorizationType'),
    authorizerId: body.string('authorizerId'),
    apiKeyRequired: body.boolean('apiKeyRequired'),
    requestParameters: body.booleanMap('requestParameters'),
    requestModels: body.stringMap('requestModels'),
    requestValidatorId: body.string('requestValidatorId'),
    operationName: body.string('operationName'),
    authorizationScopes: body.stringList('authorizationScopes'),
  }
  // authorizationType is required: "1 validation error detected: Value null at
  // 'putMethodInput.authorizationType' failed to satisfy constraint: Member must not be null"
  // (AWS's answer quoted in awsdocs/aws-cloudformation-user-guide#483).
  if (input.authorizationType === undefined) {
    const errors = new ValidationErrors()
    errors.add(
      "Value null at 'putMethodInput.authorizationType' failed to satisfy constraint: Member must not be null",
    )
    errors.throwIfAny()
  }
  return { ...input, authorizationType: input.authorizationType ?? '' }
}

function buildMethod(input: PutMethodInput, httpMethod: HttpMethod, doc: RestApiDocument): Method {
  const authorizationType = checkAuthorizationType(input.authorizationType)
  const { requestParameters, requestModels, requestValidatorId, operationName, authorizationScopes } = input
  if (requestParameters) checkRequestParameterNames(Object.keys(requestParameters))
  for (const model of Object.values(requestModels ?? {})) checkModel(doc, model)
  if (requestValidatorId !== undefined) checkValidator(doc, requestValidatorId)
  const method: Method = {
    httpMethod,
    authorizationType,
    apiKeyRequired: input.apiKeyRequired ?? false,
    ...(input.authorizerId !== undefined ? { authorizerId: input.authorizerId } : {}),
    ...(requestValidatorId !== undefined ? { requestValidatorId } : {}),
    ...(operationName !== undefined ? { operationName } : {}),
    ...(requestParameters ? { requestParameters } : {}),
    ...(requestModels ? { requestModels } : {}),
    ...(authorizationScopes ? { authorizationScopes } : {}),
  }
  settleAuthorizer(method, doc)
  return method
}
