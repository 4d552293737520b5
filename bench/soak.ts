/**
 * Soak (issue 16, "load held"): mixed load at a fixed offered rate against a spawned gateway for
 * `--minutes` (30), the gateway's RSS read from /proc every `--sample-seconds` (10). Passes (exit
 * 0) when no request failed and the RSS at the end is within `--max-growth` (1.2×) of the RSS at
 * `--baseline-minute` (5): memory that keeps growing under a steady load is a leak.
 *
 *   npm run soak                                     # 60 s per method (test/reliability/load-held), then 30 minutes mixed
 *   npx tsx bench/soak.ts --minutes 3 --baseline-minute 1 --rate 50
 *
 * The mix: MOCK, HTTP_PROXY (a backend in this process), AWS_PROXY (a Node.js function in the
 * gateway's Lambda runtime) and a MOCK requiring an API key of a usage plan, `--rate` requests per
 * second each (50 by default: 200 req/s in all), offered open loop (see offerLoad).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { Agent } from 'undici'
import { BACKEND_HELLO, createLoadApi } from '../test/support/load-api.js'
import { memoryKb, offerLoad, percentile, treeRssKb } from '../test/support/load.js'
import { spawnTollgate } from '../test/support/process.js'
import { cpuMicros } from './support.js'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'baseline-minute': { type: 'string', default: '5' },
    rate: { type: 'string', default: '50' },
    'sample-seconds': { type: 'string', default: '10' },
    'max-growth': { type: 'string', default: '1.2' },
  },
})
const number = (name: string, text: string): number => {
  const value = Number(text)
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`)
  return value
}
const minutes = number('minutes', values.minutes)
const baselineMinute = number('baseline-minute', values['baseline-minute'])
const rate = number('rate', values.rate)
const sampleSeconds = number('sample-seconds', values['sample-seconds'])
const maxGrowth = number('max-growth', values['max-growth'])
if (baselineMinute >= minutes) throw new Error('--baseline-minute must come before the end (--minutes)')

const backend = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(BACKEND_HELLO)
})
await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`
const gateway = await spawnTollgate()
const stop = (): void => {
  gateway.kill('SIGKILL')
  backend.closeAllConnections()
  backend.close()
}
process.once('SIGINT', () => {
  stop()
  process.exit(130)
})

interface Row {
  at: number
  rssMb: number
  /** The gateway with its Lambda environments (child processes). */
  treeMb: number
  /** The gateway's CPU time over the slice, as a share of one core. */
  cpuPercent: number
  ok: number
  errors: number
  p99: number
}
const rows: Row[] = []
const errors = new Map<string, number>()
try {
  const targets = Object.values(await createLoadApi(gateway.url, backendUrl))
  const startLoad = loadavg()
  console.log(
    `soak: ${minutes} min, ${targets.length} methods × ${rate} req/s, RSS every ${sampleSeconds} s; ` +
      `load average ${startLoad.map((l) => l.toFixed(2)).join(' ')}`,
  )
  console.log(`gateway RSS at start ${(memoryKb(gateway.pid).rss / 1024).toFixed(1)} MB`)
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 60_000 })
  const slices = Math.round((minutes * 60) / sampleSeconds)
  let cpuBefore = cpuMicros(gateway.pid)
  let wallBefore = performance.now()
  for (let slice = 1; slice <= slices; slice++) {
    const results = await offerLoad(gateway.url, targets, {
      rate,
      durationMs: sampleSeconds * 1000,
      dispatcher,
    })
    let ok = 0
    let failed = 0
    const latencies: number[] = []
    for (const result of results) {
      ok += result.ok
      latencies.push(...result.latencies)
      for (const [what, count] of result.errors) {
        failed += count
        errors.set(`${result.name}: ${what}`, (errors.get(`${result.name}: ${what}`) ?? 0) + count)
      }
    }
    const cpuNow = cpuMicros(gateway.pid)
    const wallNow = performance.now()
    const cpuPercent = ((cpuNow - cpuBefore) / 1000 / (wallNow - wallBefore)) * 100
    cpuBefore = cpuNow
    wallBefore = wallNow
    const row: Row = {
      at: slice * sampleSeconds,
      rssMb: memoryKb(gateway.pid).rss / 1024,
      treeMb: treeRssKb(gateway.pid) / 1024,
      cpuPercent,
      ok,
      errors: failed,
      p99: percentile(Float64Array.from(latencies).sort(), 99),
    }
    rows.push(row)
    const clock = `${String(Math.floor(row.at / 60)).padStart(2, '0')}:${String(row.at % 60).padStart(2, '0')}`
    console.log(
      `${clock}  RSS ${row.rssMb.toFixed(1).padStart(6)} MB (with Lambda ${row.treeMb.toFixed(1).padStart(6)} MB)  CPU ${cpuPercent.toFixed(0).padStart(3)}%  ok ${String(ok).padStart(5)}  errors ${failed}  p99 ${row.p99.toFixed(1)} ms`,
    )
  }
  await dispatcher.close()
} finally {
  stop()
}

const baseline = rows.find((row) => row.at >= baselineMinute * 60)
const end = rows.at(-1)
if (!baseline || !end) throw new Error('no samples')
const growth = end.rssMb / baseline.rssMb
const totalErrors = [...errors.values()].reduce((a, b) => a + b, 0)
const totalOk = rows.reduce((sum, row) => sum + row.ok, 0)
console.log(
  [
    '',
    '| measure | value |',
    '| --- | --- |',
    `| duration | ${minutes} min, ${rate} req/s × 4 methods |`,
    `| requests answered correctly | ${totalOk} |`,
    `| errors | ${totalErrors} |`,
    `| RSS at minute ${baselineMinute} | ${baseline.rssMb.toFixed(1)} MB |`,
    `| RSS at the end | ${end.rssMb.toFixed(1)} MB (${growth.toFixed(3)}×, limit ${maxGrowth}×) |`,
    `| with the Lambda environments, minute ${baselineMinute} → end | ${baseline.treeMb.toFixed(1)} → ${end.treeMb.toFixed(1)} MB |`,
    `| RSS min / max after minute ${baselineMinute} | ${Math.min(...rows.filter((r) => r.at >= baseline.at).map((r) => r.rssMb)).toFixed(1)} / ${Math.max(...rows.filter((r) => r.at >= baseline.at).map((r) => r.rssMb)).toFixed(1)} MB |`,
    `| load average at the end | ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} |`,
  ].join('\n'),
)
for (const [what, count] of errors) console.log(`error ×${count}: ${what}`)
const passed = totalErrors === 0 && growth <= maxGrowth
console.log(passed ? 'PASS' : 'FAIL')
process.exit(passed ? 0 : 1)
