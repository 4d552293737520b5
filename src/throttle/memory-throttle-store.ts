import type { ThrottleLevel, ThrottleStore } from './throttle-store.js'
import { isFull, refill, type BucketState, type RateLimit } from './token-bucket.js'

/** How often buckets that filled up again are dropped (ms). */
const SWEEP_INTERVAL_MS = 60_000

interface Bucket extends BucketState {
  /** The limit it was last taken with: the sweep tells from it when the bucket is full. */
  limit: RateLimit
}

/**
 * Token buckets in this process (the embedded default). A bucket that has filled up again is the
 * same as none (a new bucket starts full), so a sweep once a minute drops those: the buckets of
 * deleted methods, stages, usage plans and keys go, as Redis expires them in the shared store.
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #buckets = new Map<string, Bucket>()
  readonly #sweeper: NodeJS.Timeout

  constructor() {
    this.#sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS)
    this.#sweeper.unref()
  }

  /** How many buckets are held (for tests and diagnostics). */
  get size(): number {
    return this.#buckets.size
  }

  take(levels: readonly ThrottleLevel[], now: number): number {
    // One map lookup per level, and the bucket states updated in place: every request comes here.
    const states: Bucket[] = []
    let refused = -1
    for (let i = 0; i < levels.length; i++) {
      const { key, limit } = levels[i] as ThrottleLevel
      let state = this.#buckets.get(key)
      if (state) {
        state.tokens = refill(state, limit, now)
        // The update time never goes back, so a clock that steps back cannot refill a bucket twice.
        state.updatedMs = Math.max(now, state.updatedMs)
        state.limit = limit
      } else {
        state = { tokens: refill(undefined, limit, now), updatedMs: now, limit }
        this.#buckets.set(key, state)
      }
      states.push(state)
      if (refused === -1 && state.tokens < 1) refused = i
    }
    if (refused === -1) for (const state of states) state.tokens -= 1
    return refused
  }

  /** Drops the buckets that are full at `now` (run once a minute; public for tests). */
  sweep(now: number): void {
    for (const [key, state] of this.#buckets) if (isFull(state, state.limit, now)) this.#buckets.delete(key)
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper)
    this.#buckets.clear()
    return Promise.resolve()
  }
}
