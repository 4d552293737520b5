import type { ConfigReader, ConfigStore } from './config-store.js'
import { LastGood } from './last-good.js'

/**
 * A view derived from the store (API keys by value, domains by name, ...): built on first use,
 * rebuilt on the next use after every committed change (here or, for a shared store, on another
 * node); while the store cannot answer, the last view built is served (LastGood). Holds a
 * subscription to the change feed until `close()`.
 */
export class StoreView<T> {
  readonly #value: LastGood<T>
  readonly #unsubscribe: () => void

  constructor(store: ConfigStore, build: (reader: ConfigReader) => Promise<T>) {
    this.#value = new LastGood(() => store.read(build))
    this.#unsubscribe = store.onChange(() => this.#value.invalidate())
  }

  get(): Promise<T> {
    return this.#value.get()
  }

  /** The value itself once loaded, else the promise of it (LastGood.now). */
  now(): T | Promise<T> {
    return this.#value.now()
  }

  close(): void {
    this.#unsubscribe()
  }
}

/** What a `KeyedStoreView` tells its owner, and whether it looks for keys that are gone. */
export interface KeyedStoreViewOptions {
  /** A key's reload failed; it is served as last loaded. */
  onStale?: (key: string, error: unknown) => void
  /** A key that had a value was loaded again and found nothing: what it named was deleted. */
  onGone?: (key: string) => void
  /**
   * After a change, the keys nobody asked for since are loaded again this many milliseconds
   * later, so that one deleted elsewhere (another node sharing the store) is found gone without
   * being asked for. Unset: a key is loaded again only on its next use.
   */
  revalidateMs?: number
}

/**
 * Values derived from the store one key at a time (an API's endpoint types, a function's record):
 * each loaded on first use, loaded again on its next use after every committed change, and
 * served as last loaded while the store cannot answer (LastGood). A key whose load finds nothing,
 * or fails with nothing loaded before, is dropped: keys may come from requests, and made-up ones
 * must not grow the map. Holds a subscription to the change feed until `close()`.
 */
export class KeyedStoreView<V> {
  readonly #entries = new Map<string, LastGood<V | undefined>>()
  /**
   * The entries whose loads found a value, handed to a caller. Not LastGood's `last`, which keeps
   * only a load no change overtook: a key first loaded while a change arrived had no `last`, and
   * its deletion went untold (as in StageRegistry).
   */
  readonly #served = new WeakSet<LastGood<V | undefined>>()
  readonly #load: (key: string) => Promise<V | undefined>
  readonly #options: KeyedStoreViewOptions
  readonly #unsubscribe: () => void
  #revalidateTimer: NodeJS.Timeout | undefined
  #closed = false

  constructor(
    store: ConfigStore,
    load: (key: string) => Promise<V | undefined>,
    options: KeyedStoreViewOptions = {},
  ) {
    this.#load = load
    this.#options = options
    this.#unsubscribe = store.onChange(() => this.#changed())
  }

  /** The key's value, at once when it is loaded (every request may ask), else its promise. */
  now(key: string): V | undefined | Promise<V | undefined> {
    let entry = this.#entries.get(key)
    if (!entry) {
      entry = new LastGood(
        () => this.#load(key),
        (error) => this.#options.onStale?.(key, error),
      )
      this.#entries.set(key, entry)
    }
    const value = entry.now()
    if (!(value instanceof Promise)) return value
    const loaded = entry
    return value.then(
      (found) => {
        this.#found(key, loaded, found)
        return found
      },
      (error: unknown) => {
        this.#drop(key, loaded)
        throw error
      },
    )
  }

  /** Drops the keys `matches` accepts (what a deleted function was kept under). */
  forget(matches: (key: string) => boolean): void {
    for (const key of this.#entries.keys()) if (matches(key)) this.#entries.delete(key)
  }

  /** Keys held (for tests). */
  get size(): number {
    return this.#entries.size
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#revalidateTimer)
    this.#unsubscribe()
    this.#entries.clear()
  }

  /** Every key loads again on its next use; with `revalidateMs`, the unused ones later too. */
  #changed(): void {
    for (const entry of this.#entries.values()) entry.invalidate()
    const after = this.#options.revalidateMs
    if (after === undefined || this.#revalidateTimer || this.#closed) return
    this.#revalidateTimer = setTimeout(() => void this.#revalidate(), after)
    this.#revalidateTimer.unref()
  }

  /**
   * Loads every key again that nobody asked for since the last change (the others are loaded
   * already: `get` answers them without the store), which finds those the store no longer has. A
   * key whose load fails keeps its last value (LastGood) and stays.
   */
  async #revalidate(): Promise<void> {
    this.#revalidateTimer = undefined
    await Promise.allSettled(
      [...this.#entries].map(([key, entry]) => entry.get().then((found) => this.#found(key, entry, found))),
    )
  }

  /** A load of `key` answered: one that found nothing drops it, telling its owner if it had served. */
  #found(key: string, entry: LastGood<V | undefined>, found: V | undefined): void {
    if (found !== undefined) {
      this.#served.add(entry)
      return
    }
    if (this.#entries.get(key) !== entry) return
    this.#entries.delete(key)
    if (this.#served.has(entry) && !this.#closed) this.#options.onGone?.(key)
  }

  #drop(key: string, entry: LastGood<V | undefined>): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key)
  }
}
