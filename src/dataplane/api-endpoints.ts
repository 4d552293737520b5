import type { EndpointType } from '../model/index.js'
import { LastGood, type ConfigStore } from '../store/index.js'

type Types = readonly EndpointType[] | undefined

/**
 * The endpoint types of every API as they are now, not as deployed: on AWS a changed endpoint
 * type (UpdateRestApi `/endpointConfiguration/types/...`) applies without a new deployment, so a
 * PRIVATE API moves to the VPC endpoint listeners (and back) at once.
 *
 * Loaded per API, on its first request after a change, and served from the last good load while
 * the store cannot answer. A view of all APIs reloaded after every change parsed every API's
 * whole document (its resources included) to read two words of each: with a 3,000-resource API
 * in the gateway, each deployment of any other API took ~12 ms longer to go live
 * (docs/performance.md).
 */
export class ApiEndpoints {
  readonly #store: ConfigStore
  /** APIs asked about, each reloaded after a change; an API found gone is dropped. */
  readonly #apis = new Map<string, LastGood<Types>>()
  readonly #unsubscribe: () => void

  constructor(store: ConfigStore) {
    this.#store = store
    this.#unsubscribe = store.onChange(() => {
      for (const api of this.#apis.values()) api.invalidate()
    })
  }

  /**
   * The API's endpoint types, at once when they are loaded (every request asks). Asked only for
   * APIs a stage was found for, so made-up ids from requests do not reach it.
   */
  typesOf(apiId: string): Types | Promise<Types> {
    let api = this.#apis.get(apiId)
    if (!api) {
      api = new LastGood(() => this.#load(apiId))
      this.#apis.set(apiId, api)
    }
    return api.now()
  }

  /** APIs whose types are held (for tests). */
  get size(): number {
    return this.#apis.size
  }

  close(): void {
    this.#unsubscribe()
    this.#apis.clear()
  }

  async #load(apiId: string): Promise<Types> {
    const doc = await this.#store.read((r) => r.get('restapi', '', apiId))
    if (!doc) this.#apis.delete(apiId)
    return doc?.api.endpointConfiguration.types
  }
}
