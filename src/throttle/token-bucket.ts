/** A rate and burst, as API Gateway's throttle settings: `burst` is the bucket size, `rate` the refill per second. */
export interface RateLimit {
  rate: number
  burst: number
}

export interface BucketState {
  tokens: number
  /** When `tokens` was last brought up to date (ms). */
  updatedMs: number
}

/**
 * Token-bucket maths (AWS docs "api-gateway-request-throttling": the burst is the bucket's
 * capacity, the rate its refill per second): a new bucket is full, so `burst` requests pass at
 * once, then `rate` per second. Returns the tokens in the bucket at `now`. Pure.
 */
export function refill(state: BucketState | undefined, limit: RateLimit, now: number): number {
  const capacity = Math.max(0, limit.burst)
  if (!state) return capacity
  const elapsedSeconds = Math.max(0, now - state.updatedMs) / 1000
  return Math.min(capacity, state.tokens + elapsedSeconds * Math.max(0, limit.rate))
}

/** Whether a bucket is full at `now`: then it is the same as none (a new bucket starts full). */
export const isFull = (state: BucketState, limit: RateLimit, now: number): boolean =>
  refill(state, limit, now) >= refill(undefined, limit, now)
