import type { ThrottleLevel, ThrottleStore } from './throttle-store.js'
import { refill, type BucketState } from './token-bucket.js'

/** Token buckets in this process (the embedded default). */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #buckets = new Map<string, BucketState>()

  take(levels: readonly ThrottleLevel[], now: number): number {
    // One map lookup per level, and the bucket states updated in place: every request comes here.
    const states: BucketState[] = []
    let refused = -1
    for (let i = 0; i < levels.length; i++) {
      const { key, limit } = levels[i] as ThrottleLevel
      let state = this.#buckets.get(key)
      if (state) {
        state.tokens = refill(state, limit, now)
        // The update time never goes back, so a clock that steps back cannot refill a bucket twice.
        state.updatedMs = Math.max(now, state.updatedMs)
      } else {
        state = { tokens: refill(undefined, limit, now), updatedMs: now }
        this.#buckets.set(key, state)
      }
      states.push(state)
      if (refused === -1 && state.tokens < 1) refused = i
    }
    if (refused === -1) for (const state of states) state.tokens -= 1
    return refused
  }

  close(): Promise<void> {
    this.#buckets.clear()
    return Promise.resolve()
  }
}
