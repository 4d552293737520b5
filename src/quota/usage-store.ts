import type { UsagePlan } from '../model/index.js'
import { daysBetween, periodStart, type QuotaPeriod } from './periods.js'

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
   * says false. Atomic with other calls. At once from a store in this process, as a promise from a
   * shared one (as ThrottleStore.take: the data plane does not wait a turn of the event loop for a
   * count kept in memory).
   */
  consume(counters: readonly QuotaCounter[], day: string): boolean | Promise<boolean>
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

/** The limit of a period: less the offset in the initial one, plus any extension granted. */
export const allowance = (c: QuotaCounter, start: string, extra: number): number =>
  c.limit - (start === c.initialPeriodStart ? c.offset : 0) + extra

/**
 * GetUsage's rows for one key, from its daily counts and each period's extension (by period
 * start): `[used, remaining]` per day from `from` to `to`. `used` must hold the days from the
 * start of `from`'s period, so each day's remaining counts the days before it. Pure.
 */
export function dailyUsage(
  c: QuotaCounter,
  from: string,
  to: string,
  used: ReadonlyMap<string, number>,
  extraOf: (periodStart: string) => number,
): DailyUsage[] {
  let start = ''
  let spent = 0
  const rows: DailyUsage[] = []
  for (const day of daysBetween(periodStart(c.period, from), to)) {
    const dayStart = periodStart(c.period, day)
    if (dayStart !== start) [start, spent] = [dayStart, 0]
    const today = used.get(day) ?? 0
    spent += today
    if (day >= from) rows.push([today, Math.max(0, allowance(c, start, extraOf(start)) - spent)])
  }
  return rows
}
