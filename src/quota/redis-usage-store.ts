import type { RedisLink, RedisScript } from '../redis/redis-link.js'
import { daysBetween, periodStart } from './periods.js'
import { allowance, dailyUsage, type DailyUsage, type QuotaCounter, type UsageStore } from './usage-store.js'

/** How long counts are kept: GetUsage reports on days older than this as unused. */
export const USAGE_RETENTION_MS = 90 * 86_400_000

/**
 * Checks every counter's period, then counts one request in each period and day, or in none.
 * KEYS: per counter its period hash (`used`, `extra`) and its day counter. ARGV: retention (ms),
 * then each counter's allowance before extensions.
 */
const CONSUME = `
local ttl = tonumber(ARGV[1])
local n = #KEYS / 2
for i = 1, n do
  local period = redis.call('HMGET', KEYS[2 * i - 1], 'used', 'extra')
  if tonumber(ARGV[i + 1]) + (tonumber(period[2]) or 0) - (tonumber(period[1]) or 0) <= 0 then return 0 end
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[2 * i - 1], 'used', 1)
  redis.call('PEXPIRE', KEYS[2 * i - 1], ttl)
  redis.call('INCR', KEYS[2 * i])
  redis.call('PEXPIRE', KEYS[2 * i], ttl)
end
return 1
`

/** UpdateUsage: the extension that leaves `remaining` in the period. KEYS: the period hash. ARGV: allowance, remaining, retention. */
const SET_REMAINING = `
local used = tonumber(redis.call('HGET', KEYS[1], 'used')) or 0
redis.call('HSET', KEYS[1], 'extra', tonumber(ARGV[2]) - (tonumber(ARGV[1]) - used))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`

/**
 * Quota counts in the shared Redis, so a key's quota holds across every node: one hash per key,
 * plan and quota period, one counter per key, plan and UTC day (for GetUsage), both expiring
 * after 90 days.
 */
export class RedisUsageStore implements UsageStore {
  readonly #link: RedisLink
  readonly #consume: RedisScript
  readonly #setRemaining: RedisScript

  constructor(link: RedisLink) {
    this.#link = link
    this.#consume = link.script(CONSUME)
    this.#setRemaining = link.script(SET_REMAINING)
  }

  async consume(counters: readonly QuotaCounter[], day: string): Promise<boolean> {
    if (counters.length === 0) return true
    const keys: string[] = []
    const args: number[] = [USAGE_RETENTION_MS]
    for (const c of counters) {
      const start = periodStart(c.period, day)
      keys.push(this.#periodKey(c, start), this.#dayKey(c, day))
      args.push(allowance(c, start, 0))
    }
    return Number(await this.#consume(keys, args)) === 1
  }

  async report(
    counters: readonly QuotaCounter[],
    from: string,
    to: string,
  ): Promise<Map<string, DailyUsage[]>> {
    const out = new Map<string, DailyUsage[]>()
    for (const c of counters) {
      const days = daysBetween(periodStart(c.period, from), to)
      const starts = [...new Set(days.map((day) => periodStart(c.period, day)))]
      const pipeline = this.#link.client.pipeline()
      pipeline.mget(days.map((day) => this.#dayKey(c, day)))
      for (const start of starts) pipeline.hget(this.#periodKey(c, start), 'extra')
      const results = (await pipeline.exec()) ?? []
      for (const [error] of results) if (error) throw error
      const counts = (results[0]?.[1] ?? []) as (string | null)[]
      const used = new Map(days.map((day, i) => [day, Number(counts[i] ?? 0)]))
      const extras = new Map(starts.map((start, i) => [start, Number(results[i + 1]?.[1] ?? 0)]))
      out.set(
        c.keyId,
        dailyUsage(c, from, to, used, (start) => extras.get(start) ?? 0),
      )
    }
    return out
  }

  async setRemaining(c: QuotaCounter, day: string, remaining: number): Promise<void> {
    const start = periodStart(c.period, day)
    await this.#setRemaining(
      [this.#periodKey(c, start)],
      [allowance(c, start, 0), remaining, USAGE_RETENTION_MS],
    )
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  #periodKey(c: QuotaCounter, start: string): string {
    return this.#link.key('quota', `${c.planId}|${c.keyId}|${c.period}|${start}`)
  }

  #dayKey(c: QuotaCounter, day: string): string {
    return this.#link.key('usage', `${c.planId}|${c.keyId}|${day}`)
  }
}
