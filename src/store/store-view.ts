import type { ConfigReader, ConfigStore } from './config-store.js'

/**
 * A view derived from the store (API keys by value, domains by name, ...): built on first use,
 * dropped after every committed change (here or, for a shared store, on another node) and built
 * again when next asked. Holds a subscription to the change feed until `close()`.
 */
export class StoreView<T> {
  readonly #store: ConfigStore
  readonly #build: (reader: ConfigReader) => Promise<T>
  readonly #unsubscribe: () => void
  #current: Promise<T> | undefined

  constructor(store: ConfigStore, build: (reader: ConfigReader) => Promise<T>) {
    this.#store = store
    this.#build = build
    this.#unsubscribe = store.onChange(() => (this.#current = undefined))
  }

  get(): Promise<T> {
    return (this.#current ??= this.#store.read(this.#build))
  }

  close(): void {
    this.#unsubscribe()
  }
}
