import type { Logger } from 'pino'
import type { StageRecord } from '../model/index.js'
import type { ConfigStore } from '../store/index.js'
import { LastGood } from '../store/last-good.js'
import { compileDeployment, type CompiledDeployment } from './compiled-deployment.js'

/** What serves a stage right now: its settings and the compiled deployment(s) it points to. */
export interface ActiveStage {
  readonly stage: StageRecord
  readonly deployment: CompiledDeployment
  /** Present while the stage has a canary with a deployment. */
  readonly canary?: CompiledDeployment
}

export type StageLookup = ActiveStage | 'no-api' | 'no-stage'

/**
 * Resolves `(apiId, stageName)` to what serves it. Compiled deployments are cached by id (they
 * are immutable); stage records are cached until the store reports a committed change, then
 * reloaded on next use. A request keeps the ActiveStage it started with, so a rollback or a new
 * deployment swaps what new requests see while in-flight ones finish on the old one. While the
 * store cannot answer (PostgreSQL restarting), stages keep what they last loaded (LastGood).
 *
 * Holds a subscription to the store's change feed until `close()`.
 */
export class StageRegistry {
  readonly #store: ConfigStore
  readonly #log: Logger
  readonly #stages = new Map<string, LastGood<StageLookup>>()
  readonly #deployments = new Map<string, CompiledDeployment>()
  readonly #unsubscribe: () => void

  constructor(store: ConfigStore, log: Logger) {
    this.#store = store
    this.#log = log
    this.#unsubscribe = store.onChange(() => this.#changed())
  }

  /** The stage as it serves: the value itself once loaded (most requests), else its promise. */
  resolve(apiId: string, stageName: string): StageLookup | Promise<StageLookup> {
    const key = `${apiId}/${stageName}`
    let entry = this.#stages.get(key)
    if (!entry) {
      entry = new LastGood(
        () => this.#load(apiId, stageName),
        (error) =>
          this.#log.warn(
            { err: error, apiId, stageName },
            'store unreachable: serving the stage as last loaded',
          ),
      )
      this.#stages.set(key, entry)
    }
    return entry.now()
  }

  /**
   * Reload what serves on next use. Lookups that found nothing are dropped rather than kept
   * (requests for made-up ids must not grow the map across changes).
   */
  #changed(): void {
    for (const [key, entry] of this.#stages) {
      if (typeof entry.last === 'object') entry.invalidate()
      else this.#stages.delete(key)
    }
  }

  close(): void {
    this.#unsubscribe()
    this.#stages.clear()
  }

  async #load(apiId: string, stageName: string): Promise<StageLookup> {
    const found = await this.#store.read(async (r) => {
      const stage = await r.get('stage', apiId, stageName)
      if (!stage) return (await r.get('restapi', '', apiId)) ? 'no-stage' : 'no-api'
      const canaryId = stage.canarySettings?.deploymentId
      const ids = canaryId ? [stage.deploymentId, canaryId] : [stage.deploymentId]
      const records = await Promise.all(
        ids.filter((id) => !this.#deployments.has(id)).map((id) => r.get('deployment', apiId, id)),
      )
      return { stage, records }
    })
    if (typeof found === 'string') return found
    for (const record of found.records) {
      if (record) this.#deployments.set(record.id, compileDeployment(record))
    }
    const deployment = this.#deployments.get(found.stage.deploymentId)
    if (!deployment) {
      this.#log.error(
        { apiId, stageName, deploymentId: found.stage.deploymentId },
        'stage points to a missing deployment',
      )
      return 'no-stage'
    }
    const canaryId = found.stage.canarySettings?.deploymentId
    const canary = canaryId ? this.#deployments.get(canaryId) : undefined
    return { stage: found.stage, deployment, ...(canary ? { canary } : {}) }
  }
}
