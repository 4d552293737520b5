/**
 * bench/proxy: HTTP_PROXY throughput and latency through Tollgate against the same backend called
 * directly, interleaved in one run. Every server runs in its own process; autocannon runs here.
 *
 *   npx tsx bench/proxy.ts [--duration 5] [--rounds 2] [--connections 50] [--write]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { freePort } from '../test/support/process.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    write: { type: 'boolean', default: false },
  },
})
const duration = Number(values.duration)
const rounds = Number(values.rounds)
const connections = Number(values.connections)

const BACKEND_SOURCE = `
const http = require('node:http')
const body = JSON.stringify({ message: 'hello from the bench backend', items: [1, 2, 3, 4, 5], ok: true })
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}).listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('ready\\n'))
`

interface Point {
  target: 'direct' | 'gateway'
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  cpuMicrosPerRequest?: number
}

const children: ChildProcess[] = []

function startChild(args: string[], readyWhen: (output: string) => boolean): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (readyWhen(output)) resolve(child)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('exit', (code) => reject(new Error(`child exited (${code ?? 'signal'}): ${output}`)))
  })
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/_tollgate/health`)).ok) return
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('gateway did not start')
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
}

/** utime + stime of a process, in microseconds (Linux /proc; clock ticks are 1/100 s). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))
  return Math.round(Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024)
}

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, pipelining: 1 })
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function main(): Promise<void> {
  const backendPort = await freePort()
  await startChild(['-e', BACKEND_SOURCE, String(backendPort)], (o) => o.includes('ready'))
  const gatewayPort = await freePort()
  const bin = new URL('../bin/tollgate.js', import.meta.url).pathname
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
  const gateway = spawn(
    process.execPath,
    [bin, 'serve', '--port', String(gatewayPort), '--data-dir', dataDir, '--log-level', 'warn'],
    {
      stdio: 'ignore',
    },
  )
  children.push(gateway)
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
  await waitHealthy(gatewayUrl)
  const gatewayPid = gateway.pid!

  const api = await call(gatewayUrl, 'POST', '/restapis', { name: 'bench' })
  const apiId = api['id'] as string
  const proxy = await call(
    gatewayUrl,
    'POST',
    `/restapis/${apiId}/resources/${api['rootResourceId'] as string}`,
    { pathPart: '{proxy+}' },
  )
  const base = `/restapis/${apiId}/resources/${proxy['id'] as string}/methods/ANY`
  await call(gatewayUrl, 'PUT', base, {
    authorizationType: 'NONE',
    requestParameters: { 'method.request.path.proxy': true },
  })
  await call(gatewayUrl, 'PUT', `${base}/integration`, {
    type: 'HTTP_PROXY',
    httpMethod: 'ANY',
    uri: `http://127.0.0.1:${backendPort}/{proxy}`,
    requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
  })
  await call(gatewayUrl, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'bench' })

  const targets = {
    direct: `http://127.0.0.1:${backendPort}/hello`,
    gateway: `${gatewayUrl}/_aws/execute-api/${apiId}/bench/hello`,
  }
  const points: Point[] = []
  for (let round = 0; round < rounds; round++) {
    for (const target of ['direct', 'gateway'] as const) {
      await load(targets[target], 1) // warm-up
      const cpuBefore = cpuMicros(gatewayPid)
      const result = await load(targets[target], duration)
      const cpuAfter = cpuMicros(gatewayPid)
      points.push({
        target,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
        ...(target === 'gateway'
          ? { cpuMicrosPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.requests.total) }
          : {}),
      })
      process.stderr.write(`round ${round + 1} ${target}: ${Math.round(result.requests.average)} req/s\n`)
    }
  }
  const summary = (target: 'direct' | 'gateway') => {
    const mine = points.filter((p) => p.target === target)
    return {
      rps: median(mine.map((p) => p.rps)),
      p50: median(mine.map((p) => p.p50)),
      p99: median(mine.map((p) => p.p99)),
      cpu: target === 'gateway' ? median(mine.map((p) => p.cpuMicrosPerRequest ?? 0)) : undefined,
    }
  }
  const direct = summary('direct')
  const viaGateway = summary('gateway')
  const ratio = viaGateway.rps / direct.rps
  const rss = rssMb(gatewayPid)
  const date = new Date().toISOString().slice(0, 10)
  const table = [
    `Measured ${date}: ${rounds} interleaved rounds of ${duration} s, ${connections} connections, medians.`,
    '',
    '| target | requests/s | × direct | p50 ms | p99 ms | gateway CPU µs/request |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| Node backend, direct | ${Math.round(direct.rps)} | 1.00 | ${direct.p50} | ${direct.p99} | — |`,
    `| Tollgate HTTP_PROXY → same backend | ${Math.round(viaGateway.rps)} | ${ratio.toFixed(2)} | ${viaGateway.p50} | ${viaGateway.p99} | ${Math.round(viaGateway.cpu ?? 0)} |`,
    '',
    `Gateway RSS after the run: ${rss} MB.`,
  ].join('\n')
  process.stdout.write(`${table}\n`)

  if (values.write) {
    const file = new URL('../docs/performance.md', import.meta.url).pathname
    const current = readFileSync(file, 'utf8')
    const marker = '<!-- bench:proxy -->'
    const [head, , tail = ''] = current.split(marker)
    writeFileSync(file, `${head ?? ''}${marker}\n${table}\n${marker}${tail}`)
  }
  const failed = points.some((p) => p.errors > 0 || p.non2xx > 0)
  if (failed) {
    process.stderr.write(`errors or non-2xx answers: ${JSON.stringify(points)}\n`)
    process.exitCode = 1
  }
}

try {
  await main()
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
}
