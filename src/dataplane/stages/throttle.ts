import { GatewayError } from '../errors/gateway-error.js'
import { required } from '../context.js'
import type { Stage, StageOutcome } from '../stage.js'
import { throttleKey, type ThrottleLevel } from '../../throttle/throttle-store.js'
import type { RateLimit } from '../../throttle/token-bucket.js'
import { effectiveMethodSetting } from '../../model/index.js'

interface PlanThrottle {
  rateLimit?: number
  burstLimit?: number
}

/** A usage plan's throttle as a bucket limit; an unset half does not limit. */
const planLimit = (t: PlanThrottle): RateLimit => ({
  rate: t.rateLimit ?? Infinity,
  burst: t.burstLimit ?? Infinity,
})

/**
 * Throttling at every level API Gateway applies, in its order (AWS docs
 * "api-gateway-request-throttling", "How throttling limit settings are applied"): for a request
 * with an API key, its usage plans' per-method and per-client limits (one bucket per key); then
 * the stage's limit for this method (its own method settings, else the stage default `*\/*`,
 * each method a bucket of its own: "applied at the API method level for a stage"); then the
 * account. A request passes only if every level has a token; else 429 Too Many Requests.
 */
export const throttle: Stage = {
  name: 'throttle',
  async run(ctx, deps): Promise<StageOutcome> {
    const { resource, methodKey } = required(ctx.match, 'match')
    const { apiId, stageName, active } = ctx.target
    const levels: ThrottleLevel[] = []
    const keyId = ctx.apiKey?.id ?? ''
    for (const plan of ctx.usagePlans ?? []) {
      const apiStage = plan.apiStages.find((s) => s.apiId === apiId && s.stage === stageName)
      const perMethod = apiStage?.throttle?.[`${resource.path}/${methodKey}`]
      if (perMethod) {
        levels.push({
          key: throttleKey('plan-method', plan.id, keyId, apiId, stageName, resource.path, methodKey),
          limit: planLimit(perMethod),
        })
      }
      if (plan.throttle && (plan.throttle.rateLimit ?? plan.throttle.burstLimit) !== undefined) {
        levels.push({ key: throttleKey('plan', plan.id, keyId), limit: planLimit(plan.throttle) })
      }
    }
    const settings = active.stage.methodSettings
    const method = effectiveMethodSetting(settings, resource.path, methodKey)
    if (method) {
      levels.push({
        key: throttleKey('method', apiId, stageName, resource.path, methodKey),
        limit: { rate: method.throttlingRateLimit, burst: method.throttlingBurstLimit },
      })
    }
    levels.push({ key: throttleKey('account'), limit: deps.accountThrottle })
    if ((await deps.throttle.take(levels, Date.now())) !== -1)
      throw new GatewayError('THROTTLED', 'throttle.limit', 'Too Many Requests')
    return 'continue'
  },
}
