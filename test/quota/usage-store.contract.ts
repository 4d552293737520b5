import { describe, expect, it } from 'vitest'
import type { QuotaCounter, UsageStore } from '../../src/quota/usage-store.js'

/** What every UsageStore does (SQLite on one node, Redis for several). */
export function usageStoreContract(name: string, make: () => Promise<UsageStore>): void {
  describe(`UsageStore: ${name}`, () => {
    const counter = (over: Partial<QuotaCounter> = {}): QuotaCounter => ({
      planId: 'plan',
      keyId: 'key',
      limit: 3,
      offset: 0,
      period: 'DAY',
      initialPeriodStart: '2026-01-01',
      ...over,
    })
    const spend = async (store: UsageStore, c: QuotaCounter[], day: string, n: number) => {
      const results: boolean[] = []
      for (let i = 0; i < n; i++) results.push(await store.consume(c, day))
      return results
    }

    it('counts up to the limit, subtracts the offset in the initial period only, and resets on the boundary', async () => {
      const store = await make()
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
      const store = await make()
      const small = counter({ planId: 'small', limit: 1 })
      const big = counter({ planId: 'big', limit: 10 })
      expect(await spend(store, [small, big], '2026-01-05', 3)).toEqual([true, false, false])
      const report = await store.report([big], '2026-01-05', '2026-01-05')
      expect(report.get('key')).toEqual([[1, 9]])
      await store.close()
    })

    it("reports each day's used and remaining, and sets the remaining quota of the current period", async () => {
      const store = await make()
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
}
