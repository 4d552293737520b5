import type { EndpointType } from '../model/index.js'
import { KeyedStoreView, type ConfigStore } from '../store/index.js'

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
  /** APIs asked about, each reloaded after a change; an API found gone is dropped. */
  readonly #apis: KeyedStoreView<readonly EndpointType[]>

  constructor(store: ConfigStore) {
    this.#apis = new KeyedStoreView(store, async (apiId) => {
      const doc = await store.read((r) => r.get('restapi', '', apiId))
      return doc?.api.endpointConfiguration.types
    })
  }

  /**
   * The API's endpoint types, at once when they are loaded (every request asks). Asked only for
   * APIs a stage was found for, so made-up ids from requests do not reach it.
   */
  typesOf(apiId: string): Types | Promise<Types> {
    return this.#apis.now(apiId)
  }

  /** APIs whose types are held (for tests). */
  get size(): number {
    return this.#apis.size
  }

  close(): void {
    this.#apis.close()
  }
}
