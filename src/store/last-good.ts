/** How long a value that failed to reload is served before the next attempt. */
const RETRY_MS = 1_000

/**
 * A value loaded from the store and reloaded after every change, which keeps serving its last
 * good value while the store cannot answer (a PostgreSQL restart must not stop the data plane):
 * a failed reload returns the previous value and is tried again, in the background, at most once
 * a second, until one succeeds. Without a previous value the failure reaches the caller.
 */
export class LastGood<T> {
  readonly #load: () => Promise<T>
  readonly #onStale: ((error: unknown) => void) | undefined
  #current: Promise<T> | undefined
  /** What #current resolved to, once it has: `now()` answers it without a promise. */
  #settled: { value: T } | undefined
  #last: { value: T } | undefined
  #retryAt = 0
  /** Bumped by every change: a load that started before it must not be kept. */
  #generation = 0

  constructor(load: () => Promise<T>, onStale?: (error: unknown) => void) {
    this.#load = load
    this.#onStale = onStale
  }

  /** The last value loaded, if any (without loading). */
  get last(): T | undefined {
    return this.#last?.value
  }

  get(): Promise<T> {
    if (!this.#current) this.#current = this.#fetch()
    else if (this.#retryAt && Date.now() >= this.#retryAt) {
      this.#retryAt = 0
      void this.#fetch()
    }
    return this.#current
  }

  /**
   * As `get`, but the value itself once it is loaded: every request asks, and awaiting a settled
   * promise would still cost each a turn of the microtask queue.
   */
  now(): T | Promise<T> {
    const pending = this.get()
    return this.#settled ? this.#settled.value : pending
  }

  /** The store changed: the next `get` loads again. */
  invalidate(): void {
    this.#generation++
    this.#current = undefined
    this.#settled = undefined
    this.#retryAt = 0
  }

  #fetch(): Promise<T> {
    const generation = this.#generation
    const keep = (value: T): void => {
      if (generation === this.#generation) {
        this.#current = Promise.resolve(value)
        this.#settled = { value }
      }
    }
    return this.#load().then(
      (value) => {
        if (generation === this.#generation) {
          this.#last = { value }
          this.#retryAt = 0
        }
        keep(value)
        return value
      },
      (error: unknown) => {
        const last = this.#last
        if (!last) {
          if (generation === this.#generation) this.#current = undefined
          throw error
        }
        this.#onStale?.(error)
        if (generation === this.#generation) this.#retryAt = Date.now() + RETRY_MS
        keep(last.value)
        return last.value
      },
    )
  }
}
