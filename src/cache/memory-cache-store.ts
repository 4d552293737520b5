import { LRUCache } from 'lru-cache'
import { entrySize, type CachedResponse, type CacheStore } from './cache-store.js'

/** The embedded stage cache: an LRU per stage bounded by bytes, entries expiring with their TTL. */
export class MemoryCacheStore implements CacheStore {
  readonly #stages = new Map<string, LRUCache<string, CachedResponse>>()

  #stage(stage: string, budgetBytes: number): LRUCache<string, CachedResponse> {
    let cache = this.#stages.get(stage)
    // A changed budget (a new cacheClusterSize) starts a new cache, as AWS recreates the cluster.
    if (!cache || cache.maxSize !== budgetBytes) {
      cache = new LRUCache<string, CachedResponse>({
        maxSize: budgetBytes,
        sizeCalculation: entrySize,
        ttlAutopurge: false,
      })
      this.#stages.set(stage, cache)
    }
    return cache
  }

  get(stage: string, key: string): Promise<CachedResponse | undefined> {
    return Promise.resolve(this.#stages.get(stage)?.get(key))
  }

  set(stage: string, key: string, entry: CachedResponse, ttlMs: number, budgetBytes: number): Promise<void> {
    if (entrySize(entry) <= budgetBytes) this.#stage(stage, budgetBytes).set(key, entry, { ttl: ttlMs })
    return Promise.resolve()
  }

  flush(stage: string): Promise<void> {
    this.#stages.delete(stage)
    return Promise.resolve()
  }

  size(stage: string): Promise<number> {
    return Promise.resolve(this.#stages.get(stage)?.calculatedSize ?? 0)
  }

  close(): Promise<void> {
    this.#stages.clear()
    return Promise.resolve()
  }
}
