import type { ApiKey, UsagePlan } from '../model/index.js'
import { StoreView, type ConfigReader, type ConfigStore } from '../store/index.js'

interface Snapshot {
  byValue: Map<string, ApiKey>
  /** Plans by key id. */
  plansOfKey: Map<string, UsagePlan[]>
}

/** What an accepted key brings to the request. */
export interface KeyGrant {
  key: ApiKey
  /** The key's plans that cover the API stage. */
  plans: UsagePlan[]
}

/**
 * API keys and usage plans as the data plane needs them: a key value resolves to the key and the
 * plans it belongs to. Loaded from the store on first use and again after every committed change.
 * Holds a subscription to the store's change feed until `close()`.
 */
export class ApiKeyRegistry {
  readonly #view: StoreView<Snapshot>

  constructor(store: ConfigStore) {
    this.#view = new StoreView(store, load)
  }

  /**
   * The grant for a key value on an API stage, or undefined when the key is unknown, disabled, or
   * in no usage plan that covers this stage — all of which AWS answers 403 Forbidden.
   */
  async grant(value: string, apiId: string, stage: string): Promise<KeyGrant | undefined> {
    const snapshot = await this.#view.get()
    const key = snapshot.byValue.get(value)
    if (!key?.enabled) return undefined
    const plans = (snapshot.plansOfKey.get(key.id) ?? []).filter((plan) =>
      plan.apiStages.some((s) => s.apiId === apiId && s.stage === stage),
    )
    return plans.length > 0 ? { key, plans } : undefined
  }

  close(): void {
    this.#view.close()
  }
}

/** Keys by value and the plans of each key, read in one consistent view. */
async function load(r: ConfigReader): Promise<Snapshot> {
  const keys = await r.list('apikey', '')
  const plans = await r.list('usageplan', '')
  const plansOfKey = new Map<string, UsagePlan[]>()
  for (const plan of plans) {
    for (const member of await r.list('usageplankey', plan.id)) {
      const list = plansOfKey.get(member.id) ?? []
      list.push(plan)
      plansOfKey.set(member.id, list)
    }
  }
  return { byValue: new Map(keys.map((k) => [k.value, k])), plansOfKey }
}
