/**
 * The load generator, always in a process of its own pinned to the loader CPU: Debian's `wrk`
 * (`-t1 -cN --latency`), or autocannon's command line when wrk cannot be installed.
 */
import { createRequire } from 'node:module'
import { ensureDebianProgram } from './install.js'
import { startProcess, waitExit } from './processes.js'

/** What one load run measured. */
export interface LoadResult {
  requestsPerSecond: number
  requests: number
  /** Latency percentiles in ms. */
  p50: number
  p99: number
  /** Connection errors, timeouts and non-2xx answers. */
  failures: number
}

export interface Loader {
  /** e.g. "wrk 4.1.0 -t1 -c50" */
  description: string
  run(url: string, seconds: number, headers?: Record<string, string>): Promise<LoadResult>
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000 }

function durationMs(value: string | undefined, unit: string | undefined): number {
  return Number(value) * (UNIT_MS[unit ?? ''] ?? Number.NaN)
}

/** Parses wrk's report (`--latency` prints the distribution). */
export function parseWrk(output: string): LoadResult {
  const percentile = (p: number): number => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output)
    return durationMs(match?.[1], match?.[2])
  }
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? Number.NaN)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN)
  if (Number.isNaN(requests) || Number.isNaN(rps)) throw new Error(`cannot read wrk's output:\n${output}`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0)
  return {
    requestsPerSecond: rps,
    requests,
    p50: percentile(50),
    p99: percentile(99),
    failures: socketErrors + non2xx,
  }
}

function headerArgs(flag: string, headers: Record<string, string>, separator: string): string[] {
  return Object.entries(headers).flatMap(([name, value]) => [flag, `${name}${separator}${value}`])
}

function wrkLoader(path: string, connections: number, cpu: string | undefined): Loader {
  return {
    description: `wrk -t1 -c${connections} (Debian's wrk)`,
    async run(url, seconds, headers = {}) {
      const p = startProcess(
        'wrk',
        path,
        [
          '-t1',
          `-c${connections}`,
          `-d${seconds}s`,
          '--latency',
          '--timeout',
          '5s',
          ...headerArgs('-H', headers, ': '),
          url,
        ],
        { cpu },
      )
      const code = await waitExit(p, (seconds + 30) * 1_000)
      if (code !== 0) throw new Error(`wrk exited ${code}: ${p.output()}`)
      return parseWrk(p.output())
    },
  }
}

interface AutocannonJson {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number }
  errors: number
  timeouts: number
  non2xx: number
}

function autocannonLoader(connections: number, cpu: string | undefined): Loader {
  const cli = createRequire(import.meta.url).resolve('autocannon')
  return {
    description: `autocannon -c${connections} in its own process`,
    async run(url, seconds, headers = {}) {
      const p = startProcess(
        'autocannon',
        process.execPath,
        [cli, '-c', String(connections), '-d', String(seconds), '-j', ...headerArgs('-H', headers, '='), url],
        { cpu },
      )
      const code = await waitExit(p, (seconds + 30) * 1_000)
      const json = p
        .output()
        .split('\n')
        .find((line) => line.startsWith('{'))
      if (code !== 0 || !json) throw new Error(`autocannon exited ${code}: ${p.output()}`)
      const result = JSON.parse(json) as AutocannonJson
      return {
        requestsPerSecond: result.requests.average,
        requests: result.requests.total,
        p50: result.latency.p50,
        p99: result.latency.p99,
        failures: result.errors + result.timeouts + result.non2xx,
      }
    },
  }
}

/** wrk if `wrkPath` is known (see `ensureWrk`), else autocannon. */
export function chooseLoader(
  connections: number,
  cpu: string | undefined,
  wrkPath: string | undefined,
): Loader {
  return wrkPath ? wrkLoader(wrkPath, connections, cpu) : autocannonLoader(connections, cpu)
}

/** The path of wrk, installed with apt-get if missing; a reason instead when it cannot be had. */
export async function ensureWrk(): Promise<{ path: string } | { reason: string }> {
  return ensureDebianProgram('wrk', 'wrk')
}
