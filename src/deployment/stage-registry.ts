import type { Logger } from 'pino'
import type { StageRecord } from '../model/index.js'
import type { ConfigStore } from '../store/index.js'
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
 * deployment swaps what new requests see while in-flight ones finish on the old one.
 *
 * Holds a subscription to the store's change feed until `close()`.
 */
export class StageRegistry {
  readonly #store: ConfigStore
  readonly #log: Logger
  readonly #stages = new Map<string, Promise<StageLookup>>()
  readonly #deployments = new Map<string, CompiledDeployment>()
  readonly #unsubscribe: () => void

  constructor(store: ConfigStore, log: Logger) {
    this.#store = store
    this.#log = log
    this.#unsubscribe = store.onChange(() => this.#stages.clear())
  }

  resolve(apiId: string, stageName: string): Promise<StageLookup> {
    const key = `${apiId}/${stageName}`
    let pending = this.#stages.get(key)
    if (!pending) {
      pending = this.#load(apiId, stageName)
      this.#stages.set(key, pending)
      // A failed load must not stick: the next request tries again.
      pending.catch(() => this.#stages.delete(key))
    }
    return pending
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
