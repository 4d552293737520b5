import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { TollgateConfig } from './config/config.js'
import { MemoryAuthorizerResultCache, type AuthorizerResultCache } from './auth/authorizer-result-cache.js'
import { RedisAuthorizerResultCache } from './auth/redis-authorizer-result-cache.js'
import type { CacheStore } from './cache/cache-store.js'
import { MemoryCacheStore } from './cache/memory-cache-store.js'
import { RedisCacheStore } from './cache/redis-cache-store.js'
import { LocalConcurrencyLeases, type ConcurrencyLeases } from './lambda/concurrency.js'
import { RedisConcurrencyLeases } from './lambda/redis-concurrency.js'
import { RedisUsageStore } from './quota/redis-usage-store.js'
import { SqliteUsageStore } from './quota/sqlite-usage-store.js'
import type { UsageStore } from './quota/usage-store.js'
import type { RedisLink } from './redis/redis-link.js'
import { SharedStateUnavailable } from './redis/unavailable.js'
import { MemoryThrottleStore } from './throttle/memory-throttle-store.js'
import { RedisThrottleStore } from './throttle/redis-throttle-store.js'
import type { ThrottleStore } from './throttle/throttle-store.js'

/**
 * Everything gateway nodes must agree on at request time: token buckets, quota counts, the stage
 * cache, Lambda authorizer results and Lambda concurrency. In this process by default; in Redis
 * with `--redis`, so several nodes enforce one set of limits.
 */
export interface SharedState {
  readonly throttle: ThrottleStore
  readonly usage: UsageStore
  readonly cache: CacheStore
  readonly authorizerCache: AuthorizerResultCache
  readonly concurrency: ConcurrencyLeases
  /** The Redis connection, with `--redis`. */
  readonly redis?: RedisLink
  /** Closes every store, then the connection. */
  close(): Promise<void>
}

type SharedStateConfig = Pick<TollgateConfig, 'dataDir' | 'redis' | 'redisFailurePolicy' | 'redisKeyPrefix'>

/** The in-process shared state (one node): what Tollgate uses without `--redis`. */
export function createLocalSharedState(config: Pick<TollgateConfig, 'dataDir'>): SharedState {
  const state = localStores(config)
  return { ...state, close: () => closeAll(state) }
}

function localStores(config: Pick<TollgateConfig, 'dataDir'>) {
  return {
    throttle: new MemoryThrottleStore(),
    usage:
      config.dataDir === ':memory:' ? SqliteUsageStore.inMemory() : SqliteUsageStore.open(config.dataDir),
    cache: new MemoryCacheStore(),
    authorizerCache: new MemoryAuthorizerResultCache(),
    concurrency: new LocalConcurrencyLeases(),
  }
}

/**
 * Picks the shared state from the configuration, once at start: local without `--redis`; else
 * the Redis stores behind the failure policy (docs/scale-out.md). While Redis is unreachable,
 * limits (throttle, quota, Lambda concurrency) fall back to this node's own under `open` and
 * refuse under `closed` (SharedStateUnavailable: 503); the caches miss under either policy, as a
 * cache never decides whether a request may pass.
 */
export async function createSharedState(
  config: SharedStateConfig,
  log: Logger,
  registry: Registry,
): Promise<SharedState> {
  if (!config.redis) return createLocalSharedState(config)
  const local = localStores(config)
  // ioredis is loaded only when Redis is configured (start-up time of every other gateway).
  const { RedisLink } = await import('./redis/redis-link.js')
  const link = new RedisLink(config.redis, { log, registry, keyPrefix: config.redisKeyPrefix })
  const remote = {
    throttle: new RedisThrottleStore(link),
    usage: new RedisUsageStore(link),
    cache: new RedisCacheStore(link),
    authorizerCache: new RedisAuthorizerResultCache(link),
    concurrency: new RedisConcurrencyLeases(link),
  }
  await link.connect()
  const closed = config.redisFailurePolicy === 'closed'

  /** Redis's answer, else what `fallback` gives (it may throw). */
  const guarded = async <T>(
    operation: string,
    shared: () => Promise<T>,
    fallback: (cause?: unknown) => Promise<T>,
  ): Promise<T> => {
    let cause: unknown
    try {
      if (link.isUp) return await shared()
    } catch (error) {
      cause = error
    }
    link.failed(operation, cause)
    return fallback(cause)
  }
  /** A limit: Redis's answer, else this node's (open) or a refusal (closed). */
  const limit = <T>(operation: string, shared: () => Promise<T>, own: () => Promise<T>): Promise<T> =>
    guarded(operation, shared, (cause) =>
      closed ? Promise.reject(new SharedStateUnavailable(operation, { cause })) : own(),
    )
  /** A cache: Redis's answer, else `miss`. */
  const cached = <T>(operation: string, shared: () => Promise<T>, miss: T): Promise<T> =>
    guarded(operation, shared, () => Promise.resolve(miss))

  const state = {
    throttle: {
      take: (levels, now) =>
        limit(
          'throttle',
          () => remote.throttle.take(levels, now),
          () => Promise.resolve(local.throttle.take(levels, now)),
        ),
      close: () => Promise.resolve(),
    } satisfies ThrottleStore,
    usage: {
      consume: (counters, day) =>
        limit(
          'quota',
          () => remote.usage.consume(counters, day),
          () => Promise.resolve(local.usage.consume(counters, day)),
        ),
      report: (counters, from, to) =>
        limit(
          'usage_report',
          () => remote.usage.report(counters, from, to),
          () => local.usage.report(counters, from, to),
        ),
      setRemaining: (counter, day, remaining) =>
        limit(
          'usage_update',
          () => remote.usage.setRemaining(counter, day, remaining),
          () => local.usage.setRemaining(counter, day, remaining),
        ),
      close: () => Promise.resolve(),
    } satisfies UsageStore,
    cache: {
      get: (stage, key) => cached('cache_get', () => remote.cache.get(stage, key), undefined),
      set: (stage, key, entry, ttlMs, budget) =>
        cached('cache_set', () => remote.cache.set(stage, key, entry, ttlMs, budget), undefined),
      flush: (stage) => cached('cache_flush', () => remote.cache.flush(stage), undefined),
      size: (stage) => cached('cache_size', () => remote.cache.size(stage), 0),
      close: () => Promise.resolve(),
    } satisfies CacheStore,
    authorizerCache: {
      get: (key) => cached('authorizer_cache_get', () => remote.authorizerCache.get(key), undefined),
      set: (key, grant, ttlMs) =>
        cached('authorizer_cache_set', () => remote.authorizerCache.set(key, grant, ttlMs), undefined),
      close: () => Promise.resolve(),
    } satisfies AuthorizerResultCache,
    concurrency: {
      acquire: async (name, max, leaseMs) => {
        const lease = await limit(
          'lambda_concurrency',
          () => remote.concurrency.acquire(name, max, leaseMs),
          () => local.concurrency.acquire(name, max, leaseMs),
        )
        if (!lease) return undefined
        // A lease that cannot be given back expires on its own.
        return { release: () => cached('lambda_concurrency_release', () => lease.release(), undefined) }
      },
      close: () => Promise.resolve(),
    } satisfies ConcurrencyLeases,
  }
  return {
    ...state,
    redis: link,
    close: async () => {
      await closeAll(local)
      await link.close()
    },
  }
}

async function closeAll(state: Record<string, { close(): Promise<void> }>): Promise<void> {
  for (const store of Object.values(state)) await store.close()
}
