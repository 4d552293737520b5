import type { UsagePlan } from '../model/index.js'
import { periodStart, type QuotaPeriod } from './periods.js'

/** One API key's quota in one usage plan. */
export interface QuotaCounter {
  planId: string
  keyId: string
  limit: number
  period: QuotaPeriod
  /** Requests subtracted from the limit in the plan's initial period (AWS API reference, QuotaSettings.offset). */
  offset: number
  /** The first day of the plan's initial quota period, where `offset` applies. */
  initialPeriodStart: string
}

/** `[used, remaining]` for one day, as GetUsage reports it. */
export type DailyUsage = [used: number, remaining: number]

/**
 * Request counts behind quotas and usage reports: SQLite in the data directory on one node, Redis
 * for several (the scale-out issue). Counts are per usage plan, API key and UTC day.
 */
export interface UsageStore {
  /**
   * Counts one request against every counter if each has quota left, else counts nothing and
   * says false. Atomic with other calls.
   */
  consume(counters: readonly QuotaCounter[], day: string): Promise<boolean>
  /** One `[used, remaining]` per day from `from` to `to` (inclusive) for each key. */
  report(counters: readonly QuotaCounter[], from: string, to: string): Promise<Map<string, DailyUsage[]>>
  /** Sets the remaining quota of the period holding `day` (UpdateUsage's `replace /remaining`). */
  setRemaining(counter: QuotaCounter, day: string, remaining: number): Promise<void>
  close(): Promise<void>
}

/** The quota counter of a key in a plan, or undefined when the plan sets no quota. */
export function quotaCounter(plan: UsagePlan, keyId: string): QuotaCounter | undefined {
  if (!plan.quota) return undefined
  const { limit, offset, period } = plan.quota
  // A plan stored before quotaSince existed counts its initial period as already past.
  const initialPeriodStart = plan.quotaSince ? periodStart(period, plan.quotaSince) : ''
  return { planId: plan.id, keyId, limit, offset, period, initialPeriodStart }
}
