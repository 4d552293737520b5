import { randomUUID } from 'node:crypto'
import type { RedisLink, RedisScript } from '../redis/redis-link.js'
import type { ConcurrencyLease, ConcurrencyLeases } from './concurrency.js'

/**
 * Drops expired leases, then adds one if fewer than the limit are held. KEYS: the function's
 * sorted set (member: lease id, score: expiry in ms). ARGV: now, expiry, lease id, limit.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) - tonumber(ARGV[1]))
return 1
`

/**
 * Leases in the shared Redis: one sorted set per function (`{prefix}lambda:{name}`). A lease
 * expires after the function's timeout and a margin, so the slots of a node that died while
 * invoking come back on their own.
 */
export class RedisConcurrencyLeases implements ConcurrencyLeases {
  readonly #link: RedisLink
  readonly #acquire: RedisScript

  constructor(link: RedisLink) {
    this.#link = link
    this.#acquire = link.script(ACQUIRE)
  }

  async acquire(functionName: string, limit: number, leaseMs: number): Promise<ConcurrencyLease | undefined> {
    const key = this.#link.key('lambda', functionName)
    const id = randomUUID()
    const now = Date.now()
    if (Number(await this.#acquire([key], [now, now + leaseMs, id, limit])) !== 1) return undefined
    return {
      release: async () => {
        await this.#link.client.zrem(key, id)
      },
    }
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
