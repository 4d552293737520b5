import type { RestApiDocument } from './rest-api-document.js'

export interface Deployment {
  id: string
  description?: string
  createdDate: number
  apiSummary?: Record<string, Record<string, { authorizationType: string; apiKeyRequired: boolean }>>
}

/** A deployment as stored: its public fields and the immutable snapshot of the API it captured. */
export interface DeploymentRecord extends Deployment {
  restApiId: string
  snapshot: RestApiDocument
}

export interface CanarySettings {
  percentTraffic?: number
  deploymentId?: string
  stageVariableOverrides?: Record<string, string>
  useStageCache?: boolean
}

export interface AccessLogSettings {
  format?: string
  destinationArn?: string
}

export interface MethodSetting {
  metricsEnabled: boolean
  loggingLevel?: string
  dataTraceEnabled: boolean
  throttlingBurstLimit: number
  throttlingRateLimit: number
  cachingEnabled: boolean
  cacheTtlInSeconds: number
  cacheDataEncrypted: boolean
  requireAuthorizationForCacheControl: boolean
  unauthorizedCacheControlHeaderStrategy: string
}

export interface Stage {
  stageName: string
  deploymentId: string
  description?: string
  clientCertificateId?: string
  cacheClusterEnabled: boolean
  cacheClusterSize?: string
  cacheClusterStatus: string
  /** Keyed `{resourcePath}/{httpMethod}` as AWS returns it, e.g. `*\/*` or `~1pets/GET`. */
  methodSettings: Record<string, MethodSetting>
  variables?: Record<string, string>
  documentationVersion?: string
  accessLogSettings?: AccessLogSettings
  canarySettings?: CanarySettings
  tracingEnabled: boolean
  webAclArn?: string
  tags?: Record<string, string>
  createdDate: number
  lastUpdatedDate: number
}

/** A stage as stored. */
export interface StageRecord extends Stage {
  restApiId: string
}

/** The key of a method's own `methodSettings` entry, as AWS writes it: `~1pets/GET` for GET /pets. */
export const methodSettingKey = (resourcePath: string, httpMethod: string): string =>
  `${resourcePath.replaceAll('/', '~1')}/${httpMethod}`

/**
 * Whether a stage's methodSettings has entries for single methods, per settings object (a stage
 * as loaded is never changed in place): most stages have none, and their requests then skip
 * building the method's key.
 */
const hasMethodEntries = new WeakMap<object, boolean>()

/** A method's effective settings: its own entry, else the stage default `*\/*`. */
export function effectiveMethodSetting(
  settings: Readonly<Record<string, MethodSetting>>,
  resourcePath: string | undefined,
  httpMethod: string | undefined,
): MethodSetting | undefined {
  let specific = hasMethodEntries.get(settings)
  if (specific === undefined) {
    specific = Object.keys(settings).some((key) => key !== '*/*')
    hasMethodEntries.set(settings, specific)
  }
  const own =
    specific && resourcePath !== undefined && httpMethod !== undefined
      ? settings[methodSettingKey(resourcePath, httpMethod)]
      : undefined
  return own ?? settings['*/*']
}
