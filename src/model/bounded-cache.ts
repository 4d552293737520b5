/**
 * Values computed from a key and kept for the requests that repeat it (a parsed URL, a compiled
 * pattern or log format, a MOCK template's status): at most `max` entries, all dropped at once
 * when it is full, so that keys chosen by clients (paths, User-Agents) cannot grow it. Dropping all
 * is simpler than least-recently-used bookkeeping, and the keys that matter come back at once.
 */
export class BoundedCache<K, V> {
  readonly #values = new Map<K, V>()

  constructor(readonly max: number) {}

  /**
   * The value kept for `key`, else `make(key)`, kept when `keep` is true. A throw from `make` is
   * passed on and nothing is kept. `make` takes the key so that callers need no closure per call.
   */
  get(key: K, make: (key: K) => V, keep = true): V {
    const found = this.#values.get(key)
    if (found !== undefined) return found
    const value = make(key)
    if (keep) this.put(key, value)
    return value
  }

  /** The value kept for `key`, if any (for values computed elsewhere, e.g. asynchronously). */
  peek(key: K): V | undefined {
    return this.#values.get(key)
  }

  /** Keeps `value` for `key` (emptying the cache first when it is full). */
  put(key: K, value: V): void {
    if (this.#values.size >= this.max && !this.#values.has(key)) this.#values.clear()
    this.#values.set(key, value)
  }

  clear(): void {
    this.#values.clear()
  }
}
