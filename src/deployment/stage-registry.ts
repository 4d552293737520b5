import type { Logger } from 'pino'
import type { StageRecord } from '../model/index.js'
import type { ConfigStore } from '../store/index.js'
import { BoundedCache } from '../model/bounded-cache.js'
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

export interface StageRegistryOptions {
  /**
   * How long after a change the stages nobody asked for since are loaded again in the background,
   * so that deleted ones are forgotten (ms; default 5,000).
   */
  readonly revalidateMs?: number
  /** Told of each stage the registry forgets because the store no longer has it (or its API). */
  readonly onStageGone?: (apiId: string, stageName: string) => void
}

const DEFAULT_REVALIDATE_MS = 5_000
/** Lookups that found no stage or API, kept until the next change (then all dropped at once). */
const MISSING_LOOKUPS = 10_000
const MISSING_KEY_CHARS = 512

/**
 * Resolves `(apiId, stageName)` to what serves it. Compiled deployments are cached by id (they
 * are immutable); stage records are cached until the store reports a committed change, then
 * reloaded on next use. A request keeps the ActiveStage it started with, so a rollback or a new
 * deployment swaps what new requests see while in-flight ones finish on the old one. While the
 * store cannot answer (PostgreSQL restarting), stages keep what they last loaded (LastGood).
 *
 * Memory stays bounded by what the store holds: a compiled deployment is kept while a loaded
 * stage points to it, and dropped (after the loads that follow a change) once none does. A
 * stage that was loaded once and not asked for after a change is loaded again a few seconds
 * later in the background, so that a deleted stage is forgotten even if nobody asks for it
 * again (its compiled deployment with it; `onStageGone` tells the metrics and execution logs).
 *
 * Holds a subscription to the store's change feed, and a timer after changes, until `close()`.
 */
export class StageRegistry {
  readonly #store: ConfigStore
  readonly #log: Logger
  /**
   * Loaded stages by API id, then stage name: nested, so that a request builds no key string
   * (`apiId/stage`, built and hashed per request, was ~1% of a MOCK request, profiled 2026-12-07).
   */
  readonly #stages = new Map<string, Map<string, LastGood<StageLookup>>>()
  readonly #deployments = new Map<string, CompiledDeployment>()
  readonly #missing = new BoundedCache<string, 'no-api' | 'no-stage'>(MISSING_LOOKUPS)
  /**
   * The entries whose loads handed a stage to a request (or a revalidation): their metrics series
   * may exist. Not LastGood's `last`, which keeps only a load no change overtook: a stage first
   * served by a load the change feed overtook (a deployment's own notification arriving while the
   * first request read it) had no `last`, and its deletion went untold (CI, 2026-12-07, twice).
   */
  readonly #served = new WeakSet<LastGood<StageLookup>>()
  readonly #unsubscribe: () => void
  readonly #revalidateMs: number
  readonly #onStageGone: ((apiId: string, stageName: string) => void) | undefined
  #revalidateTimer: NodeJS.Timeout | undefined
  /** Counts the store's changes: a load that answers after one answered for the store before it. */
  #changes = 0
  #sweepPending = false
  #closed = false

  constructor(store: ConfigStore, log: Logger, options: StageRegistryOptions = {}) {
    this.#store = store
    this.#log = log
    this.#revalidateMs = options.revalidateMs ?? DEFAULT_REVALIDATE_MS
    this.#onStageGone = options.onStageGone
    this.#unsubscribe = store.onChange(() => this.#changed())
  }

  /** How many stages are loaded or loading (for tests and diagnostics). */
  get loadedStages(): number {
    let count = 0
    for (const ofApi of this.#stages.values()) count += ofApi.size
    return count
  }

  /** How many compiled deployments are held (for tests and diagnostics). */
  get compiledDeployments(): number {
    return this.#deployments.size
  }

  /** The stage as it serves: the value itself once loaded (most requests), else its promise. */
  resolve(apiId: string, stageName: string): StageLookup | Promise<StageLookup> {
    let entry = this.#stages.get(apiId)?.get(stageName)
    if (!entry) {
      const missing = this.#missing.peek(`${apiId}/${stageName}`)
      if (missing !== undefined) return missing
      entry = new LastGood(
        () => this.#load(apiId, stageName),
        (error) =>
          this.#log.warn(
            { err: error, apiId, stageName },
            'store unreachable: serving the stage as last loaded',
          ),
      )
      let ofApi = this.#stages.get(apiId)
      if (!ofApi) this.#stages.set(apiId, (ofApi = new Map<string, LastGood<StageLookup>>()))
      ofApi.set(stageName, entry)
    }
    const changes = this.#changes
    const found = entry.now()
    return found instanceof Promise
      ? found.then((value) => this.#settled(apiId, stageName, entry, value, changes))
      : found
  }

  /**
   * A load of `key` answered `value`. A stage or API that does not exist leaves `#stages` (ids
   * and names come from requests: a scanner's made-up ones must not grow it) for the bounded
   * `#missing`; one that served before (`#served`) is gone, and `onStageGone` is told. An answer
   * read before a change (`changes` is the count when the load began) is passed on and kept
   * nowhere: a stage deployed while a request was loading it was found missing, and kept in
   * `#missing` after the change had cleared it, answered 403 until the next change.
   */
  #settled(
    apiId: string,
    stageName: string,
    entry: LastGood<StageLookup>,
    value: StageLookup,
    changes: number,
  ): StageLookup {
    if (typeof value === 'object') {
      this.#served.add(entry)
      return value
    }
    const ofApi = this.#stages.get(apiId)
    if (ofApi?.get(stageName) !== entry || changes !== this.#changes) return value
    ofApi.delete(stageName)
    if (ofApi.size === 0) this.#stages.delete(apiId)
    // A name longer than any AWS allows (stage names: 128 characters) is not worth keeping.
    const key = `${apiId}/${stageName}`
    if (key.length <= MISSING_KEY_CHARS) this.#missing.put(key, value)
    if (this.#served.has(entry)) this.#onStageGone?.(apiId, stageName)
    return value
  }

  /** Reload what serves on next use, and forget what was missing (it may exist now). */
  #changed(): void {
    this.#changes++
    this.#missing.clear()
    for (const ofApi of this.#stages.values()) for (const entry of ofApi.values()) entry.invalidate()
    if (!this.#revalidateTimer && !this.#closed) {
      this.#revalidateTimer = setTimeout(() => void this.#revalidate(), this.#revalidateMs)
      this.#revalidateTimer.unref()
    }
  }

  /**
   * Loads every stage again that nobody asked for since the last change (the others are loaded
   * already: `get` answers them without the store), which forgets those the store no longer has.
   * A stage whose load fails keeps serving what it last loaded (LastGood) and stays.
   */
  async #revalidate(): Promise<void> {
    this.#revalidateTimer = undefined
    await Promise.allSettled(
      [...this.#stages].flatMap(([apiId, ofApi]) =>
        [...ofApi].map(([stageName, entry]) => {
          const changes = this.#changes
          return entry.get().then((value) => this.#settled(apiId, stageName, entry, value, changes))
        }),
      ),
    )
    if (!this.#closed) this.#sweep()
  }

  /** Drops the compiled deployments no loaded stage points to any more. */
  #sweep(): void {
    this.#sweepPending = false
    const kept = new Set<CompiledDeployment>()
    for (const entry of [...this.#stages.values()].flatMap((ofApi) => [...ofApi.values()])) {
      const active = entry.last
      if (typeof active !== 'object') continue
      kept.add(active.deployment)
      if (active.canary) kept.add(active.canary)
    }
    for (const [id, deployment] of this.#deployments) {
      if (!kept.has(deployment)) this.#deployments.delete(id)
    }
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#revalidateTimer)
    this.#unsubscribe()
    this.#stages.clear()
  }

  async #load(apiId: string, stageName: string): Promise<StageLookup> {
    // What is compiled already is taken now: a sweep while the store reads must not lose it.
    const compiled = new Map(this.#deployments)
    const found = await this.#store.read(async (r) => {
      const stage = await r.get('stage', apiId, stageName)
      if (!stage) return (await r.get('restapi', '', apiId)) ? 'no-stage' : 'no-api'
      const canaryId = stage.canarySettings?.deploymentId
      const ids = canaryId ? [stage.deploymentId, canaryId] : [stage.deploymentId]
      const records = await Promise.all(
        ids.filter((id) => !compiled.has(id)).map((id) => r.get('deployment', apiId, id)),
      )
      return { stage, records }
    })
    if (typeof found === 'string') return found
    for (const record of found.records) {
      if (record) {
        const deployment = this.#deployments.get(record.id) ?? compileDeployment(record)
        compiled.set(record.id, deployment)
        this.#deployments.set(record.id, deployment)
      }
    }
    // The stage's value is kept once this load returns; sweep after that, once for many loads.
    if (!this.#sweepPending) {
      this.#sweepPending = true
      setImmediate(() => this.#sweep())
    }
    const deployment = compiled.get(found.stage.deploymentId)
    if (!deployment) {
      this.#log.error(
        { apiId, stageName, deploymentId: found.stage.deploymentId },
        'stage points to a missing deployment',
      )
      return 'no-stage'
    }
    const canaryId = found.stage.canarySettings?.deploymentId
    const canary = canaryId ? compiled.get(canaryId) : undefined
    return { stage: found.stage, deployment, ...(canary ? { canary } : {}) }
  }
}
