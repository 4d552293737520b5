/**
 * What Tollgate is compared with, each started as a server of its own on the servers' CPU: the
 * Node backend called directly, nginx (Debian's) proxying to it over a keep-alive upstream, a
 * minimal Node proxy (node:http + undici Pool), and serverless-offline 13 serving the trivial
 * handler behind one http event (installed with serverless v3 into a temporary folder).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { freePort } from '../../test/support/process.js'
import { BACKEND_SOURCE } from '../support.js'
import { firstSuccess } from './http.js'
import { npmInstall } from './install.js'
import { startProcess, type Tracked } from './processes.js'

const REPO = new URL('../../', import.meta.url).pathname

/** A started server: its process, the URL to load, and the time from spawn to its first 2xx. */
export interface Started {
  process: Tracked
  url: string
  startupMs: number
}

/** The handler both Tollgate's function and serverless-offline run: AWS_PROXY's answer shape. */
export const LAMBDA_HANDLER = `exports.handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true, path: event.path }) })\n`

/** One function, the handler in handler.js, behind one http event on every path and method. */
export const SERVERLESS_YML = [
  'service: bench',
  'frameworkVersion: "3"',
  'provider:',
  '  name: aws',
  '  runtime: nodejs20.x',
  'plugins:',
  '  - serverless-offline',
  'functions:',
  '  hello:',
  '    handler: handler.handler',
  '    events:',
  '      - http:',
  '          path: /{proxy+}',
  '          method: any',
  '',
].join('\n')

/**
 * The minimal Node proxy the issue measures: node:http in front of an undici Pool (keep-alive to
 * the upstream), hop-by-hop headers dropped both ways, the request body streamed and the answer's
 * body read whole and sent with its headers in one write, as Tollgate sends an integration's
 * answer. Streaming the answer too (`pipeline(body, res)`) cost this proxy 114 against 52 µs of
 * CPU per request on the bench's 100-byte answer (7,300–7,600 against 13,700–14,200 requests/s,
 * measured 2026-12-06): the bench's yardstick is the faster form.
 */
export const MINIMAL_PROXY_SOURCE = `
const http = require('node:http')
const { Pool } = require('undici')
const [port, upstream] = process.argv.slice(1)
const pool = new Pool(upstream, { connections: 128 })
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])
const endToEnd = (headers) => {
  const kept = {}
  for (const name in headers) if (!HOP_BY_HOP.has(name)) kept[name] = headers[name]
  return kept
}
const server = http.createServer(async (req, res) => {
  try {
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
    const upstreamResponse = await pool.request({
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      body: hasBody ? req : null,
    })
    const body = Buffer.from(await upstreamResponse.body.arrayBuffer())
    res.writeHead(upstreamResponse.statusCode, endToEnd(upstreamResponse.headers))
    res.end(body)
  } catch {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
    res.end('bad gateway')
  }
})
server.keepAliveTimeout = 60_000
server.listen(Number(port), '127.0.0.1')
`

const START_TIMEOUT_MS = 20_000

/** Starts a server and times it from spawn to the first 2xx on `url`. */
async function startAndTime(
  name: string,
  url: string,
  spawnIt: () => Tracked,
  timeoutMs = START_TIMEOUT_MS,
): Promise<Started> {
  const since = performance.now()
  const server = spawnIt()
  const startupMs = await firstSuccess(url, { since, timeoutMs, process: server })
  return { process: server, url, startupMs }
}

/** The bench backend (bench/support.ts): GET /hello answers ~100 bytes of JSON. */
export async function startBackend(cpu: string | undefined): Promise<Started & { port: number }> {
  const port = await freePort()
  const started = await startAndTime('backend', `http://127.0.0.1:${port}/hello`, () =>
    startProcess('backend', process.execPath, ['-e', BACKEND_SOURCE, String(port)], { cpu }),
  )
  return { ...started, port }
}

export async function startMinimalProxy(cpu: string | undefined, backendPort: number): Promise<Started> {
  const port = await freePort()
  return startAndTime('minimal Node proxy', `http://127.0.0.1:${port}/hello`, () =>
    startProcess(
      'minimal Node proxy',
      process.execPath,
      ['-e', MINIMAL_PROXY_SOURCE, String(port), `http://127.0.0.1:${backendPort}`],
      { cpu, cwd: REPO }, // require('undici') from the repository's node_modules
    ),
  )
}

/**
 * nginx in the foreground with a configuration of its own in a fresh folder under `tmp`: one
 * worker, no access log, proxy_pass to an upstream block with keep-alive connections.
 */
export async function startNginx(
  nginx: string,
  cpu: string | undefined,
  tmp: string,
  backendPort: number,
): Promise<Started> {
  const port = await freePort()
  const prefix = mkdtempSync(join(tmp, 'nginx-'))
  mkdirSync(join(prefix, 'logs'))
  const temp = (name: string): string => `${name}_temp_path ${join(prefix, name)};`
  writeFileSync(
    join(prefix, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${join(prefix, 'logs/error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
      `  upstream backend { server 127.0.0.1:${backendPort}; keepalive 64; }`,
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    location / {',
      '      proxy_pass http://backend;',
      '      proxy_http_version 1.1;',
      '      proxy_set_header Connection "";',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  )
  return startAndTime('nginx', `http://127.0.0.1:${port}/hello`, () =>
    startProcess(
      'nginx',
      nginx,
      [
        '-p',
        prefix,
        '-c',
        join(prefix, 'nginx.conf'),
        '-e',
        join(prefix, 'logs/error.log'),
        '-g',
        'daemon off;',
      ],
      { cpu },
    ),
  )
}

/**
 * Installs serverless v3 and serverless-offline 13 into `dir` with a serverless.yml of one
 * function (the trivial handler) behind one http event; a reason instead if npm fails.
 */
export async function prepareServerlessOffline(dir: string): Promise<string | undefined> {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tollgate-bench-offline', private: true }))
  writeFileSync(join(dir, 'handler.js'), LAMBDA_HANDLER)
  writeFileSync(join(dir, 'serverless.yml'), SERVERLESS_YML)
  if (serverlessOfflineVersion(dir)) return undefined // --offline-dir: installed by an earlier run
  process.stderr.write(`installing serverless@3 and serverless-offline@13 into ${dir}...\n`)
  return npmInstall(dir, ['serverless@3', 'serverless-offline@13'], 10 * 60_000)
}

/** The version of serverless-offline installed in `dir`, if it is there with serverless. */
export function serverlessOfflineVersion(dir: string): string | undefined {
  const modules = join(dir, 'node_modules')
  if (!existsSync(join(modules, 'serverless/bin/serverless.js'))) return undefined
  try {
    const manifest = JSON.parse(readFileSync(join(modules, 'serverless-offline/package.json'), 'utf8')) as {
      version?: string
    }
    return manifest.version
  } catch {
    return undefined
  }
}

/**
 * `serverless offline start` (what `npx serverless offline start` runs, started with node directly
 * so the PID measured is the emulator's), with made-up AWS credentials and telemetry off: it needs
 * no AWS account and no network.
 */
export async function startServerlessOffline(cpu: string | undefined, dir: string): Promise<Started> {
  const [port, lambdaPort] = [await freePort(), await freePort()]
  return startAndTime(
    'serverless-offline',
    `http://127.0.0.1:${port}/hello`,
    () =>
      startProcess(
        'serverless-offline',
        process.execPath,
        [
          join(dir, 'node_modules/serverless/bin/serverless.js'),
          'offline',
          'start',
          '--host',
          '127.0.0.1',
          '--httpPort',
          String(port),
          '--lambdaPort',
          String(lambdaPort),
          '--noPrependStageInUrl',
          // Its idle Lambda workers are never terminated during the bench. By default a timer ends
          // those idle for 60 s, once a minute: ~0.5 s of CPU on the servers' core ~47 s after a
          // load (measured 2026-12-07), which fell into whichever target was loaded then (AWS_PROXY
          // rounds with a p99 of 60–80 ms), and its next round began with cold workers.
          '--terminateIdleLambdaTime',
          '86400',
        ],
        {
          cpu,
          cwd: dir,
          env: {
            ...process.env,
            SLS_TELEMETRY_DISABLED: '1',
            SLS_NOTIFICATIONS_MODE: 'off',
            AWS_ACCESS_KEY_ID: 'bench',
            AWS_SECRET_ACCESS_KEY: 'bench',
            AWS_REGION: 'us-east-1',
          },
        },
      ),
    60_000,
  )
}
