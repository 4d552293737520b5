import {
  AUTHORIZATION_TYPES,
  type AuthorizationType,
  type Method,
  type MethodResponse,
  type RestApiDocument,
} from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import { loadApi, saveApi } from './documents.js'
import type { Input } from './input.js'
import { checkHttpMethod, findMethod, methodNotFound, responseNotFound } from './method-lookup.js'
import {
  invalidPatchOperation,
  patchBoolean,
  patchPathSegments,
  readPatchOperations,
  type PatchOperation,
} from './patch.js'
import { findResource, resourceNotFound } from './resources.js'
import type { ManagementRequest, Route } from './router.js'
import { ValidationErrors } from './validation.js'

const METHOD_PATH = '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}'
const STATUS_PATTERN = '[1-5]\\d\\d'

/** Methods and method responses of a resource. */
export const methodRoutes: Route[] = [
  {
    method: 'PUT',
    path: METHOD_PATH,
    handler: async (req, { store, config }) => {
      const httpMethod = checkHttpMethod(req.params['http_method'] ?? '')
      const method = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const resource = findResource(doc, req.params['resource_id'] ?? '')
        const created = readPutMethod(req.body, httpMethod, doc)
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
        checkAuthorizer(current.authorizationType, current.authorizerId, doc)
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
        findMethod(doc, resource.id, req.params['http_method'] ?? '')
        const methods = { ...resource.resourceMethods }
        delete methods[checkHttpMethod(req.params['http_method'] ?? '')]
        resource.resourceMethods = methods
        await saveApi(tx, doc)
      })
      return { status: 204 }
    },
  },
  {
    method: 'PUT',
    path: `${METHOD_PATH}/responses/{status_code}`,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      const response = await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        const responseParameters = req.body.booleanMap('responseParameters')
        const responseModels = req.body.stringMap('responseModels')
        for (const model of Object.values(responseModels ?? {})) checkModel(doc, model)
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
    path: `${METHOD_PATH}/responses/{status_code}`,
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
    path: `${METHOD_PATH}/responses/{status_code}`,
    handler: async (req, { store, config }) => {
      const errors = new ValidationErrors()
      readPatchOperationsInto(req, errors)
      errors.pattern(req.params['status_code'], 'statusCode', STATUS_PATTERN)
      errors.throwIfAny()
      const operations = readPatchOperations(req.body, 'updateMethodResponseInput')
      const statusCode = req.params['status_code'] ?? ''
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
    path: `${METHOD_PATH}/responses/{status_code}`,
    handler: async (req, { store, config }) => {
      const statusCode = checkStatusCode(req.params['status_code'] ?? '')
      await store.transaction(async (tx) => {
        const doc = await loadApi(tx, config, req.params['restapi_id'] ?? '', resourceNotFound)
        const method = findMethod(doc, req.params['resource_id'] ?? '', req.params['http_method'] ?? '')
        if (!method.methodResponses?.[statusCode]) throw responseNotFound()
        const responses = { ...method.methodResponses }
        delete responses[statusCode]
        method.methodResponses = responses
        await saveApi(tx, doc)
      })
      return { status: 204 }
    },
  },
]

/** "Value 'wrong' at 'statusCode' failed to satisfy constraint: ... [1-5]\d\d" (recorded). */
export function checkStatusCode(statusCode: string): string {
  const errors = new ValidationErrors()
  errors.pattern(statusCode, 'statusCode', STATUS_PATTERN)
  errors.throwIfAny()
  return statusCode
}

/** Records op-enum violations (the recorded messages list them before the status code's). */
function readPatchOperationsInto(req: ManagementRequest, errors: ValidationErrors): void {
  const raw = req.body.raw['patchOperations']
  if (!Array.isArray(raw)) return
  const allowed = ['add', 'remove', 'move', 'test', 'replace', 'copy']
  raw.forEach((item, index) => {
    const op = item !== null && typeof item === 'object' && !Array.isArray(item) ? item['op'] : undefined
    errors.enumValue(op, `updateMethodResponseInput.patchOperations.${index + 1}.member.op`, allowed)
  })
}

function readPutMethod(body: Input, httpMethod: Method['httpMethod'], doc: RestApiDocument): Method {
  const authorizationType = body.string('authorizationType') ?? 'NONE'
  const errors = new ValidationErrors()
  errors.enumValue(authorizationType, 'putMethodInput.authorizationType', AUTHORIZATION_TYPES)
  errors.throwIfAny()
  const authorizerId = body.string('authorizerId')
  checkAuthorizer(authorizationType as AuthorizationType, authorizerId, doc)
  const requestParameters = body.booleanMap('requestParameters')
  if (requestParameters) checkRequestParameterNames(Object.keys(requestParameters))
  const requestModels = body.stringMap('requestModels')
  for (const model of Object.values(requestModels ?? {})) checkModel(doc, model)
  const requestValidatorId = body.string('requestValidatorId')
  if (requestValidatorId !== undefined) checkValidator(doc, requestValidatorId)
  const operationName = body.string('operationName')
  const authorizationScopes = body.stringList('authorizationScopes')
  return {
    httpMethod,
    authorizationType: authorizationType as AuthorizationType,
    apiKeyRequired: body.boolean('apiKeyRequired') ?? false,
    ...(authorizerId !== undefined && authorizationType !== 'NONE' && authorizationType !== 'AWS_IAM'
      ? { authorizerId }
      : {}),
    ...(requestValidatorId !== undefined ? { requestValidatorId } : {}),
    ...(operationName !== undefined ? { operationName } : {}),
    ...(requestParameters ? { requestParameters } : {}),
    ...(requestModels ? { requestModels } : {}),
    ...(authorizationScopes ? { authorizationScopes } : {}),
  }
}

/**
 * CUSTOM and COGNITO_USER_POOLS need an authorizer of the API (recorded message). Authorizers
 * arrive with their own capability; until then the document has none, so such methods are refused.
 */
function checkAuthorizer(
  type: AuthorizationType,
  authorizerId: string | undefined,
  doc: RestApiDocument,
): void {
  if (type !== 'CUSTOM' && type !== 'COGNITO_USER_POOLS') return
  const authorizers = (doc as RestApiDocument & { authorizers?: Record<string, unknown> }).authorizers ?? {}
  if (authorizerId === undefined || !Object.hasOwn(authorizers, authorizerId)) {
    throw badRequest(
      'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
    )
  }
}

/** `method.request.{querystring|header|path|multivaluequerystring|multivalueheader}.NAME`, unique names. */
function checkRequestParameterNames(keys: readonly string[]): void {
  const names = new Set<string>()
  for (const key of keys) {
    const match =
      /^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.(.+)$/.exec(key)
    if (!match?.[2]) {
      throw badRequest(
        `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid method request parameter specified: ${key}]`,
      )
    }
    const name = match[1] === 'header' || match[1] === 'multivalueheader' ? match[2].toLowerCase() : match[2]
    if (names.has(name))
      throw badRequest('Parameter names must be unique across querystring, header and path')
    names.add(name)
  }
}

function checkModel(doc: RestApiDocument, name: string): void {
  if (!Object.hasOwn(doc.models, name)) throw badRequest(`Invalid model identifier specified: ${name}`)
}

function checkValidator(doc: RestApiDocument, id: string): void {
  if (!Object.hasOwn(doc.requestValidators, id))
    throw badRequest('Invalid Request Validator identifier specified')
}

const REPLACEABLE_METHOD_PATHS = [
  '/authorizationType',
  '/authorizerId',
  '/apiKeyRequired',
  '/operationName',
  '/requestValidatorId',
]

/** One UpdateMethod operation (paths and messages recorded in test_update_method*). */
function applyMethodPatch(method: Method, op: PatchOperation, doc: RestApiDocument): void {
  const [field, ...rest] = patchPathSegments(op.path)
  const key = rest.join('/')
  if (field === 'requestParameters' || field === 'requestModels' || field === 'authorizationScopes') {
    if (key === '' && field !== 'authorizationScopes') throw badRequest(`Invalid patch path ${op.path}`)
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace')
      throw invalidPatchOperation(['add', 'remove', 'replace'])
    if (field === 'requestParameters') {
      const params = { ...method.requestParameters }
      if (op.op === 'remove') delete params[key]
      else {
        checkRequestParameterNames([...Object.keys(params).filter((k) => k !== key), key])
        params[key] = op.value === undefined ? false : patchBoolean(op)
      }
      setOrDelete(method, 'requestParameters', params)
    } else if (field === 'requestModels') {
      // Recorded: a model path must be a content type, e.g. /requestModels/application~1json.
      if (!key.includes('/')) throw badRequest(`Invalid patch path ${op.path}`)
      const models = { ...method.requestModels }
      if (op.op === 'remove') delete models[key]
      else {
        checkModel(doc, op.value ?? '')
        models[key] = op.value ?? ''
      }
      setOrDelete(method, 'requestModels', models)
    } else {
      const scopes = new Set(method.authorizationScopes ?? [])
      const scope = key || (op.value ?? '')
      if (op.op === 'remove') scopes.delete(scope)
      else scopes.add(scope)
      if (scopes.size > 0) method.authorizationScopes = [...scopes]
      else delete method.authorizationScopes
    }
    return
  }
  if (!REPLACEABLE_METHOD_PATHS.includes(op.path)) throw badRequest(`Invalid patch path ${op.path}`)
  if (op.op !== 'replace') throw invalidPatchOperation(['replace'])
  switch (op.path) {
    case '/authorizationType': {
      const errors = new ValidationErrors()
      errors.enumValue(op.value, 'authorizationType', AUTHORIZATION_TYPES)
      errors.throwIfAny()
      method.authorizationType = (op.value ?? 'NONE') as AuthorizationType
      if (method.authorizationType === 'NONE' || method.authorizationType === 'AWS_IAM')
        delete method.authorizerId
      return
    }
    case '/authorizerId':
      if (op.value) method.authorizerId = op.value
      else delete method.authorizerId
      return
    case '/apiKeyRequired':
      method.apiKeyRequired = patchBoolean(op)
      return
    case '/operationName':
      if (op.value) method.operationName = op.value
      else delete method.operationName
      return
    case '/requestValidatorId':
      if (op.value) {
        checkValidator(doc, op.value)
        method.requestValidatorId = op.value
      } else delete method.requestValidatorId
      return
  }
}

function setOrDelete<K extends 'requestParameters' | 'requestModels'>(
  method: Method,
  key: K,
  value: NonNullable<Method[K]>,
): void {
  if (Object.keys(value).length > 0) method[key] = value
  else delete method[key]
}

/** One UpdateMethodResponse operation (recorded in test_update_method_response*). */
function applyMethodResponsePatch(response: MethodResponse, op: PatchOperation, doc: RestApiDocument): void {
  const [field, ...rest] = patchPathSegments(op.path)
  const key = rest.join('/')
  if ((field !== 'responseParameters' && field !== 'responseModels') || key === '') {
    throw badRequest(`Invalid patch path ${op.path}`)
  }
  if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace')
    throw invalidPatchOperation(['add', 'remove', 'replace'])
  if (field === 'responseParameters') {
    if (!/^method\.response\.header\.[^.]+$/.test(key)) throw notFound('Invalid parameter name specified')
    const params = { ...response.responseParameters }
    if (op.op === 'remove' || op.op === 'replace') {
      if (!Object.hasOwn(params, key)) throw notFound('Invalid parameter name specified')
    }
    if (op.op === 'remove') delete params[key]
    else params[key] = op.value === undefined ? false : patchBoolean(op)
    if (Object.keys(params).length > 0) response.responseParameters = params
    else delete response.responseParameters
    return
  }
  const models = { ...response.responseModels }
  if ((op.op === 'remove' || op.op === 'replace') && !Object.hasOwn(models, key)) {
    throw notFound('Content-Type specified was not found')
  }
  if (op.op === 'remove') delete models[key]
  else {
    checkModel(doc, op.value ?? '')
    models[key] = op.value ?? ''
  }
  if (Object.keys(models).length > 0) response.responseModels = models
  else delete response.responseModels
}

export { methodNotFound }
