/**
 * bench/throttle: what an enforced usage plan costs. The same MOCK method, once without a key and
 * once with `apiKeyRequired` behind a usage plan (throttle and quota set so high they never
 * refuse), loaded in turn in one run: the key lookup, three token buckets and the quota count (a
 * SQLite write in usage.db) are the difference.
 *
 *   npx tsx bench/throttle.ts [--duration 5] [--rounds 2] [--connections 50] [--write]
 *
 * With BENCH_REDIS=redis://127.0.0.1:6379 the gateway keeps buckets and quota counts in that
 * Redis (`--redis`, under a key prefix of its own, deleted afterwards): the shared-state cost.
 *
 * Exits non-zero if any request failed or answered non-2xx; `--write` then leaves
 * docs/performance.md alone.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { spawnTollgate } from '../test/support/process.js'
import {
  addUnlimitedPlanKey,
  benchOptions,
  call,
  measureInterleaved,
  median,
  putMockGet,
  stop,
  writeResults,
  WARM_UP_SECONDS,
  type BenchOptions,
  type GatewayRun,
} from './support.js'

const MARKER = '<!-- bench:throttle -->'
type Target = 'open' | 'keyed'

type Run = GatewayRun<Target>

/** GET /open and GET /keyed (MOCK), a plan over the stage with one key; returns the API id and key value. */
async function configure(url: string): Promise<{ apiId: string; key: string }> {
  const api = await call(url, 'POST', '/restapis', { name: 'bench-throttle' })
  const apiId = String(api['id'])
  for (const [part, keyed] of [
    ['open', false],
    ['keyed', true],
  ] as const) {
    const resource = await call(
      url,
      'POST',
      `/restapis/${apiId}/resources/${String(api['rootResourceId'])}`,
      {
        pathPart: part,
      },
    )
    await putMockGet(url, apiId, String(resource['id']), { apiKeyRequired: keyed })
  }
  await call(url, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'bench' })
  return { apiId, key: await addUnlimitedPlanKey(url, apiId, 'bench') }
}

function report(runs: Run[], settings: BenchOptions): string {
  const of = (target: Target, pick: (r: Run) => number): number =>
    median(runs.filter((r) => r.target === target).map(pick))
  const row = (target: Target, label: string): string => {
    const rps = of(target, (r) => r.requestsPerSecond)
    return `| ${label} | ${rps.toFixed(0)} | ${(rps / of('open', (r) => r.requestsPerSecond)).toFixed(2)} | ${of(target, (r) => r.p50).toFixed(2)} | ${of(target, (r) => r.p99).toFixed(2)} | ${of(target, (r) => r.gatewayCpu).toFixed(0)} |`
  }
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} (Node ${process.version}): ${settings.rounds} interleaved rounds of ` +
      `${settings.duration} s per target after a ${WARM_UP_SECONDS} s warm-up, ${settings.connections} connections; medians over the rounds.`,
    '',
    '| target | requests/s | × without key | p50 ms | p99 ms | gateway CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('open', 'MOCK method, no key'),
    row('keyed', 'same method, API key + usage plan (throttle + quota)'),
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
  const redis = process.env['BENCH_REDIS']
  const prefix = `tollgate-bench:${randomBytes(4).toString('hex')}:`
  // The account level would refuse this load at its defaults (10,000 rps, burst 5,000).
  const gateway = await spawnTollgate([
    '--data-dir',
    dataDir,
    '--account-rate-limit',
    '1000000',
    '--account-burst-limit',
    '1000000',
    ...(redis ? ['--redis', redis, '--redis-key-prefix', prefix] : []),
  ])
  process.once('exit', () => gateway.child.kill('SIGKILL'))
  try {
    const { apiId, key } = await configure(gateway.url)
    const base = `${gateway.url}/_aws/execute-api/${apiId}/bench`
    const targets: Record<Target, { url: string; headers: Record<string, string> }> = {
      open: { url: `${base}/open`, headers: {} },
      keyed: { url: `${base}/keyed`, headers: { 'x-api-key': key } },
    }
    const pid = gateway.child.pid!
    const runs = await measureInterleaved(targets, ['open', 'keyed'], settings, pid)
    const results = report(runs, settings)
    process.stdout.write(`${results}\n`)
    if (runs.some((r) => r.failures > 0)) {
      process.stderr.write('requests failed or answered non-2xx; docs/performance.md left as is\n')
      return 1
    }
    if (settings.write) await writeResults(MARKER, results)
    return 0
  } finally {
    await stop(gateway.child)
    rmSync(dataDir, { recursive: true, force: true })
    if (redis) await deleteKeys(redis, prefix)
  }
}

/** Deletes the run's keys (quota counts would otherwise stay for 90 days). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url)
  try {
    for await (const keys of client.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<
      string[]
    >)
      if (keys.length) await client.unlink(...keys)
  } finally {
    client.disconnect()
  }
}

process.exitCode = await main()
