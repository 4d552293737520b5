import { describe, expect, it } from 'vitest'
import type { ThrottleLevel, ThrottleStore } from '../../src/throttle/throttle-store.js'

/** What every ThrottleStore does (memory on one node, Redis for several); `now` is the caller's. */
export function throttleStoreContract(name: string, make: () => Promise<ThrottleStore>): void {
  describe(`ThrottleStore: ${name}`, () => {
    const passes = async (store: ThrottleStore, levels: ThrottleLevel[], now: number): Promise<boolean> =>
      (await store.take(levels, now)) === -1

    it('lets the burst through at once, then the rate per second', async () => {
      const store = await make()
      const levels = [{ key: 'k', limit: { rate: 2, burst: 3 } }]
      const results = []
      for (let i = 0; i < 4; i++) results.push(await passes(store, levels, 1_000))
      expect(results).toEqual([true, true, true, false])
      expect(await passes(store, levels, 1_400)).toBe(false) // 0.8 tokens
      expect(await passes(store, levels, 1_500)).toBe(true) // 1.0 token
      expect(await passes(store, levels, 1_500)).toBe(false)
      // Never more than the burst, however long the bucket waited.
      const later = []
      for (let i = 0; i < 4; i++) later.push(await passes(store, levels, 100_000))
      expect(later).toEqual([true, true, true, false])
      await store.close()
    })

    it('takes from every level or from none, and names the level that refused', async () => {
      const store = await make()
      const wide = { key: 'plan', limit: { rate: 0, burst: 5 } }
      const narrow = { key: 'account', limit: { rate: 0, burst: 1 } }
      expect(await store.take([wide, narrow], 0)).toBe(-1)
      expect(await store.take([wide, narrow], 0)).toBe(1)
      // The refusal spent nothing from the plan's bucket: 4 tokens remain.
      const alone = []
      for (let i = 0; i < 5; i++) alone.push(await passes(store, [wide], 0))
      expect(alone).toEqual([true, true, true, true, false])
      await store.close()
    })

    it('keeps a bucket per key, refuses a zero burst, and never limits an unlimited level', async () => {
      const store = await make()
      const a = { key: 'a', limit: { rate: 0, burst: 1 } }
      const b = { key: 'b', limit: { rate: 0, burst: 1 } }
      expect(await passes(store, [a], 0)).toBe(true)
      expect(await passes(store, [b], 0)).toBe(true)
      expect(await passes(store, [a], 0)).toBe(false)
      expect(await store.take([{ key: 'z', limit: { rate: 10, burst: 0 } }], 0)).toBe(0)
      const unlimited = [
        { key: 'u1', limit: { rate: Infinity, burst: Infinity } },
        { key: 'u2', limit: { rate: Infinity, burst: 2 } },
        { key: 'u3', limit: { rate: 5, burst: Infinity } },
      ]
      for (let i = 0; i < 20; i++) expect(await passes(store, unlimited, 0)).toBe(true)
      await store.close()
    })

    it('does not mint tokens when a caller’s clock is behind the last update', async () => {
      const store = await make()
      const levels = [{ key: 'skew', limit: { rate: 1, burst: 1 } }]
      expect(await passes(store, levels, 10_000)).toBe(true)
      expect(await passes(store, levels, 9_000)).toBe(false)
      expect(await passes(store, levels, 10_500)).toBe(false)
      expect(await passes(store, levels, 11_000)).toBe(true)
      await store.close()
    })
  })
}
