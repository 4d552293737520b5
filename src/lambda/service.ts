import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, watch, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import type { Logger } from 'pino'
import type { TollgateConfig } from '../config/config.js'
import { KeyedStoreView, type ConfigStore, type ConfigTx } from '../store/index.js'
import { lambdaTimestamp, type FunctionConfiguration, type FunctionRecord } from './model.js'
import {
  ExecutionEnvironment,
  LOG_TAIL_BYTES,
  NOT_RUN,
  type InvocationOutcome,
  type NotRun,
} from './runtime/environment.js'
import { unzipTo } from './zip.js'
import { pooledRandomBytes } from '../model/ids.js'
import { BoundedCache } from '../model/bounded-cache.js'
import { jsonDepthExceeds } from '../model/json-depth.js'
import { nodeBinaryFor } from './runtime/node-binary.js'
import { RuntimeApiEnvironment } from './runtime/runtime-api-environment.js'
import type { ConcurrencyLeases } from './concurrency.js'
import type { LogGroups } from '../logs/log-groups.js'
import { EnvironmentPool, type Acquired, type Environment, type NotAcquired } from './environment-pool.js'

/** Environments per function at most (AWS scales to the account limit, 1,000; a machine running
 * Tollgate holds fewer processes); a synchronous invoke beyond them gets 429 at once, as on AWS. */
const DEFAULT_CONCURRENCY = 100
/** A concurrency lease outlives the function's timeout by this much (then a dead node's slot comes back). */
const LEASE_MARGIN_MS = 5_000
/** Idle environments are stopped after this long. */
const IDLE_MS = 5 * 60_000

/** Hooks for Lambda metrics: invocations, errors, throttles, duration, concurrent executions, cold starts. */
export interface LambdaObserver {
  /**
   * An invocation of a function that exists started (a name nobody created is not counted: it
   * would add a series per made-up name). What it returns counts how that invocation ends, even
   * when the function was forgotten in between.
   */
  started(name: string): ObservedInvocation
  /** The function was deleted: its series go. */
  forgetFunction(name: string): void
}

/** One invocation being counted. */
export interface ObservedInvocation {
  finished(durationMs: number, outcome: 'ok' | 'error' | 'throttled'): void
  /** The invocation started a new execution environment. */
  coldStarted(): void
}

export class LambdaError extends Error {
  constructor(
    readonly type:
      | 'ResourceNotFoundException'
      | 'ResourceConflictException'
      | 'InvalidParameterValueException'
      | 'TooManyRequestsException',
    message: string,
  ) {
    super(message)
  }
}

/** A code package unpacked on this node; `key` and `zip` are set when the store is shared. */
export interface StoredCode {
  codeDir: string
  sha: string
  size: number
  key?: string
  zip?: Buffer
}

/**
 * What an invocation carries: a client's JSON payload, or an event the gateway built itself (a
 * proxy event), handed to the runtime as it is. Serialising the event to JSON for the payload to
 * be parsed and checked again cost ~8% of the gateway's CPU on the AWS_PROXY path.
 */
export type InvokePayload = Buffer | { readonly event: Record<string, unknown> }

/** A client's payload as the event: JSON, nested no deeper than the runtime's channel can copy. */
function parsePayload(payload: Buffer): unknown {
  try {
    const text = payload.toString('utf8')
    const event: unknown = payload.length === 0 ? {} : JSON.parse(text)
    // The event is serialised again for the runtime, recursively: a payload nested 100,000 deep
    // overflowed the stack there, outside any handler.
    if (jsonDepthExceeds(text)) throw new RangeError('payload nested too deep')
    return event
  } catch {
    throw new LambdaError(
      'InvalidParameterValueException',
      'Could not parse request body into json: Could not parse payload into json',
    )
  }
}

export interface InvokeResult {
  payload: Buffer
  functionError?: 'Unhandled'
  log: string
  executedVersion: string
  /** The invocation's request id (the function's context.awsRequestId). */
  requestId: string
  /** A new execution environment was started for it (its init ran first). */
  coldStart: boolean
}

/**
 * The built-in Lambda service: functions stored in the config store (code unpacked under the data
 * directory), run in warm, isolated Node.js environments. Holds those child processes and an
 * idle-reaping timer until `close()`.
 */
export class LambdaService {
  readonly #store: ConfigStore
  readonly #config: TollgateConfig
  readonly #log: Logger
  readonly #codeRoot: string
  readonly #pools = new Map<string, EnvironmentPool>()
  readonly #reaper: NodeJS.Timeout
  /** Each hot-reload function's watcher, by name, and the folder it watches. */
  readonly #watchers = new Map<string, { folder: string; close(): void }>()
  readonly #timers = new Set<NodeJS.Timeout>()
  /** Function records by `name:qualifier`, loaded again after every change (see `resolve`). */
  readonly #records: KeyedStoreView<FunctionRecord>
  /**
   * `name:$LATEST` by name: the record key of most invocations, built and hashed anew for each
   * one otherwise (with the pool key, ~1% of an AWS_PROXY request, profiled 2026-12-07).
   */
  readonly #latestKeys = new BoundedCache<string, string>(1_000)
  /** Set by `close()`: no environment starts after it. */
  #closed = false
  /** Where each function's shared package is on this node, by `name:key` (concurrent first invokes wait for one unpack). */
  readonly #localCode = new Map<string, Promise<string>>()
  /** Each environment's log stream (one per environment, as on AWS). */
  readonly #streams = new WeakMap<Environment, string>()

  constructor(store: ConfigStore, config: TollgateConfig, log: Logger) {
    this.#store = store
    this.#config = config
    this.#log = log
    this.#codeRoot =
      config.dataDir === ':memory:'
        ? mkdtempSync(join(tmpdir(), 'tollgate-functions-'))
        : join(config.dataDir, 'functions')
    mkdirSync(this.#codeRoot, { recursive: true })
    this.#reaper = setInterval(() => this.#reapIdle(), 30_000).unref()
    this.#records = new KeyedStoreView(
      store,
      (key) => {
        const colon = key.indexOf(':')
        return this.#load(key.slice(0, colon), key.slice(colon + 1))
      },
      {
        onStale: (key, error) =>
          this.#log.warn(
            { err: error, function: key.slice(0, key.indexOf(':')) },
            'store unreachable: invoking the function as last loaded',
          ),
        // A function deleted through another node sharing the store: found gone when its records
        // are loaded again, on use or `--stage-revalidate-ms` after the change, and forgotten here too.
        // A store of this node's own needs no reloads for it: DeleteFunction here calls `forget`.
        onGone: (key) => void this.#forgetIfDeleted(key.slice(0, key.indexOf(':'))),
        ...(store.shared ? { revalidateMs: config.stageRevalidateMs } : {}),
      },
    )
  }

  /** Forgets `name` on this node once the store has no such function (a version or alias may go alone). */
  async #forgetIfDeleted(name: string): Promise<void> {
    try {
      if ((await this.#load(name)) === undefined && !this.#closed) this.forget(name)
    } catch {
      // The store cannot answer: the next change or use looks again.
    }
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.#config.region}:${this.#config.accountId}:function:${name}`
  }

  notFound(name: string): LambdaError {
    return new LambdaError('ResourceNotFoundException', `Function not found: ${this.functionArn(name)}`)
  }

  /**
   * Unpacks a code zip and returns where it lives, its SHA-256 (base64) and size; with a shared
   * store also the package and its key, for `shareCode`.
   */
  async storeCode(name: string, zip: Buffer): Promise<StoredCode> {
    const digest = createHash('sha256').update(zip).digest()
    const hex = digest.toString('hex')
    const codeDir = join(this.#codeRoot, name, hex.slice(0, 16) + randomBytes(3).toString('hex'))
    await this.#unpack(zip, codeDir)
    return {
      codeDir,
      sha: digest.toString('base64'),
      size: zip.length,
      ...(this.#store.shared ? { key: hex, zip } : {}),
    }
  }

  /** Puts the package in a shared store, in the transaction that points the function at it. */
  async shareCode(tx: ConfigTx, name: string, code: StoredCode): Promise<void> {
    if (code.key && code.zip)
      await tx.put('function-code', name, code.key, { key: code.key, zip: code.zip.toString('base64') })
  }

  async #unpack(zip: Buffer, codeDir: string): Promise<void> {
    mkdirSync(codeDir, { recursive: true })
    try {
      await unzipTo(zip, codeDir)
    } catch (error) {
      rmSync(codeDir, { recursive: true, force: true })
      throw new LambdaError(
        'InvalidParameterValueException',
        `Could not unzip uploaded file. Please check your file, then try to upload again. (${(error as Error).message})`,
      )
    }
  }

  /**
   * The record with its code on this node: a package stored through another node sharing the
   * store is unpacked here once, under the data directory, by its key. Where each key's code lives
   * is kept, so an invocation looks at the disk only the first time.
   */
  async #withLocalCode(record: FunctionRecord): Promise<FunctionRecord> {
    const key = record.codeKey
    if (!key) return record
    const slot = `${record.configuration.FunctionName}:${key}`
    let located = this.#localCode.get(slot)
    if (!located) {
      located = this.#locate(record, key)
      this.#localCode.set(slot, located)
      // A failed unpack is tried again by the next invocation.
      located.catch(() => this.#localCode.delete(slot))
    }
    const codeDir = await located
    return codeDir === record.codeDir ? record : { ...record, codeDir }
  }

  async #locate(record: FunctionRecord, key: string): Promise<string> {
    if (existsSync(record.codeDir)) return record.codeDir
    const name = record.configuration.FunctionName
    const codeDir = join(this.#codeRoot, name, `shared-${key}`)
    if (existsSync(join(codeDir, '.complete'))) return codeDir
    const code = await this.#store.read((r) => r.get('function-code', name, key))
    if (!code) throw new LambdaError('ResourceNotFoundException', `Code of ${name} not found in the store`)
    rmSync(codeDir, { recursive: true, force: true })
    await this.#unpack(Buffer.from(code.zip, 'base64'), codeDir)
    writeFileSync(join(codeDir, '.complete'), '')
    return codeDir
  }

  /**
   * A developer's folder used as the code in place (hot reload). Every change in it stops the
   * function's warm environments, so the next invocation loads the new code.
   */
  hotReloadCode(folder: string): StoredCode {
    if (!isAbsolute(folder) || !existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new LambdaError(
        'InvalidParameterValueException',
        `Hot reload needs the absolute path of an existing folder as S3Key: ${folder}`,
      )
    }
    return { codeDir: folder, sha: createHash('sha256').update(folder).digest('base64'), size: 0 }
  }

  newConfiguration(
    fields: Omit<
      FunctionConfiguration,
      | 'FunctionArn'
      | 'LastModified'
      | 'Version'
      | 'TracingConfig'
      | 'RevisionId'
      | 'State'
      | 'LastUpdateStatus'
      | 'PackageType'
      | 'Architectures'
      | 'EphemeralStorage'
      | 'LoggingConfig'
    >,
  ): FunctionConfiguration {
    return {
      ...fields,
      FunctionArn: this.functionArn(fields.FunctionName),
      LastModified: lambdaTimestamp(),
      Version: '$LATEST',
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: randomUUID(),
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: 'Text', LogGroup: logGroupOf(fields.FunctionName) },
    }
  }

  /** Drops the warm environments of a function, every version (its code or configuration changed, or it is gone). */
  retire(name: string): void {
    for (const [key, pool] of this.#pools) {
      if (key !== name && !key.startsWith(`${name}:`)) continue
      this.#pools.delete(key)
      pool.retire()
    }
  }

  /**
   * Forgets a deleted function on this node: stops its environments (as `retire`) and drops what
   * is kept by its name: its records, where its code was unpacked, its hot-reload watcher and its
   * metrics. Other nodes sharing the store learn of the delete through the store's change feed:
   * their records load again (on use, or `--stage-revalidate-ms` after the change), find nothing,
   * and they forget the function as well (`#forgetIfDeleted`).
   */
  forget(name: string): void {
    this.retire(name)
    const prefix = `${name}:`
    this.#records.forget((key) => key.startsWith(prefix))
    for (const key of this.#localCode.keys()) if (key.startsWith(prefix)) this.#localCode.delete(key)
    this.#unwatch(name)
    this.observer?.forgetFunction(name)
  }

  /**
   * The record a qualifier names: $LATEST (none), a published version number, or an alias (which
   * points at a version).
   */
  async resolve(name: string, qualifier?: string): Promise<FunctionRecord> {
    return this.#record(name, qualifier)
  }

  /**
   * `resolve`, answered at once when the record is loaded (most invocations): each `await` of a
   * value at hand still costs turns of the microtask queue, a dozen per AWS_PROXY request before.
   */
  #record(name: string, qualifier: string | undefined): FunctionRecord | Promise<FunctionRecord> {
    // Records are kept until the store changes (and served as last loaded while it cannot
    // answer); names that are not found are not kept.
    const key = qualifier === undefined ? this.#latestKeys.get(name, latestKey) : `${name}:${qualifier}`
    const found = this.#records.now(key)
    return found instanceof Promise
      ? found.then((record) => this.#found(record, name, qualifier))
      : this.#found(found, name, qualifier)
  }

  #found(record: FunctionRecord | undefined, name: string, qualifier: string | undefined): FunctionRecord {
    if (!record) {
      throw new LambdaError(
        'ResourceNotFoundException',
        `Function not found: ${this.functionArn(name)}${qualifier ? `:${qualifier}` : ''}`,
      )
    }
    return record
  }

  #load(name: string, qualifier?: string): Promise<FunctionRecord | undefined> {
    return this.#store.read(async (r) => {
      if (qualifier === undefined || qualifier === '$LATEST') return r.get('function', '', name)
      if (/^\d+$/.test(qualifier)) return r.get('function-version', name, qualifier)
      const alias = await r.get('function-alias', name, qualifier)
      if (!alias) return undefined
      return alias.FunctionVersion === '$LATEST'
        ? r.get('function', '', name)
        : r.get('function-version', name, alias.FunctionVersion)
    })
  }

  /** Told about every synchronous invocation (the metrics' Lambda set). */
  observer: LambdaObserver | undefined

  /** Where every invocation's log goes (`/aws/lambda/{name}`), for the CloudWatch Logs API. */
  logs: LogGroups | undefined

  /** Reserved concurrency across gateway nodes (with --redis); each node's pools enforce it locally too. */
  concurrency: ConcurrencyLeases | undefined

  /** Invokes a function synchronously and returns its payload, as the Invoke API and integrations need. */
  async invoke(
    name: string,
    payload: InvokePayload,
    qualifier?: string,
    traceId?: string,
  ): Promise<InvokeResult> {
    const started = performance.now()
    const found = this.#record(name, qualifier)
    const record = found instanceof Promise ? await found : found
    const observer = this.observer
    if (!observer) return this.#invoke(name, record, payload, qualifier, traceId)
    // Counted once the function is known to exist (a function not found is no invocation of it).
    const observed = observer.started(name)
    try {
      const result = await this.#invoke(name, record, payload, qualifier, traceId)
      observed.finished(performance.now() - started, result.functionError ? 'error' : 'ok')
      if (result.coldStart) observed.coldStarted()
      return result
    } catch (error) {
      const throttled = error instanceof LambdaError && error.type === 'TooManyRequestsException'
      observed.finished(performance.now() - started, throttled ? 'throttled' : 'error')
      throw error
    }
  }

  async #invoke(
    name: string,
    record: FunctionRecord,
    payload: InvokePayload,
    qualifier: string | undefined,
    traceId: string | undefined,
  ): Promise<InvokeResult> {
    const event = Buffer.isBuffer(payload) ? parsePayload(payload) : payload.event
    const config = record.configuration
    const reserved = record.reservedConcurrency
    let lease: Awaited<ReturnType<ConcurrencyLeases['acquire']>> | undefined
    if (reserved !== undefined && this.concurrency) {
      lease = await this.concurrency.acquire(name, reserved, config.Timeout * 1000 + LEASE_MARGIN_MS)
      if (!lease) throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.')
    }
    try {
      return await this.#run(name, record, event, qualifier, traceId)
    } finally {
      if (lease) await lease.release()
    }
  }

  async #run(
    name: string,
    record: FunctionRecord,
    event: unknown,
    qualifier: string | undefined,
    traceId: string | undefined,
  ): Promise<InvokeResult> {
    const since = performance.now()
    let current = record.codeKey ? await this.#withLocalCode(record) : record
    const requestId = randomUUID()
    let ran: Ran | undefined
    // Undefined: the environment gave it back unrun (NOT_RUN: queued behind a slow invocation, or
    // its process ended first); another serves it, its wait counted from `since`.
    for (let givenBack: number | undefined; !ran; givenBack = since) {
      const first = givenBack === undefined ? this.#environment(current) : undefined
      let acquired = first instanceof Promise ? await first : first
      // Its pool was retired while it waited, or may have been if it was given back (the code or
      // configuration changed): the record as it is now serves it.
      while (!acquired) {
        current = await this.#withLocalCode(await this.resolve(name, qualifier))
        acquired = await this.#environment(current, givenBack)
      }
      ran = await this.#runIn(acquired, name, current, requestId, qualifier, event, traceId)
    }
    const { outcome, coldStart, stream, started } = ran
    const config = current.configuration
    const logGroupName = logGroupOf(config.FunctionName)
    if (outcome.log && this.#log.isLevelEnabled('debug'))
      this.#log.debug({ function: name, requestId }, outcome.log.trimEnd())
    const finished = Date.now()
    this.logs?.put(logGroupName, stream, outcome.report, started, finished, finished)
    return {
      payload: Buffer.from(outcome.payload),
      ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
      // AWS returns the last 4 KB of an invocation's log with LogType Tail.
      log: outcome.log.length > LOG_TAIL_BYTES ? outcome.log.slice(-LOG_TAIL_BYTES) : outcome.log,
      executedVersion: config.Version,
      requestId,
      coldStart,
    }
  }

  /** One attempt at an invocation in the environment it was given; undefined if given back unrun. */
  async #runIn(
    acquired: PooledEnvironment,
    name: string,
    current: FunctionRecord,
    requestId: string,
    qualifier: string | undefined,
    event: unknown,
    traceId: string | undefined,
  ): Promise<Ran | undefined> {
    const { pool, environment, coldStart } = acquired
    const config = current.configuration
    const stream = this.#streams.get(environment) ?? logStreamName(config.Version)
    const started = Date.now()
    let outcome: InvocationOutcome | NotRun
    try {
      outcome = await environment.invoke(requestId, event, {
        functionName: config.FunctionName,
        functionVersion: config.Version,
        invokedFunctionArn: qualifier ? `${this.functionArn(name)}:${qualifier}` : this.functionArn(name),
        memoryLimitInMB: String(config.MemorySize),
        awsRequestId: requestId,
        logGroupName: logGroupOf(config.FunctionName),
        logStreamName: stream,
        // The X-Ray trace header the function sees as _X_AMZN_TRACE_ID (not a context field).
        _traceId:
          traceId ??
          `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${requestId.replaceAll('-', '').slice(0, 24)}`,
      })
    } finally {
      pool.release(environment)
    }
    return outcome === NOT_RUN ? undefined : { outcome, coldStart, stream, started }
  }

  /**
   * An asynchronous (Event) invocation: accepted at once, run in the background; a function error
   * is retried twice, after the configured delay and twice that (AWS docs "invocation-async":
   * two retries, about one and two minutes apart). Outcomes go to the log.
   */
  invokeAsync(name: string, payload: Buffer, qualifier?: string): void {
    // Throttled: AWS keeps an Event invocation queued and tries again (for up to six hours).
    let throttledRetries = 360
    const later = (fn: () => void, ms: number): void => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        fn()
      }, ms)
      timer.unref()
      this.#timers.add(timer)
    }
    const attempt = (retriesLeft: number, delay: number): void => {
      this.invoke(name, payload, qualifier).then(
        (result) => {
          if (!result.functionError) return
          this.#log.warn(
            { function: name, retriesLeft, error: result.payload.toString() },
            'asynchronous invocation failed',
          )
          if (retriesLeft > 0) later(() => attempt(retriesLeft - 1, delay * 2), delay)
        },
        (error: unknown) => {
          if (
            error instanceof LambdaError &&
            error.type === 'TooManyRequestsException' &&
            throttledRetries-- > 0
          ) {
            later(() => attempt(retriesLeft, delay), Math.min(Math.max(delay, 10), 1_000))
            return
          }
          this.#log.warn({ err: error, function: name }, 'asynchronous invocation could not run')
        },
      )
    }
    attempt(2, this.#config.lambdaAsyncRetryDelayMs)
  }

  /** Stops every environment. */
  close(): void {
    this.#closed = true
    this.#records.close()
    clearInterval(this.#reaper)
    for (const timer of this.#timers) clearTimeout(timer)
    for (const watcher of this.#watchers.values()) watcher.close()
    this.#watchers.clear()
    for (const name of [...this.#pools.keys()]) this.retire(name)
  }

  /**
   * A warm, idle environment of the function, or a new one (a cold start), or the first one that
   * becomes free or finishes starting when MAX_CONCURRENT_STARTS are starting already; undefined
   * when the pool was retired while the invocation waited (the function's code or configuration
   * changed: the caller reads the record again).
   */
  #environment(
    record: FunctionRecord,
    givenBackSince?: number,
  ): PooledEnvironment | undefined | Promise<PooledEnvironment | undefined> {
    // An invocation that waited through shutdown must not start a process nobody stops.
    if (this.#closed) throw new Error('the Lambda service is closed')
    const config = record.configuration
    if (record.hotReload) this.#watch(config.FunctionName, record.codeDir)
    const key = poolKey(config)
    let pool = this.#pools.get(key)
    if (pool && pool.revisionId !== config.RevisionId) {
      pool.retire()
      pool = undefined
    }
    if (!pool) {
      pool = new EnvironmentPool(config.RevisionId)
      this.#pools.set(key, pool)
    }
    const acquired = pool.acquire(
      record.reservedConcurrency ?? DEFAULT_CONCURRENCY,
      () => this.#start(record),
      givenBackSince,
    )
    const inPool = pool
    // An idle environment is handed over at once; only a wait for one is a promise.
    return acquired instanceof Promise
      ? acquired.then((settled) => pooled(settled, inPool))
      : pooled(acquired, inPool)
  }

  /** Starts a new execution environment of the function. */
  #start(record: FunctionRecord): Environment {
    const config = record.configuration
    const stream = logStreamName(config.Version)
    const spec = {
      functionName: config.FunctionName,
      codeDir: record.codeDir,
      handler: config.Handler,
      memoryMb: config.MemorySize,
      timeoutSeconds: config.Timeout,
      env: this.#lambdaEnv(record, stream),
    }
    const binary = nodeBinaryFor(config.Runtime)
    const environment = config.Runtime.startsWith('nodejs')
      ? new ExecutionEnvironment({
          ...spec,
          nodePath: binary.path,
          ...(binary.note ? { note: binary.note } : {}),
        })
      : new RuntimeApiEnvironment(spec, config.Runtime)
    this.#streams.set(environment, stream)
    return environment
  }

  /** The variables Lambda sets in every environment (AWS docs "configuration-envvars"). */
  #lambdaEnv(record: FunctionRecord, stream: string): Record<string, string> {
    const config = record.configuration
    return {
      PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      _HANDLER: config.Handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${config.Runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: config.FunctionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.MemorySize),
      AWS_LAMBDA_FUNCTION_VERSION: config.Version,
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(config.FunctionName),
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: this.#config.region,
      AWS_DEFAULT_REGION: this.#config.region,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: 'test',
      LAMBDA_TASK_ROOT: record.codeDir,
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      NODE_OPTIONS: '',
      ...config.Environment?.Variables,
    }
  }

  /** Watches a hot-reload function's folder (once; again when the function points at another). */
  #watch(name: string, folder: string): void {
    const current = this.#watchers.get(name)
    if (current?.folder === folder) return
    if (current) this.#unwatch(name)
    let debounce: NodeJS.Timeout | undefined
    try {
      const watcher = watch(folder, { recursive: true }, () => {
        clearTimeout(debounce)
        debounce = setTimeout(() => {
          this.#log.info({ function: name, folder }, 'code changed: reloading')
          this.retire(name)
        }, 50)
      })
      watcher.unref()
      this.#watchers.set(name, {
        folder,
        close: () => {
          clearTimeout(debounce)
          watcher.close()
        },
      })
    } catch (error) {
      this.#log.warn({ err: error, function: name, folder }, 'cannot watch the hot-reload folder')
    }
  }

  #unwatch(name: string): void {
    this.#watchers.get(name)?.close()
    this.#watchers.delete(name)
  }

  #reapIdle(): void {
    const now = Date.now()
    for (const pool of this.#pools.values()) pool.reapIdle(now, IDLE_MS)
  }
}

const latestKey = (name: string): string => `${name}:$LATEST`

/** The log group of a function's invocations (Lambda's default LoggingConfig). */
const logGroupOf = (functionName: string): string => `/aws/lambda/${functionName}`

type PooledEnvironment = Acquired & { pool: EnvironmentPool }

/** An invocation that ran: its outcome, and where and when. */
interface Ran {
  outcome: InvocationOutcome
  coldStart: boolean
  stream: string
  started: number
}

/** What the pool answered, as `#run` needs it; a throttled invocation throws. */
function pooled(acquired: Acquired | NotAcquired, pool: EnvironmentPool): PooledEnvironment | undefined {
  if (acquired === 'throttled') throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.')
  if (acquired === 'retired') return undefined
  // Not `{ ...acquired, pool }`: a spread that adds a key takes V8's slow path (see withLog).
  return { environment: acquired.environment, coldStart: acquired.coldStart, pool }
}

/** A function version's pool key (`name:version`), one string per configuration record. */
function poolKey(config: FunctionConfiguration): string {
  let key = poolKeys.get(config)
  if (key === undefined) poolKeys.set(config, (key = `${config.FunctionName}:${config.Version}`))
  return key
}
const poolKeys = new WeakMap<FunctionConfiguration, string>()

/** An execution environment's log stream, as Lambda names it: `2026/12/04/[$LATEST]<32 hex>`. */
function logStreamName(version: string): string {
  const d = new Date()
  const date = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`
  return `${date}/[${version}]${pooledRandomBytes(16).toString('hex')}`
}
