import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { periodStart } from './periods.js'
import { allowance, dailyUsage, type DailyUsage, type QuotaCounter, type UsageStore } from './usage-store.js'

/** How long counts wait in memory before they are written together. */
const FLUSH_INTERVAL_MS = 1_000

interface PendingCount {
  readonly planId: string
  readonly keyId: string
  /** The quota period (usage_period rows) or '' (usage_day rows). */
  readonly period: string
  /** The period's start, or the day. */
  readonly start: string
  count: number
}

/** A quota counter's keys for one day (see `#keys`). */
interface CounterKeys {
  readonly forDay: string
  /** The first day of the quota period holding `forDay`. */
  readonly start: string
  /** Its usage_period row's key, and its usage_day row's. */
  readonly period: string
  readonly day: string
}

/**
 * Usage counts in `usage.db` beside the configuration store (a file of its own, so no
 * configuration cache is invalidated by a count). Counts are write-behind: each request's check and
 * count happen in memory (atomic on this node: JavaScript runs one call at a time), and every
 * second the new counts are written in one transaction (WAL, `synchronous = NORMAL`). A transaction
 * per request cost more than the rest of a keyed request (docs/performance.md); the price is that a
 * crash (SIGKILL, power loss) forgets at most the last second's counts. A graceful stop writes them.
 */
export class SqliteUsageStore implements UsageStore {
  readonly #db: Database.Database
  readonly #statements
  /** The usage_period rows this second's requests read, with their unwritten counts added. */
  readonly #periods = new Map<string, { used: number; extra: number }>()
  readonly #pendingPeriods = new Map<string, PendingCount>()
  readonly #pendingDays = new Map<string, PendingCount>()
  #flushTimer: NodeJS.Timeout | undefined
  readonly #keysOf = new WeakMap<QuotaCounter, CounterKeys>()

  constructor(file: string) {
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = NORMAL')
    this.#db.pragma('busy_timeout = 5000')
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS usage_day (
        plan_id TEXT NOT NULL, key_id TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL,
        PRIMARY KEY (plan_id, key_id, day));
      CREATE TABLE IF NOT EXISTS usage_period (
        plan_id TEXT NOT NULL, key_id TEXT NOT NULL, period TEXT NOT NULL, start TEXT NOT NULL,
        used INTEGER NOT NULL DEFAULT 0, extra INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (plan_id, key_id, period, start));`)
    const db = this.#db
    this.#statements = {
      period: db.prepare<[string, string, string, string], { used: number; extra: number }>(
        'SELECT used, extra FROM usage_period WHERE plan_id = ? AND key_id = ? AND period = ? AND start = ?',
      ),
      countPeriod: db.prepare<[string, string, string, string, number]>(
        `INSERT INTO usage_period (plan_id, key_id, period, start, used) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET used = used + excluded.used`,
      ),
      countDay: db.prepare<[string, string, string, number]>(
        `INSERT INTO usage_day (plan_id, key_id, day, used) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET used = used + excluded.used`,
      ),
      days: db.prepare<[string, string, string, string], { day: string; used: number }>(
        'SELECT day, used FROM usage_day WHERE plan_id = ? AND key_id = ? AND day >= ? AND day <= ?',
      ),
      setExtra: db.prepare<[string, string, string, string, number]>(
        `INSERT INTO usage_period (plan_id, key_id, period, start, extra) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET extra = excluded.extra`,
      ),
    }
  }

  static open(dataDir: string): SqliteUsageStore {
    mkdirSync(dataDir, { recursive: true })
    return new SqliteUsageStore(join(dataDir, 'usage.db'))
  }

  static inMemory(): SqliteUsageStore {
    return new SqliteUsageStore(':memory:')
  }

  consume(counters: readonly QuotaCounter[], day: string): boolean {
    for (const c of counters) {
      const keys = this.#keys(c, day)
      const row = this.#periodRow(c, keys.start, keys.period)
      if (allowance(c, keys.start, row.extra) - row.used <= 0) return false
    }
    for (const c of counters) {
      const keys = this.#keys(c, day)
      this.#periodRow(c, keys.start, keys.period).used += 1
      addPending(this.#pendingPeriods, keys.period, c, c.period, keys.start)
      addPending(this.#pendingDays, keys.day, c, '', day)
    }
    this.#flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS).unref()
    return true
  }

  /**
   * A counter's period start and row keys for `day`, kept until the day changes: every keyed
   * request asks, and building the two keys each time was a third of counting one (profiled
   * 2026-12-07). `day` comes from `utcDay`, one string per day.
   */
  #keys(c: QuotaCounter, day: string): CounterKeys {
    let keys = this.#keysOf.get(c)
    if (keys === undefined || keys.forDay !== day) {
      const start = periodStart(c.period, day)
      keys = { forDay: day, start, period: countKey(c, c.period, start), day: countKey(c, '', day) }
      this.#keysOf.set(c, keys)
    }
    return keys
  }

  /** Writes the counts waiting in memory, in one transaction. */
  flush(): void {
    clearTimeout(this.#flushTimer)
    this.#flushTimer = undefined
    if (this.#pendingPeriods.size > 0 || this.#pendingDays.size > 0) {
      this.#db.transaction(() => {
        for (const p of this.#pendingPeriods.values())
          this.#statements.countPeriod.run(p.planId, p.keyId, p.period, p.start, p.count)
        for (const p of this.#pendingDays.values())
          this.#statements.countDay.run(p.planId, p.keyId, p.start, p.count)
      })()
    }
    this.#pendingPeriods.clear()
    this.#pendingDays.clear()
    // Everything is on disk: the next second's requests read their rows afresh.
    this.#periods.clear()
  }

  report(counters: readonly QuotaCounter[], from: string, to: string): Promise<Map<string, DailyUsage[]>> {
    this.flush()
    const out = new Map<string, DailyUsage[]>()
    for (const c of counters) {
      const first = periodStart(c.period, from)
      const used = new Map(
        this.#statements.days.all(c.planId, c.keyId, first, to).map((r) => [r.day, r.used]),
      )
      const extraOf = (start: string): number =>
        this.#statements.period.get(c.planId, c.keyId, c.period, start)?.extra ?? 0
      out.set(c.keyId, dailyUsage(c, from, to, used, extraOf))
    }
    return Promise.resolve(out)
  }

  setRemaining(c: QuotaCounter, day: string, remaining: number): Promise<void> {
    this.flush()
    const start = periodStart(c.period, day)
    const row = this.#statements.period.get(c.planId, c.keyId, c.period, start)
    const base = allowance(c, start, 0) - (row?.used ?? 0)
    this.#statements.setExtra.run(c.planId, c.keyId, c.period, start, remaining - base)
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.flush()
    this.#db.close()
    return Promise.resolve()
  }

  /** A usage_period row as this node counts it: on disk, plus the counts not yet written. */
  #periodRow(c: QuotaCounter, start: string, key: string): { used: number; extra: number } {
    let row = this.#periods.get(key)
    if (!row) {
      const stored = this.#statements.period.get(c.planId, c.keyId, c.period, start)
      row = {
        used: (stored?.used ?? 0) + (this.#pendingPeriods.get(key)?.count ?? 0),
        extra: stored?.extra ?? 0,
      }
      this.#periods.set(key, row)
    }
    return row
  }
}

const countKey = (c: QuotaCounter, period: string, start: string): string =>
  `${c.planId}\u0000${c.keyId}\u0000${period}\u0000${start}`

function addPending(
  pending: Map<string, PendingCount>,
  key: string,
  c: QuotaCounter,
  period: string,
  start: string,
): void {
  const entry = pending.get(key)
  if (entry) entry.count += 1
  else pending.set(key, { planId: c.planId, keyId: c.keyId, period, start, count: 1 })
}
