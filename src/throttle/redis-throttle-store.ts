import type { RedisLink, RedisScript } from '../redis/redis-link.js'
import type { ThrottleLevel, ThrottleStore } from './throttle-store.js'

/**
 * The token buckets of every level, taken all or none in one script run (so one round trip per
 * request). KEYS: one hash per bucket (`t` tokens, `u` last update in ms). ARGV: now, then rate
 * and burst per key. The same maths as `refill` in token-bucket.ts. A bucket's `u` never goes
 * back in time, so a node whose clock lags cannot refill a bucket twice. A bucket expires once it
 * would be full again (a missing bucket is a full one).
 */
const TAKE = `
local now = tonumber(ARGV[1])
local tokens, stamps = {}, {}
local refused = -1
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 't', 'u')
  local t, u = burst, now
  if state[1] then
    local last = tonumber(state[2])
    t = math.min(burst, tonumber(state[1]) + math.max(0, now - last) / 1000 * rate)
    u = math.max(now, last)
  end
  tokens[i], stamps[i] = t, u
  if refused == -1 and t < 1 then refused = i - 1 end
end
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local t = tokens[i]
  if refused == -1 then t = t - 1 end
  redis.call('HSET', KEYS[i], 't', tostring(t), 'u', tostring(stamps[i]))
  local ttl = 86400000
  if rate > 0 then ttl = math.min(ttl, math.ceil((burst - t) / rate * 1000) + 1000) end
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return refused
`

/** Token buckets in the shared Redis: every node takes from the same buckets. */
export class RedisThrottleStore implements ThrottleStore {
  readonly #link: RedisLink
  readonly #take: RedisScript

  constructor(link: RedisLink) {
    this.#link = link
    this.#take = link.script(TAKE)
  }

  async take(levels: readonly ThrottleLevel[], now: number): Promise<number> {
    // A level with an unlimited burst always passes, one with an unlimited rate passes while its
    // burst is at least 1: neither needs a bucket (nor could Infinity travel to Lua).
    const keys: string[] = []
    const args: number[] = [Math.round(now)]
    const positions: number[] = []
    for (const [i, { key, limit }] of levels.entries()) {
      const burst = Math.max(0, limit.burst)
      const rate = Math.max(0, limit.rate)
      if (burst === Infinity) continue
      if (rate === Infinity) {
        if (burst < 1) return i
        continue
      }
      keys.push(this.#link.key('throttle', key))
      args.push(rate, burst)
      positions.push(i)
    }
    if (keys.length === 0) return -1
    const refused = Number(await this.#take(keys, args))
    return refused === -1 ? -1 : (positions[refused] ?? -1)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
