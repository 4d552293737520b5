import type { MethodSetting, StageRecord } from '../model/index.js'
import { badRequest } from './api-error.js'
import { patchBoolean, patchPathSegments, type PatchOperation } from './patch.js'

const METHOD_SETTING_PATHS = [
  '/{resourcePath}/{httpMethod}/metrics/enabled',
  '/{resourcePath}/{httpMethod}/logging/dataTrace',
  '/{resourcePath}/{httpMethod}/logging/loglevel',
  '/{resourcePath}/{httpMethod}/throttling/burstLimit',
  '/{resourcePath}/{httpMethod}/throttling/rateLimit',
  '/{resourcePath}/{httpMethod}/caching/ttlInSeconds',
  '/{resourcePath}/{httpMethod}/caching/enabled',
  '/{resourcePath}/{httpMethod}/caching/dataEncrypted',
  '/{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl',
  '/{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy',
]
const STAGE_PATHS = [
  '/deploymentId',
  '/description',
  '/cacheClusterEnabled',
  '/cacheClusterSize',
  '/clientCertificateId',
  '/accessLogSettings',
  '/accessLogSettings/destinationArn',
  '/accessLogSettings/format',
  ...METHOD_SETTING_PATHS,
  '/variables/{variable_name}',
  '/tracingEnabled',
]

/** AWS's defaults for a method-settings entry created by a patch. */
const METHOD_SETTING_DEFAULTS: MethodSetting = {
  metricsEnabled: false,
  loggingLevel: 'OFF',
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
}

const CACHE_STRATEGIES = ['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER']
const CACHE_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237']

/** AWS's list, byte for byte (its missing commas included), from the recorded canary errors. */
const AWS_STAGE_PATH_LIST =
  '[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]'
const invalidStagePath = (path: string): Error =>
  badRequest(`Invalid method setting path: ${path}. Must be one of: ${AWS_STAGE_PATH_LIST}`)
const cannotRemove = (what: string): Error =>
  badRequest(`Cannot remove method setting ${what} because there is no method setting for this method `)

/**
 * Applies one UpdateStage operation. Paths, ops and messages follow AWS (recorded in
 * test_apigateway_api.snapshot.json test_stage_access_log_settings*, test_apigateway_canary
 * test_update_stage_*); method settings are keyed `{resourcePath}/{httpMethod}` with the
 * resource path's `/` escaped as `~1`, as AWS returns them.
 */
export function applyStagePatch(
  stage: StageRecord,
  op: PatchOperation,
  deploymentIds: ReadonlySet<string>,
): void {
  if (op.op === 'copy') return applyPromotion(stage, op)
  const raw = op.path.split('/').slice(1)
  const [head] = patchPathSegments(op.path)
  switch (head) {
    case 'variables':
      return patchMap(stage, 'variables', op, patchPathSegments(op.path).slice(1).join('/'))
    case 'accessLogSettings':
      return patchAccessLog(stage, op)
    case 'canarySettings':
      return patchCanary(stage, op, deploymentIds)
    default:
      break
  }
  if (raw.length >= 2 && raw.length <= 4 && !STAGE_PATHS.includes(op.path) && raw[0] !== '') {
    return patchMethodSetting(stage, op, raw)
  }
  const value = op.value
  if (op.op !== 'replace') {
    if (op.op === 'remove' && op.path === '/description') {
      delete stage.description
      return
    }
    throw badRequest(`Invalid ${op.op} operation with path: ${op.path}`)
  }
  switch (op.path) {
    case '/deploymentId':
      if (!value || !deploymentIds.has(value)) throw badRequest('Deployment id does not exist')
      stage.deploymentId = value
      return
    case '/description':
      if (value) stage.description = value
      else delete stage.description
      return
    case '/cacheClusterEnabled':
      stage.cacheClusterEnabled = patchBoolean(op)
      stage.cacheClusterStatus = stage.cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE'
      if (stage.cacheClusterEnabled && !stage.cacheClusterSize) stage.cacheClusterSize = '0.5'
      return
    case '/cacheClusterSize':
      if (!value || !CACHE_SIZES.includes(value))
        throw badRequest(`Invalid cache cluster size specified: ${value ?? 'null'}`)
      stage.cacheClusterSize = value
      return
    case '/clientCertificateId':
      if (value) stage.clientCertificateId = value
      else delete stage.clientCertificateId
      return
    case '/tracingEnabled':
      stage.tracingEnabled = patchBoolean(op)
      return
    case '/documentationVersion':
      if (value) stage.documentationVersion = value
      else delete stage.documentationVersion
      return
    case '/webAclArn':
      if (value) stage.webAclArn = value
      else delete stage.webAclArn
      return
    default:
      throw invalidStagePath(op.path)
  }
}

function patchMap(stage: StageRecord, field: 'variables', op: PatchOperation, key: string): void {
  if (key === '') throw invalidStagePath(op.path)
  const map = { ...stage[field] }
  if (op.op === 'remove') delete map[key]
  else if (op.op === 'add' || op.op === 'replace') {
    // AWS limits (docs "limits"): names up to 64 characters of [A-Za-z0-9_], values up to 512.
    if (!/^[A-Za-z0-9_]{1,64}$/.test(key)) {
      throw badRequest('Stage variable names must be alphanumeric or underscore, up to 64 characters')
    }
    if ((op.value ?? '').length > 512) throw badRequest('Stage variable value must be at most 512 characters')
    map[key] = op.value ?? ''
    if (Object.keys(map).length > 100) throw badRequest('A stage can have at most 100 variables')
  } else throw badRequest(`Invalid ${op.op} operation with path: ${op.path}`)
  if (Object.keys(map).length > 0) stage[field] = map
  else delete stage[field]
}

function patchAccessLog(stage: StageRecord, op: PatchOperation): void {
  const [, field] = patchPathSegments(op.path)
  if (op.op === 'remove') {
    if (op.path === '/accessLogSettings') {
      delete stage.accessLogSettings
      return
    }
    if (
      (field !== 'destinationArn' && field !== 'format') ||
      stage.accessLogSettings?.[field] === undefined
    ) {
      throw cannotRemove(op.path.slice(1))
    }
    const settings = { ...stage.accessLogSettings }
    delete settings[field]
    if (Object.keys(settings).length > 0) stage.accessLogSettings = settings
    else delete stage.accessLogSettings
    return
  }
  if (field !== 'destinationArn' && field !== 'format') {
    throw badRequest(
      'Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]',
    )
  }
  if (!op.value) throw badRequest('Access Log value must not be empty')
  stage.accessLogSettings = { ...stage.accessLogSettings, [field]: op.value }
}

function patchCanary(stage: StageRecord, op: PatchOperation, deploymentIds: ReadonlySet<string>): void {
  const [, field, ...rest] = patchPathSegments(op.path)
  if (op.op === 'remove') {
    if (field === undefined) {
      delete stage.canarySettings
      return
    }
    if (
      field === 'stageVariableOverrides' &&
      rest.length > 0 &&
      stage.canarySettings?.stageVariableOverrides
    ) {
      const overrides = { ...stage.canarySettings.stageVariableOverrides }
      delete overrides[rest.join('/')]
      stage.canarySettings.stageVariableOverrides = overrides
      return
    }
    throw cannotRemove(op.path.slice(1))
  }
  if (field === undefined) throw invalidStagePath(op.path)
  const canary = { percentTraffic: 0, useStageCache: false, ...stage.canarySettings }
  switch (field) {
    case 'deploymentId':
      if (op.op !== 'replace') throw badRequest(`Invalid ${op.op} operation with path: ${op.path}`)
      if (!op.value || !deploymentIds.has(op.value)) throw badRequest('Deployment id does not exist')
      canary.deploymentId = op.value
      break
    case 'percentTraffic': {
      const percent = Number(op.value)
      if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
        throw badRequest('Canary traffic percentage must be between 0.0 and 100.0')
      }
      canary.percentTraffic = percent
      break
    }
    case 'useStageCache':
      canary.useStageCache = patchBoolean(op)
      break
    case 'stageVariableOverrides':
      if (rest.length === 0) throw invalidStagePath(op.path)
      canary.stageVariableOverrides = { ...canary.stageVariableOverrides, [rest.join('/')]: op.value ?? '' }
      break
    default:
      throw invalidStagePath(op.path)
  }
  stage.canarySettings = canary
}

/**
 * Canary promotion with `copy` (AWS docs "canary-release-cli": copy /canarySettings/deploymentId
 * to /deploymentId and /canarySettings/stageVariableOverrides to /variables).
 */
function applyPromotion(stage: StageRecord, op: PatchOperation): void {
  const valid =
    (op.path === '/deploymentId' && op.from === '/canarySettings/deploymentId') ||
    (op.path === '/variables' && op.from === '/canarySettings/stageVariableOverrides')
  if (!valid) {
    throw badRequest(
      `Invalid copy operation with path: ${op.path} and from ${op.from ?? 'null'}. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]`,
    )
  }
  const canary = stage.canarySettings
  if (!canary) throw badRequest('Promotion not available. Canary does not exist.')
  if (op.path === '/deploymentId') {
    if (canary.deploymentId) stage.deploymentId = canary.deploymentId
  } else {
    stage.variables = { ...stage.variables, ...canary.stageVariableOverrides }
  }
}

function patchMethodSetting(stage: StageRecord, op: PatchOperation, raw: string[]): void {
  const key = `${raw[0] ?? ''}/${raw[1] ?? ''}`
  const setting = raw.slice(2).join('/')
  if (op.op === 'remove') {
    if (setting !== '' || !Object.hasOwn(stage.methodSettings, key)) throw cannotRemove(op.path.slice(1))
    const settings = { ...stage.methodSettings }
    delete settings[key]
    stage.methodSettings = settings
    return
  }
  if (op.op !== 'replace' && op.op !== 'add')
    throw badRequest(`Invalid ${op.op} operation with path: ${op.path}`)
  const entry: MethodSetting = { ...METHOD_SETTING_DEFAULTS, ...stage.methodSettings[key] }
  const value = op.value ?? ''
  const number = (min: number, max: number): number => {
    const n = Number(value)
    if (value === '' || !Number.isFinite(n) || n < min || n > max) {
      throw badRequest(`Invalid value for ${setting}: ${value}`)
    }
    return n
  }
  switch (setting) {
    case 'metrics/enabled':
      entry.metricsEnabled = patchBoolean(op)
      break
    case 'logging/dataTrace':
      entry.dataTraceEnabled = patchBoolean(op)
      break
    case 'logging/loglevel':
      if (!['OFF', 'ERROR', 'INFO'].includes(value))
        throw badRequest(`Invalid logging level: ${value}. Must be one of: [OFF, ERROR, INFO]`)
      entry.loggingLevel = value
      break
    case 'throttling/burstLimit':
      entry.throttlingBurstLimit = Math.trunc(number(0, Number.MAX_SAFE_INTEGER))
      break
    case 'throttling/rateLimit':
      entry.throttlingRateLimit = number(0, Number.MAX_VALUE)
      break
    case 'caching/enabled':
      entry.cachingEnabled = patchBoolean(op)
      break
    case 'caching/ttlInSeconds':
      entry.cacheTtlInSeconds = Math.trunc(number(0, 3600))
      break
    case 'caching/dataEncrypted':
      entry.cacheDataEncrypted = patchBoolean(op)
      break
    case 'caching/requireAuthorizationForCacheControl':
      entry.requireAuthorizationForCacheControl = patchBoolean(op)
      break
    case 'caching/unauthorizedCacheControlHeaderStrategy':
      if (!CACHE_STRATEGIES.includes(value))
        throw badRequest(`Invalid unauthorized cache control header strategy: ${value}`)
      entry.unauthorizedCacheControlHeaderStrategy = value
      break
    default:
      throw invalidStagePath(op.path)
  }
  stage.methodSettings = { ...stage.methodSettings, [key]: entry }
}
