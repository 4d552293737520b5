/**
 * `npm run bench`: Tollgate against a Node backend called directly, nginx, a minimal Node proxy
 * and serverless-offline, in one interleaved run (issue 15), plus the Tollgate-specific points
 * (start-up with 100 APIs, a deployment going live, routing in a 3,000-resource API, RSS under a
 * long AWS_PROXY load). See bench/README.md.
 *
 *   npm run bench [-- --quick] [-- --write [--write-unsteady]] [--rounds 3] [--duration 5] [--soak 60]
 *                 [--connections 50] [--loader wrk|autocannon] [--no-pin] [--skip nginx,offline]
 *                 [--offline-dir DIR]   (install serverless-offline there once, and keep it)
 *                 [--from-source]       (Tollgate from src/ through tsx, not the compiled build)
 *
 * Exits non-zero if any request failed or answered non-2xx (warm-ups included), or a point could
 * not be measured; `--write` then leaves docs/performance.md alone. It also leaves it alone when
 * the direct backend's rounds differ by more than MAX_DIRECT_SPREAD (the machine changed speed),
 * unless `--write-unsteady` is given.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { PERFORMANCE_DOC, writeResults } from './support.js'
import {
  prepareServerlessOffline,
  serverlessOfflineVersion,
  startBackend,
  startMinimalProxy,
  startNginx,
  startServerlessOffline,
  type Started,
} from './all/baselines.js'
import { ensureDebianProgram } from './all/install.js'
import { chooseLoader, ensureWrk } from './all/loader.js'
import { failuresOf, measureInterleaved, measurePaired, type Target } from './all/measure.js'
import { deploymentGoingLive, soak, startupWithHundredApis } from './all/points.js'
import { choosePinning, killEverything, pauseProcess, stopEverything, stopProcess } from './all/processes.js'
import {
  directSpread,
  MAX_DIRECT_SPREAD,
  renderReport,
  type BenchResults,
  type TargetId,
} from './all/report.js'
import {
  configureMainApi,
  configureRegionalApi,
  configureSmallApi,
  createFunction,
  importAndDeploy,
  invokeUrl,
  openApiWithResources,
  startTollgateAndWait,
  entryPoint,
} from './all/tollgate.js'
import { BIN } from '../test/support/process.js'

const OPEN_MARKER = '<!-- bench:all -->'
const CLOSE_MARKER = '<!-- /bench:all -->'
const WARM_UP_SECONDS = 1

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      'write-unsteady': { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      soak: { type: 'string' },
      connections: { type: 'string', default: '50' },
      loader: { type: 'string', default: 'wrk' },
      'no-pin': { type: 'boolean', default: false },
      skip: { type: 'string', default: '' },
      'offline-dir': { type: 'string' },
      'from-source': { type: 'boolean', default: false },
    },
  })
  const positive = (name: string, text: string): number => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`)
    return value
  }
  if (values.loader !== 'wrk' && values.loader !== 'autocannon')
    throw new Error('--loader is wrk or autocannon')
  const skip = new Set(values.skip.split(',').filter(Boolean))
  for (const name of skip)
    if (name !== 'nginx' && name !== 'offline') throw new Error(`--skip: unknown ${name}`)
  return {
    quick: values.quick,
    write: values.write,
    writeUnsteady: values['write-unsteady'],
    rounds: positive('rounds', values.rounds ?? (values.quick ? '1' : '3')),
    duration: positive('duration', values.duration ?? (values.quick ? '2' : '5')),
    soak: positive('soak', values.soak ?? (values.quick ? '6' : '60')),
    connections: positive('connections', values.connections),
    loader: values.loader,
    pin: !values['no-pin'],
    skip,
    offlineDir: values['offline-dir'],
    fromSource: values['from-source'],
  }
}

/** Starts a server `times` times in a row (each timed from spawn to its first 2xx), keeps the last. */
async function startRepeated<S extends Started>(
  times: number,
  start: () => Promise<S>,
): Promise<{ server: S; startups: number[] }> {
  const startups: number[] = []
  for (let i = 1; ; i++) {
    const server = await start()
    startups.push(server.startupMs)
    if (i >= times) return { server, startups }
    await stopProcess(server.process)
  }
}

function version(command: string, args: string[], pattern: RegExp): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 5_000 })
  return pattern.exec(`${result.stdout}${result.stderr}`)?.[1] ?? '?'
}

async function main(): Promise<number> {
  const settings = options()
  // Tollgate runs as a production node would: compiled (`npm run build`), not through tsx.
  if (settings.fromSource) entryPoint.path = BIN
  else {
    process.stderr.write('building Tollgate (npm run build)...\n')
    execFileSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  const began = Date.now()
  const loadBefore = loadavg()[0]!
  const tmp = mkdtempSync(join(tmpdir(), 'tollgate-bench-all-'))
  const cleanUp = (): void => {
    killEverything()
    rmSync(tmp, { recursive: true, force: true })
  }
  process.once('exit', cleanUp)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process the bench started\n`)
      cleanUp()
      process.exit(130)
    })
  }
  const notes: string[] = []
  const note = (text: string): void => {
    notes.push(text)
    process.stderr.write(`note: ${text}\n`)
  }
  let failures = 0

  // Tools first, while both CPUs are free: apt-get one package at a time, npm meanwhile.
  // serverless-offline goes into the temporary folder, or a folder of the caller's that is kept.
  const offlineDir = settings.offlineDir ?? join(tmp, 'serverless-offline')
  mkdirSync(offlineDir, { recursive: true })
  const offlineInstall = settings.skip.has('offline')
    ? Promise.resolve('skipped (--skip offline)')
    : prepareServerlessOffline(offlineDir)
  const nginx = settings.skip.has('nginx')
    ? { reason: 'skipped (--skip nginx)' }
    : await ensureDebianProgram('nginx', 'nginx')
  if ('reason' in nginx) note(`nginx not measured: ${nginx.reason}`)
  const wrk = settings.loader === 'wrk' ? await ensureWrk() : { reason: '--loader autocannon' }
  if ('reason' in wrk && settings.loader === 'wrk')
    note(`wrk unavailable (${wrk.reason}); autocannon loads instead`)
  const offlineProblem = await offlineInstall
  if (offlineProblem) note(`serverless-offline not measured: ${offlineProblem}`)

  const pinning = choosePinning(settings.pin)
  process.stderr.write(`${pinning.note}\n`)
  const loader = chooseLoader(settings.connections, pinning.loader, 'path' in wrk ? wrk.path : undefined)
  const cpu = pinning.servers

  const startups: BenchResults['startups'] = {}
  const backend = await startRepeated(settings.rounds, () => startBackend(cpu))
  startups.direct = backend.startups
  const backendPort = backend.server.port
  const servers: Partial<Record<'nginx' | 'node-proxy' | 'offline', Started>> = {}
  const baseline = async (
    id: 'nginx' | 'node-proxy' | 'offline',
    start: () => Promise<Started>,
  ): Promise<void> => {
    try {
      const started = await startRepeated(settings.rounds, start)
      servers[id] = started.server
      startups[id] = started.startups
    } catch (error) {
      note(`${id} not measured: ${(error as Error).message.slice(0, 1_000)}`)
    }
  }
  if ('path' in nginx) await baseline('nginx', () => startNginx(nginx.path, cpu, tmp, backendPort))
  await baseline('node-proxy', () => startMinimalProxy(cpu, backendPort))
  if (!offlineProblem) await baseline('offline', () => startServerlessOffline(cpu, offlineDir))
  // Its background work when idle (garbage collections of a ~600 MB heap, timers: ~0.5 s of CPU at a
  // time, measured 2026-12-07) took the servers' CPU from the other targets' runs: it runs only
  // during its own (bench/all/measure.ts).
  if (servers.offline) pauseProcess(servers.offline.process)

  // Tollgate: configure once, then start it afresh `rounds` times on that data, timed to the first
  // 2xx of the HTTP_PROXY route.
  process.stderr.write('configuring Tollgate (main API, small API, 3,000-resource API, function)...\n')
  const dataDir = join(tmp, 'tollgate')
  const accessLog = join(tmp, 'access.log')
  const configuring = await startTollgateAndWait(cpu, dataDir, { accessLogFile: accessLog })
  const mainApi = await configureMainApi(configuring.url, backendPort)
  const regionalApi = await configureRegionalApi(configuring.url, backendPort)
  await createFunction(configuring.url)
  const small = await configureSmallApi(configuring.url)
  const bigApi = await importAndDeploy(configuring.url, openApiWithResources('bench-big', 3_000), 'v1')
  await stopProcess(configuring.process)
  const tollgate = await startRepeated(settings.rounds, () =>
    startTollgateAndWait(cpu, dataDir, {
      accessLogFile: accessLog,
      firstUrl: (base) => invokeUrl(base, mainApi, 'live', '/hello'),
    }),
  )
  const tg = tollgate.server
  startups['http-proxy'] = tollgate.startups

  const gatewayTarget = (url: string, usesBackend: boolean, headers: Record<string, string> = {}) => ({
    url,
    headers,
    server: tg.process,
    ...(usesBackend ? { backend: backend.server.process } : {}),
  })
  const targets = new Map<TargetId, Target>([
    ['direct', { url: backend.server.url, headers: {}, server: backend.server.process }],
  ])
  for (const id of ['nginx', 'node-proxy', 'offline'] as const) {
    const server = servers[id]
    if (server) {
      targets.set(id, {
        url: server.url,
        headers: {},
        server: server.process,
        ...(id === 'offline' ? { pausedBetweenRuns: true } : { backend: backend.server.process }),
      })
    }
  }
  targets.set('http-proxy', gatewayTarget(invokeUrl(tg.url, mainApi, 'live', '/hello'), true))
  targets.set('http-proxy-regional', gatewayTarget(invokeUrl(tg.url, regionalApi, 'live', '/hello'), true))
  targets.set('templates', gatewayTarget(invokeUrl(tg.url, mainApi, 'live', '/templates?id=42'), true))
  targets.set('mock', gatewayTarget(invokeUrl(tg.url, small.apiId, 'v1', '/mock'), false))
  targets.set('mock-3000', gatewayTarget(invokeUrl(tg.url, bigApi, 'v1', '/mock'), false))
  targets.set(
    'keyed',
    gatewayTarget(invokeUrl(tg.url, small.apiId, 'v1', '/keyed'), false, { 'x-api-key': small.key }),
  )
  targets.set('get', gatewayTarget(invokeUrl(tg.url, mainApi, 'live', '/get'), true))
  targets.set('get-cached', gatewayTarget(invokeUrl(tg.url, mainApi, 'cached', '/get'), true))
  // Last: its ~50 function environments count in the gateway's RSS from then on.
  targets.set('aws-proxy', gatewayTarget(invokeUrl(tg.url, mainApi, 'live', '/lambda'), false))

  const runs = await measureInterleaved(targets, {
    loader: loader,
    rounds: settings.rounds,
    seconds: settings.duration,
    warmUpSeconds: WARM_UP_SECONDS,
    accessLog,
    note,
    serverCpu: cpu,
  })
  failures += runs.reduce((sum, r) => sum + r.failures, 0)

  process.stderr.write('Tollgate routes compared at the same moment (B A A B)...\n')
  const paired = await measurePaired(targets, {
    loader,
    blocks: settings.quick ? 1 : 5,
    seconds: settings.quick ? 1 : 2,
    accessLog,
  })
  failures += paired.failures

  process.stderr.write(`AWS_PROXY for ${settings.soak} s, RSS sampled each second...\n`)
  const soakResult = await soak(loader, targets.get('aws-proxy')!.url, tg.process.pid, settings.soak)
  failures += failuresOf(soakResult.result)

  let deployLive: number[] | undefined
  try {
    process.stderr.write('300-resource API: new deployments going live...\n')
    deployLive = await deploymentGoingLive(tg.url, settings.rounds)
  } catch (error) {
    failures++
    note(`300-resource deployment point failed: ${(error as Error).message.slice(0, 1_000)}`)
  }
  await stopEverything()
  let hundredApis: number[] | undefined
  try {
    process.stderr.write('100 deployed APIs: preparing, then fresh starts...\n')
    hundredApis = await startupWithHundredApis(cpu, tmp, settings.rounds)
  } catch (error) {
    failures++
    note(`100-API start-up point failed: ${(error as Error).message.slice(0, 1_000)}`)
  }

  const now = new Date()
  const versions = [
    `Node ${process.version}`,
    ...('path' in nginx ? [`nginx ${version(nginx.path, ['-v'], /nginx\/([\d.]+)/)}`] : []),
    ...(servers.offline ? [`serverless-offline ${serverlessOfflineVersion(offlineDir) ?? '?'}`] : []),
    ...('path' in wrk ? [`wrk ${version(wrk.path, ['-v'], /wrk (?:\S*\/)?([\d.]+)/)}`] : []),
  ]
  const results: BenchResults = {
    header: [
      `Measured ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'} ` +
        `(${versions.join(', ')}); load generator ${loader.description}; ${pinning.note}. ` +
        `${settings.rounds} interleaved round(s) of ${settings.duration} s per target after a ${WARM_UP_SECONDS} s warm-up; ` +
        `medians over the rounds, min–max in brackets. Load average (1 min): ${loadBefore.toFixed(1)} before, ` +
        `${loadavg()[0]!.toFixed(1)} after; the whole run took ${((Date.now() - began) / 60_000).toFixed(1)} min` +
        `${settings.quick ? ' (--quick: a smoke run, not figures to quote)' : ''}.`,
    ],
    notes,
    order: [...targets.keys()],
    runs,
    startups,
    hundredApis,
    deployLive,
    soak: soakResult,
    paired: paired.ratios,
  }
  const spread = directSpread(runs)
  const unsteady = spread !== undefined && spread > MAX_DIRECT_SPREAD
  if (spread !== undefined)
    note(
      `the direct backend's fastest round was ${(100 * spread).toFixed(1)}% faster than its slowest` +
        (unsteady ? ': the machine changed speed during the run, so its ratios are not to be quoted' : ''),
    )
  const report = renderReport(results)
  process.stdout.write(`${report}\n`)
  if (failures > 0) {
    process.stderr.write(`${failures} requests or points failed; docs/performance.md left as is\n`)
    return 1
  }
  if (settings.write && unsteady && !settings.writeUnsteady) {
    process.stderr.write(
      `the direct backend varied by more than ${100 * MAX_DIRECT_SPREAD}% between rounds; docs/performance.md left as is (--write-unsteady writes anyway)\n`,
    )
    return 0
  }
  if (settings.write) {
    await writeResults(OPEN_MARKER, report, CLOSE_MARKER)
    process.stderr.write(`wrote ${PERFORMANCE_DOC}\n`)
  }
  return 0
}

try {
  process.exitCode = await main()
} finally {
  await stopEverything()
}
