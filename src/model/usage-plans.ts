/** An API key (AWS API Gateway `ApiKey` shape). */
export interface ApiKey {
  id: string
  value: string
  name?: string
  customerId?: string
  description?: string
  enabled: boolean
  createdDate: number
  lastUpdatedDate: number
  stageKeys: string[]
  tags?: Record<string, string>
}

export interface ThrottleSettings {
  burstLimit?: number
  rateLimit?: number
}

export interface QuotaSettings {
  limit: number
  offset: number
  period: 'DAY' | 'WEEK' | 'MONTH'
}

export interface ApiStage {
  apiId: string
  stage: string
  /** Per-method overrides keyed `/{resourcePath}/{httpMethod}`. */
  throttle?: Record<string, ThrottleSettings>
}

/** A usage plan (AWS `UsagePlan` shape). */
export interface UsagePlan {
  id: string
  name: string
  description?: string
  apiStages: ApiStage[]
  throttle?: ThrottleSettings
  quota?: QuotaSettings
  /**
   * Tollgate's own: the UTC day the quota was set or its period changed; its period is the
   * "initial time period" where `quota.offset` applies. Never sent to clients (see `planView`).
   */
  quotaSince?: string
  productCode?: string
  tags?: Record<string, string>
}

/** A key's membership in a plan (`UsagePlanKey` without the value, which is read from the key). */
export interface UsagePlanKeyRecord {
  id: string
  type: 'API_KEY'
}
