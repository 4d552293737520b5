/**
 * What the bench scripts share: options, CPU and memory readings from /proc, latency statistics,
 * an autocannon run with sub-millisecond latencies, management calls, and writing a result
 * section of docs/performance.md between its markers.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import * as prettier from 'prettier'

export const PERFORMANCE_DOC = new URL('../docs/performance.md', import.meta.url).pathname

export interface BenchOptions {
  duration: number
  rounds: number
  connections: number
  write: boolean
}

/** `--duration` (s), `--rounds`, `--connections`, `--write`. */
export function benchOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '2' },
      connections: { type: 'string', default: '50' },
      write: { type: 'boolean', default: false },
    },
  })
  const positive = (name: string, text: string): number => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
    return value
  }
  return {
    duration: positive('duration', values.duration),
    rounds: positive('rounds', values.rounds),
    connections: positive('connections', values.connections),
    write: values.write,
  }
}

/** utime + stime of a process in microseconds, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
export function cpuMicros(pid: number): number {
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const CLOCK_TICKS_PER_SECOND = 100 // USER_HZ; `getconf CLK_TCK` is 100 on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND
}

export function selfCpuMicros(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

export function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Math.round(Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024)
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export interface Load {
  result: autocannon.Result
  /** Latencies in ms, sorted. autocannon's own histogram has 1 ms resolution, too coarse here. */
  latencies: Float64Array
}

export function load(
  url: string,
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Load> {
  const latencies: number[] = []
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: seconds, pipelining: 1, headers },
      (error, result) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)))
        else resolve({ result, latencies: Float64Array.from(latencies).sort() })
      },
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
    })
  })
}

export const failuresOf = (r: autocannon.Result): number => r.errors + r.timeouts + r.non2xx

/**
 * The processes `children()` lists die with the bench, whatever happens: SIGKILL when it exits (a
 * throw past its `finally`), and on SIGINT/SIGTERM, after which `onSignal` cleans up and it exits 130.
 */
export function killChildrenOnExit(children: () => readonly ChildProcess[], onSignal: () => void): void {
  const killAll = (): void => {
    for (const child of children())
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  process.once('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll()
      onSignal()
      process.exit(130)
    })
  }
}

/** SIGTERM, then SIGKILL if the process is still there after 3 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
}

export async function call(
  base: string,
  method: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
}

/**
 * Replaces what lies between `marker` and `closingMarker` (the same marker twice by default) in
 * docs/performance.md, formatted like the rest of the repo.
 */
export async function writeResults(marker: string, results: string, closingMarker = marker): Promise<void> {
  const text = readFileSync(PERFORMANCE_DOC, 'utf8')
  const occurrences = (m: string): number => text.split(m).length - 1
  const expected = marker === closingMarker ? 2 : 1
  const start = text.indexOf(marker)
  const end = text.indexOf(closingMarker, start + marker.length)
  if (
    occurrences(marker) !== expected ||
    occurrences(closingMarker) !== expected ||
    start === -1 ||
    end === -1
  ) {
    throw new Error(`${PERFORMANCE_DOC} must hold ${marker} once before ${closingMarker}`)
  }
  const next = `${text.slice(0, start)}${marker}\n\n${results}\n\n${text.slice(end)}`
  const config = (await prettier.resolveConfig(PERFORMANCE_DOC)) ?? {}
  writeFileSync(PERFORMANCE_DOC, await prettier.format(next, { ...config, parser: 'markdown' }))
}

/** ~100-byte JSON on GET /hello, 404 elsewhere: a wrongly forwarded path shows up as non-2xx. */
export const BACKEND_SOURCE = `
const http = require('node:http')
const body = JSON.stringify({ message: 'hello from the bench backend', items: [1, 2, 3, 4, 5, 6, 7, 8], ok: true, version: 1 })
// Answers once the request's body is read, as most servers do: answering earlier makes a client
// that is still sending (a GET carrying a mapped body, say) close the connection.
const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    const found = (req.method === 'GET' || req.method === 'POST') && req.url === '/hello'
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json', 'content-length': found ? Buffer.byteLength(body) : 2 })
    res.end(found ? body : '{}')
  })
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('ready\\n'))
`

/**
 * An OTLP/HTTP trace sink: answers every POST with `{}` (an ExportTraceServiceResponse) after reading
 * the body; `GET /count` tells how many exports and bytes it received.
 */
const OTLP_SINK_SOURCE = `
const http = require('node:http')
let requests = 0, bytes = 0
const server = http.createServer((req, res) => {
  req.on('data', (chunk) => (bytes += chunk.length))
  req.on('end', () => {
    if (req.method === 'POST') requests++
    const body = req.method === 'POST' ? '{}' : JSON.stringify({ requests, bytes })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
  })
})
server.listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('ready\\n'))
`

/** Starts the OTLP sink on a port; resolves once it listens. */
export function startOtlpSink(port: number): Promise<ChildProcess> {
  return startScript('OTLP sink', OTLP_SINK_SOURCE, [String(port)])
}

/**
 * Runs a small Node program (`node -e source ...args`) in a child process; resolves once it prints
 * `ready`. The bench backend and bench/cluster's fallback load balancer are such programs.
 */
export function startScript(name: string, source: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', source, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('ready')) resolve(child)
    })
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${name} exited (${code ?? 'signal'}): ${output}`)))
  })
}

/** Starts the bench backend on a port; resolves once it listens. */
export function startBackend(port: number): Promise<ChildProcess> {
  return startScript('backend', BACKEND_SOURCE, [String(port)])
}

/** GET on a resource with a MOCK integration answering 200 `{"ok": true}`. */
export async function putMockGet(
  base: string,
  apiId: string,
  resourceId: string,
  options: { apiKeyRequired?: boolean } = {},
): Promise<void> {
  const method = `/restapis/${apiId}/resources/${resourceId}/methods/GET`
  await call(base, 'PUT', method, {
    authorizationType: 'NONE',
    apiKeyRequired: options.apiKeyRequired ?? false,
  })
  await call(base, 'PUT', `${method}/integration`, {
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
  })
  await call(base, 'PUT', `${method}/responses/200`, {})
  await call(base, 'PUT', `${method}/integration/responses/200`, {
    selectionPattern: '',
    responseTemplates: { 'application/json': '{"ok": true}' },
  })
}

/**
 * A usage plan over `apiId`'s `stage` whose throttle (1,000,000 rps) and quota (10⁹ a day) never
 * refuse, with one new API key in it; returns the key's value.
 */
export async function addUnlimitedPlanKey(base: string, apiId: string, stage: string): Promise<string> {
  const plan = await call(base, 'POST', '/usageplans', {
    name: 'bench',
    apiStages: [{ apiId, stage }],
    throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
    quota: { limit: 1_000_000_000, period: 'DAY' },
  })
  const key = await call(base, 'POST', '/apikeys', { name: 'bench', enabled: true })
  await call(base, 'POST', `/usageplans/${String(plan['id'])}/keys`, { keyId: key['id'], keyType: 'API_KEY' })
  return String(key['value'])
}

/** What every bench records of one autocannon run. */
export interface MeasuredRun {
  round: number
  requestsPerSecond: number
  requests: number
  p50: number
  p99: number
  /** Failed requests and non-2xx answers, warm-up included. */
  failures: number
}

/** One measured run of one target (bench/throttle, bench/cache). */
export interface GatewayRun<T extends string> extends MeasuredRun {
  target: T
  /** The gateway process's CPU time per request, in microseconds. */
  gatewayCpu: number
}

/** The warm-up before each measured run, in seconds. */
export const WARM_UP_SECONDS = 1

/**
 * Loads each target in turn, round after round (interleaved, so all see the same machine state),
 * each run after a warm-up, reading the gateway process's CPU time around it.
 */
export async function measureInterleaved<T extends string>(
  targets: Readonly<Record<T, { url: string; headers?: Record<string, string> }>>,
  order: readonly T[],
  settings: BenchOptions,
  gatewayPid: number,
): Promise<GatewayRun<T>[]> {
  const runs: GatewayRun<T>[] = []
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of order) {
      const { url, headers = {} } = targets[target]
      const warmUp = await load(url, WARM_UP_SECONDS, settings.connections, headers)
      const before = cpuMicros(gatewayPid)
      const { result, latencies } = await load(url, settings.duration, settings.connections, headers)
      runs.push({
        target,
        round,
        requestsPerSecond: result.requests.average,
        requests: result.requests.total,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        failures: failuresOf(warmUp.result) + failuresOf(result),
        gatewayCpu: (cpuMicros(gatewayPid) - before) / Math.max(1, result.requests.total),
      })
      process.stderr.write(`round ${round} ${target}: ${result.requests.average.toFixed(0)} req/s\n`)
    }
  }
  return runs
}
