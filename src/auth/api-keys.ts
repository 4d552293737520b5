import type { ApiKey, ThrottleSettings, UsagePlan } from '../model/index.js'
import { quotaCounter, type QuotaCounter } from '../quota/usage-store.js'
import { StoreView, type ConfigReader, type ConfigStore } from '../store/index.js'
import { throttleKey, type ThrottleLevel } from '../throttle/throttle-store.js'
import type { RateLimit } from '../throttle/token-bucket.js'

interface Snapshot {
  byValue: Map<string, ApiKey>
  /** Plans by key id. */
  plansOfKey: Map<string, UsagePlan[]>
  /**
   * Grants already worked out, by key value, API id and stage. Only values of existing keys get an
   * entry, and only stages that exist reach the key check, so made-up requests cannot grow it.
   */
  grants: Map<string, Map<string, Map<string, KeyGrant | undefined>>>
}

/** What an accepted key brings to the request, worked out once per key, API stage and configuration. */
export interface KeyGrant {
  key: ApiKey
  /** The key's plans that cover the API stage. */
  plans: UsagePlan[]
  /** The key's quota counter in each of those plans that sets a quota. */
  quotas: QuotaCounter[]
  /** The buckets of the plans' throttles for this key (the per-client limits of a usage plan). */
  throttles: ThrottleLevel[]
  /** The buckets of the plans' per-method throttles on this stage, by `{resourcePath}/{httpMethod}`. */
  methodThrottles: Map<string, ThrottleLevel[]>
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
   * in no usage plan that covers this stage — all of which AWS answers 403 Forbidden. At once
   * when the keys are loaded, as a promise while they load.
   */
  grant(value: string, apiId: string, stage: string): KeyGrant | undefined | Promise<KeyGrant | undefined> {
    const snapshot = this.#view.now()
    return snapshot instanceof Promise
      ? snapshot.then((loaded) => grantIn(loaded, value, apiId, stage))
      : grantIn(snapshot, value, apiId, stage)
  }

  close(): void {
    this.#view.close()
  }
}

/** A key value's grant on an API stage in a snapshot, worked out once per key and stage. */
function grantIn(snapshot: Snapshot, value: string, apiId: string, stage: string): KeyGrant | undefined {
  const key = snapshot.byValue.get(value)
  if (!key?.enabled) return undefined
  // By key value, API and stage: nested maps, so that a request builds no string to look it up.
  let ofKey = snapshot.grants.get(value)
  if (!ofKey) snapshot.grants.set(value, (ofKey = new Map<string, Map<string, KeyGrant | undefined>>()))
  let ofApi = ofKey.get(apiId)
  if (!ofApi) ofKey.set(apiId, (ofApi = new Map<string, KeyGrant | undefined>()))
  const kept = ofApi.get(stage)
  if (kept !== undefined || ofApi.has(stage)) return kept
  const grant = grantOf(key, snapshot.plansOfKey.get(key.id) ?? [], apiId, stage)
  ofApi.set(stage, grant)
  return grant
}

/** A usage plan's throttle as a bucket limit; an unset half does not limit. */
const planLimit = (t: ThrottleSettings): RateLimit => ({
  rate: t.rateLimit ?? Infinity,
  burst: t.burstLimit ?? Infinity,
})

function grantOf(key: ApiKey, plansOfKey: UsagePlan[], apiId: string, stage: string): KeyGrant | undefined {
  // Each plan of the key that covers this API stage, with its entry for the stage.
  const covering = plansOfKey.flatMap((plan) => {
    const apiStage = plan.apiStages.find((s) => s.apiId === apiId && s.stage === stage)
    return apiStage ? [{ plan, apiStage }] : []
  })
  if (covering.length === 0) return undefined
  const plans = covering.map(({ plan }) => plan)
  const throttles: ThrottleLevel[] = []
  const methodThrottles = new Map<string, ThrottleLevel[]>()
  for (const { plan, apiStage } of covering) {
    const perMethod = apiStage.throttle ?? {}
    // Keyed `/{resourcePath}/{httpMethod}` (AWS's ApiStage.throttle): the method is after the last `/`.
    for (const [pathAndMethod, limit] of Object.entries(perMethod)) {
      const slash = pathAndMethod.lastIndexOf('/')
      const [path, method] = [pathAndMethod.slice(0, slash), pathAndMethod.slice(slash + 1)]
      const levels = methodThrottles.get(pathAndMethod) ?? []
      levels.push({
        key: throttleKey('plan-method', plan.id, key.id, apiId, stage, path, method),
        limit: planLimit(limit),
      })
      methodThrottles.set(pathAndMethod, levels)
    }
    if (plan.throttle && (plan.throttle.rateLimit ?? plan.throttle.burstLimit) !== undefined)
      throttles.push({ key: throttleKey('plan', plan.id, key.id), limit: planLimit(plan.throttle) })
  }
  const quotas = plans.flatMap((plan) => quotaCounter(plan, key.id) ?? [])
  return { key, plans, quotas, throttles, methodThrottles }
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
  return { byValue: new Map(keys.map((k) => [k.value, k])), plansOfKey, grants: new Map() }
}
