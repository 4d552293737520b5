import { describe, expect, it } from 'vitest'
import { refill } from '../../src/throttle/token-bucket.js'

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
  // The stores built on it: throttle-store.contract.ts, run against memory and Redis.
})
