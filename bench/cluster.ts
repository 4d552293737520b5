/**
 * bench/cluster: one, two, then three Tollgate nodes sharing one PostgreSQL store, behind a round-robin
 * load balancer (HAProxy when it is installed, else a small Node proxy), against one node called
 * directly and the bench backend called directly. One API, created through the first node: a MOCK
 * method (`GET /mock`) and an HTTP_PROXY method (`GET /hello`) to the bench backend.
 *
 *   npx tsx bench/cluster.ts [--duration 10] [--rounds 1] [--connections 50] [--write]
 *
 * BENCH_LB=node forces the Node proxy; TOLLGATE_TEST_POSTGRES picks the server (default
 * postgres://postgres@127.0.0.1:5432/test). The nodes use a schema of their own
 * (`bench_cluster_<random>`), dropped at the end. Every process runs on this machine: on a small
 * machine the nodes, the balancer, the backend and the load generator share the same cores, which
 * is what the "cores busy" columns show.
 *
 * Exits non-zero if any request failed or answered non-2xx; `--write` then leaves
 * docs/performance.md alone.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { freePort, spawnTollgate, type TollgateProcess } from '../test/support/process.js'
import { dropPostgresSchema, postgresTestUrl } from '../test/support/tools.js'
import {
  benchOptions,
  call,
  cpuMicros,
  failuresOf,
  killChildrenOnExit,
  load,
  median,
  percentile,
  putMockGet,
  selfCpuMicros,
  startBackend,
  startScript,
  stop,
  WARM_UP_SECONDS,
  writeResults,
  type BenchOptions,
  type MeasuredRun,
} from './support.js'

const MARKER = '<!-- bench:cluster -->'
const SCHEMA_PREFIX = 'bench_cluster_'
/** The header both balancers add to name the node that answered: proves the round-robin spreads. */
const NODE_HEADER = 'x-bench-node'
const NODE_FLAGS = ['--account-rate-limit', '1000000', '--account-burst-limit', '1000000']

type Method = 'MOCK' | 'HTTP_PROXY'

interface Run extends MeasuredRun {
  label: string
  method: Method
  /** CPU-seconds per second of wall time during the run, by role; 2.0 is all of a 2-core machine. */
  nodesCores: number
  balancerCores: number
  backendCores: number
  loaderCores: number
}

/** The processes whose CPU time a run reads. */
interface Processes {
  nodes: TollgateProcess[]
  balancer?: ChildProcess | undefined
  backend: ChildProcess
}

/**
 * A round-robin HTTP/1.1 proxy with keep-alive to its upstreams, for machines without HAProxy. No
 * health checks: it is a bench stand-in, not something to deploy. Args: listen port, upstream ports.
 */
const NODE_BALANCER_SOURCE = `
const http = require('node:http')
const [listen, ...upstreams] = process.argv.slice(1).map(Number)
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 })
let next = 0
const server = http.createServer((req, res) => {
  const port = upstreams[next++ % upstreams.length]
  const forwarded = req.headers['x-forwarded-for']
  const headers = { ...req.headers, 'x-forwarded-for': forwarded ? forwarded + ', ' + req.socket.remoteAddress : req.socket.remoteAddress }
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode, { ...answer.headers, '${NODE_HEADER}': String(port) })
    answer.pipe(res)
  })
  upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end() })
  req.pipe(upstream)
})
server.keepAliveTimeout = 60_000
server.listen(listen, '127.0.0.1', () => process.stdout.write('ready\\n'))
`

/** HAProxy's configuration for the bench: one thread, round-robin, keep-alive, /_tollgate/ready checks. */
function haproxyConfig(listen: number, nodes: readonly TollgateProcess[]): string {
  return [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  option http-keep-alive',
    '  http-reuse always',
    'frontend bench',
    `  bind 127.0.0.1:${listen}`,
    '  default_backend tollgate',
    'backend tollgate',
    '  balance roundrobin',
    '  option httpchk GET /_tollgate/ready',
    '  http-check expect status 200',
    `  http-response set-header ${NODE_HEADER} %s`,
    ...nodes.map((node, i) => `  server node${i + 1} 127.0.0.1:${node.port} check inter 1s`),
    '',
  ].join('\n')
}

const haproxyInstalled = (): boolean => spawnSync('haproxy', ['-v']).status === 0

/** Starts the balancer in front of `nodes`; resolves once requests through it reach every node. */
async function startBalancer(
  kind: 'haproxy' | 'node',
  nodes: readonly TollgateProcess[],
  dir: string,
  probe: string,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort()
  let child: ChildProcess
  if (kind === 'haproxy') {
    const file = join(dir, `haproxy-${nodes.length}.cfg`)
    writeFileSync(file, haproxyConfig(port, nodes))
    // -db: stay in the foreground, so the child is HAProxy itself and stop() reaches it.
    child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  } else {
    child = await startScript(
      'balancer',
      NODE_BALANCER_SOURCE,
      [port, ...nodes.map((n) => n.port)].map(String),
    )
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    const seen = new Set<string>()
    for (let i = 0; i < nodes.length * 2; i++) {
      const response = await fetch(`${url}${probe}`).catch(() => undefined)
      await response?.arrayBuffer()
      if (response?.ok) seen.add(response.headers.get(NODE_HEADER) ?? '')
    }
    if (seen.size === nodes.length) return { child, url }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child)
      throw new Error(`the ${kind} balancer did not reach all ${nodes.length} nodes (saw ${seen.size})`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Waits until `url` answers 200 (a node that has just started loads the stage from the store). */
async function servedWithin(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const response = await fetch(url).catch(() => undefined)
    const body = await response?.text()
    if (response?.status === 200) return
    if (Date.now() > deadline) throw new Error(`${url} not served within ${ms} ms: ${body ?? 'no answer'}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The bench API through the first node: GET /mock (MOCK) and GET /hello (HTTP_PROXY), stage `bench`. */
async function configure(base: string, backendPort: number): Promise<string> {
  const api = await call(base, 'POST', '/restapis', { name: 'bench-cluster' })
  const apiId = String(api['id'])
  const child = (pathPart: string) =>
    call(base, 'POST', `/restapis/${apiId}/resources/${String(api['rootResourceId'])}`, { pathPart })
  await putMockGet(base, apiId, String((await child('mock'))['id']))
  const hello = `/restapis/${apiId}/resources/${String((await child('hello'))['id'])}/methods/GET`
  await call(base, 'PUT', hello, { authorizationType: 'NONE' })
  await call(base, 'PUT', `${hello}/integration`, {
    type: 'HTTP_PROXY',
    httpMethod: 'GET',
    uri: `http://127.0.0.1:${backendPort}/hello`,
  })
  await call(base, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'bench' })
  return apiId
}

const cpuOf = (child: ChildProcess | undefined): number => (child?.pid ? cpuMicros(child.pid) : 0)

/** One warm-up, then `rounds` measured runs of `url`, reading every process's CPU time around each. */
async function measure(
  label: string,
  method: Method,
  url: string,
  processes: Processes,
  settings: BenchOptions,
): Promise<Run[]> {
  const runs: Run[] = []
  const warmUp = await load(url, WARM_UP_SECONDS, settings.connections)
  for (let round = 1; round <= settings.rounds; round++) {
    const read = () => ({
      nodes: processes.nodes.reduce((sum, node) => sum + cpuMicros(node.pid), 0),
      balancer: cpuOf(processes.balancer),
      backend: cpuOf(processes.backend),
      loader: selfCpuMicros(),
      wall: performance.now() * 1_000,
    })
    const before = read()
    const { result, latencies } = await load(url, settings.duration, settings.connections)
    const after = read()
    const cores = (key: 'nodes' | 'balancer' | 'backend' | 'loader'): number =>
      (after[key] - before[key]) / (after.wall - before.wall)
    runs.push({
      label,
      method,
      round,
      requestsPerSecond: result.requests.average,
      requests: result.requests.total,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      failures: failuresOf(result) + (round === 1 ? failuresOf(warmUp.result) : 0),
      nodesCores: cores('nodes'),
      balancerCores: cores('balancer'),
      backendCores: cores('backend'),
      loaderCores: cores('loader'),
    })
    process.stderr.write(`${label} ${method}: ${result.requests.average.toFixed(0)} req/s\n`)
  }
  return runs
}

function report(runs: Run[], settings: BenchOptions, balancer: string, loadBefore: number): string {
  const keys = [...new Set(runs.map((r) => `${r.label}\u0000${r.method}`))]
  const rows = keys.map((key) => {
    const mine = runs.filter((r) => `${r.label}\u0000${r.method}` === key)
    const of = (pick: (r: Run) => number): number => median(mine.map(pick))
    const [first] = mine as [Run]
    const total = of((r) => r.nodesCores + r.balancerCores + r.backendCores + r.loaderCores)
    return (
      `| ${first.label} | ${first.method} | ${of((r) => r.requestsPerSecond).toFixed(0)} | ` +
      `${of((r) => r.p50).toFixed(2)} | ${of((r) => r.p99).toFixed(2)} | ` +
      `${of((r) => r.nodesCores).toFixed(2)} | ${of((r) => r.balancerCores).toFixed(2)} | ` +
      `${of((r) => r.backendCores).toFixed(2)} | ${of((r) => r.loaderCores).toFixed(2)} | ${total.toFixed(2)} |`
    )
  })
  const cpu = cpus()
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (Node ${process.version}, ` +
      `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}), balancer: ${balancer}; ` +
      `${settings.rounds} run(s) of ${settings.duration} s per line after a ${WARM_UP_SECONDS} s warm-up, ` +
      `${settings.connections} connections; PostgreSQL store on the same machine. ` +
      // Anything else running shares the cores too: the load average says whether the machine was idle.
      `Load average (1 min): ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after.`,
    '',
    '| target | method | requests/s | p50 ms | p99 ms | nodes cores | balancer cores | backend cores | autocannon cores | cores busy |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n')
}

async function main(): Promise<number> {
  const settings = benchOptions()
  const [loadBefore = 0] = loadavg()
  const kind = process.env['BENCH_LB'] === 'node' || !haproxyInstalled() ? 'node' : 'haproxy'
  if (kind === 'node' && process.env['BENCH_LB'] !== 'node') {
    process.stderr.write('haproxy not found (apt-get install -y haproxy): using the Node round-robin proxy\n')
  }
  const store = postgresTestUrl(SCHEMA_PREFIX)
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-cluster-'))
  const nodes: TollgateProcess[] = []
  const children: ChildProcess[] = []
  killChildrenOnExit(
    () => [...children, ...nodes.map((n) => n.child)],
    () => {
      rmSync(dir, { recursive: true, force: true })
      process.stderr.write(`interrupted: schema ${new URL(store).searchParams.get('schema')} left in place\n`)
    },
  )
  const startNode = async (): Promise<TollgateProcess> => {
    const dataDir = join(dir, `node${nodes.length + 1}`)
    const node = await spawnTollgate(['--store', store, '--data-dir', dataDir, ...NODE_FLAGS])
    nodes.push(node)
    return node
  }
  try {
    const backendPort = await freePort()
    const backend = await startBackend(backendPort)
    children.push(backend)
    const first = await startNode()
    const apiId = await configure(first.url, backendPort)
    const path = (method: Method) =>
      `/_aws/execute-api/${apiId}/bench/${method === 'MOCK' ? 'mock' : 'hello'}`
    await servedWithin(`${first.url}${path('MOCK')}`, 10_000)

    const runs: Run[] = []
    const direct: Processes = { nodes: [first], backend }
    runs.push(
      ...(await measure(
        'backend, direct',
        'HTTP_PROXY',
        `http://127.0.0.1:${backendPort}/hello`,
        direct,
        settings,
      )),
    )
    for (const method of ['MOCK', 'HTTP_PROXY'] as const) {
      runs.push(...(await measure('1 node, direct', method, `${first.url}${path(method)}`, direct, settings)))
    }
    for (const count of [1, 2, 3]) {
      while (nodes.length < count) {
        const node = await startNode()
        await servedWithin(`${node.url}${path('MOCK')}`, 10_000)
        await servedWithin(`${node.url}${path('HTTP_PROXY')}`, 10_000)
      }
      const balancer = await startBalancer(kind, nodes, dir, path('MOCK'))
      children.push(balancer.child)
      const processes: Processes = { nodes, balancer: balancer.child, backend }
      const label = `${kind === 'haproxy' ? 'HAProxy' : 'Node proxy'} → ${count} node${count > 1 ? 's' : ''}`
      for (const method of ['MOCK', 'HTTP_PROXY'] as const) {
        runs.push(...(await measure(label, method, `${balancer.url}${path(method)}`, processes, settings)))
      }
      await stop(balancer.child)
    }

    const results = report(
      runs,
      settings,
      kind === 'haproxy' ? 'HAProxy (1 thread)' : 'Node proxy',
      loadBefore,
    )
    process.stdout.write(`${results}\n`)
    if (runs.some((r) => r.failures > 0)) {
      process.stderr.write('requests failed or answered non-2xx; docs/performance.md left as is\n')
      for (const node of nodes)
        process.stderr.write(`node ${node.port} output (tail):\n${node.output().slice(-1_000)}\n`)
      return 1
    }
    if (settings.write) await writeResults(MARKER, results)
    return 0
  } finally {
    await Promise.all([...children, ...nodes.map((n) => n.child)].map(stop))
    await dropPostgresSchema(store, SCHEMA_PREFIX)
    rmSync(dir, { recursive: true, force: true })
  }
}

process.exitCode = await main()
