import type { MethodSetting, StageRecord } from '../model/index.js'
import { badRequest } from './api-error.js'
import { patchBoolean, type PatchOperation } from './patch.js'

/**
 * AWS's list of stage patch paths, byte for byte (its missing commas included), as the recorded
 * errors give it (test_apigateway_canary.snapshot.json, update-stage-canary-settings-bad-path-2).
 */
const AWS_STAGE_PATH_LIST =
  '[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]'

/** AWS words every unknown stage patch path as a method-setting path (recorded). */
export const invalidStagePath = (path: string): Error =>
  badRequest(`Invalid method setting path: ${path}. Must be one of: ${AWS_STAGE_PATH_LIST}`)

/** AWS's refusal of a `remove` it cannot apply, for any stage path (recorded; the trailing space is AWS's). */
export const cannotRemove = (path: string): Error =>
  badRequest(
    `Cannot remove method setting ${path.slice(1)} because there is no method setting for this method `,
  )

/** AWS's "Invalid add operation with path: /x" for an op a path does not take (recorded). */
export const invalidOpForPath = (op: PatchOperation): Error =>
  badRequest(`Invalid ${op.op} operation with path: ${op.path}`)

/** What a new `{resourcePath}/{httpMethod}` entry starts from: AWS's defaults for a method. */
export const METHOD_SETTING_DEFAULTS: Readonly<MethodSetting> = {
  metricsEnabled: false,
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
}

const LOGGING_LEVELS = ['OFF', 'ERROR', 'INFO']
const CACHE_STRATEGIES = ['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER']
/** AWS caps the cache TTL at one hour (API reference, MethodSetting.cacheTtlInSeconds). */
const MAX_TTL_SECONDS = 3600

/** How one `{group}/{setting}` suffix changes an entry. */
type SettingPatch = (entry: MethodSetting, op: PatchOperation) => void

const SETTINGS: Readonly<Record<string, SettingPatch>> = {
  'metrics/enabled': (e, op) => (e.metricsEnabled = patchBoolean(op)),
  'logging/dataTrace': (e, op) => (e.dataTraceEnabled = patchBoolean(op)),
  'logging/loglevel': (e, op) => (e.loggingLevel = oneOf(op, LOGGING_LEVELS, 'logging level')),
  'throttling/burstLimit': (e, op) => (e.throttlingBurstLimit = Math.trunc(nonNegative(op))),
  'throttling/rateLimit': (e, op) => (e.throttlingRateLimit = nonNegative(op)),
  'caching/enabled': (e, op) => (e.cachingEnabled = patchBoolean(op)),
  'caching/ttlInSeconds': (e, op) => (e.cacheTtlInSeconds = Math.trunc(nonNegative(op, MAX_TTL_SECONDS))),
  'caching/dataEncrypted': (e, op) => (e.cacheDataEncrypted = patchBoolean(op)),
  'caching/requireAuthorizationForCacheControl': (e, op) =>
    (e.requireAuthorizationForCacheControl = patchBoolean(op)),
  'caching/unauthorizedCacheControlHeaderStrategy': (e, op) =>
    (e.unauthorizedCacheControlHeaderStrategy = oneOf(
      op,
      CACHE_STRATEGIES,
      'unauthorized cache control header strategy',
    )),
}

/**
 * Says whether a patch path addresses method settings: `/{resourcePath}/{httpMethod}` (remove)
 * or `/{resourcePath}/{httpMethod}/{group}/{setting}`, the resource path being `*` or a path
 * with `/` escaped as `~1` (`/~1pets~1{id}/GET/caching/enabled`).
 */
export function isMethodSettingPath(path: string): boolean {
  const segments = path.split('/').slice(1)
  return (segments.length === 2 || segments.length === 4) && segments.every((s) => s !== '')
}

/**
 * Applies a method-setting operation. The map key is `{resourcePath}/{httpMethod}` exactly as
 * the path spells it (`*\/*`, `~1pets~1{id}/GET`), which is how AWS returns methodSettings; a new
 * entry starts from AWS's defaults, and removing `/{resourcePath}/{httpMethod}` drops the entry.
 */
export function patchMethodSetting(stage: StageRecord, op: PatchOperation): void {
  const [resourcePath, httpMethod, ...setting] = op.path.split('/').slice(1)
  const key = `${resourcePath ?? ''}/${httpMethod ?? ''}`
  if (op.op === 'remove') {
    if (setting.length > 0 || !Object.hasOwn(stage.methodSettings, key)) throw cannotRemove(op.path)
    const settings = { ...stage.methodSettings }
    delete settings[key]
    stage.methodSettings = settings
    return
  }
  if (op.op !== 'replace' && op.op !== 'add') throw invalidOpForPath(op)
  const apply = SETTINGS[setting.join('/')]
  if (!apply) throw invalidStagePath(op.path)
  const entry: MethodSetting = { ...METHOD_SETTING_DEFAULTS, ...stage.methodSettings[key] }
  apply(entry, op)
  stage.methodSettings = { ...stage.methodSettings, [key]: entry }
}

function nonNegative(op: PatchOperation, max = Number.MAX_SAFE_INTEGER): number {
  const value = op.value ?? ''
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > max) {
    throw badRequest(`Invalid value for ${op.path}: ${value}`)
  }
  return n
}

function oneOf(op: PatchOperation, allowed: readonly string[], what: string): string {
  const value = op.value ?? ''
  if (!allowed.includes(value)) {
    throw badRequest(`Invalid ${what}: ${value}. Must be one of: [${allowed.join(', ')}]`)
  }
  return value
}
