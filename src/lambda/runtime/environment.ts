import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { invocationLog, type InvocationReport } from '../../logs/invocation-report.js'
import { lowerPriority, watchMemory } from './process-limits.js'

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

interface Pending {
  requestId: string
  resolve: (outcome: InvocationOutcome) => void
  timer: NodeJS.Timeout
  started: number
  /** Stops the MemorySize watch of this invocation. */
  stopMemoryWatch: () => void
}

interface ErrorShape {
  errorType: string
  errorMessage: string
  trace?: string[]
}

type RunnerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: ErrorShape }
  | { type: 'result'; id: string; payload: string; maxMemoryMb?: number }
  | { type: 'error'; id: string; error: ErrorShape; maxMemoryMb?: number }
  | { type: 'crash'; error: ErrorShape }

/**
 * One execution environment: a child Node process running the handler, one invocation at a
 * time. A handler that throws is a function error; one that exits, crashes, runs out of memory
 * (its heap, or its whole resident memory past MemorySize) or runs past its timeout kills only
 * this process, and the invocation gets AWS's error for it (shapes recorded in
 * test_lambda.snapshot.json). Holds the child process until `dispose()`.
 */
export class ExecutionEnvironment {
  readonly #child: ChildProcess
  readonly #spec: EnvironmentSpec
  readonly #ready: Promise<ErrorShape | undefined>
  #pending: Pending | undefined
  /** What the pending invocation printed so far. */
  #output = ''
  #alive = true
  #outOfMemory = false
  #note: string | undefined
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
    const capture = (chunk: Buffer): void => {
      const text = chunk.toString()
      if (/heap out of memory|Allocation failed/.test(text)) this.#outOfMemory = true
      if (this.#pending) this.#output += text
    }
    this.#child.stdout?.on('data', capture)
    this.#child.stderr?.on('data', capture)
    this.#ready = new Promise((resolve) => {
      this.#child.once('message', (message: RunnerMessage) => {
        resolve(message.type === 'init-error' ? message.error : undefined)
      })
      this.#child.once('exit', () =>
        resolve({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited during init' }),
      )
    })
    this.#child.on('message', (message: RunnerMessage) => this.#onMessage(message))
    this.#child.on('exit', () => this.#onExit())
  }

  get isAlive(): boolean {
    return this.#alive
  }

  /** Settles when the init is over: the handler loaded, failed to load, or the process ended. */
  get initialised(): Promise<void> {
    return this.#ready.then(() => undefined)
  }

  get isBusy(): boolean {
    return this.#pending !== undefined
  }

  /** Runs one invocation; never rejects: every failure is an outcome with AWS's error payload. */
  async invoke(
    requestId: string,
    event: unknown,
    context: Record<string, unknown>,
  ): Promise<InvocationOutcome> {
    this.lastUsed = Date.now()
    const started = Date.now()
    const deadline = started + this.#spec.timeoutSeconds * 1000
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#timeout(), this.#spec.timeoutSeconds * 1000)
      const stopMemoryWatch =
        this.#child.pid === undefined
          ? () => undefined
          : watchMemory(this.#child.pid, this.#spec.memoryMb, () => {
              this.#outOfMemory = true
              this.dispose()
            })
      this.#pending = { requestId, resolve, timer, started, stopMemoryWatch }
      this.#output = this.#note ? `INFO\t${this.#note}\n` : ''
      this.#note = undefined
      void this.#ready.then((initError) => {
        if (!this.#pending || this.#pending.requestId !== requestId) return
        if (initError) {
          this.#finish({ payload: JSON.stringify(initError), functionError: 'Unhandled' })
          return
        }
        try {
          this.#child.send({ type: 'invoke', id: requestId, event, context, deadline })
        } catch (error) {
          // An event the channel cannot serialise: an error outcome, not a rejection nobody handles.
          const errorMessage = `RequestId: ${requestId} Error: ${(error as Error).message}`
          this.#finish({
            payload: JSON.stringify({ errorType: 'Runtime.InvalidEvent', errorMessage }),
            functionError: 'Unhandled',
          })
        }
      })
    })
  }

  /** Kills the process (idle reaping, function deleted or updated, gateway shutdown). */
  dispose(): void {
    this.#alive = false
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL')
  }

  #onMessage(message: RunnerMessage): void {
    const pending = this.#pending
    if (!pending) return
    if (message.type === 'result' && message.id === pending.requestId) {
      this.#finish({ payload: message.payload }, message.maxMemoryMb)
    } else if (message.type === 'error' && message.id === pending.requestId) {
      this.#finish(
        { payload: JSON.stringify(message.error), functionError: 'Unhandled' },
        message.maxMemoryMb,
      )
    }
  }

  #onExit(): void {
    this.#alive = false
    const pending = this.#pending
    if (!pending) return
    const error: ErrorShape = this.#outOfMemory
      ? {
          errorType: 'Runtime.OutOfMemory',
          errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited with error: signal: killed`,
        }
      : {
          errorType: 'Runtime.ExitError',
          // Recorded (test_lambda_runtime_exit, test_lambda_handler_exit): the same text for any exit.
          errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited without providing a reason`,
        }
    this.#finish({ payload: JSON.stringify(error), functionError: 'Unhandled' })
  }

  #timeout(): void {
    const pending = this.#pending
    if (!pending) return
    const seconds = this.#spec.timeoutSeconds.toFixed(2)
    // Recorded (test_lambda_invoke_with_timeout): "Task timed out after 1.00 seconds".
    this.#finish({
      payload: JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${seconds} seconds`,
      }),
      functionError: 'Unhandled',
    })
    this.dispose()
  }

  #finish(outcome: Omit<InvocationOutcome, 'log' | 'report'>, maxMemoryMb?: number): void {
    const pending = this.#pending
    if (!pending) return
    clearTimeout(pending.timer)
    pending.stopMemoryWatch()
    this.#pending = undefined
    this.lastUsed = Date.now()
    const requestId = pending.requestId
    const output = this.#output + (outcome.functionError ? errorLine(requestId, outcome.payload) : '')
    this.#output = ''
    pending.resolve(
      withReport(outcome, {
        requestId,
        output,
        durationMs: Date.now() - pending.started,
        memoryMb: this.#spec.memoryMb,
        maxMemoryMb,
      }),
    )
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
