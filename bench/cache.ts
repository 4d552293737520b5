/**
 * bench/cache: a GET answered from the stage cache, against the same backend called directly, in
 * one run. The method is an HTTP_PROXY to the bench backend on a stage with the cache on (TTL 300
 * s), so after the first request every request is a cache hit.
 *
 *   npx tsx bench/cache.ts [--duration 5] [--rounds 2] [--connections 50] [--write]
 *
 * Exits non-zero if any request failed or answered non-2xx; `--write` then leaves
 * docs/performance.md alone.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, spawnTollgate } from '../test/support/process.js'
import {
  benchOptions,
  call,
  measureInterleaved,
  median,
  startBackend,
  stop,
  writeResults,
  WARM_UP_SECONDS,
  type BenchOptions,
  type GatewayRun,
} from './support.js'

const MARKER = '<!-- bench:cache -->'
type Target = 'direct' | 'cached'

type Run = GatewayRun<Target>

/** GET /hello as HTTP_PROXY to the backend, on stage `bench` with the cache on; returns the API id. */
async function configure(url: string, backendPort: number): Promise<string> {
  const api = await call(url, 'POST', '/restapis', { name: 'bench-cache' })
  const apiId = String(api['id'])
  const resource = await call(url, 'POST', `/restapis/${apiId}/resources/${String(api['rootResourceId'])}`, {
    pathPart: 'hello',
  })
  const method = `/restapis/${apiId}/resources/${String(resource['id'])}/methods/GET`
  await call(url, 'PUT', method, { authorizationType: 'NONE' })
  await call(url, 'PUT', `${method}/integration`, {
    type: 'HTTP_PROXY',
    httpMethod: 'GET',
    uri: `http://127.0.0.1:${backendPort}/hello`,
  })
  await call(url, 'POST', `/restapis/${apiId}/deployments`, {
    stageName: 'bench',
    cacheClusterEnabled: true,
    cacheClusterSize: '0.5',
  })
  return apiId
}

function report(runs: Run[], settings: BenchOptions): string {
  const of = (target: Target, pick: (r: Run) => number): number =>
    median(runs.filter((r) => r.target === target).map(pick))
  const row = (target: Target, label: string): string => {
    const rps = of(target, (r) => r.requestsPerSecond)
    const cpu = target === 'cached' ? of(target, (r) => r.gatewayCpu).toFixed(0) : '—'
    return `| ${label} | ${rps.toFixed(0)} | ${(rps / of('direct', (r) => r.requestsPerSecond)).toFixed(2)} | ${of(target, (r) => r.p50).toFixed(2)} | ${of(target, (r) => r.p99).toFixed(2)} | ${cpu} |`
  }
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} (Node ${process.version}): ${settings.rounds} interleaved rounds of ` +
      `${settings.duration} s per target after a ${WARM_UP_SECONDS} s warm-up, ${settings.connections} connections; medians over the rounds.`,
    '',
    '| target | requests/s | × direct | p50 ms | p99 ms | gateway CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('direct', 'Node backend, direct'),
    row('cached', 'Tollgate, GET answered from the stage cache'),
    '',
    'Every run, in the order it ran:',
    '',
    '| round | target | requests/s | p50 ms | p99 ms | requests | failed or non-2xx |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.round} | ${r.target} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.requests} | ${r.failures} |`,
    ),
  ].join('\n')
}

async function main(): Promise<number> {
  const settings = benchOptions()
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
  const children: ChildProcess[] = []
  process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')))
  try {
    const backendPort = await freePort()
    children.push(await startBackend(backendPort))
    const gateway = await spawnTollgate([
      '--data-dir',
      dataDir,
      '--account-rate-limit',
      '1000000',
      '--account-burst-limit',
      '1000000',
    ])
    children.push(gateway.child)
    const apiId = await configure(gateway.url, backendPort)
    const urls: Record<Target, string> = {
      direct: `http://127.0.0.1:${backendPort}/hello`,
      cached: `${gateway.url}/_aws/execute-api/${apiId}/bench/hello`,
    }
    const pid = gateway.child.pid!
    const runs = await measureInterleaved(
      { direct: { url: urls.direct }, cached: { url: urls.cached } },
      ['direct', 'cached'],
      settings,
      pid,
    )
    const results = report(runs, settings)
    process.stdout.write(`${results}\n`)
    if (runs.some((r) => r.failures > 0)) {
      process.stderr.write('requests failed or answered non-2xx; docs/performance.md left as is\n')
      return 1
    }
    if (settings.write) await writeResults(MARKER, results)
    return 0
  } finally {
    await Promise.all(children.map(stop))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

process.exitCode = await main()
