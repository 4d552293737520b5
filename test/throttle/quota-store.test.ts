import { describe, expect, it } from 'vitest'
import { daysBetween, isDay, periodStart } from '../../src/quota/periods.js'
import { SqliteUsageStore } from '../../src/quota/sqlite-usage-store.js'
import type { QuotaCounter } from '../../src/quota/usage-store.js'

describe('quota periods (UTC)', () => {
  it('start on the day, the Monday of the ISO week, or the 1st of the month', () => {
    expect(periodStart('DAY', '2026-11-24')).toBe('2026-11-24')
    expect(periodStart('WEEK', '2026-11-24')).toBe('2026-11-23') // a Tuesday
    expect(periodStart('WEEK', '2026-11-23')).toBe('2026-11-23') // a Monday
    expect(periodStart('WEEK', '2026-11-22')).toBe('2026-11-16') // a Sunday
    expect(periodStart('WEEK', '2027-01-02')).toBe('2026-12-28') // across a year
    expect(periodStart('MONTH', '2026-02-28')).toBe('2026-02-01')
  })

  it('walks days across months and refuses dates that do not exist', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ])
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([])
    expect(isDay('2026-02-28')).toBe(true)
    expect(isDay('2026-02-30')).toBe(false)
    expect(isDay('2026-2-3')).toBe(false)
  })
})

describe('SQLite usage store', () => {
  const counter = (over: Partial<QuotaCounter> = {}): QuotaCounter => ({
    planId: 'plan',
    keyId: 'key',
    limit: 3,
    offset: 0,
    period: 'DAY',
    initialPeriodStart: '2026-01-01',
    ...over,
  })
  const spend = async (store: SqliteUsageStore, c: QuotaCounter[], day: string, n: number) => {
    const results: boolean[] = []
    for (let i = 0; i < n; i++) results.push(await store.consume(c, day))
    return results
  }

  it('counts up to the limit, subtracts the offset in the initial period only, and resets on the boundary', async () => {
    const store = SqliteUsageStore.inMemory()
    const c = counter({ offset: 2, period: 'WEEK', initialPeriodStart: '2026-11-23' })
    // Initial week: 3 - 2 = 1 request.
    expect(await spend(store, [c], '2026-11-24', 2)).toEqual([true, false])
    // Next ISO week (Monday 30 Nov): the full limit.
    expect(await spend(store, [c], '2026-11-30', 4)).toEqual([true, true, true, false])
    expect(await spend(store, [c], '2026-12-06', 1)).toEqual([false]) // Sunday, same week
    expect(await spend(store, [c], '2026-12-07', 1)).toEqual([true])
    await store.close()
  })

  it('counts nothing when any counter is spent', async () => {
    const store = SqliteUsageStore.inMemory()
    const small = counter({ planId: 'small', limit: 1 })
    const big = counter({ planId: 'big', limit: 10 })
    expect(await spend(store, [small, big], '2026-01-05', 3)).toEqual([true, false, false])
    const report = await store.report([big], '2026-01-05', '2026-01-05')
    expect(report.get('key')).toEqual([[1, 9]])
    await store.close()
  })

  it("reports each day's used and remaining, and sets the remaining quota of the current period", async () => {
    const store = SqliteUsageStore.inMemory()
    const c = counter({ limit: 10, period: 'MONTH', initialPeriodStart: '2025-01-01' })
    await spend(store, [c], '2026-03-01', 2)
    await spend(store, [c], '2026-03-03', 3)
    expect((await store.report([c], '2026-03-02', '2026-03-03')).get('key')).toEqual([
      [0, 8],
      [3, 5],
    ])
    await store.setRemaining(c, '2026-03-03', 1)
    expect(await spend(store, [c], '2026-03-03', 2)).toEqual([true, false])
    expect((await store.report([c], '2026-03-03', '2026-03-03')).get('key')).toEqual([[4, 0]])
    await store.close()
  })
})
