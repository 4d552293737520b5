import { GatewayError } from '../errors/gateway-error.js'
import { required, type ServingTarget } from '../context.js'
import type { Stage, StageOutcome } from '../stage.js'
import { throttleKey, type ThrottleLevel } from '../../throttle/throttle-store.js'
import { effectiveMethodSetting } from '../../model/index.js'
import type { ActiveStage } from '../../deployment/stage-registry.js'
import type { CompiledResource } from '../../deployment/compiled-deployment.js'

const ACCOUNT_KEY = throttleKey('account')

/**
 * The stage's level for a method, worked out once per stage version (its settings are immutable),
 * resource and method: the key would otherwise be joined anew for every request.
 */
const methodLevels = new WeakMap<ActiveStage, WeakMap<CompiledResource, Map<string, ThrottleLevel | null>>>()

function methodLevel(
  target: ServingTarget,
  resource: CompiledResource,
  methodKey: string,
): ThrottleLevel | null {
  const { apiId, stageName, active } = target
  let ofStage = methodLevels.get(active)
  if (!ofStage) methodLevels.set(active, (ofStage = new WeakMap()))
  let ofResource = ofStage.get(resource)
  if (!ofResource) ofStage.set(resource, (ofResource = new Map<string, ThrottleLevel | null>()))
  let level = ofResource.get(methodKey)
  if (level === undefined) {
    const method = effectiveMethodSetting(active.stage.methodSettings, resource.path, methodKey)
    level = method
      ? {
          key: throttleKey('method', apiId, stageName, resource.path, methodKey),
          limit: { rate: method.throttlingRateLimit, burst: method.throttlingBurstLimit },
        }
      : null
    ofResource.set(methodKey, level)
  }
  return level
}

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
  run(ctx, deps) {
    const { resource, methodKey } = required(ctx.match, 'match')
    const grant = ctx.keyGrant
    const levels: ThrottleLevel[] = []
    if (grant) {
      if (grant.methodThrottles.size > 0)
        levels.push(...(grant.methodThrottles.get(`${resource.path}/${methodKey}`) ?? []))
      levels.push(...grant.throttles)
    }
    const method = methodLevel(ctx.target, resource, methodKey)
    if (method) levels.push(method)
    levels.push({ key: ACCOUNT_KEY, limit: deps.accountThrottle })
    const refused = deps.throttle.take(levels, Date.now())
    return typeof refused === 'number' ? outcomeOf(refused) : refused.then(outcomeOf)
  },
}

function outcomeOf(refusedLevel: number): StageOutcome {
  if (refusedLevel !== -1) throw new GatewayError('THROTTLED', 'throttle.limit', 'Too Many Requests')
  return 'continue'
}
