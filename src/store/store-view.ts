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
