import type { EndpointType } from '../model/index.js'
import { StoreView, type ConfigReader, type ConfigStore } from '../store/index.js'

/**
 * The endpoint types of every API as they are now, not as deployed: on AWS a changed endpoint
 * type (UpdateRestApi `/endpointConfiguration/types/...`) applies without a new deployment, so a
 * PRIVATE API moves to the VPC endpoint listeners (and back) at once.
 */
export class ApiEndpoints {
  readonly #view: StoreView<Map<string, readonly EndpointType[]>>

  constructor(store: ConfigStore) {
    this.#view = new StoreView(store, load)
  }

  /** The API's endpoint types, at once when the view is loaded (every request asks). */
  typesOf(apiId: string): readonly EndpointType[] | undefined | Promise<readonly EndpointType[] | undefined> {
    const view = this.#view.now()
    return view instanceof Map ? view.get(apiId) : view.then((loaded) => loaded.get(apiId))
  }

  close(): void {
    this.#view.close()
  }
}

async function load(r: ConfigReader): Promise<Map<string, readonly EndpointType[]>> {
  const out = new Map<string, readonly EndpointType[]>()
  for (const doc of await r.list('restapi', '')) out.set(doc.api.id, doc.api.endpointConfiguration.types)
  return out
}
