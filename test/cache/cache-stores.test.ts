import { describe, expect, it } from 'vitest'
import { MemoryCacheStore } from '../../src/cache/memory-cache-store.js'
import { RedisCacheStore } from '../../src/cache/redis-cache-store.js'
import {
  MemoryAuthorizerResultCache,
  type AuthorizerResultCache,
} from '../../src/auth/authorizer-result-cache.js'
import { RedisAuthorizerResultCache } from '../../src/auth/redis-authorizer-result-cache.js'
import { redisServer, requireTool } from '../support/tools.js'
import { redisLinks } from '../support/redis.js'
import { cacheStoreContract } from './cache-store.contract.js'

/** What every authorizer result cache does. */
function authorizerCacheContract(name: string, make: () => Promise<AuthorizerResultCache>): void {
  describe(`AuthorizerResultCache: ${name}`, () => {
    it('keeps a grant for its TTL', async () => {
      const cache = await make()
      const grant = {
        principalId: 'user',
        policyDocument: { Version: '2012-10-17', Statement: [] },
        context: { n: 1, ok: true, s: 'x' },
        usageIdentifierKey: 'key',
      }
      await cache.set('deployment\u0000auth\u0000token', grant, 100)
      await cache.set('never', grant, 0)
      expect(await cache.get('deployment\u0000auth\u0000token')).toEqual(grant)
      expect(await cache.get('deployment\u0000auth\u0000other')).toBeUndefined()
      expect(await cache.get('never')).toBeUndefined()
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(await cache.get('deployment\u0000auth\u0000token')).toBeUndefined()
      await cache.close()
    })
  })
}

cacheStoreContract('memory', () => Promise.resolve(new MemoryCacheStore()))
authorizerCacheContract('memory', () => Promise.resolve(new MemoryAuthorizerResultCache()))

const noRedis = await requireTool(redisServer)
describe.skipIf(noRedis)('Redis caches', () => {
  const link = redisLinks()

  cacheStoreContract('redis', async () => new RedisCacheStore(await link()))
  authorizerCacheContract('redis', async () => new RedisAuthorizerResultCache(await link()))

  it('keeps entries under the prefix with their TTL, and no token in authorizer key names', async () => {
    const shared = await link()
    await new RedisCacheStore(shared).set(
      'api/prod',
      'k',
      { status: 200, headers: [], body: Buffer.from('x') },
      30_000,
      1_000_000,
    )
    const ttl = await shared.client.pttl(`${shared.prefix}cache:api/prod|k`)
    expect(ttl).toBeGreaterThan(25_000)
    await new RedisAuthorizerResultCache(shared).set(
      'secret-token',
      { principalId: 'p', policyDocument: {}, context: {} },
      30_000,
    )
    const keys = await shared.client.keys(`${shared.prefix}authorizer:*`)
    expect(keys).toHaveLength(1)
    expect(keys[0]).not.toContain('secret-token')
  })
})
