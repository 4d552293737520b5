/**
 * `npm run bench:ab -- --a DIR --b DIR`: two builds of Tollgate (each a `dist/` made by `npm run
 * build`, copied elsewhere) compared on the routes of `npm run bench`, for the changes too small to
 * see by turns on a machine whose speed drifts.
 *
 *   npm run bench:ab -- --a /tmp/dist-before --b dist [--targets mock,http-proxy,templates,aws-proxy]
 *                       [--rounds 6] [--duration 3] [--connections 50] [--in-turn]
 *
 * Both gateways run at once on the servers' CPU, each loaded by its own `wrk` at the same moment.
 * Two busy processes on one CPU get equal shares of it from the scheduler, so B's requests/s ÷ A's
 * is A's CPU per request ÷ B's, measured under the same machine speed. Run one after the other,
 * the same build's rounds differed by up to ±15% here, which hides a change of a few percent
 * (docs/performance.md). The bench backend shares that CPU too; a pass runs each target `--rounds`
 * times. A second pass starts the gateways in the other order, as the first one started gained
 * 1–3% in a run of one build against itself; the result is the geometric mean of both passes'
 * medians.
 *
 * `--in-turn` loads the two gateways one after the other instead (A B in odd rounds, B A in even
 * ones), each with the servers' CPU to itself: for builds that run different numbers of processes
 * (marked NOT COMPARABLE side by side), and to check a side-by-side result. Its ratios also follow
 * the machine's drift between runs seconds apart, which the alternation spreads over both builds.
 *
 * Prints the ratios; exits non-zero if any request failed or answered non-2xx.
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startBackend } from './all/baselines.js'
import type { Loader } from './all/loader.js'
import { cpuByMember, stopEverything } from './all/processes.js'
import { runWithBuilds } from './all/script.js'
import {
  configureMainApi,
  configureSmallApi,
  createFunction,
  invokeUrl,
  startTollgateAndWait,
} from './all/tollgate.js'
import { median } from './support.js'

const TARGETS = ['mock', 'keyed', 'http-proxy', 'templates', 'get', 'aws-proxy'] as const
type AbTarget = (typeof TARGETS)[number]
const WARM_UP_SECONDS = 1

interface Gateway {
  build: string
  urls: Record<AbTarget, string>
  apiKey: string
  /** The gateway process (its descendants are its function environments). */
  pid: number
}

function options() {
  const { values } = parseArgs({
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      targets: { type: 'string', default: 'mock,http-proxy,templates,aws-proxy' },
      rounds: { type: 'string', default: '6' },
      duration: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      'in-turn': { type: 'boolean', default: false },
    },
  })
  if (!values.a || !values.b)
    throw new Error('--a and --b name two build directories (each with tollgate.cjs)')
  const positive = (name: string, text: string): number => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
    return value
  }
  const targets = values.targets.split(',').map((name) => {
    if (!(TARGETS as readonly string[]).includes(name))
      throw new Error(`--targets: unknown ${name} (known: ${TARGETS.join(', ')})`)
    return name as AbTarget
  })
  return {
    a: resolve(values.a),
    b: resolve(values.b),
    targets,
    rounds: positive('rounds', values.rounds),
    duration: positive('duration', values.duration),
    connections: positive('connections', values.connections),
    inTurn: values['in-turn'],
  }
}

/** One build served on the servers' CPU with the bench's APIs. */
async function startGateway(
  build: string,
  cpu: string | undefined,
  backendPort: number,
  dataDir: string,
): Promise<Gateway> {
  const started = await startTollgateAndWait(cpu, dataDir, {
    entry: join(build, 'tollgate.cjs'),
    accessLogFile: join(dataDir, 'access.log'),
  })
  const main = await configureMainApi(started.url, backendPort)
  await createFunction(started.url)
  const small = await configureSmallApi(started.url)
  const url = (apiId: string, stage: string, path: string): string =>
    invokeUrl(started.url, apiId, stage, path)
  return {
    build,
    pid: started.process.pid,
    apiKey: small.key,
    urls: {
      mock: url(small.apiId, 'v1', '/mock'),
      keyed: url(small.apiId, 'v1', '/keyed'),
      'http-proxy': url(main, 'live', '/hello'),
      templates: url(main, 'live', '/templates'),
      get: url(main, 'live', '/get'),
      'aws-proxy': url(main, 'live', '/lambda'),
    },
  }
}

/**
 * One pass: both gateways loaded at once (or one after the other with `--in-turn`), round after
 * round; B's requests/s ÷ A's per target.
 */
async function pass(
  first: Gateway,
  second: Gateway,
  a: string,
  loader: Loader,
  opts: ReturnType<typeof options>,
): Promise<{ ratios: Map<AbTarget, number[]>; failures: number; unlike: Set<AbTarget> }> {
  const headers = (gateway: Gateway, target: AbTarget): Record<string, string> =>
    target === 'keyed' ? { 'x-api-key': gateway.apiKey } : {}
  const load = (gateway: Gateway, target: AbTarget, seconds: number) =>
    loader.run(gateway.urls[target], seconds, headers(gateway, target))
  // Results in the order [first, second] either way; in turn, even rounds load the second first.
  const both = async (target: AbTarget, seconds: number, round = 1) => {
    if (!opts.inTurn) return Promise.all([first, second].map((gateway) => load(gateway, target, seconds)))
    if (round % 2 === 1) return [await load(first, target, seconds), await load(second, target, seconds)]
    const ofSecond = await load(second, target, seconds)
    return [await load(first, target, seconds), ofSecond]
  }
  let failures = 0
  for (const target of opts.targets)
    for (const result of await both(target, WARM_UP_SECONDS)) failures += result.failures
  const ratios = new Map<AbTarget, number[]>()
  // The scheduler shares the CPU between processes, not between gateways: a build that runs more
  // function environments for the same load gets more of it, and the ratio no longer compares CPU
  // per request (a burst served by two environments against one came out 0.74, 2026-12-07).
  const unlike = new Set<AbTarget>()
  for (let round = 1; round <= opts.rounds; round++) {
    for (const target of opts.targets) {
      const before = [first, second].map((gateway) => cpuByMember(gateway.pid))
      const results = await both(target, opts.duration, round)
      // Processes that ran during the round: 1% of it or more (an idle environment takes no share).
      const busy = [first, second].map((gateway, i) => {
        let count = 0
        for (const [pid, micros] of cpuByMember(gateway.pid))
          if (micros - (before[i]?.get(pid) ?? 0) >= opts.duration * 10_000) count++
        return count
      })
      failures += results.reduce((sum, r) => sum + r.failures, 0)
      const [ofA, ofB] = first.build === a ? results : [...results].reverse()
      const ratio = (ofB?.requestsPerSecond ?? Number.NaN) / (ofA?.requestsPerSecond ?? Number.NaN)
      const list = ratios.get(target) ?? []
      list.push(ratio)
      ratios.set(target, list)
      const [processesOfA, processesOfB] = first.build === a ? busy : [...busy].reverse()
      // In turn, each build has the CPU to itself: its process count does not weigh on the other.
      const alike = opts.inTurn || processesOfA === processesOfB
      if (!alike) unlike.add(target)
      console.log(
        `  round ${round} ${target.padEnd(10)} A ${ofA?.requestsPerSecond.toFixed(0)} B ${ofB?.requestsPerSecond.toFixed(0)} requests/s: B ÷ A ${ratio.toFixed(3)}` +
          (alike ? '' : ` (not comparable: ${processesOfA} of A's processes ran, ${processesOfB} of B's)`),
      )
    }
  }
  return { ratios, failures, unlike }
}

const opts = options()
runWithBuilds('bench:ab', opts.connections, async ({ pinning, loader, temp }) => {
  const passes: Map<AbTarget, number[]>[] = []
  const unlike = new Set<AbTarget>()
  let failures = 0
  for (const [n, order] of [
    [1, [opts.a, opts.b]],
    [2, [opts.b, opts.a]],
  ] as const) {
    console.log(`pass ${n}: ${order[0] === opts.a ? 'A' : 'B'} started first`)
    const backend = await startBackend(pinning.servers)
    const [first, second] = [
      await startGateway(order[0], pinning.servers, backend.port, join(temp, `${n}-first`)),
      await startGateway(order[1], pinning.servers, backend.port, join(temp, `${n}-second`)),
    ]
    const result = await pass(first, second, opts.a, loader, opts)
    passes.push(result.ratios)
    for (const target of result.unlike) unlike.add(target)
    failures += result.failures
    await stopEverything()
  }
  const measure = opts.inTurn ? 'each loaded alone, in turn' : "= A's CPU per request ÷ B's"
  console.log(`\nA = ${opts.a}\nB = ${opts.b}\nB's requests/s ÷ A's (${measure}):`)
  for (const target of opts.targets) {
    const medians = passes.map((ratios) => median(ratios.get(target) ?? []))
    const mean = Math.sqrt((medians[0] ?? Number.NaN) * (medians[1] ?? Number.NaN))
    const all = passes.flatMap((ratios) => ratios.get(target) ?? [])
    console.log(
      `  ${target.padEnd(10)} ${mean.toFixed(3)}  (pass medians ${medians.map((m) => m.toFixed(3)).join(', ')}; rounds ${Math.min(...all).toFixed(3)}–${Math.max(...all).toFixed(3)})` +
        (unlike.has(target)
          ? ' NOT COMPARABLE: different numbers of processes ran for the builds (function environments); measure them one after the other'
          : ''),
    )
  }
  if (failures > 0) console.error(`${failures} requests failed or answered non-2xx`)
  return failures > 0 ? 1 : 0
})
