import type { CanarySettings, StageRecord } from '../model/index.js'
import { badRequest } from './api-error.js'
import { patchBoolean, patchPathSegments, type PatchOperation } from './patch.js'
import {
  cannotRemove,
  invalidOpForPath,
  invalidStagePath,
  isMethodSettingPath,
  patchMethodSetting,
} from './stage-method-settings.js'
import {
  CACHE_SIZES,
  cacheClusterStatus,
  checkPercentTraffic,
  checkStageVariables,
  deploymentIdMissing,
} from './stage-record.js'

/**
 * Applies one UpdateStage operation to `stage` (a copy the caller saves only when every operation
 * succeeded). Paths, ops and messages follow AWS: the patch-operations table of the API reference
 * and the recordings in test_apigateway_api.snapshot.json (test_stage_access_log_settings*) and
 * test_apigateway_canary.snapshot.json (test_update_stage_*, test_create_canary_deployment_by_stage_update).
 */
export function applyStagePatch(
  stage: StageRecord,
  op: PatchOperation,
  deploymentIds: ReadonlySet<string>,
): void {
  if (op.op === 'copy') return applyPromotion(stage, op)
  const [head, ...rest] = patchPathSegments(op.path)
  switch (head) {
    case 'variables':
      return patchVariable(stage, op, rest.join('/'))
    case 'accessLogSettings':
      return patchAccessLog(stage, op, rest)
    case 'canarySettings':
      return patchCanary(stage, op, rest, deploymentIds)
    default:
      break
  }
  if (isMethodSettingPath(op.path)) return patchMethodSetting(stage, op)
  return patchField(stage, op, deploymentIds)
}

/** Optional string fields: `replace` sets them (an empty value clears), `remove` clears. */
const OPTIONAL_STRINGS = ['description', 'clientCertificateId', 'documentationVersion', 'webAclArn'] as const
type OptionalString = (typeof OPTIONAL_STRINGS)[number]
const isOptionalString = (field: string): field is OptionalString =>
  (OPTIONAL_STRINGS as readonly string[]).includes(field)
const REPLACE_ONLY = ['/deploymentId', '/cacheClusterEnabled', '/cacheClusterSize', '/tracingEnabled']

function patchField(stage: StageRecord, op: PatchOperation, deploymentIds: ReadonlySet<string>): void {
  const field = op.path.slice(1)
  if (!isOptionalString(field) && !REPLACE_ONLY.includes(op.path)) throw invalidStagePath(op.path)
  if (isOptionalString(field) && (op.op === 'remove' || (op.op === 'replace' && !op.value))) {
    delete stage[field]
    return
  }
  if (op.op !== 'replace') throw invalidOpForPath(op)
  const value = op.value ?? ''
  switch (field) {
    case 'deploymentId':
      if (!deploymentIds.has(value)) throw deploymentIdMissing()
      stage.deploymentId = value
      return
    case 'cacheClusterEnabled':
      stage.cacheClusterEnabled = patchBoolean(op)
      stage.cacheClusterStatus = cacheClusterStatus(stage.cacheClusterEnabled)
      if (stage.cacheClusterEnabled) stage.cacheClusterSize ??= '0.5'
      return
    case 'cacheClusterSize':
      if (!(CACHE_SIZES as readonly string[]).includes(value)) {
        throw badRequest(`Invalid cache cluster size specified: ${value}`)
      }
      stage.cacheClusterSize = value
      return
    case 'tracingEnabled':
      stage.tracingEnabled = patchBoolean(op)
      return
    default:
      stage[field as OptionalString] = value
  }
}

function patchVariable(stage: StageRecord, op: PatchOperation, name: string): void {
  if (name === '') throw invalidStagePath(op.path)
  const variables = { ...stage.variables }
  if (op.op === 'remove') delete variables[name]
  else if (op.op === 'add' || op.op === 'replace') variables[name] = op.value ?? ''
  else throw invalidOpForPath(op)
  if (Object.keys(variables).length > 0) stage.variables = checkStageVariables(variables)
  else delete stage.variables
}

const ACCESS_LOG_FIELDS = ['destinationArn', 'format'] as const

/**
 * Recorded (test_stage_access_log_settings_validation): only `/accessLogSettings` itself can be
 * removed; removing a member is refused even when it is set; set values must be non-empty.
 */
function patchAccessLog(stage: StageRecord, op: PatchOperation, rest: string[]): void {
  if (op.op === 'remove') {
    if (rest.length > 0) throw cannotRemove(op.path)
    delete stage.accessLogSettings
    return
  }
  const field = ACCESS_LOG_FIELDS.find((f) => rest.length === 1 && rest[0] === f)
  if (op.op !== 'add' && op.op !== 'replace') throw invalidOpForPath(op)
  if (!field) {
    throw badRequest(
      'Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]',
    )
  }
  if (!op.value) throw badRequest('Access Log value must not be empty')
  stage.accessLogSettings = { ...stage.accessLogSettings, [field]: op.value }
}

const CANARY_FIELDS = ['deploymentId', 'percentTraffic', 'useStageCache', 'stageVariableOverrides']

/**
 * Canary settings take `replace` only (recorded update-stage-add-deployment). Setting any member
 * on a stage without a canary creates one pointing at the stage's own deployment, 0% and no
 * stage cache (recorded update-stage-with-percent, update-stage-with-deployment).
 */
function patchCanary(
  stage: StageRecord,
  op: PatchOperation,
  rest: string[],
  deploymentIds: ReadonlySet<string>,
): void {
  const [field, ...name] = rest
  const override = name.join('/')
  if (op.op === 'remove') return removeFromCanary(stage, op, field, override)
  if (field === undefined || !CANARY_FIELDS.includes(field)) throw invalidStagePath(op.path)
  if (op.op !== 'replace') throw invalidOpForPath(op)
  const canary: CanarySettings = {
    deploymentId: stage.deploymentId,
    percentTraffic: 0,
    useStageCache: false,
    ...stage.canarySettings,
  }
  const value = op.value ?? ''
  switch (field) {
    case 'deploymentId':
      if (!deploymentIds.has(value)) throw deploymentIdMissing()
      canary.deploymentId = value
      break
    case 'percentTraffic':
      canary.percentTraffic = checkPercentTraffic(value.trim() === '' ? NaN : Number(value))
      break
    case 'useStageCache':
      canary.useStageCache = patchBoolean(op)
      break
    default:
      if (override === '') throw invalidStagePath(op.path)
      canary.stageVariableOverrides = checkStageVariables({
        ...canary.stageVariableOverrides,
        [override]: value,
      })
  }
  stage.canarySettings = canary
}

function removeFromCanary(
  stage: StageRecord,
  op: PatchOperation,
  field: string | undefined,
  override: string,
): void {
  if (field === undefined) {
    delete stage.canarySettings
    return
  }
  const overrides = stage.canarySettings?.stageVariableOverrides
  // Recorded: removing the whole map, or any other member, is refused.
  if (field !== 'stageVariableOverrides' || override === '' || !overrides || !stage.canarySettings) {
    throw cannotRemove(op.path)
  }
  const remaining = { ...overrides }
  delete remaining[override]
  const canary: CanarySettings = { ...stage.canarySettings, stageVariableOverrides: remaining }
  if (Object.keys(remaining).length === 0) delete canary.stageVariableOverrides
  stage.canarySettings = canary
}

/**
 * Canary promotion with `copy`, the only copies AWS takes (recorded test_update_stage_with_copy_ops):
 * the canary's deployment becomes the stage's, its overrides are merged into the variables. The
 * canary itself stays until removed.
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
    return
  }
  const variables = { ...stage.variables, ...canary.stageVariableOverrides }
  if (Object.keys(variables).length > 0) stage.variables = variables
}
