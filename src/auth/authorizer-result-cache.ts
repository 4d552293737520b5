import { LRUCache } from 'lru-cache'
import type { AuthorizerGrant } from './lambda-authorizer.js'

/**
 * Lambda authorizer results, by deployment, authorizer and identity source values, each for the
 * authorizer's `authorizerResultTtlInSeconds`: in memory on one node, in Redis for several (a
 * caller authorized on one node is not authorized again on another).
 */
export interface AuthorizerResultCache {
  get(key: string): Promise<AuthorizerGrant | undefined>
  set(key: string, grant: AuthorizerGrant, ttlMs: number): Promise<void>
  close(): Promise<void>
}

/** The embedded authorizer result cache: an LRU of 10,000 results. */
export class MemoryAuthorizerResultCache implements AuthorizerResultCache {
  readonly #results = new LRUCache<string, AuthorizerGrant>({ max: 10_000, ttlAutopurge: false })

  get(key: string): Promise<AuthorizerGrant | undefined> {
    return Promise.resolve(this.#results.get(key))
  }

  set(key: string, grant: AuthorizerGrant, ttlMs: number): Promise<void> {
    if (ttlMs > 0) this.#results.set(key, grant, { ttl: ttlMs })
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.#results.clear()
    return Promise.resolve()
  }
}
