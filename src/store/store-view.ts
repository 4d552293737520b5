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

/**
 * Values derived from the store one key at a time (an API's endpoint types, a function's record):
 * each loaded on first use, loaded again on its next use after every committed change, and
 * served as last loaded while the store cannot answer (LastGood). A key whose load finds nothing,
 * or fails with nothing loaded before, is dropped: keys may come from requests, and made-up ones
 * must not grow the map. Holds a subscription to the change feed until `close()`.
 */
export class KeyedStoreView<V> {
  readonly #entries = new Map<string, LastGood<V | undefined>>()
  readonly #load: (key: string) => Promise<V | undefined>
  readonly #onStale: ((key: string, error: unknown) => void) | undefined
  readonly #unsubscribe: () => void

  constructor(
    store: ConfigStore,
    load: (key: string) => Promise<V | undefined>,
    onStale?: (key: string, error: unknown) => void,
  ) {
    this.#load = load
    this.#onStale = onStale
    this.#unsubscribe = store.onChange(() => {
      for (const entry of this.#entries.values()) entry.invalidate()
    })
  }

  /** The key's value, at once when it is loaded (every request may ask), else its promise. */
  now(key: string): V | undefined | Promise<V | undefined> {
    let entry = this.#entries.get(key)
    if (!entry) {
      entry = new LastGood(
        () => this.#load(key),
        (error) => this.#onStale?.(key, error),
      )
      this.#entries.set(key, entry)
    }
    const value = entry.now()
    if (!(value instanceof Promise)) return value
    const loaded = entry
    return value.then(
      (found) => {
        if (found === undefined) this.#drop(key, loaded)
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
    this.#unsubscribe()
    this.#entries.clear()
  }

  #drop(key: string, entry: LastGood<V | undefined>): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key)
  }
}
