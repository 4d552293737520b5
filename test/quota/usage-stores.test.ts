import { describe, expect, it } from 'vitest'
import { SqliteUsageStore } from '../../src/quota/sqlite-usage-store.js'
import { RedisUsageStore, USAGE_RETENTION_MS } from '../../src/quota/redis-usage-store.js'
import { redisServer, requireTool } from '../support/tools.js'
import { redisLinks } from '../support/redis.js'
import { usageStoreContract } from './usage-store.contract.js'

usageStoreContract('SQLite', () => Promise.resolve(SqliteUsageStore.inMemory()))

const noRedis = await requireTool(redisServer)
describe.skipIf(noRedis)('Redis usage store', () => {
  const link = redisLinks()

  usageStoreContract('redis', async () => new RedisUsageStore(await link()))

  it('keeps per-day counts and period counts under the prefix for about 90 days', async () => {
    const shared = await link()
    const store = new RedisUsageStore(shared)
    const counter = {
      planId: 'p1',
      keyId: 'k1',
      limit: 5,
      offset: 0,
      period: 'MONTH' as const,
      initialPeriodStart: '',
    }
    expect(await store.consume([counter], '2026-12-04')).toBe(true)
    expect(await shared.client.get(`${shared.prefix}usage:p1|k1|2026-12-04`)).toBe('1')
    expect(await shared.client.hget(`${shared.prefix}quota:p1|k1|MONTH|2026-12-01`, 'used')).toBe('1')
    const ttl = await shared.client.pttl(`${shared.prefix}usage:p1|k1|2026-12-04`)
    expect(ttl).toBeGreaterThan(USAGE_RETENTION_MS - 60_000)
    expect(ttl).toBeLessThanOrEqual(USAGE_RETENTION_MS)
  })
})
