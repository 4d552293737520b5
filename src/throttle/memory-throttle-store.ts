import type { ThrottleLevel, ThrottleStore } from './throttle-store.js'
import { refill, type BucketState } from './token-bucket.js'

/** Token buckets in this process (the embedded default). */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #buckets = new Map<string, BucketState>()

  take(levels: readonly ThrottleLevel[], now: number): Promise<number> {
    const current = levels.map(({ key, limit }) => refill(this.#buckets.get(key), limit, now))
    const refused = current.findIndex((tokens) => tokens < 1)
    levels.forEach(({ key }, i) => {
      const tokens = current[i] ?? 0
      // The update time never goes back, so a clock that steps back cannot refill a bucket twice.
      const updatedMs = Math.max(now, this.#buckets.get(key)?.updatedMs ?? now)
      this.#buckets.set(key, { tokens: refused === -1 ? tokens - 1 : tokens, updatedMs })
    })
    return Promise.resolve(refused)
  }

  close(): Promise<void> {
    this.#buckets.clear()
    return Promise.resolve()
  }
}
