import { GatewayError } from '../errors/gateway-error.js'
import type { Stage, StageOutcome } from '../stage.js'
import { quotaCounter, type QuotaCounter } from '../../quota/usage-store.js'
import { utcDay } from '../../quota/periods.js'

/**
 * Usage plan quotas: a request with an API key counts against the quota of each of its plans
 * that has one, for the current UTC period; when any is spent the request ends with 429
 * {"message":"Limit Exceeded"} (gateway response QUOTA_EXCEEDED) and counts nowhere.
 */
export const quota: Stage = {
  name: 'quota',
  async run(ctx, deps): Promise<StageOutcome> {
    const keyId = ctx.apiKey?.id
    if (!keyId || !ctx.usagePlans) return 'continue'
    const counters: QuotaCounter[] = []
    for (const plan of ctx.usagePlans) {
      const counter = quotaCounter(plan, keyId)
      if (counter) counters.push(counter)
    }
    if (counters.length > 0 && !(await deps.usage.consume(counters, utcDay(ctx.requestTimeEpoch))))
      throw new GatewayError('QUOTA_EXCEEDED', 'quota.spent', 'Limit Exceeded')
    return 'continue'
  },
}
