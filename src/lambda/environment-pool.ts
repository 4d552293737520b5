import { availableParallelism } from 'node:os'
import type { ExecutionEnvironment } from './runtime/environment.js'
import type { RuntimeApiEnvironment } from './runtime/runtime-api-environment.js'

export type Environment = ExecutionEnvironment | RuntimeApiEnvironment

/**
 * Environments of one function (one version) starting at the same time, at most. A start is a
 * process spawn plus the function's init, CPU-bound: on a starved machine a burst that started
 * one environment per request made every start slower, which left more requests without an
 * environment, which started more (a spiral). Past this many, a request waits for the first
 * environment that becomes free or finishes starting. Lambda's own scaling is paced too (AWS docs
 * "lambda-concurrency", "scaling-behavior": 1,000 new execution environments every 10 seconds
 * per function), so a burst is not served by as many environments at once there either.
 */
export const MAX_CONCURRENT_STARTS = Math.max(2, availableParallelism())

/**
 * A new environment starts for waiting invocations only once they have waited this long and no
 * environment became free meanwhile (a function's first environment starts at once). A burst of a
 * fast function is then served by the environments it has, one invocation after the other,
 * instead of by one process per concurrent request: 50 function processes sharing a core passed
 * 4.5× fewer messages than 4 (profiled 2026-12-04, docs/performance.md), and each start took CPU
 * from the warm ones. A function whose invocations last longer than this still gets an
 * environment per concurrent request, as on Lambda, 50 ms later; Lambda's scaling is paced too.
 */
export const SCALE_OUT_WAIT_MS = 50

/**
 * While an environment is starting and none is ready, waiting invocations give it this long from
 * its start to finish its init before another starts for them. Its init ends in well under this
 * for a typical Node.js or Python function here (~100 ms of a spawn and a handler load), and the
 * waiting invocations then run in it one after the other, as SCALE_OUT_WAIT_MS has any burst of
 * a fast function do. Without it, a burst that found no environment started a second one 50 ms
 * into the first's init: two starts sharing the CPU, and afterwards two environments taking turns
 * with a queue that one served for less CPU (a fast function under 50 concurrent requests, one
 * core: 35 instead of 46 µs of function CPU per request and 6% more requests/s, 2026-12-07,
 * docs/performance.md). A function whose init takes longer gets its second environment 100 ms
 * later than before; one whose invocations are slow still scales out by SCALE_OUT_WAIT_MS. At
 * 250 ms, a burst of 30 requests to a function with a 300 ms init and 100 ms invocations
 * (test/reliability/lambda-cold-starts.test.ts) took ~0.2 s longer than before; at 150 ms, as long.
 */
export const STARTING_WAIT_MS = 150

/** An environment handed to one invocation, until `release`. */
export interface Acquired {
  environment: Environment
  /** A new environment was started for it (its init runs first). */
  coldStart: boolean
}

/**
 * What `acquire` may answer instead of an environment: `throttled` when the function's
 * concurrency is spent (the caller answers 429), `retired` when the pool was replaced or retired
 * while the invocation waited (the caller asks the current pool).
 */
export type NotAcquired = 'throttled' | 'retired'

interface Waiter {
  limit: number
  start: () => Environment
  grant(outcome: Acquired | 'retired'): void
  /** When it began to wait (performance.now()). */
  since: number
}

/**
 * The warm environments of one function version and the invocations waiting for one. An
 * invocation is throttled exactly when it would have been without the start cap: when no
 * environment is idle and the environments plus the invocations already waiting reach the
 * concurrency limit. Holds the environments' processes until `retire()`.
 */
export class EnvironmentPool {
  readonly revisionId: string
  readonly #maxStarts: number
  readonly #scaleOutWaitMs: number
  readonly #startingWaitMs: number
  /** Wakes the pool when a new environment may be due (SCALE_OUT_WAIT_MS). */
  #scaleOutTimer: NodeJS.Timeout | undefined
  /** When an environment was last handed to an invocation (performance.now()). */
  #lastHandedOut = Number.NEGATIVE_INFINITY
  /** When the latest environment was started (performance.now()). */
  #lastStarted = Number.NEGATIVE_INFINITY
  /** When this process last came back from a stall (performance.now()); waits count from then. */
  #resumedAt = Number.NEGATIVE_INFINITY
  #environments: Environment[] = []
  /** Environments whose init has not finished. */
  readonly #starting = new Set<Environment>()
  /**
   * Environments handed to invocations and not released, with how many (the one running and those
   * queued behind it, see `canQueue`); a Runtime API environment is not busy until its process runs.
   */
  readonly #claimed = new Map<Environment, number>()
  /** Invocations queued behind a running one in an environment (claims beyond the first). */
  #queued = 0
  /** Invocations waiting for an environment, first come first served. */
  #waiting: Waiter[] = []
  #retired = false

  constructor(
    revisionId: string,
    maxStarts = MAX_CONCURRENT_STARTS,
    scaleOutWaitMs = SCALE_OUT_WAIT_MS,
    startingWaitMs = STARTING_WAIT_MS,
  ) {
    this.revisionId = revisionId
    this.#maxStarts = maxStarts
    this.#scaleOutWaitMs = scaleOutWaitMs
    this.#startingWaitMs = startingWaitMs
  }

  /** Environments starting now (for tests and metrics). */
  get startingCount(): number {
    return this.#starting.size
  }

  /** Invocations waiting for an environment now. */
  get waitingCount(): number {
    return this.#waiting.length
  }

  /**
   * An idle environment, a new one (`start` makes it) while fewer than the cap are starting, a
   * running one that queues it (`canQueue`), or the first one that becomes free or finishes
   * starting. `limit` is the function's concurrency. `givenBackSince`: the invocation came at
   * that moment and an environment gave it back unrun (NOT_RUN); it is not throttled again.
   */
  acquire(
    limit: number,
    start: () => Environment,
    givenBackSince?: number,
  ): Acquired | NotAcquired | Promise<Acquired | NotAcquired> {
    if (this.#retired) return 'retired'
    this.#environments = this.#environments.filter((e) => e.isAlive)
    const since = givenBackSince ?? performance.now()
    if (this.#waiting.length === 0) {
      const acquired = this.#take(limit, start, since)
      if (acquired) return acquired
    }
    // Concurrency counts every invocation in flight: running, queued in an environment, waiting.
    // One given back was counted when it came.
    const inFlight = this.#environments.length + this.#queued + this.#waiting.length
    if (givenBackSince === undefined && inFlight >= limit) return 'throttled'
    if (this.#waiting.length === 0) {
      const queued = this.#queueBehind()
      if (queued) return queued
    }
    return new Promise((grant) => {
      // First come, first served: one given back goes before those that came after it.
      const at = this.#waiting.findIndex((waiter) => waiter.since > since)
      this.#waiting.splice(at === -1 ? this.#waiting.length : at, 0, { limit, start, grant, since })
    })
  }

  /** The invocation on `environment` is over: it serves the next waiting one, or idles. */
  release(environment: Environment): void {
    const claims = this.#claimed.get(environment) ?? 0
    if (claims > 1) {
      this.#claimed.set(environment, claims - 1)
      this.#queued--
    } else this.#claimed.delete(environment)
    // An invocation ends after the init (a timeout during the init kills the process): whatever
    // the environment reported, it is not starting any more.
    this.#starting.delete(environment)
    this.#dispatch()
  }

  /** Stops every environment; invocations still waiting go to the current pool. */
  retire(): void {
    this.#retired = true
    clearTimeout(this.#scaleOutTimer)
    for (const environment of this.#environments) environment.dispose()
    this.#environments = []
    const waiting = this.#waiting
    this.#waiting = []
    for (const waiter of waiting) waiter.grant('retired')
  }

  /** Stops the environments idle for longer than `idleMs`. */
  reapIdle(now: number, idleMs: number): void {
    for (const environment of this.#environments) {
      if (!this.#isIdle(environment)) continue
      if (now - environment.lastUsed > idleMs) environment.dispose()
    }
    this.#environments = this.#environments.filter((e) => e.isAlive)
  }

  #isIdle(environment: Environment): boolean {
    return environment.isAlive && !environment.isBusy && !this.#claimed.has(environment)
  }

  #take(limit: number, start: () => Environment, since: number): Acquired | undefined {
    const now = performance.now()
    const idle = this.#environments.find((e) => this.#isIdle(e))
    if (idle) {
      this.#claimed.set(idle, 1)
      this.#lastHandedOut = now
      return { environment: idle, coldStart: false }
    }
    if (this.#environments.length >= limit || this.#starting.size >= this.#maxStarts) return undefined
    // Busy environments first get SCALE_OUT_WAIT_MS to become free, a starting one STARTING_WAIT_MS
    // from its start to finish its init.
    let due = Math.max(since, this.#lastHandedOut, this.#resumedAt) + this.#scaleOutWaitMs
    if (this.#starting.size > 0) due = Math.max(due, this.#lastStarted + this.#startingWaitMs)
    if (this.#environments.length > 0 && now < due) {
      this.#wakeAfter(due - now)
      return undefined
    }
    this.#lastHandedOut = now
    this.#lastStarted = now
    const environment = start()
    this.#environments.push(environment)
    this.#claimed.set(environment, 1)
    this.#starting.add(environment)
    void environment.initialised.then(() => {
      this.#starting.delete(environment)
      // Its first invocation starts now: it gets SCALE_OUT_WAIT_MS from here to become free.
      this.#lastHandedOut = Math.max(this.#lastHandedOut, performance.now())
      this.#dispatch()
    })
    return { environment, coldStart: true }
  }

  /**
   * Wakes the pool when the head waiter's wait is over. The decision waits for the event loop's
   * next check phase: timers run before the loop reads I/O, so after a stall of this process an
   * environment whose answer already sits in its pipe would still look busy, and a new
   * environment would start for nothing (one more environment is ~80 MB, about a quarter of the
   * RSS in `npm run bench`'s AWS_PROXY soak, and its start takes ~100 ms of CPU from the gateway).
   * A timer that fired more than half the wait late found this process stalled (a garbage
   * collection, the machine's scheduler): the wait restarts, so that the environments get
   * SCALE_OUT_WAIT_MS of this process's own running time to become free.
   */
  #wakeAfter(ms: number): void {
    if (this.#scaleOutTimer) return
    const delay = Math.max(1, Math.ceil(ms))
    const at = performance.now() + delay
    this.#scaleOutTimer = setTimeout(() => {
      const late = performance.now() - at
      setImmediate(() => {
        this.#scaleOutTimer = undefined
        if (late > this.#scaleOutWaitMs / 2) this.#resumedAt = performance.now()
        this.#dispatch()
      })
    }, delay)
  }

  /**
   * A running environment that takes one invocation more, to run after those it has
   * (ExecutionEnvironment's `canQueue`: fewer than QUEUE_DEPTH, its current one started less
   * than SCALE_OUT_WAIT_MS ago, and it gives the queued ones back if that one runs longer).
   */
  #queueBehind(): Acquired | undefined {
    let claims = 0
    const behind = this.#environments.find((e) => {
      claims = this.#claimed.get(e) ?? 0
      return claims > 0 && !this.#starting.has(e) && e.canQueue(claims, this.#scaleOutWaitMs)
    })
    if (!behind) return undefined
    this.#claimed.set(behind, claims + 1)
    this.#queued++
    this.#lastHandedOut = performance.now()
    return { environment: behind, coldStart: false }
  }

  /** Hands environments to waiting invocations, in order, while there are any to hand. */
  #dispatch(): void {
    if (this.#retired || this.#waiting.length === 0) return
    this.#environments = this.#environments.filter((e) => e.isAlive)
    for (let waiter = this.#waiting[0]; waiter; waiter = this.#waiting[0]) {
      const acquired = this.#take(waiter.limit, waiter.start, waiter.since) ?? this.#queueBehind()
      if (!acquired) return
      this.#waiting.shift()
      waiter.grant(acquired)
    }
  }
}
