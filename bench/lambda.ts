/**
 * bench/lambda: a warm AWS_PROXY Lambda behind Tollgate against serverless-offline serving the
 * same handler, in one run: requests/s and p50/p99 under load (autocannon, 50 connections), and
 * the cold start (from CreateFunction, or from the emulator's start, to the first 2xx answer).
 * serverless-offline and its serverless v3 host are installed into a temporary folder each run.
 *
 *   npx tsx bench/lambda.ts [--duration 5] [--write] [--skip-offline]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { zipSync, strToU8 } from 'fflate'
import { freePort } from '../test/support/process.js'
import { LAMBDA_HANDLER, SERVERLESS_YML } from './all/baselines.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    write: { type: 'boolean', default: false },
    'skip-offline': { type: 'boolean', default: false },
  },
})
const duration = Number(values.duration)
const children: ChildProcess[] = []

async function firstSuccess(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    try {
      const response = await fetch(url)
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`no 2xx from ${url}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
}

interface Result {
  name: string
  rps: number
  p50: number
  p99: number
  errors: number
  coldMs: number
  rssMb?: number
}

async function load(name: string, url: string, coldMs: number, pid?: number): Promise<Result> {
  await autocannon({ url, connections: 50, duration: 1 })
  const result = await autocannon({ url, connections: 50, duration })
  const rss = pid
    ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
    : undefined
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    coldMs,
    ...(rss ? { rssMb: Math.round(rss) } : {}),
  }
}

async function tollgate(): Promise<Result> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
  const bin = new URL('../bin/tollgate.js', import.meta.url).pathname
  const gateway = spawn(
    process.execPath,
    [bin, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'],
    { stdio: 'ignore' },
  )
  children.push(gateway)
  const base = `http://127.0.0.1:${port}`
  const ready = Date.now() + 20_000
  while (
    !(await fetch(`${base}/_tollgate/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > ready) throw new Error('gateway did not start')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const api = await call(base, 'POST', '/restapis', { name: 'bench' })
  const apiId = api['id'] as string
  const proxy = await call(base, 'POST', `/restapis/${apiId}/resources/${api['rootResourceId'] as string}`, {
    pathPart: '{proxy+}',
  })
  const method = `/restapis/${apiId}/resources/${proxy['id'] as string}/methods/ANY`
  await call(base, 'PUT', method, { authorizationType: 'NONE' })
  await call(base, 'PUT', `${method}/integration`, {
    type: 'AWS_PROXY',
    httpMethod: 'POST',
    uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench/invocations',
  })
  await call(base, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'bench' })
  const url = `${base}/_aws/execute-api/${apiId}/bench/hello`
  const started = Date.now()
  await call(base, 'POST', '/2015-03-31/functions', {
    FunctionName: 'bench',
    Runtime: 'nodejs20.x',
    Role: 'arn:aws:iam::000000000000:role/r',
    Handler: 'index.handler',
    Code: { ZipFile: Buffer.from(zipSync({ 'index.js': strToU8(LAMBDA_HANDLER) })).toString('base64') },
  })
  await firstSuccess(url, 30_000)
  return load('Tollgate (AWS_PROXY → built-in Lambda)', url, Date.now() - started, gateway.pid)
}

async function serverlessOffline(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'sls-offline-bench-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', private: true }))
  writeFileSync(join(dir, 'handler.js'), LAMBDA_HANDLER)
  writeFileSync(join(dir, 'serverless.yml'), SERVERLESS_YML)
  process.stderr.write('installing serverless@3 and serverless-offline@13 into a temporary folder...\n')
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', 'serverless@3', 'serverless-offline@13'],
    { cwd: dir, stdio: 'ignore' },
  )
  const port = await freePort()
  const lambdaPort = await freePort()
  const started = Date.now()
  const offline = spawn(
    process.execPath,
    [
      join(dir, 'node_modules/serverless/bin/serverless.js'),
      'offline',
      'start',
      '--httpPort',
      String(port),
      '--lambdaPort',
      String(lambdaPort),
      '--noPrependStageInUrl',
    ],
    {
      cwd: dir,
      stdio: 'ignore',
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
    },
  )
  children.push(offline)
  const url = `http://127.0.0.1:${port}/hello`
  await firstSuccess(url, 60_000)
  return load('serverless-offline 13 (same handler)', url, Date.now() - started, offline.pid)
}

try {
  const results = [await tollgate()]
  if (!values['skip-offline']) {
    try {
      results.push(await serverlessOffline())
    } catch (error) {
      process.stderr.write(`serverless-offline could not be measured: ${(error as Error).message}\n`)
    }
  }
  const date = new Date().toISOString().slice(0, 10)
  const table = [
    `Measured ${date}: ${duration} s per target after a 1 s warm-up, 50 connections (autocannon); cold start from CreateFunction (Tollgate) or from process start (serverless-offline) to the first 2xx.`,
    '',
    '| system | requests/s | p50 ms | p99 ms | errors | cold start ms | RSS MB after load |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.coldMs} | ${r.rssMb ?? '—'} |`,
    ),
  ].join('\n')
  process.stdout.write(`${table}\n`)
  if (values.write) {
    const file = new URL('../docs/performance.md', import.meta.url).pathname
    const current = readFileSync(file, 'utf8')
    const marker = '<!-- bench:lambda -->'
    const parts = current.split(marker)
    const next =
      parts.length >= 3
        ? `${parts[0] ?? ''}${marker}\n${table}\n${marker}${parts[2] ?? ''}`
        : `${current}\n## Lambda behind AWS_PROXY (\`npm run bench:lambda\`)\n\n${marker}\n${table}\n${marker}\n`
    writeFileSync(file, next)
  }
  if (results[0] && results[0].errors > 0) process.exitCode = 1
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
}
