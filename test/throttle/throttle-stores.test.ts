import { describe, expect, it } from 'vitest'
import { MemoryThrottleStore } from '../../src/throttle/memory-throttle-store.js'
import { RedisThrottleStore } from '../../src/throttle/redis-throttle-store.js'
import { redisServer, requireTool } from '../support/tools.js'
import { redisLinks } from '../support/redis.js'
import { throttleStoreContract } from './throttle-store.contract.js'

throttleStoreContract('memory', () => Promise.resolve(new MemoryThrottleStore()))

describe('memory throttle store', () => {
  it('drops buckets once they are full again, and a dropped bucket starts full', async () => {
    const store = new MemoryThrottleStore()
    try {
      const limit = { rate: 10, burst: 2 }
      for (let i = 0; i < 500; i++) store.take([{ key: `plan|p|key-${i}`, limit }], 0)
      // Emptied: 2 taken from a burst of 2.
      expect(store.take([{ key: 'method|a', limit }], 0)).toBe(-1)
      expect(store.take([{ key: 'method|a', limit }], 0)).toBe(-1)
      expect(store.take([{ key: 'method|a', limit }], 0)).toBe(0)
      // At 100 ms the 500 buckets (1 token left + 1 refilled) are full; 'method|a' is not (1 token).
      store.sweep(100)
      expect(store.size).toBe(1)
      expect(store.take([{ key: 'method|a', limit }], 100)).toBe(-1)
      expect(store.take([{ key: 'method|a', limit }], 100)).toBe(0)
      // A swept key behaves as a full bucket: a burst of 2, then refused.
      expect(store.take([{ key: 'plan|p|key-1', limit }], 100)).toBe(-1)
      expect(store.take([{ key: 'plan|p|key-1', limit }], 100)).toBe(-1)
      expect(store.take([{ key: 'plan|p|key-1', limit }], 100)).toBe(0)
    } finally {
      await store.close()
    }
  })
})

const noRedis = await requireTool(redisServer)
describe.skipIf(noRedis)('Redis throttle store', () => {
  const link = redisLinks()

  throttleStoreContract('redis', async () => new RedisThrottleStore(await link()))

  it('shares buckets between stores on one Redis, under the prefix, expiring once full again', async () => {
    const shared = await link()
    const one = new RedisThrottleStore(shared)
    const other = new RedisThrottleStore(await link(shared.prefix))
    const levels = [{ key: 'plan|p1|k1', limit: { rate: 10, burst: 2 } }]
    expect(await one.take(levels, 0)).toBe(-1)
    expect(await other.take(levels, 0)).toBe(-1)
    expect(await one.take(levels, 0)).toBe(0)
    const key = `${shared.prefix}throttle:plan|p1|k1`
    const ttl = await shared.client.pttl(key)
    // Empty bucket, 10 tokens/s, burst 2: full again in 200 ms (plus a second's margin).
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(1_200)
  })
})
