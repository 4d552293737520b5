import { GatewayError } from '../errors/gateway-error.js'
import type { Stage, StageOutcome } from '../stage.js'
import { utcDay } from '../../quota/periods.js'

/**
 * Usage plan quotas: a request with an API key counts against the quota of each of its plans
 * that has one, for the current UTC period; when any is spent the request ends with 429
 * {"message":"Limit Exceeded"} (gateway response QUOTA_EXCEEDED) and counts nowhere.
 */
export const quota: Stage = {
  name: 'quota',
  run(ctx, deps) {
    const counters = ctx.keyGrant?.quotas
    if (!counters || counters.length === 0) return 'continue'
    const counted = deps.usage.consume(counters, utcDay(ctx.requestTimeEpoch))
    return typeof counted === 'boolean' ? outcome(counted) : counted.then(outcome)
  },
}

function outcome(counted: boolean): StageOutcome {
  if (!counted) throw new GatewayError('QUOTA_EXCEEDED', 'quota.spent', 'Limit Exceeded')
  return 'continue'
}
