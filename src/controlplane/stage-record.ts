import { nowEpochSeconds, type CanarySettings, type Stage, type StageRecord } from '../model/index.js'
import { badRequest, notFound } from './api-error.js'
import type { Input } from './input.js'
import { ValidationErrors } from './validation.js'

/** AWS's answer for a stage name that an API does not have. */
export const stageNotFound = (): Error => notFound('Invalid Stage identifier specified')

/** AWS's answer for a deployment id (stage or canary) that the API does not have (recorded). */
export const deploymentIdMissing = (): Error => badRequest('Deployment id does not exist')

/** The CacheClusterSize enum of the AWS API model, in its order. */
export const CACHE_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const

/**
 * AWS's cache-cluster status for an enabled flag. AWS reports CREATE_IN_PROGRESS for minutes
 * before AVAILABLE; a local gateway has nothing to provision, so it is available at once.
 */
export const cacheClusterStatus = (enabled: boolean): string => (enabled ? 'AVAILABLE' : 'NOT_AVAILABLE')

/** A stage with AWS's defaults (recorded create-stage / get-stages outputs). */
export function newStage(
  apiId: string,
  stageName: string,
  deploymentId: string,
  fields: Partial<Omit<Stage, 'stageName' | 'deploymentId'>> = {},
): StageRecord {
  const now = nowEpochSeconds()
  const cacheClusterEnabled = fields.cacheClusterEnabled ?? false
  return {
    cacheClusterEnabled,
    cacheClusterStatus: cacheClusterStatus(cacheClusterEnabled),
    methodSettings: {},
    tracingEnabled: false,
    // An enabled cache without a size gets AWS's smallest one (0.5 GB), as the console does.
    ...(cacheClusterEnabled ? { cacheClusterSize: '0.5' } : {}),
    ...fields,
    restApiId: apiId,
    stageName,
    deploymentId,
    createdDate: now,
    lastUpdatedDate: now,
  }
}

/** The Stage shape (the stored record without our bookkeeping). */
export function publicStage(record: StageRecord): Stage {
  const { restApiId, ...stage } = record
  return stage
}

/** AWS's stage name rule (API reference, CreateStage): letters, digits, `-` and `_`, 128 at most. */
export function checkStageName(stageName: string | undefined): string {
  if (!stageName) throw badRequest('Stage name must be non-empty')
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
    throw badRequest('Stage name only allows a-zA-Z0-9_ and -, up to 128 characters')
  }
  return stageName
}

/** AWS quotas ("Amazon API Gateway quotas"): 100 variables; names of [A-Za-z0-9_], 64 at most; values 512 at most. */
export function checkStageVariables(variables: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(variables)) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
      throw badRequest('Stage variable names must be alphanumeric or underscore, up to 64 characters')
    }
    if (value.length > 512) throw badRequest('Stage variable value must be at most 512 characters')
    // API reference (CreateStage, CreateDeployment, Stage.variables): "the values must match
    // [A-Za-z0-9-._~:/?#&=,]+". No `@`, `%`, space or backslash: a value in an integration URI's
    // host cannot smuggle userinfo (`evil@127.0.0.1`) or an encoded host. AWS's message for it is
    // not recorded; this one states the rule.
    if (!/^[A-Za-z0-9\-._~:/?#&=,]+$/.test(value))
      throw badRequest(`Stage variable value ${value} is invalid. Values must match [A-Za-z0-9-._~:/?#&=,]+`)
  }
  if (Object.keys(variables).length > 100) throw badRequest('A stage can have at most 100 variables')
  return variables
}

/** Canary traffic is a percentage (API reference, CanarySettings.percentTraffic). */
export function checkPercentTraffic(percent: number): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw badRequest('Canary traffic percentage must be between 0.0 and 100.0')
  }
  return percent
}

/**
 * The cache and tracing members CreateStage and CreateDeployment share. `cacheClusterSize` is an
 * enum of the API model, so a wrong value is a ValidationException naming `{inputName}.cacheClusterSize`.
 */
export function readStageSettings(
  body: Input,
  inputName: string,
): Pick<Stage, 'cacheClusterEnabled' | 'tracingEnabled' | 'cacheClusterSize'> {
  const cacheClusterSize = body.string('cacheClusterSize')
  const errors = new ValidationErrors()
  errors.enumValue(cacheClusterSize, `${inputName}.cacheClusterSize`, CACHE_SIZES)
  errors.throwIfAny()
  return {
    cacheClusterEnabled: body.boolean('cacheClusterEnabled') ?? false,
    tracingEnabled: body.boolean('tracingEnabled') ?? false,
    ...(cacheClusterSize !== undefined ? { cacheClusterSize } : {}),
  }
}

/**
 * Canary settings as AWS stores them: `percentTraffic` and `useStageCache` always present (0 and
 * false by default, recorded in test_apigateway_canary.snapshot.json), `deploymentId` defaulting
 * to the one given (the stage's own deployment, recorded in update-stage-with-percent).
 */
export function readCanarySettings(canary: Input, deploymentId: string): CanarySettings {
  const overrides = canary.stringMap('stageVariableOverrides')
  return {
    deploymentId: canary.string('deploymentId') ?? deploymentId,
    percentTraffic: checkPercentTraffic(canary.number('percentTraffic') ?? 0),
    ...(overrides ? { stageVariableOverrides: checkStageVariables(overrides) } : {}),
    useStageCache: canary.boolean('useStageCache') ?? false,
  }
}
