import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { periodStart } from './periods.js'
import { allowance, dailyUsage, type DailyUsage, type QuotaCounter, type UsageStore } from './usage-store.js'

/**
 * Usage counts in `usage.db` beside the configuration store. A file of its own because it is
 * written on every request with a key: with `synchronous = NORMAL` a count survives a crash of the
 * process (WAL), and no configuration cache is invalidated by a count. better-sqlite3 runs each
 * call synchronously, so a check-and-count is atomic on this node.
 */
export class SqliteUsageStore implements UsageStore {
  readonly #db: Database.Database
  readonly #statements

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
      countPeriod: db.prepare<[string, string, string, string]>(
        `INSERT INTO usage_period (plan_id, key_id, period, start, used) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT DO UPDATE SET used = used + 1`,
      ),
      countDay: db.prepare<[string, string, string]>(
        `INSERT INTO usage_day (plan_id, key_id, day, used) VALUES (?, ?, ?, 1)
         ON CONFLICT DO UPDATE SET used = used + 1`,
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

  consume(counters: readonly QuotaCounter[], day: string): Promise<boolean> {
    const run = this.#db.transaction(() => {
      for (const c of counters) if (this.#remaining(c, periodStart(c.period, day)) <= 0) return false
      for (const c of counters) {
        this.#statements.countPeriod.run(c.planId, c.keyId, c.period, periodStart(c.period, day))
        this.#statements.countDay.run(c.planId, c.keyId, day)
      }
      return true
    })
    return Promise.resolve(run())
  }

  report(counters: readonly QuotaCounter[], from: string, to: string): Promise<Map<string, DailyUsage[]>> {
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
    const start = periodStart(c.period, day)
    const row = this.#statements.period.get(c.planId, c.keyId, c.period, start)
    const base = allowance(c, start, 0) - (row?.used ?? 0)
    this.#statements.setExtra.run(c.planId, c.keyId, c.period, start, remaining - base)
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.#db.close()
    return Promise.resolve()
  }

  #remaining(c: QuotaCounter, start: string): number {
    const row = this.#statements.period.get(c.planId, c.keyId, c.period, start)
    return allowance(c, start, row?.extra ?? 0) - (row?.used ?? 0)
  }
}
