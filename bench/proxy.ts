/**
 * bench/proxy: HTTP_PROXY throughput and latency through Tollgate against the same backend called
 * directly, interleaved in one run (direct, plain, observed, traced, direct, ...): the same method on
 * a plain stage, on a stage with an access log and detailed metrics, and on a stage with tracing on
 * (spans exported over OTLP to a sink that discards them). The backend, the OTLP sink and the gateway
 * each run in their own child process; the load generator (autocannon) runs in this one.
 *
 *   npx tsx bench/proxy.ts [--duration 5] [--rounds 2] [--connections 50] [--write]
 *
 * Exits non-zero if any request failed or answered non-2xx (warm-ups included); `--write` then leaves
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
  cpuMicros,
  failuresOf,
  killChildrenOnExit,
  load,
  median,
  PERFORMANCE_DOC,
  percentile,
  rssMegabytes,
  selfCpuMicros,
  stop,
  startBackend,
  startOtlpSink,
  writeResults,
  type BenchOptions,
} from './support.js'

const WARM_UP_SECONDS = 1
const MARKER = '<!-- bench:proxy -->'

type Target = 'direct' | 'plain' | 'observed' | 'traced'
const TARGETS: readonly Target[] = ['direct', 'plain', 'observed', 'traced']
/** Targets served by the gateway (their CPU and RSS are the gateway's). */
const isGateway = (target: Target): boolean => target !== 'direct'
/** The access log format of the observed stage: AWS's console JSON preset. */
const ACCESS_LOG_FORMAT =
  '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}'

/** One measured point: a single autocannon run against one target, after its warm-up. */
interface Run {
  target: Target
  round: number
  requestsPerSecond: number
  requests: number
  p50: number
  p99: number
  /** Failed requests (connection errors, timeouts) and non-2xx answers, warm-up included. */
  failures: number
  /** CPU time (user + system) per request of each process, in microseconds. */
  gatewayCpu: number
  backendCpu: number
  loaderCpu: number
}

/**
 * A `{proxy+}` ANY method with an HTTP_PROXY integration to the backend, deployed to stage `bench`
 * (plain), `observed` (access log + detailed metrics) and `traced` (tracingEnabled).
 */
async function configureProxyApi(gatewayUrl: string, backendPort: number): Promise<string> {
  const api = await call(gatewayUrl, 'POST', '/restapis', { name: 'bench-proxy' })
  const apiId = String(api['id'])
  const proxy = await call(
    gatewayUrl,
    'POST',
    `/restapis/${apiId}/resources/${String(api['rootResourceId'])}`,
    {
      pathPart: '{proxy+}',
    },
  )
  const method = `/restapis/${apiId}/resources/${String(proxy['id'])}/methods/ANY`
  await call(gatewayUrl, 'PUT', method, {
    authorizationType: 'NONE',
    requestParameters: { 'method.request.path.proxy': true },
  })
  await call(gatewayUrl, 'PUT', `${method}/integration`, {
    type: 'HTTP_PROXY',
    httpMethod: 'ANY',
    uri: `http://127.0.0.1:${backendPort}/{proxy}`,
    requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
  })
  const deployment = await call(gatewayUrl, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'bench' })
  for (const [stageName, patchOperations] of [
    [
      'observed',
      [
        { op: 'replace', path: '/accessLogSettings/format', value: ACCESS_LOG_FORMAT },
        { op: 'replace', path: '/*/*/metrics/enabled', value: 'true' },
      ],
    ],
    ['traced', [{ op: 'replace', path: '/tracingEnabled', value: 'true' }]],
  ] as const) {
    await call(gatewayUrl, 'POST', `/restapis/${apiId}/stages`, {
      stageName,
      deploymentId: deployment['id'],
    })
    await call(gatewayUrl, 'PATCH', `/restapis/${apiId}/stages/${stageName}`, { patchOperations })
  }
  return apiId
}

/** Fails early, with the answer in the message, if the two targets do not serve the same body. */
async function checkSameAnswer(direct: string, viaGateway: string): Promise<void> {
  const [a, b] = await Promise.all([fetch(direct), fetch(viaGateway)])
  const [bodyA, bodyB] = await Promise.all([a.text(), b.text()])
  if (a.status !== 200 || b.status !== 200 || bodyA !== bodyB) {
    throw new Error(`direct answered ${a.status} ${bodyA}; gateway answered ${b.status} ${bodyB}`)
  }
}

const ms = (value: number): string => value.toFixed(2)
const micros = (value: number): string => (value < 0.5 ? '—' : value.toFixed(0))

function report(
  runs: Run[],
  settings: BenchOptions,
  rss: { idle: number; loaded: number },
  exported: { requests: number; bytes: number },
): string {
  const summary = (target: Target) => {
    const mine = runs.filter((r) => r.target === target)
    const of = (pick: (r: Run) => number): number => median(mine.map(pick))
    return {
      rps: of((r) => r.requestsPerSecond),
      p50: of((r) => r.p50),
      p99: of((r) => r.p99),
      gatewayCpu: of((r) => r.gatewayCpu),
      backendCpu: of((r) => r.backendCpu),
      loaderCpu: of((r) => r.loaderCpu),
      // CPU-seconds per second across the three processes: 2.0 would be the whole machine.
      coresBusy: of((r) => ((r.gatewayCpu + r.backendCpu + r.loaderCpu) * r.requestsPerSecond) / 1e6),
      gatewayCores: of((r) => (r.gatewayCpu * r.requestsPerSecond) / 1e6),
    }
  }
  const summaries = Object.fromEntries(TARGETS.map((t) => [t, summary(t)])) as Record<
    Target,
    ReturnType<typeof summary>
  >
  const { direct, plain } = summaries
  const label: Record<Target, string> = {
    direct: 'Node backend, direct',
    plain: 'Tollgate HTTP_PROXY, plain stage',
    observed: 'same, stage with access log + detailed metrics',
    traced: 'same, stage with tracing (OTLP export)',
  }
  const row = (target: Target): string => {
    const s = summaries[target]
    const ratio = (base: typeof s): string => (s.rps / base.rps).toFixed(2)
    return (
      `| ${label[target]} | ${s.rps.toFixed(0)} | ${ratio(direct)} | ${isGateway(target) ? ratio(plain) : '—'} | ` +
      `${ms(s.p50)} | ${ms(s.p99)} | ${micros(s.gatewayCpu)} | ${micros(s.backendCpu)} | ` +
      `${micros(s.loaderCpu)} | ${s.coresBusy.toFixed(2)} |`
    )
  }
  const gatewayCores = TARGETS.filter(isGateway)
    .map((t) => `${t} ${summaries[t].gatewayCores.toFixed(2)}`)
    .join(', ')
  const date = new Date().toISOString().slice(0, 10)
  return [
    `Measured ${date} (Node ${process.version}): ${settings.rounds} interleaved rounds of ` +
      `${settings.duration} s per target after a ${WARM_UP_SECONDS} s warm-up, ` +
      `${settings.connections} connections; medians over the rounds.`,
    '',
    '| target | requests/s | × direct | × plain stage | p50 ms | p99 ms | gateway CPU µs/req | backend CPU µs/req | autocannon CPU µs/req | cores busy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...TARGETS.map(row),
    '',
    `Cores the gateway process kept busy during its runs: ${gatewayCores}. ` +
      `Gateway RSS: ${rss.idle} MB idle after configuration, ${rss.loaded} MB after the last gateway run. ` +
      `The OTLP sink received ${exported.requests} exports (${(exported.bytes / 1e6).toFixed(1)} MB of JSON).`,
    '',
    'Every run, in the order it ran:',
    '',
    '| round | target | requests/s | p50 ms | p99 ms | requests | failed or non-2xx |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.round} | ${r.target} | ${r.requestsPerSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ` +
        `${r.requests} | ${r.failures} |`,
    ),
  ].join('\n')
}

async function main(): Promise<number> {
  const settings = benchOptions()
  const children: ChildProcess[] = []
  // Children die with us even if we are interrupted or something throws past the finally below.
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
  killChildrenOnExit(
    () => children,
    () => rmSync(dataDir, { recursive: true, force: true }),
  )
  try {
    const backendPort = await freePort()
    const backend = await startBackend(backendPort)
    children.push(backend)
    const sinkPort = await freePort()
    const sink = await startOtlpSink(sinkPort)
    children.push(sink)
    const gateway = await spawnTollgate([
      '--data-dir',
      dataDir,
      '--access-log-file',
      join(dataDir, 'access.log'),
      '--otlp-endpoint',
      `http://127.0.0.1:${sinkPort}/v1/traces`,
    ])
    children.push(gateway.child)
    const gatewayPid = gateway.child.pid!
    const backendPid = backend.pid!

    const apiId = await configureProxyApi(gateway.url, backendPort)
    const stageUrl = (stage: string): string => `${gateway.url}/_aws/execute-api/${apiId}/${stage}/hello`
    const urls: Record<Target, string> = {
      direct: `http://127.0.0.1:${backendPort}/hello`,
      plain: stageUrl('bench'),
      observed: stageUrl('observed'),
      traced: stageUrl('traced'),
    }
    for (const target of TARGETS.filter(isGateway)) await checkSameAnswer(urls.direct, urls[target])
    const rss = { idle: rssMegabytes(gatewayPid), loaded: 0 }

    const runs: Run[] = []
    for (let round = 1; round <= settings.rounds; round++) {
      for (const target of TARGETS) {
        const warmUp = await load(urls[target], WARM_UP_SECONDS, settings.connections)
        const before = {
          gateway: cpuMicros(gatewayPid),
          backend: cpuMicros(backendPid),
          self: selfCpuMicros(),
        }
        const { result, latencies } = await load(urls[target], settings.duration, settings.connections)
        const requests = result.requests.total
        const perRequest = (micros: number): number => micros / Math.max(1, requests)
        runs.push({
          target,
          round,
          requestsPerSecond: result.requests.average,
          requests,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          failures: failuresOf(warmUp.result) + failuresOf(result),
          gatewayCpu: perRequest(cpuMicros(gatewayPid) - before.gateway),
          backendCpu: perRequest(cpuMicros(backendPid) - before.backend),
          loaderCpu: perRequest(selfCpuMicros() - before.self),
        })
        if (isGateway(target)) rss.loaded = rssMegabytes(gatewayPid)
        process.stderr.write(`round ${round} ${target}: ${result.requests.average.toFixed(0)} req/s\n`)
      }
    }

    // Spans still batched in the gateway leave within a second.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const exported = (await (await fetch(`http://127.0.0.1:${sinkPort}/count`)).json()) as {
      requests: number
      bytes: number
    }
    const results = report(runs, settings, rss, exported)
    process.stdout.write(`${results}\n`)
    const failures = runs.reduce((sum, r) => sum + r.failures, 0)
    if (failures > 0) {
      process.stderr.write(
        `${failures} requests failed or answered non-2xx; docs/performance.md left as is\n`,
      )
      const tail = gateway.output().slice(-2_000)
      if (tail) process.stderr.write(`gateway output (tail):\n${tail}\n`)
      return 1
    }
    if (settings.write) {
      await writeResults(MARKER, results)
      process.stderr.write(`wrote ${PERFORMANCE_DOC}\n`)
    }
    return 0
  } finally {
    await Promise.all(children.map(stop))
    rmSync(dataDir, { recursive: true, force: true })
  }
}

process.exitCode = await main()
