import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { withReport, type EnvironmentSpec, type InvocationOutcome } from './environment.js'
import { lowerPriority, watchMemory } from './process-limits.js'

const PYTHON_BOOTSTRAP = fileURLToPath(new URL('./python-bootstrap.py', import.meta.url))

interface Waiting {
  requestId: string
  event: string
  deadline: number
  arn: string
  /** The X-Ray trace header (Lambda-Runtime-Trace-Id). */
  traceId: string
}

interface Pending {
  requestId: string
  resolve: (outcome: InvocationOutcome) => void
  timer: NodeJS.Timeout
  started: number
  /** Stops the MemorySize watch of this invocation. */
  stopMemoryWatch: () => void
}

/**
 * An execution environment for runtimes that speak the Lambda Runtime API (AWS docs
 * "runtimes-api"): `provided.al2023` / `provided.al2` (the zip's `bootstrap` executable) and
 * `python3.x` (our bootstrap, run with the machine's python3). Each environment has its own
 * Runtime API endpoint on 127.0.0.1 (`AWS_LAMBDA_RUNTIME_API`) and its own process. Holds both
 * until `dispose()`.
 */
export class RuntimeApiEnvironment {
  readonly #spec: EnvironmentSpec
  readonly #runtime: string
  readonly #server: Server
  readonly #listening: Promise<number>
  #child: ChildProcess | undefined
  #queued: Waiting | undefined
  #nextRequest: ServerResponse | undefined
  #pending: Pending | undefined
  /** What the pending invocation printed so far. */
  #output = ''
  #alive = true
  #outOfMemory = false
  readonly #initialised: Promise<void>
  #initDone: () => void = () => undefined
  lastUsed = Date.now()

  constructor(spec: EnvironmentSpec, runtime: string) {
    this.#spec = spec
    this.#runtime = runtime
    this.#initialised = new Promise((resolve) => (this.#initDone = resolve))
    this.#server = createServer((req, res) => this.#handle(req, res))
    // The runtime keeps one connection (the Python bootstrap does): between its answer and its
    // next call a handler runs, up to the function's timeout, and Node's default 5 s idle limit
    // would close the connection under a slower invocation.
    this.#server.keepAliveTimeout = (spec.timeoutSeconds + 5) * 1000
    this.#listening = new Promise((resolve) =>
      this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as AddressInfo).port)),
    )
  }

  get isAlive(): boolean {
    return this.#alive
  }

  /**
   * Settles when the init is over: the runtime asked for its first invocation, reported an init
   * error, or its process ended (AWS docs "runtimes-api": init ends at the first `next` call).
   */
  get initialised(): Promise<void> {
    return this.#initialised
  }

  /** Invocations are not queued in a Runtime API environment: it runs the one it was given. */
  canQueue(): boolean {
    return false
  }

  get isBusy(): boolean {
    return this.#pending !== undefined
  }

  async invoke(
    requestId: string,
    event: unknown,
    context: Record<string, unknown>,
  ): Promise<InvocationOutcome> {
    this.lastUsed = Date.now()
    if (!this.#child) await this.#start()
    const started = Date.now()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#timeout(), this.#spec.timeoutSeconds * 1000)
      const pid = this.#child?.pid
      // The runtime process itself (a `bootstrap` that forks others is held to its own share).
      const stopMemoryWatch =
        pid === undefined
          ? () => undefined
          : watchMemory(pid, this.#spec.memoryMb, () => {
              this.#outOfMemory = true
              this.#child?.kill('SIGKILL')
            })
      this.#pending = { requestId, resolve, timer, started, stopMemoryWatch }
      this.#output = ''
      this.#queued = {
        requestId,
        event: JSON.stringify(event),
        deadline: started + this.#spec.timeoutSeconds * 1000,
        arn: typeof context['invokedFunctionArn'] === 'string' ? context['invokedFunctionArn'] : '',
        traceId: typeof context['_traceId'] === 'string' ? context['_traceId'] : '',
      }
      this.#deliver()
    })
  }

  dispose(): void {
    this.#alive = false
    this.#initDone()
    this.#child?.kill('SIGKILL')
    this.#server.closeAllConnections()
    this.#server.close()
  }

  async #start(): Promise<void> {
    const port = await this.#listening
    const env = { ...this.#spec.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` }
    const [command, args] = this.#runtime.startsWith('python')
      ? ['python3', ['-u', PYTHON_BOOTSTRAP]]
      : [`${this.#spec.codeDir}/bootstrap`, []]
    const child = spawn(command, args, { cwd: this.#spec.codeDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const capture = (chunk: Buffer): void => {
      if (this.#pending) this.#output += chunk.toString()
    }
    child.stdout.on('data', capture)
    child.stderr.on('data', capture)
    child.on('error', () => this.#exited())
    child.on('exit', () => this.#exited())
    lowerPriority(child.pid)
    this.#child = child
  }

  /** Hands the queued invocation to a runtime waiting on /invocation/next. */
  #deliver(): void {
    const res = this.#nextRequest
    const queued = this.#queued
    if (!res || !queued) return
    this.#nextRequest = undefined
    this.#queued = undefined
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': queued.requestId,
      'lambda-runtime-deadline-ms': String(queued.deadline),
      'lambda-runtime-invoked-function-arn': queued.arn,
      'lambda-runtime-trace-id': queued.traceId,
    })
    res.end(queued.event)
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const url = req.url ?? ''
      if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        this.#initDone()
        this.#nextRequest = res
        this.#deliver()
        return
      }
      const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url)
      if (req.method === 'POST' && match) {
        const [, id, kind] = match
        if (this.#pending?.requestId !== id) {
          res.writeHead(400, { 'content-type': 'application/json' })
          res.end('{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}')
          return
        }
        res.writeHead(202, { 'content-type': 'application/json' })
        res.end('{"status":"OK"}')
        this.#finish(
          kind === 'response'
            ? { payload: body || 'null' }
            : { payload: body || '{}', functionError: 'Unhandled' },
        )
        return
      }
      if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
        res.writeHead(202, { 'content-type': 'application/json' })
        res.end('{"status":"OK"}')
        this.#finish({ payload: body || '{}', functionError: 'Unhandled' })
        this.dispose()
        return
      }
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"errorMessage":"not found","errorType":"NotFound"}')
    })
  }

  #exited(): void {
    this.#alive = false
    const pending = this.#pending
    if (pending) {
      this.#finish({
        payload: JSON.stringify(
          this.#outOfMemory
            ? {
                errorType: 'Runtime.OutOfMemory',
                errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited with error: signal: killed`,
              }
            : {
                errorType: 'Runtime.ExitError',
                errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited without providing a reason`,
              },
        ),
        functionError: 'Unhandled',
      })
    }
    this.dispose()
  }

  #timeout(): void {
    const pending = this.#pending
    if (!pending) return
    this.#finish({
      payload: JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${this.#spec.timeoutSeconds.toFixed(2)} seconds`,
      }),
      functionError: 'Unhandled',
    })
    this.dispose()
  }

  #finish(outcome: Omit<InvocationOutcome, 'log' | 'report'>): void {
    const pending = this.#pending
    if (!pending) return
    clearTimeout(pending.timer)
    pending.stopMemoryWatch()
    this.#pending = undefined
    this.lastUsed = Date.now()
    const output = this.#output
    this.#output = ''
    pending.resolve(
      withReport(outcome, {
        requestId: pending.requestId,
        output,
        durationMs: Date.now() - pending.started,
        memoryMb: this.#spec.memoryMb,
      }),
    )
  }
}
