/**
 * The Markdown `npm run bench` prints (and writes into docs/performance.md): medians with min–max
 * per target, the issue's target ratios with met / not met, the Tollgate-specific points, and every
 * run in the order it ran.
 */
import { median, type MeasuredRun } from '../support.js'
import type { PairedRatio } from './measure.js'
import type { Soak } from './points.js'

export type TargetId =
  | 'direct'
  | 'nginx'
  | 'node-proxy'
  | 'offline'
  | 'http-proxy'
  | 'http-proxy-regional'
  | 'templates'
  | 'mock'
  | 'mock-3000'
  | 'keyed'
  | 'aws-proxy'
  | 'get'
  | 'get-cached'

export const LABELS: Record<TargetId, string> = {
  direct: 'Node backend, direct',
  nginx: 'nginx proxy_pass (keep-alive upstream)',
  'node-proxy': 'minimal Node proxy (node:http + undici Pool)',
  offline: 'serverless-offline 13 (trivial handler, http event)',
  'http-proxy': 'Tollgate HTTP_PROXY ({proxy+}, stage variable, access log)',
  'http-proxy-regional': 'Tollgate HTTP_PROXY, same route on a REGIONAL API (no CloudFront headers)',
  templates: 'Tollgate HTTP, request + response template',
  mock: 'Tollgate MOCK (API of 3 resources)',
  'mock-3000': 'Tollgate MOCK, same route in an API of 3,000 resources',
  keyed: 'Tollgate MOCK + API key + usage plan',
  'aws-proxy': 'Tollgate AWS_PROXY → warm Node function',
  get: 'Tollgate GET (HTTP_PROXY), uncached',
  'get-cached': 'Tollgate same GET, stage cache hit',
}

/**
 * How much the machine's speed changed during a run: the direct backend's fastest round ÷ its
 * slowest, minus 1 (undefined with fewer than two rounds). Interleaving cancels a slow phase only
 * on average; in a run of 2026-12-06 the direct backend went 30,549–44,174 requests/s between rounds
 * (45%) and a baseline's throughput 361–894, against 9.5% in the run written on 2026-12-05.
 */
export function directSpread(runs: readonly Run[]): number | undefined {
  const rates = runs.filter((r) => r.target === 'direct').map((r) => r.requestsPerSecond)
  if (rates.length < 2) return undefined
  return Math.max(...rates) / Math.min(...rates) - 1
}

/** Past this spread `--write` leaves docs/performance.md alone (`--write-unsteady` writes anyway). */
export const MAX_DIRECT_SPREAD = 0.2

/** The servers' CPU used by other work during a run, and the other server that used most of it. */
function otherWork(run: Run): string {
  if (run.outsideCpu === undefined) return '—'
  const busiest = run.busiestOther
  const named =
    busiest && busiest.share >= 0.01 ? ` (${busiest.name} ${(busiest.share * 100).toFixed(1)})` : ''
  return `${(run.outsideCpu * 100).toFixed(1)}${named}`
}

/** One measured run of one target. */
export interface Run extends MeasuredRun {
  target: TargetId
  /** CPU µs per request of the target's server process tree (the proxy or gateway itself). */
  serverCpu: number
  /** CPU µs per request of the backend, for targets that call it. */
  backendCpu: number | undefined
  /** RSS of the server process after the run, MB. */
  rss: number
  /** The same with its descendants (nginx's worker, Tollgate's function environments), MB. */
  rssTree: number
  /**
   * Share of the run's wall-clock time that the servers' CPU spent outside the target's processes
   * (and its backend's): other servers' background work, and the kernel's network processing no
   * process is charged for. Undefined when the servers are not pinned.
   */
  outsideCpu?: number | undefined
  /** The other server that used the most CPU during the run, and its share of the run's time. */
  busiestOther?: { name: string; share: number }
}

export interface BenchResults {
  header: string[]
  notes: string[]
  order: TargetId[]
  runs: Run[]
  startups: Partial<Record<TargetId, number[]>>
  hundredApis: number[] | undefined
  deployLive: number[] | undefined
  soak: Soak | undefined
  /** Ratios of Tollgate's routes taken at the same moment (`measurePaired`); none in a run that skipped them. */
  paired: PairedRatio[]
}

interface Stat {
  median: number
  min: number
  max: number
}

const stat = (values: number[]): Stat | undefined =>
  values.length ? { median: median(values), min: Math.min(...values), max: Math.max(...values) } : undefined

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits)
const range = (s: Stat | undefined, digits: number): string =>
  s ? `${fixed(s.median, digits)} (${fixed(s.min, digits)}–${fixed(s.max, digits)})` : '—'

function summarise(runs: Run[], target: TargetId) {
  const mine = runs.filter((r) => r.target === target)
  const pick = (f: (r: Run) => number | undefined): Stat | undefined =>
    stat(mine.map(f).filter((v): v is number => v !== undefined && !Number.isNaN(v)))
  return {
    rps: pick((r) => r.requestsPerSecond),
    p50: pick((r) => r.p50),
    p99: pick((r) => r.p99),
    serverCpu: pick((r) => r.serverCpu),
    backendCpu: pick((r) => r.backendCpu),
    rss: pick((r) => r.rss),
    rssTree: pick((r) => r.rssTree),
  }
}

interface Goal {
  name: string
  measured: string
  goal: string
  met: boolean | undefined
}

function goals(results: BenchResults): Goal[] {
  const s = (t: TargetId) => summarise(results.runs, t)
  const rps = (t: TargetId): number | undefined => s(t).rps?.median
  const p99 = (t: TargetId): number | undefined => s(t).p99?.median
  const ratio = (a: TargetId, b: TargetId): number | undefined => {
    const [x, y] = [rps(a), rps(b)]
    return x === undefined || y === undefined ? undefined : x / y
  }
  const atLeast = (name: string, value: number | undefined, min: number, unit = '×'): Goal => ({
    name,
    measured: value === undefined ? 'not measured' : `${value.toFixed(2)}${unit}`,
    goal: `≥ ${min}${unit}`,
    met: value === undefined ? undefined : value >= min,
  })
  const atMost = (name: string, value: number | undefined, max: number, unit: string, digits = 2): Goal => ({
    name,
    measured: value === undefined || Number.isNaN(value) ? 'not measured' : `${value.toFixed(digits)}${unit}`,
    goal: `≤ ${max}${unit}`,
    met: value === undefined || Number.isNaN(value) ? undefined : value <= max,
  })
  /**
   * A target that compares two targets of PAIRS: judged by their ratio at the same moment
   * (`measurePaired`) where the run took it, with the ratio of the rounds' medians beside it.
   */
  const pairedOf = (of: TargetId, to: TargetId): PairedRatio | undefined =>
    results.paired.find((p) => p.of === of && p.to === to)
  const sameMoment = (name: string, of: TargetId, to: TargetId, min: number): Goal => {
    const paired = pairedOf(of, to)
    const fromRounds = ratio(of, to)
    if (!paired) return atLeast(name, fromRounds, min)
    return {
      name,
      measured: `${paired.ratio.toFixed(2)}× (rounds: ${fromRounds === undefined ? '—' : `${fromRounds.toFixed(2)}×`})`,
      goal: `≥ ${min}×`,
      met: paired.ratio >= min,
    }
  }
  const p99FromRounds =
    p99('http-proxy') !== undefined && p99('node-proxy') !== undefined
      ? p99('http-proxy')! / p99('node-proxy')!
      : undefined
  const p99Paired = pairedOf('http-proxy', 'node-proxy')
  const p99Goal: Goal = p99Paired
    ? {
        name: 'HTTP_PROXY p99 ÷ minimal Node proxy p99',
        measured: `${p99Paired.p99Ratio.toFixed(2)}× (rounds: ${fixed(p99FromRounds, 2)}×)`,
        goal: '≤ 1.5×',
        met: p99Paired.p99Ratio <= 1.5,
      }
    : atMost('HTTP_PROXY p99 ÷ minimal Node proxy p99', p99FromRounds, 1.5, '×')
  const soakGrowth = results.soak ? results.soak.growth * 100 : undefined
  return [
    sameMoment('HTTP_PROXY ÷ minimal Node proxy, requests/s', 'http-proxy', 'node-proxy', 1.0),
    sameMoment('HTTP_PROXY ÷ nginx, requests/s', 'http-proxy', 'nginx', 0.5),
    p99Goal,
    sameMoment('MOCK ÷ Node backend direct, requests/s', 'mock', 'direct', 0.8),
    sameMoment('HTTP with templates ÷ HTTP_PROXY, requests/s', 'templates', 'http-proxy', 0.7),
    atLeast('AWS_PROXY ÷ serverless-offline, requests/s', ratio('aws-proxy', 'offline'), 5),
    atMost('AWS_PROXY p99', p99('aws-proxy'), 10, ' ms'),
    atMost(
      `AWS_PROXY RSS growth over a ${results.soak?.seconds ?? 60} s load: peak of the last ${results.soak?.settledAfter ?? 10} s ÷ peak of ${results.soak?.settledAfter ?? 10}–${2 * (results.soak?.settledAfter ?? 10)} s`,
      soakGrowth,
      10,
      '%',
      1,
    ),
    sameMoment('API key + usage plan ÷ same MOCK without, requests/s', 'keyed', 'mock', 0.9),
    sameMoment('cache hit ÷ same GET uncached, requests/s', 'get-cached', 'get', 0.9),
    atMost('100 deployed APIs: spawn → first 2xx', stat(results.hundredApis ?? [])?.median, 300, ' ms', 0),
    atMost('300-resource API: new deployment → live', stat(results.deployLive ?? [])?.median, 50, ' ms', 1),
    sameMoment('3,000 resources ÷ 3 resources, same MOCK route, requests/s', 'mock-3000', 'mock', 0.95),
  ]
}

export function renderReport(results: BenchResults): string {
  const direct = summarise(results.runs, 'direct').rps?.median
  const targetRow = (t: TargetId): string => {
    const s = summarise(results.runs, t)
    const cells = [
      LABELS[t],
      fixed(s.rps?.median, 0),
      s.rps ? `${fixed(s.rps.min, 0)}–${fixed(s.rps.max, 0)}` : '—',
      s.rps && direct ? (s.rps.median / direct).toFixed(2) : '—',
      fixed(s.p50?.median, 2),
      range(s.p99, 2),
      fixed(s.serverCpu?.median, 0),
      t === 'direct' ? '—' : fixed(s.backendCpu?.median, 0),
      fixed(s.rss?.median, 0),
      fixed(s.rssTree?.median, 0),
      range(stat(results.startups[t] ?? []), 0),
    ]
    return `| ${cells.join(' | ')} |`
  }
  const verdict = (met: boolean | undefined): string =>
    met === undefined ? 'not measured' : met ? 'met' : '**not met**'
  const soak = results.soak
  const series = (values: number[]): string => values.join(' ')
  const environmentCounts = (counts: number[]): string =>
    counts.every((c) => c === counts[0])
      ? `${counts[0] ?? 0} function environment(s) throughout`
      : `function environments each second: ${series(counts)}`
  return [
    ...results.header,
    '',
    ...results.notes.map((n) => `- ${n}`),
    ...(results.notes.length ? [''] : []),
    '| target | requests/s | min–max | × direct | p50 ms | p99 ms (min–max) | server CPU µs/req | backend CPU µs/req | RSS MB | RSS MB with descendants | spawn → first 2xx ms (min–max) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.order.map(targetRow),
    '',
    '| target (issue 15) | measured | goal | |',
    '| --- | ---: | ---: | --- |',
    ...goals(results).map((g) => `| ${g.name} | ${g.measured} | ${g.goal} | ${verdict(g.met)} |`),
    '',
    '| Tollgate point | median (min–max) | samples |',
    '| --- | ---: | --- |',
    `| 100 deployed APIs, fresh start: spawn → first 2xx, ms | ${range(stat(results.hundredApis ?? []), 0)} | ${(results.hundredApis ?? []).map((v) => v.toFixed(0)).join(', ') || '—'} |`,
    `| 300-resource API: POST /deployments → first answer from it, ms | ${range(stat(results.deployLive ?? []), 1)} | ${(results.deployLive ?? []).map((v) => v.toFixed(1)).join(', ') || '—'} |`,
    '',
    ...(results.paired.length
      ? [
          'Ratios at the same moment: each pair loaded B A A B, block after block (requests/s of the first ÷ the second, and p99 of the first ÷ the second; the median of the blocks, and each block):',
          '',
          '| targets | requests/s ratio | blocks | p99 ratio | blocks |',
          '| --- | ---: | --- | ---: | --- |',
          ...results.paired.map(
            (p) =>
              `| ${p.of} ÷ ${p.to} | ${p.ratio.toFixed(3)} | ${p.blocks.map((r) => r.toFixed(3)).join(', ')} | ${p.p99Ratio.toFixed(3)} | ${p.p99Blocks.map((r) => r.toFixed(3)).join(', ')} |`,
          ),
          '',
        ]
      : []),
    ...(soak
      ? [
          `AWS_PROXY under a ${soak.seconds} s load: ${soak.result.requestsPerSecond.toFixed(0)} requests/s, ` +
            `p99 ${soak.result.p99.toFixed(2)} ms, ${soak.result.failures} failed or non-2xx. ` +
            `Largest RSS after ${soak.settledAfter} s ÷ the one sample at ${soak.settledAfter} s (the earlier reading): ` +
            `${(soak.growthFromOneSample * 100).toFixed(1)}% growth. ` +
            `RSS (MB) each second, gateway with its function environments: ${series(soak.samples.map((s) => s.tree))}; ` +
            `gateway process alone: ${series(soak.samples.map((s) => s.process))}; ` +
            `${environmentCounts(soak.samples.map((s) => s.descendants))}.`,
          '',
        ]
      : []),
    'Every run, in the order it ran:',
    '',
    "| round | target | requests/s | p50 ms | p99 ms | requests | failed or non-2xx | server CPU µs/req | servers' CPU used by other work, % |",
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.runs.map(
      (r) =>
        `| ${r.round} | ${r.target} | ${r.requestsPerSecond.toFixed(0)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${r.requests} | ${r.failures} | ${fixed(r.serverCpu, 0)} | ${otherWork(r)} |`,
    ),
  ].join('\n')
}
