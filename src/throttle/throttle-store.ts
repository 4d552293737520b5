import type { RateLimit } from './token-bucket.js'

/** One bucket a request must take a token from. */
export interface ThrottleLevel {
  key: string
  limit: RateLimit
}

/**
 * Where token buckets live: in memory on one node, in Redis for several. A request takes one
 * token from every level at once or from none (so a refusal at the account level does not spend
 * the caller's plan tokens), in one call: one round trip for a shared store.
 */
export interface ThrottleStore {
  /**
   * Takes a token from each level; returns the index of the first level without one, or -1 (at
   * once from a store in this process, as a promise from a shared one).
   */
  take(levels: readonly ThrottleLevel[], now: number): number | Promise<number>
  close(): Promise<void>
}

/** The bucket key of a throttling level: its parts, `|`-joined (one layout for every backend). */
export const throttleKey = (...parts: string[]): string =>
  parts.map((p) => p.replaceAll('|', '%7C')).join('|')
