import type { QuotaSettings } from '../model/index.js'

export type QuotaPeriod = QuotaSettings['period']

const DAY_MS = 86_400_000

let lastDay = { index: Number.NaN, text: '' }

/**
 * The UTC day of an instant, as API Gateway's usage reports write it (`2026-11-24`). Every request
 * with a quota asks; the last day's text is kept, as `toISOString` costs ~3 µs a call.
 */
export function utcDay(ms: number): string {
  const index = Math.floor(ms / DAY_MS)
  if (index !== lastDay.index) lastDay = { index, text: new Date(index * DAY_MS).toISOString().slice(0, 10) }
  return lastDay.text
}

/** Milliseconds of a `YYYY-MM-DD` day's UTC midnight. */
const dayStartMs = (day: string): number => Date.parse(`${day}T00:00:00Z`)

/**
 * The first day (UTC) of the quota period holding `day`: the day itself, the Monday of its week,
 * or the 1st of its month. Quotas reset on these boundaries in UTC (a usage plan's "day" is the UTC
 * day). AWS does not document which weekday starts a WEEK quota; Tollgate uses ISO weeks
 * (Monday), see docs/usage-plans.md.
 */
export function periodStart(period: QuotaPeriod, day: string): string {
  if (period === 'DAY') return day
  if (period === 'MONTH') return `${day.slice(0, 8)}01`
  const ms = dayStartMs(day)
  const sinceMonday = (new Date(ms).getUTCDay() + 6) % 7
  return utcDay(ms - sinceMonday * DAY_MS)
}

/** Every day from `from` to `to`, both included (empty when `to` is before `from`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = []
  for (let ms = dayStartMs(from); ms <= dayStartMs(to); ms += DAY_MS) days.push(utcDay(ms))
  return days
}

/** `YYYY-MM-DD` naming a real calendar day. */
export const isDay = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(dayStartMs(value)) && utcDay(dayStartMs(value)) === value
