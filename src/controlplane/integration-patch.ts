import { CONNECTION_TYPES, CONTENT_HANDLING, INTEGRATION_TYPES, type Integration } from '../model/index.js'
import { badRequest } from './api-error.js'
import { checkContentType, checkPassthroughBehavior } from './integration-checks.js'
import { javaBoolean, mapPatchKey } from './method-lookup.js'
import { invalidPatchOperation, patchPathSegments, type PatchOp, type PatchOperation } from './patch.js'
import { checkEnum } from './validation.js'

/** Members that may be replaced, and those that may also be removed (they are optional). */
const REQUIRED_SCALARS = ['/type', '/httpMethod', '/passthroughBehavior', '/timeoutInMillis']
const OPTIONAL_SCALARS = [
  '/uri',
  '/credentials',
  '/contentHandling',
  '/cacheNamespace',
  '/connectionType',
  '/connectionId',
  '/tlsConfig/insecureSkipVerification',
]

/**
 * Applies one UpdateIntegration operation. Paths follow the AWS "PATCH operations" reference
 * (`/requestTemplates/application~1json`, `/requestParameters/integration.request.header.x`,
 * `/cacheKeyParameters/method.request.path.id`, `/uri`, ...); unknown paths and ops answer as
 * UpdateMethod's recorded ones do. The handler re-checks the whole integration afterwards.
 */
export function applyIntegrationPatch(integration: Integration, op: PatchOperation): void {
  const [field, ...rest] = patchPathSegments(op.path)
  switch (field) {
    case 'requestParameters':
      return patchMap(integration, 'requestParameters', op, mapPatchKey(op, rest))
    case 'requestTemplates': {
      const contentType = mapPatchKey(op, rest)
      if (op.op !== 'remove') checkContentType(contentType)
      return patchMap(integration, 'requestTemplates', op, contentType)
    }
    case 'cacheKeyParameters':
      return patchCacheKeyParameter(integration, op, rest.join('/'))
    default:
      break // a scalar member, below
  }
  const isRequired = REQUIRED_SCALARS.includes(op.path)
  if (!isRequired && !OPTIONAL_SCALARS.includes(op.path)) throw badRequest(`Invalid patch path ${op.path}`)
  const allowed: PatchOp[] = isRequired ? ['replace'] : ['replace', 'remove']
  if (!allowed.includes(op.op)) throw invalidPatchOperation(allowed)
  const value = op.op === 'remove' || op.value === '' ? undefined : op.value
  switch (op.path) {
    case '/type':
      integration.type = checkEnum(value ?? '', 'updateIntegrationInput.type', INTEGRATION_TYPES)
      return
    case '/httpMethod':
      return setOptional(integration, 'httpMethod', value)
    case '/passthroughBehavior':
      integration.passthroughBehavior = checkPassthroughBehavior(value ?? '')
      return
    case '/timeoutInMillis':
      if (value === undefined || !/^\d+$/.test(value))
        throw badRequest(`Invalid timeout specified: ${value ?? 'null'}`)
      integration.timeoutInMillis = Number(value)
      return
    case '/uri':
      return setOptional(integration, 'uri', value)
    case '/credentials':
      return setOptional(integration, 'credentials', value)
    case '/cacheNamespace':
      return setOptional(integration, 'cacheNamespace', value)
    case '/connectionId':
      return setOptional(integration, 'connectionId', value)
    case '/contentHandling':
      if (value === undefined) delete integration.contentHandling
      else
        integration.contentHandling = checkEnum(
          value,
          'updateIntegrationInput.contentHandling',
          CONTENT_HANDLING,
        )
      return
    case '/connectionType':
      if (value === undefined) delete integration.connectionType
      else
        integration.connectionType = checkEnum(
          value,
          'updateIntegrationInput.connectionType',
          CONNECTION_TYPES,
        )
      return
    case '/tlsConfig/insecureSkipVerification':
      integration.tlsConfig = { insecureSkipVerification: javaBoolean(value) }
      return
  }
}

function setOptional(
  integration: Integration,
  key: 'httpMethod' | 'uri' | 'credentials' | 'cacheNamespace' | 'connectionId',
  value: string | undefined,
): void {
  if (value === undefined) delete integration[key]
  else integration[key] = value
}

function patchMap(
  integration: Integration,
  field: 'requestParameters' | 'requestTemplates',
  op: PatchOperation,
  key: string,
): void {
  if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
    throw invalidPatchOperation(['add', 'remove', 'replace'])
  }
  const map: Record<string, string | null> = { ...integration[field] }
  if (op.op === 'remove') delete map[key]
  else map[key] = op.value ?? (field === 'requestTemplates' ? null : '')
  if (Object.keys(map).length === 0) delete integration[field]
  else if (field === 'requestTemplates') integration.requestTemplates = map
  else integration.requestParameters = map as Record<string, string>
}

/** `/cacheKeyParameters/method.request.path.id` (or the name as value) adds or removes a key. */
function patchCacheKeyParameter(integration: Integration, op: PatchOperation, nameInPath: string): void {
  if (op.op !== 'add' && op.op !== 'remove') throw invalidPatchOperation(['add', 'remove'])
  const name = nameInPath || (op.value ?? '')
  if (name === '') throw badRequest(`Invalid patch path ${op.path}`)
  const keys = new Set(integration.cacheKeyParameters)
  if (op.op === 'remove') keys.delete(name)
  else keys.add(name)
  integration.cacheKeyParameters = [...keys]
}
