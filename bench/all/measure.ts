/**
 * The interleaved run: every target checked once, then loaded in turn, round after round (so all
 * see the same machine state), each run after a warm-up, with the CPU time of its server (and of
 * the backend behind it) read from /proc around the run and the server's RSS after it.
 */
import { statSync, truncateSync } from 'node:fs'
import { get } from './http.js'
import type { LoadResult, Loader } from './loader.js'
import {
  cpuBusyMicros,
  pauseProcess,
  resumeProcess,
  rssMegabytes,
  treeCpuMicros,
  type Tracked,
} from './processes.js'
import { median } from '../support.js'
import { LABELS, type Run, type TargetId } from './report.js'

/** What to load, and which processes serve it. */
export interface Target {
  url: string
  headers: Record<string, string>
  /** The process whose CPU time and RSS are the target's (with its descendants). */
  server: Tracked
  /** The backend behind a proxy, if it calls one. */
  backend?: Tracked
  /**
   * Paused (SIGSTOP) whenever it is not loaded itself, and let settle after it is resumed: a server
   * whose idle background work would land in the other targets' runs.
   */
  pausedBetweenRuns?: boolean
}

export interface MeasureSettings {
  loader: Loader
  rounds: number
  seconds: number
  warmUpSeconds: number
  /** Tollgate's access log file: checked to grow, and emptied after each run to bound disk use. */
  accessLog: string
  note: (text: string) => void
  /** The CPU every server is pinned to, if they are: its time not spent by the target is reported. */
  serverCpu?: string | undefined
}

/** One request per target before any load: a target that does not answer 2xx stops the bench. */
async function check(targets: ReadonlyMap<TargetId, Target>): Promise<void> {
  const direct = await get(targets.get('direct')!.url)
  for (const [id, target] of targets) {
    const answer = await withTarget(target, () =>
      get(target.url, { headers: target.headers, timeoutMs: 10_000 }),
    )
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${LABELS[id]} (${target.url}) answered ${answer.status}: ${answer.body.slice(0, 500)}`)
    }
    const proxied = [
      'nginx',
      'node-proxy',
      'http-proxy',
      'http-proxy-regional',
      'get',
      'get-cached',
    ].includes(id)
    if (proxied && answer.body !== direct.body) {
      throw new Error(`${LABELS[id]} answered ${answer.body.slice(0, 300)}, the backend ${direct.body}`)
    }
    if (id === 'templates') {
      const body = JSON.parse(answer.body) as { items?: unknown[] }
      if (body.items?.length !== 8)
        throw new Error(`the response template answered ${answer.body.slice(0, 300)}`)
    }
  }
}

const rssOf = (pid: number): { rss: number; rssTree: number } => {
  const { process, tree } = rssMegabytes(pid)
  return { rss: process, rssTree: tree }
}

const accessLogBytes = (file: string): number => {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/** Empties the access log after a run, so that a long bench does not fill the disk. */
const emptyAccessLog = (file: string): void => {
  if (accessLogBytes(file) > 0) truncateSync(file, 0)
}

/** A run's failures; one in which nothing was answered counts as failed even if wrk reported no error. */
export const failuresOf = (result: LoadResult): number => result.failures + (result.requests === 0 ? 1 : 0)

/**
 * Before the first round, each target is loaded once for PRE_WARM_SECONDS (not recorded): JIT
 * warm-up, pools filled. AWS_PROXY is loaded at least three times, and until its throughput stops
 * growing (a load without failures at most 10% faster than the one before), within PRE_WARM_LIMIT_MS:
 * Tollgate starts one function environment per concurrent request, and each of those 50 processes
 * has its own JIT to warm, which on a busy machine takes many seconds.
 */
const PRE_WARM_SECONDS = 2
const PRE_WARM_LIMIT_MS = 60_000

/** How long a resumed server may take to finish the work it held while paused (below 5% of a CPU). */
const SETTLE_LIMIT_MS = 15_000

/**
 * Lets a paused server run again and waits until it is idle (under 5% of a CPU over 500 ms): the
 * timers and garbage collections it held while paused are its own, not its measured run's.
 */
async function resumeAndSettle(target: Target): Promise<void> {
  resumeProcess(target.server)
  const deadline = Date.now() + SETTLE_LIMIT_MS
  for (;;) {
    const before = treeCpuMicros(target.server.pid)
    await new Promise((resolve) => setTimeout(resolve, 500))
    if (treeCpuMicros(target.server.pid) - before < 25_000 || Date.now() > deadline) return
  }
}

/** Runs `load` on a target, resumed first and paused after if it is paused between runs. */
async function withTarget<T>(target: Target, load: () => Promise<T>): Promise<T> {
  if (!target.pausedBetweenRuns) return load()
  await resumeAndSettle(target)
  try {
    return await load()
  } finally {
    pauseProcess(target.server)
  }
}

async function preWarm(targets: ReadonlyMap<TargetId, Target>, settings: MeasureSettings): Promise<void> {
  for (const [id, target] of targets) await withTarget(target, () => preWarmOne(id, target, settings))
}

async function preWarmOne(id: TargetId, target: Target, settings: MeasureSettings): Promise<void> {
  const deadline = Date.now() + PRE_WARM_LIMIT_MS
  let previous: number | undefined
  for (let load = 1; ; load++) {
    const result = await settings.loader.run(target.url, PRE_WARM_SECONDS, target.headers)
    if (id !== 'aws-proxy') return
    const clean = result.requests > 0 && result.failures === 0
    const stable = previous !== undefined && result.requestsPerSecond <= previous * 1.1
    if (clean && stable && load >= 3) return
    if (Date.now() > deadline) {
      settings.note(`${LABELS[id]}: throughput still growing after ${PRE_WARM_LIMIT_MS / 1_000} s of warm-up`)
      return
    }
    previous = clean ? result.requestsPerSecond : undefined
  }
}

export async function measureInterleaved(
  targets: ReadonlyMap<TargetId, Target>,
  settings: MeasureSettings,
): Promise<Run[]> {
  await check(targets)
  process.stderr.write(`warming every target up (${PRE_WARM_SECONDS} s each)...\n`)
  await preWarm(targets, settings)
  const runs: Run[] = []
  let logged = 0
  // Every process measured once (Tollgate's gateway serves several targets, the backend is behind
  // several): each one's CPU time is read around every run, to name the one that used the
  // servers' CPU during another's run.
  const processes = [
    ...new Map(
      [...targets.values()]
        .flatMap((t) => (t.backend ? [t.server, t.backend] : [t.server]))
        .map((p) => [p.pid, p]),
    ).values(),
  ]
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [id, target] of targets) {
      if (target.pausedBetweenRuns) await resumeAndSettle(target)
      const warmUp = await settings.loader.run(target.url, settings.warmUpSeconds, target.headers)
      const cpuBefore = processes.map((p) => treeCpuMicros(p.pid))
      const coreBefore = settings.serverCpu === undefined ? undefined : cpuBusyMicros(settings.serverCpu)
      const startedAt = performance.now()
      const result = await settings.loader.run(target.url, settings.seconds, target.headers)
      const coreAfter = settings.serverCpu === undefined ? undefined : cpuBusyMicros(settings.serverCpu)
      const used = new Map(processes.map((p, i) => [p, treeCpuMicros(p.pid) - cpuBefore[i]!]))
      const elapsedMicros = (performance.now() - startedAt) * 1_000
      if (target.pausedBetweenRuns) pauseProcess(target.server)
      const serverMicros = used.get(target.server) ?? 0
      const backendMicros = target.backend ? (used.get(target.backend) ?? 0) : undefined
      const outside =
        coreAfter === undefined || coreBefore === undefined
          ? undefined
          : (coreAfter - coreBefore - serverMicros - (backendMicros ?? 0)) / elapsedMicros
      const perRequest = (micros: number): number => (result.requests ? micros / result.requests : Number.NaN)
      const busiestOther = processes
        .filter((p) => p !== target.server && p !== target.backend)
        .map((p) => ({ name: p.name, micros: used.get(p) ?? 0 }))
        .sort((a, b) => b.micros - a.micros)[0]
      runs.push({
        target: id,
        round,
        requestsPerSecond: result.requestsPerSecond,
        requests: result.requests,
        p50: result.requests ? result.p50 : Number.NaN,
        p99: result.requests ? result.p99 : Number.NaN,
        failures: warmUp.failures + failuresOf(result),
        serverCpu: perRequest(serverMicros),
        backendCpu: backendMicros === undefined ? undefined : perRequest(backendMicros),
        ...rssOf(target.server.pid),
        outsideCpu: outside,
        ...(busiestOther && busiestOther.micros > 0
          ? { busiestOther: { name: busiestOther.name, share: busiestOther.micros / elapsedMicros } }
          : {}),
      })
      if (id === 'http-proxy') logged += accessLogBytes(settings.accessLog)
      emptyAccessLog(settings.accessLog)
      process.stderr.write(
        `round ${round} ${id}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms` +
          `${result.failures + warmUp.failures ? `, ${result.failures + warmUp.failures} failed` : ''}\n`,
      )
    }
  }
  if (logged === 0)
    throw new Error(`the access log (${settings.accessLog}) stayed empty during the HTTP_PROXY runs`)
  settings.note(
    `the access log received ${(logged / 1e6).toFixed(1)} MB during the HTTP_PROXY runs (file emptied after each run)`,
  )
  return runs
}

/**
 * Pairs of targets whose ratio is one of the issue's targets: [target, target it is compared
 * with]. Their ratio is also taken at the same moment (`measurePaired`), not only from the medians
 * of runs seconds apart: four compare two of Tollgate's routes, three compare Tollgate with a
 * yardstick (each a process of its own, loaded in turn with the gateway as the routes are). One
 * more is no target but tells what the HTTP_PROXY ratio is made of: the same route on a REGIONAL
 * API, whose backend is not sent the ten CloudFront headers AWS adds for an EDGE one.
 */
export const PAIRS: readonly (readonly [TargetId, TargetId])[] = [
  ['templates', 'http-proxy'],
  ['keyed', 'mock'],
  ['get-cached', 'get'],
  ['mock-3000', 'mock'],
  ['http-proxy', 'node-proxy'],
  ['http-proxy', 'nginx'],
  ['http-proxy-regional', 'node-proxy'],
  ['mock', 'direct'],
]

/**
 * One pair's ratio of requests/s, and of p99 latency: the median of its blocks', and each block's.
 */
export interface PairedRatio {
  of: TargetId
  to: TargetId
  ratio: number
  blocks: number[]
  /** The first's p99 ÷ the second's (each the mean of its two runs in a block). */
  p99Ratio: number
  p99Blocks: number[]
}

/**
 * The ratios of PAIRS by fine interleaving, each the median of its blocks: `blocks` times, the two routes loaded in the order
 * B A A B for `seconds` each (no warm-up: every target is warm from the rounds before). A drift
 * of the machine's speed, which between runs seconds apart reached ±25% in the rounds of
 * 2026-12-06 and decided targets such as 3,000 resources ÷ 3 both ways, then weighs on both
 * routes alike: a drift that is linear within a block cancels out in its B A A B.
 */
export async function measurePaired(
  targets: ReadonlyMap<TargetId, Target>,
  settings: Pick<MeasureSettings, 'loader' | 'accessLog'> & { blocks: number; seconds: number },
): Promise<{ ratios: PairedRatio[]; failures: number }> {
  const ratios: PairedRatio[] = []
  let failures = 0
  for (const [of, to] of PAIRS) {
    const [a, b] = [targets.get(of), targets.get(to)]
    if (!a || !b) continue
    const blocks: number[] = []
    const p99Blocks: number[] = []
    for (let block = 0; block < settings.blocks; block++) {
      const perSecond = { of: 0, to: 0 }
      const p99 = { of: 0, to: 0 }
      for (const [which, target] of [
        ['to', b],
        ['of', a],
        ['of', a],
        ['to', b],
      ] as const) {
        const result = await settings.loader.run(target.url, settings.seconds, target.headers)
        failures += failuresOf(result)
        // Two runs of the same length each: the sums compare as the requests/s do.
        perSecond[which] += result.requestsPerSecond
        p99[which] += result.p99
        emptyAccessLog(settings.accessLog)
      }
      blocks.push(perSecond.of / perSecond.to)
      p99Blocks.push(p99.of / p99.to)
    }
    // The median: a block in which the machine stalled (one of four read 0.558 against 0.94–1.08
    // for 3,000 resources ÷ 3 on 2026-12-06, 22:50) does not move it.
    const ratio = median(blocks)
    ratios.push({ of, to, ratio, blocks, p99Ratio: median(p99Blocks), p99Blocks })
    process.stderr.write(
      `${of} ÷ ${to}, same moment: ${ratio.toFixed(3)} (blocks ${blocks.map((r) => r.toFixed(3)).join(', ')})\n`,
    )
  }
  return { ratios, failures }
}
