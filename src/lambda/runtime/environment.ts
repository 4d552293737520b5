import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { invocationLog, type InvocationReport } from '../../logs/invocation-report.js'
import { InvocationOutput } from './invocation-output.js'
import { lowerPriority, watchMemory } from './process-limits.js'
import { SCALE_OUT_WAIT_MS as QUEUED_WAIT_MS } from '../environment-pool.js'

const RUNNER = fileURLToPath(new URL('./node-runner.mjs', import.meta.url))
/** AWS returns the last 4 KB of an invocation's log with LogType Tail. */
export const LOG_TAIL_BYTES = 4096

/**
 * The outcome with its report and log text. Built field by field: a spread that adds a key
 * (`{ ...outcome, log }`) takes V8's slow path, ~0.9 µs against ~0.01 µs, on every invocation.
 */
export function withReport(
  outcome: Omit<InvocationOutcome, 'log' | 'report'>,
  report: InvocationReport,
): InvocationOutcome {
  const result: InvocationOutcome = { payload: outcome.payload, report, log: invocationLog(report) }
  if (outcome.functionError) result.functionError = outcome.functionError
  return result
}

/**
 * Node's flags in a Lambda environment of `memoryMb`, as AWS's Node.js runtime bootstrap
 * (/var/runtime/bootstrap of the nodejs images) sets them: a tenth of MemorySize for V8's young
 * generation (half of it per semi-space), the rest for the old generation, `global.gc` exposed and
 * 80 KB of HTTP headers allowed. Without the semi-space cap V8 grows each semi-space to 16 MB, and
 * a 128 MB function's process held ~30 MB more than on Lambda.
 */
export function nodeRuntimeArgs(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10)
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`,
    `--max-old-space-size=${Math.max(32, memoryMb - newSpace)}`,
  ]
}

/** What one invocation produced. */
export interface InvocationOutcome {
  /** The JSON payload, or the runtime's error object for a function error. */
  payload: string
  functionError?: 'Unhandled'
  /** Its log as the log group keeps it. */
  report: InvocationReport
  /** Its log text, START to REPORT lines included (`invocationLog(report)`). */
  log: string
}

export interface EnvironmentSpec {
  functionName: string
  /** The Node.js binary (Node runtimes only). */
  nodePath?: string
  /** Said once in the function's log (e.g. the runtime runs on another Node major). */
  note?: string
  codeDir: string
  handler: string
  memoryMb: number
  timeoutSeconds: number
  env: Record<string, string>
}

/**
 * What `invoke` answers for an invocation the environment gave back without running it: it was
 * queued behind a slow one and taken back, or the process ended before it started. The caller
 * sends it to another environment.
 */
export const NOT_RUN = 'not-run'
export type NotRun = typeof NOT_RUN

/**
 * Invocations an environment holds at once: the one running and those queued behind it. The
 * process runs as many back to back as it has when it wakes, and the gateway reads as many results
 * in one turn, so deeper queues mean fewer wake-ups per invocation. Measured on one core under 50
 * concurrent requests to a fast function (2026-12-07, docs/performance.md), requests/s against the
 * build without queueing, alternated: 3 held ×1.06–1.42, 8 ×1.45–1.47, 16 ×1.65–1.78, 32 ×1.74–1.76
 * with a higher p99.
 * Invocations queued behind one that blocks its event loop wait for it to end (at most its
 * timeout, which kills the process and gives them back); behind one that waits on I/O they are
 * taken back after QUEUED_WAIT_MS.
 */
export const QUEUE_DEPTH = 16

interface Pending {
  requestId: string
  resolve: (outcome: InvocationOutcome | NotRun) => void
  /** Set when it starts: when it reaches the head of the queue. */
  started?: number
  /** performance.now() when it started. */
  startedAt?: number
  timer?: NodeJS.Timeout
  /** Stops the MemorySize watch of this invocation. */
  stopMemoryWatch?: () => void
  /** A 'cancel' was sent for it while queued. */
  cancelSent?: boolean
  /** Its result, held until the end marks of its output are read (InvocationOutput). */
  held?: {
    outcome: Omit<InvocationOutcome, 'log' | 'report'>
    maxMemoryMb: number | undefined
    /** The streams whose end marks it waits for (bit 1 stdout, bit 2 stderr). */
    ends: number
    /** How long the handler ran, measured by the runner. */
    durationMs: number | undefined
  }
}

interface ErrorShape {
  errorType: string
  errorMessage: string
  trace?: string[]
}

type RunnerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: ErrorShape }
  | { type: 'result'; id: string; payload: string; maxMemoryMb?: number; ends?: number; durationMs?: number }
  | { type: 'error'; id: string; error: ErrorShape; maxMemoryMb?: number; ends?: number; durationMs?: number }
  | { type: 'cancelled'; id: string }
  | { type: 'crash'; error: ErrorShape }

/** What the gateway sends the process. */
type GatewayMessage =
  | {
      type: 'invoke'
      id: string
      event: unknown
      context: Record<string, unknown>
      timeoutMs: number
      /** [multi-value map sent as 0, single-value map to rebuild it from] (`compactEvent`). */
      rebuild?: MultiValueTwin[]
    }
  | { type: 'cancel'; id: string }

/** A proxy event's multi-value maps, each with the single-value map it repeats. */
type MultiValueTwin = readonly [multi: string, single: string]
const MULTI_VALUE_TWINS: readonly MultiValueTwin[] = [
  ['multiValueHeaders', 'headers'],
  ['multiValueQueryStringParameters', 'queryStringParameters'],
]

const isPlainRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)

/** Whether `multi` is `single` with each value in a list of one: same keys, same order. */
function onlyRepeats(multi: Record<string, unknown>, single: Record<string, unknown>): boolean {
  const keys = Object.keys(single)
  const multiKeys = Object.keys(multi)
  if (keys.length !== multiKeys.length) return false
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const value = single[key]
    const list = multi[key]
    if (multiKeys[i] !== key || typeof value !== 'string') return false
    if (!Array.isArray(list) || list.length !== 1 || list[0] !== value) return false
  }
  return true
}

/**
 * The event as sent to the process: a proxy event's `multiValueHeaders` (and query string twin)
 * only repeat `headers` when no header came twice, and cost ~4 of the ~11 µs `JSON.stringify` took
 * for the bench's 2.5 KB invocation message, and ~1.5 µs of the runner's parse (in one process,
 * 2026-12-07). Such a map is sent as 0 in its place (the event is copied, its keys in the same
 * order) and named with its twin in `rebuild`; the runner puts back a map of one-value lists
 * before the handler sees the event (node-runner.mjs). Any other event, a client's payload
 * included, goes as it is.
 */
export function compactEvent(event: unknown): { event: unknown; rebuild?: MultiValueTwin[] } {
  if (!isPlainRecord(event)) return { event }
  const rebuild = MULTI_VALUE_TWINS.filter(([multi, single]) => {
    const multiMap = event[multi]
    const singleMap = event[single]
    return isPlainRecord(multiMap) && isPlainRecord(singleMap) && onlyRepeats(multiMap, singleMap)
  })
  if (rebuild.length === 0) return { event }
  const copy = { ...event }
  for (const [multi] of rebuild) copy[multi] = 0
  return { event: copy, rebuild }
}

/**
 * One execution environment: a child Node process running the handler, one invocation at a
 * time. A handler that throws is a function error; one that exits, crashes, runs out of memory
 * (its heap, or its whole resident memory past MemorySize) or runs past its timeout kills only
 * this process, and the invocation gets AWS's error for it (shapes recorded in
 * test_lambda.snapshot.json). Holds the child process until `dispose()`.
 *
 * While one invocation runs, the environment can take the next (`canQueue`): it is sent to the
 * process without waiting (at the end of this turn, with the turn's other messages: `#flush`) and
 * starts there when the current one ends, still one at a time, its timeout, memory watch and
 * remaining time counted from that start. Under a burst the process then goes
 * from one invocation to the next without sleeping in between, and the gateway reads several
 * results in one turn of its event loop, whose answers go out together (TurnBatch); see
 * QUEUE_DEPTH for what it gains. A queued
 * invocation whose predecessor runs past QUEUED_WAIT_MS is taken back ('cancel', unless it has
 * started) and answered NOT_RUN, so that a slow invocation does not hold the next one up longer
 * than the pool's scale-out wait would; so is one queued behind an invocation that ends the
 * process.
 */
export class ExecutionEnvironment {
  readonly #child: ChildProcess
  readonly #spec: EnvironmentSpec
  readonly #ready: Promise<ErrorShape | undefined>
  /** The running invocation, then those queued behind it, in the order they run. */
  #queue: Pending[] = []
  readonly #output = new InvocationOutput()
  #alive = true
  #initialised = false
  #initFailed = false
  #outOfMemory = false
  /** A result came for an invocation already answered (timed out): the next may have started. */
  #nextMayHaveStarted = false
  #exitHandled = false
  /** Fires when the running invocation has run QUEUED_WAIT_MS with others queued behind it. */
  #slowTimer: NodeJS.Timeout | undefined
  #note: string | undefined
  /**
   * Messages for the process, written together once this turn's other callbacks have run
   * (`#flush`): one write, and one wake-up of the process, for the invocations of many requests
   * read in one turn, instead of one each. Each invoke's pending, to answer it if it cannot be sent.
   */
  #outbox: { message: GatewayMessage; pending: Pending | undefined }[] = []
  lastUsed = Date.now()

  constructor(spec: EnvironmentSpec) {
    this.#spec = spec
    this.#note = spec.note
    this.#child = fork(RUNNER, [], {
      ...(spec.nodePath ? { execPath: spec.nodePath } : {}),
      cwd: spec.codeDir,
      env: spec.env,
      execArgv: nodeRuntimeArgs(spec.memoryMb),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    })
    lowerPriority(this.#child.pid)
    const capture = (stream: 0 | 1) => (text: string) => {
      if (/heap out of memory|Allocation failed/.test(text)) this.#outOfMemory = true
      this.#output.add(stream, text)
    }
    this.#child.stdout?.setEncoding('utf8').on('data', capture(0))
    this.#child.stderr?.setEncoding('utf8').on('data', capture(1))
    this.#output.onEnd = () => this.#finishReady()
    this.#ready = new Promise((resolve) => {
      this.#child.once('message', (message: RunnerMessage) => {
        this.#initialised = true
        this.#initFailed = message.type === 'init-error'
        resolve(message.type === 'init-error' ? message.error : undefined)
      })
      this.#child.once('exit', () =>
        resolve({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited during init' }),
      )
    })
    this.#child.on('message', (message: RunnerMessage) => this.#onMessage(message))
    this.#child.on('exit', () => {
      this.#alive = false
      // Results still in the channel are read first: they tell what ran (the channel closes
      // after the last message of a process that ended; a second is a fallback).
      if (!this.#child.connected) return this.#onExit()
      this.#child.once('disconnect', () => this.#onExit())
      setTimeout(() => this.#onExit(), 1000).unref()
    })
  }

  get isAlive(): boolean {
    return this.#alive
  }

  /** Settles when the init is over: the handler loaded, failed to load, or the process ended. */
  get initialised(): Promise<void> {
    return this.#ready.then(() => undefined)
  }

  get isBusy(): boolean {
    return this.#queue.length > 0
  }

  /**
   * Whether it can take one more invocation, to run after those it has, when the pool has handed
   * it `claims` already: fewer than QUEUE_DEPTH, its init is over, and the one running (if any
   * yet: the pool may hand out the next before the first calls `invoke`) started less than
   * `withinMs` ago.
   */
  canQueue(claims: number, withinMs: number): boolean {
    if (claims >= QUEUE_DEPTH || !this.#alive || !this.#initialised || this.#initFailed) return false
    const startedAt = this.#queue[0]?.startedAt
    return startedAt === undefined || performance.now() - startedAt < withinMs
  }

  /**
   * Runs one invocation, or queues it behind the one running (see `canQueue`); never rejects:
   * every failure is an outcome with AWS's error payload. NOT_RUN: it was given back unrun.
   */
  async invoke(
    requestId: string,
    event: unknown,
    context: Record<string, unknown>,
  ): Promise<InvocationOutcome | NotRun> {
    this.lastUsed = Date.now()
    return new Promise((resolve) => {
      const pending: Pending = { requestId, resolve }
      this.#queue.push(pending)
      if (this.#queue.length === 1) this.#begin(pending)
      else this.#watchQueue()
      void this.#ready.then((initError) => {
        if (!this.#queue.includes(pending)) return
        if (initError) {
          this.#finish(pending, { payload: JSON.stringify(initError), functionError: 'Unhandled' })
          return
        }
        const timeoutMs = this.#spec.timeoutSeconds * 1000
        const sent = compactEvent(event)
        this.#send(
          sent.rebuild
            ? { type: 'invoke', id: requestId, event: sent.event, context, timeoutMs, rebuild: sent.rebuild }
            : { type: 'invoke', id: requestId, event, context, timeoutMs },
          pending,
        )
      })
    })
  }

  /** Kills the process (idle reaping, function deleted or updated, gateway shutdown). */
  dispose(): void {
    this.#alive = false
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL')
  }

  /** The invocation reached the head of the queue: the process runs it now. */
  #begin(pending: Pending): void {
    pending.started = Date.now()
    pending.startedAt = performance.now()
    if (this.#queue.length > 1) this.#watchQueue()
    pending.timer = setTimeout(() => this.#timeout(), this.#spec.timeoutSeconds * 1000)
    pending.stopMemoryWatch =
      this.#child.pid === undefined
        ? () => undefined
        : watchMemory(this.#child.pid, this.#spec.memoryMb, () => {
            this.#outOfMemory = true
            this.dispose()
          })
  }

  /** Takes the queued invocations back once the running one has run QUEUED_WAIT_MS. */
  #watchQueue(): void {
    if (this.#slowTimer) return
    const startedAt = this.#queue[0]?.startedAt ?? performance.now()
    const wait = Math.max(0, QUEUED_WAIT_MS - (performance.now() - startedAt))
    this.#slowTimer = setTimeout(() => {
      this.#slowTimer = undefined
      this.#cancelQueued()
    }, wait)
  }

  /** The running invocation runs long: the process gives back those queued behind it. */
  #cancelQueued(): void {
    if (!this.#child.connected) return
    for (const pending of this.#queue) {
      if (pending.started !== undefined || pending.held || pending.cancelSent) continue
      pending.cancelSent = true
      this.#send({ type: 'cancel', id: pending.requestId })
    }
  }

  /** Queues a message for the process, in order; `#flush` writes the turn's messages at once. */
  #send(message: GatewayMessage, pending?: Pending): void {
    this.#outbox.push({ message, pending })
    if (this.#outbox.length === 1) setImmediate(() => this.#flush())
  }

  /**
   * Writes the queued messages in one IPC message (the runner takes a 'batch' apart in order). A
   * batch the channel cannot serialise is sent message by message, so that only an invoke whose
   * event cannot be serialised fails, with an error outcome. On a closed channel the exit gives
   * the invocations back.
   */
  #flush(): void {
    const outbox = this.#outbox
    this.#outbox = []
    if (!this.#child.connected) return
    if (outbox.length > 1) {
      try {
        this.#child.send({ type: 'batch', messages: outbox.map((queued) => queued.message) })
        return
      } catch {
        // Sent one by one below.
      }
    }
    for (const { message, pending } of outbox) {
      try {
        this.#child.send(message)
      } catch (error) {
        if (!pending || !this.#queue.includes(pending)) continue
        // An event the channel cannot serialise: an error outcome, not a rejection nobody handles.
        const errorMessage = `RequestId: ${pending.requestId} Error: ${(error as Error).message}`
        this.#finish(pending, {
          payload: JSON.stringify({ errorType: 'Runtime.InvalidEvent', errorMessage }),
          functionError: 'Unhandled',
        })
      }
    }
  }

  #onMessage(message: RunnerMessage): void {
    if (message.type === 'cancelled') {
      // The runner never started it. Here it may have started already: its predecessor's result
      // was read before this answer to the cancel, and made it the head (#begin). Its timers stop
      // with it, and the next one starts; without this, it waited for its timeout.
      const at = this.#queue.findIndex((p) => p.requestId === message.id)
      const pending = this.#queue[at]
      if (!pending) return
      this.#dequeue(pending, at)
      if (at === 0) this.#beginNext()
      this.#giveBack(pending)
      return
    }
    if (message.type !== 'result' && message.type !== 'error') return
    const pending = this.#queue.find((p) => p.requestId === message.id)
    if (!pending) {
      // The result of an invocation already answered (it timed out as it ended).
      this.#nextMayHaveStarted = true
      return
    }
    const outcome: Omit<InvocationOutcome, 'log' | 'report'> =
      message.type === 'result'
        ? { payload: message.payload }
        : { payload: JSON.stringify(message.error), functionError: 'Unhandled' }
    pending.held = {
      outcome,
      maxMemoryMb: message.maxMemoryMb,
      ends: message.ends ?? 0,
      durationMs: message.durationMs,
    }
    this.#finishReady()
  }

  /**
   * Answers the invocations at the head of the queue whose results came and whose output's end
   * marks were read, in order: results come in order, but the last lines of one may still be in
   * its pipes when the results of the next ones arrive.
   */
  #finishReady(): void {
    for (let head = this.#queue[0]; head?.held; head = this.#queue[0]) {
      if (!this.#output.hasEnded(head.requestId, head.held.ends)) return
      this.#finishHeld(head)
    }
  }

  #finishHeld(pending: Pending): void {
    const held = pending.held
    if (held) this.#finish(pending, held.outcome, held.maxMemoryMb, held.durationMs)
  }

  /** The process ended, and its channel was read to the end. */
  #onExit(): void {
    if (this.#exitHandled) return
    this.#exitHandled = true
    this.#alive = false
    clearTimeout(this.#slowTimer)
    // The runner starts an invocation once the previous result is written: the first without a
    // result may have started if it was sent to an idle process or the result before it came
    // (`started`, or a result answered here just now), or if the result of one already answered
    // (timed out) came after all. Those whose results came ran: they are answered with them.
    let mayHaveStarted = this.#nextMayHaveStarted || this.#queue[0]?.started !== undefined
    for (let head = this.#queue[0]; head?.held; head = this.#queue[0]) {
      this.#finishHeld(head)
      mayHaveStarted = true
    }
    const head = this.#queue[0]
    if (head && mayHaveStarted) {
      head.started ??= Date.now()
      const error: ErrorShape = this.#outOfMemory
        ? {
            errorType: 'Runtime.OutOfMemory',
            errorMessage: `RequestId: ${head.requestId} Error: Runtime exited with error: signal: killed`,
          }
        : {
            errorType: 'Runtime.ExitError',
            // Recorded (test_lambda_runtime_exit, test_lambda_handler_exit): the same text for any exit.
            errorMessage: `RequestId: ${head.requestId} Error: Runtime exited without providing a reason`,
          }
      this.#finish(head, { payload: JSON.stringify(error), functionError: 'Unhandled' })
    }
    // The others never started.
    for (const pending of this.#queue.splice(0)) this.#giveBack(pending)
  }

  #timeout(): void {
    const head = this.#queue[0]
    if (!head) return
    // Its result came in time; only its last lines are late.
    if (head.held) return this.#finishHeld(head)
    const seconds = this.#spec.timeoutSeconds.toFixed(2)
    // Killed first: the next one is not started here, the exit gives it back.
    this.dispose()
    // Recorded (test_lambda_invoke_with_timeout): "Task timed out after 1.00 seconds".
    this.#finish(head, {
      payload: JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${head.requestId} Error: Task timed out after ${seconds} seconds`,
      }),
      functionError: 'Unhandled',
    })
  }

  /** Answers NOT_RUN: the caller sends it to another environment. */
  #giveBack(pending: Pending): void {
    pending.resolve(NOT_RUN)
  }

  /**
   * Answers the invocation and takes it off the queue; the next one starts, unless the process
   * is ending (its exit gives that one back).
   */
  #finish(
    pending: Pending,
    outcome: Omit<InvocationOutcome, 'log' | 'report'>,
    maxMemoryMb?: number,
    durationMs?: number,
  ): void {
    const at = this.#queue.indexOf(pending)
    if (at === -1) return
    this.#dequeue(pending, at)
    this.lastUsed = Date.now()
    const requestId = pending.requestId
    const note = this.#note ? `INFO\t${this.#note}\n` : ''
    this.#note = undefined
    const output =
      note +
      this.#output.take(requestId) +
      (outcome.functionError ? errorLine(requestId, outcome.payload) : '')
    const started = pending.started ?? Date.now()
    pending.resolve(
      withReport(outcome, {
        requestId,
        output,
        // The runner's own measure: the gateway may read a queued invocation's start late.
        durationMs: durationMs ?? Date.now() - started,
        memoryMb: this.#spec.memoryMb,
        maxMemoryMb,
      }),
    )
    if (at === 0) this.#beginNext()
  }

  /** Takes `pending` (at `at`) out of the queue with its timers. */
  #dequeue(pending: Pending, at: number): void {
    this.#queue.splice(at, 1)
    clearTimeout(pending.timer)
    if (at === 0) {
      clearTimeout(this.#slowTimer)
      this.#slowTimer = undefined
    }
    pending.stopMemoryWatch?.()
  }

  #beginNext(): void {
    const following = this.#queue[0]
    if (following && following.started === undefined && this.#alive) this.#begin(following)
  }
}

/**
 * What the Node.js runtime logs for a failed invocation: `Task timed out after N seconds` for a
 * timeout, else the error as an `ERROR\tInvoke Error` line (the console reads an invocation's
 * status from it).
 */
function errorLine(requestId: string, payload: string): string {
  const at = new Date().toISOString()
  const timedOut = /Task timed out after [\d.]+ seconds/.exec(payload)
  return timedOut
    ? `${at} ${requestId} ${timedOut[0]}\n`
    : `${at}\t${requestId}\tERROR\tInvoke Error \t${payload}\n`
}
