import { describe, expect, it } from 'vitest'
import { refill } from '../../src/throttle/token-bucket.js'
import { MemoryThrottleStore } from '../../src/throttle/memory-throttle-store.js'

// The token bucket of AWS docs "api-gateway-request-throttling": burst = capacity, rate = refill/s.
describe('token bucket', () => {
  it('starts full, refills at the rate, and never holds more than the burst', () => {
    const limit = { rate: 10, burst: 4 }
    expect(refill(undefined, limit, 0)).toBe(4)
    expect(refill({ tokens: 0, updatedMs: 1000 }, limit, 1100)).toBeCloseTo(1)
    expect(refill({ tokens: 0, updatedMs: 1000 }, limit, 1250)).toBeCloseTo(2.5)
    expect(refill({ tokens: 3, updatedMs: 1000 }, limit, 9000)).toBe(4)
    // A clock that steps back does not mint tokens.
    expect(refill({ tokens: 1, updatedMs: 1000 }, limit, 500)).toBe(1)
  })

  it('lets the burst through at once, then the rate per second', async () => {
    const store = new MemoryThrottleStore()
    const levels = [{ key: 'k', limit: { rate: 2, burst: 3 } }]
    const at = async (ms: number): Promise<boolean> => (await store.take(levels, ms)) === -1
    expect([await at(0), await at(0), await at(0), await at(0)]).toEqual([true, true, true, false])
    expect(await at(400)).toBe(false) // 0.8 tokens
    expect(await at(500)).toBe(true) // 1.0 token
    expect(await at(500)).toBe(false)
  })

  it('takes from every level or from none, and names the level that refused', async () => {
    const store = new MemoryThrottleStore()
    const wide = { key: 'plan', limit: { rate: 0, burst: 5 } }
    const narrow = { key: 'account', limit: { rate: 0, burst: 1 } }
    expect(await store.take([wide, narrow], 0)).toBe(-1)
    expect(await store.take([wide, narrow], 0)).toBe(1)
    expect(await store.take([wide, narrow], 0)).toBe(1)
    // The refusals above did not spend the plan's tokens: 4 are left.
    const left = await Promise.all([0, 1, 2, 3, 4].map(() => store.take([wide], 0)))
    expect(left).toEqual([-1, -1, -1, -1, 0])
  })
})
