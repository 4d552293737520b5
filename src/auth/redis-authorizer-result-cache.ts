import { createHash } from 'node:crypto'
import type { RedisLink } from '../redis/redis-link.js'
import type { AuthorizerResultCache } from './authorizer-result-cache.js'
import type { AuthorizerGrant } from './lambda-authorizer.js'

/**
 * Authorizer results in the shared Redis, one JSON string per result expiring with its TTL. The
 * key is a SHA-256 of the cache key, so callers' tokens never appear in key names.
 */
export class RedisAuthorizerResultCache implements AuthorizerResultCache {
  readonly #link: RedisLink

  constructor(link: RedisLink) {
    this.#link = link
  }

  async get(key: string): Promise<AuthorizerGrant | undefined> {
    const stored = await this.#link.client.get(this.#key(key))
    return stored === null ? undefined : (JSON.parse(stored) as AuthorizerGrant)
  }

  async set(key: string, grant: AuthorizerGrant, ttlMs: number): Promise<void> {
    if (ttlMs > 0) await this.#link.client.set(this.#key(key), JSON.stringify(grant), 'PX', Math.ceil(ttlMs))
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  #key(key: string): string {
    return this.#link.key('authorizer', createHash('sha256').update(key).digest('hex'))
  }
}
