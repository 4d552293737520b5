import type { Method, RestApiDocument } from '../model/index.js'
import { badRequest } from './api-error.js'
import { checkAuthorizationType, checkRequestParameterNames, checkValidator } from './method-checks.js'
import { checkModel, javaBoolean, mapPatchKey } from './method-lookup.js'
import { invalidPatchOperation, patchPathSegments, type PatchOperation } from './patch.js'

/** Paths that take a single value and only the `replace` op (recorded "unsupported-operation", "-2"). */
const SCALAR_PATHS = [
  '/authorizationType',
  '/authorizerId',
  '/apiKeyRequired',
  '/operationName',
  '/requestValidatorId',
]

/**
 * Applies one UpdateMethod operation (paths and messages recorded in test_update_method and
 * test_update_method_validation). The path is checked before the op: `add /httpMethod` is
 * "Invalid patch path /httpMethod", `add /operationName` is "Must be one of: [replace]".
 * The authorizer is checked once all operations are applied (see `settleAuthorizer`), since
 * AWS accepts `/authorizerId` then `/authorizationType` CUSTOM in one call.
 */
export function applyMethodPatch(method: Method, op: PatchOperation, doc: RestApiDocument): void {
  const [field, ...rest] = patchPathSegments(op.path)
  switch (field) {
    case 'requestParameters':
      return patchRequestParameter(method, op, mapPatchKey(op, rest))
    case 'requestModels':
      return patchRequestModel(method, op, mapPatchKey(op, rest), doc)
    case 'authorizationScopes':
      return patchAuthorizationScopes(method, op, rest.join('/'))
    default:
      break // a scalar member, below
  }
  if (!SCALAR_PATHS.includes(op.path)) throw badRequest(`Invalid patch path ${op.path}`)
  if (op.op !== 'replace') throw invalidPatchOperation(['replace'])
  const value = op.value ?? ''
  switch (op.path) {
    case '/authorizationType':
      method.authorizationType = checkAuthorizationType(value)
      return
    case '/apiKeyRequired':
      method.apiKeyRequired = javaBoolean(op.value)
      return
    case '/requestValidatorId':
      if (value !== '') checkValidator(doc, value)
      return setOptional(method, 'requestValidatorId', value)
    case '/authorizerId':
      return setOptional(method, 'authorizerId', value)
    case '/operationName':
      return setOptional(method, 'operationName', value)
  }
}

function setOptional(
  method: Method,
  key: 'requestValidatorId' | 'authorizerId' | 'operationName',
  value: string,
): void {
  // Replacing with an empty value clears the member, as AWS does for optional strings.
  if (value === '') delete method[key]
  else method[key] = value
}

function checkMapOp(op: PatchOperation): void {
  if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
    throw invalidPatchOperation(['add', 'remove', 'replace'])
  }
}

/** `/requestParameters/method.request.querystring.x`: value "true" marks it required. */
function patchRequestParameter(method: Method, op: PatchOperation, key: string): void {
  checkMapOp(op)
  const params = { ...method.requestParameters }
  if (op.op === 'remove') delete params[key]
  else {
    checkRequestParameterNames([...Object.keys(params).filter((k) => k !== key), key])
    params[key] = javaBoolean(op.value)
  }
  // Recorded "update-method-remove": removing the last entry removes the map.
  if (Object.keys(params).length > 0) method.requestParameters = params
  else delete method.requestParameters
}

/** `/requestModels/application~1json`: the value names a model of the API. */
function patchRequestModel(
  method: Method,
  op: PatchOperation,
  contentType: string,
  doc: RestApiDocument,
): void {
  checkMapOp(op)
  const models = { ...method.requestModels }
  if (op.op === 'remove') delete models[contentType]
  else {
    checkModel(doc, op.value ?? '')
    models[contentType] = op.value ?? ''
  }
  if (Object.keys(models).length > 0) method.requestModels = models
  else delete method.requestModels
}

/** `/authorizationScopes` with the scope as value (or as the last path segment). */
function patchAuthorizationScopes(method: Method, op: PatchOperation, scopeInPath: string): void {
  if (op.op !== 'add' && op.op !== 'remove') throw invalidPatchOperation(['add', 'remove'])
  const scope = scopeInPath || (op.value ?? '')
  if (scope === '') throw badRequest(`Invalid patch path ${op.path}`)
  const scopes = new Set(method.authorizationScopes ?? [])
  if (op.op === 'remove') scopes.delete(scope)
  else scopes.add(scope)
  if (scopes.size > 0) method.authorizationScopes = [...scopes]
  else delete method.authorizationScopes
}
