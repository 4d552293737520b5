import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request, type ClientRequest } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/config.js'
import { SqliteConfigStore } from '../../src/store/index.js'
import { freePort, killAll, spawnTollgate, tempDir, type TollgateProcess } from '../support/process.js'
import { redisTestPrefix } from '../support/redis.js'
import { REDIS_URL, redisServer, requireTool } from '../support/tools.js'

const noRedis = await requireTool(redisServer)

const started: TollgateProcess[] = []
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL')
})
afterAll(killAll)

async function start(...args: Parameters<typeof spawnTollgate>): Promise<TollgateProcess> {
  const p = await spawnTollgate(...args)
  started.push(p)
  return p
}

/** Whether a TCP connection to host:port is refused (nothing listens there). */
function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

/** The ARN the built-in Lambda API puts in its not-found message: shows the region and account id. */
async function lambdaArnOf(url: string): Promise<string> {
  const response = await fetch(`${url}/2015-03-31/functions/nope`)
  expect(response.status).toBe(404)
  const { message } = (await response.json()) as { message: string }
  return message.replace('Function not found: ', '')
}

/** Reads the REST API names from a data directory while the gateway holds it open (WAL allows it). */
async function apiNamesIn(dataDir: string): Promise<string[]> {
  const store = SqliteConfigStore.open(dataDir)
  try {
    return (await store.read((r) => r.list('restapi', ''))).map((doc) => doc.api.name)
  } finally {
    await store.close()
  }
}

describe('tollgate serve: settings', () => {
  it('takes --port, --host and --data-dir, --region and --account-id from flags', async () => {
    const dataDir = join(tempDir(), 'nested', 'data')
    const port = await freePort('127.0.0.2')
    const p = await start([
      '--host',
      '127.0.0.2',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--region',
      'eu-west-3',
      '--account-id',
      '123456789012',
    ])
    expect(p.url).toBe(`http://127.0.0.2:${port}`)
    // Without --auth the process says the management API accepts any caller.
    expect(p.output()).toContain('development mode: the management and Lambda APIs accept any caller')
    const health = await fetch(`${p.url}/_tollgate/health`)
    expect(health.status).toBe(200)
    expect(health.headers.get('content-type')).toBe('application/json')
    expect(await health.json()).toEqual({ status: 'ok' })
    // Bound to 127.0.0.2 only.
    expect(await refused('127.0.0.1', port)).toBe(true)

    const created = await fetch(`${p.url}/restapis`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'in-the-data-dir' }),
    })
    expect(created.status).toBe(201)
    expect(existsSync(join(dataDir, 'tollgate.db'))).toBe(true)
    expect(await apiNamesIn(dataDir)).toEqual(['in-the-data-dir'])

    expect(await lambdaArnOf(p.url)).toBe('arn:aws:lambda:eu-west-3:123456789012:function:nope')
    const missing = await fetch(`${p.url}/restapis/nosuchapi0`)
    expect(await missing.json()).toEqual({
      message: 'Invalid API identifier specified 123456789012:nosuchapi0',
    })
  })

  it('takes the same settings from TOLLGATE_* variables', async () => {
    const dataDir = tempDir()
    const port = await freePort('127.0.0.2')
    const p = await start([], {
      env: {
        TOLLGATE_PORT: String(port),
        TOLLGATE_HOST: '127.0.0.2',
        TOLLGATE_DATA_DIR: dataDir,
        TOLLGATE_REGION: 'ap-southeast-2',
        TOLLGATE_ACCOUNT_ID: '210987654321',
        TOLLGATE_LOG_LEVEL: 'silent',
      },
    })
    expect(p.child.spawnargs.slice(2)).toEqual(['serve'])
    expect((await fetch(`http://127.0.0.2:${port}/_tollgate/health`)).status).toBe(200)
    expect(await refused('127.0.0.1', port)).toBe(true)
    expect(existsSync(join(dataDir, 'tollgate.db'))).toBe(true)
    expect(await lambdaArnOf(p.url)).toBe('arn:aws:lambda:ap-southeast-2:210987654321:function:nope')
    // TOLLGATE_LOG_LEVEL=silent: not one line of output.
    expect(p.output()).toBe('')
  })

  it('lets a flag win over its variable, and treats an empty variable as unset', async () => {
    const envPort = await freePort()
    const p = await start(['--region', 'sa-east-1'], {
      env: { TOLLGATE_PORT: String(envPort), TOLLGATE_REGION: 'eu-west-3', TOLLGATE_ACCOUNT_ID: '' },
    })
    expect(p.port).toBe(envPort)
    expect(await lambdaArnOf(p.url)).toBe('arn:aws:lambda:sa-east-1:000000000000:function:nope')

    const [flagPort, ignoredPort] = [await freePort(), await freePort()]
    const q = await start(['--port', String(flagPort)], { env: { TOLLGATE_PORT: String(ignoredPort) } })
    expect((await fetch(`http://127.0.0.1:${flagPort}/_tollgate/health`)).status).toBe(200)
    expect(await refused('127.0.0.1', ignoredPort)).toBe(true)
    q.kill()
    expect(await q.waitExit()).toBe(0)
  })

  it('offers a flag and a TOLLGATE_* variable for every setting, in --help', async () => {
    const bin = new URL('../../bin/tollgate.js', import.meta.url).pathname
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'serve', '--help'])
    const help = stdout.replace(/\s+/g, ' ')
    for (const key of Object.keys(loadConfig({}, {}))) {
      const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
      expect(help, key).toContain(`--${kebab}`)
      expect(help, key).toContain(`TOLLGATE_${kebab.replaceAll('-', '_').toUpperCase()}`)
    }
  })

  const badSettings: [string, string[], NodeJS.ProcessEnv, string][] = [
    ['--port 70000', ['--port', '70000'], {}, 'port (--port / TOLLGATE_PORT): Too big'],
    ['--port abc', ['--port', 'abc'], {}, 'port (--port / TOLLGATE_PORT): Invalid input'],
    ['--host ""', ['--host', ''], {}, 'host (--host / TOLLGATE_HOST): Too small'],
    [
      '--region',
      ['--region', 'not a region'],
      {},
      'region (--region / TOLLGATE_REGION): must look like us-east-1',
    ],
    [
      'TOLLGATE_ACCOUNT_ID',
      [],
      { TOLLGATE_ACCOUNT_ID: 'abc' },
      'accountId (--account-id / TOLLGATE_ACCOUNT_ID): must be 12 digits',
    ],
    [
      '--log-level',
      ['--log-level', 'loud'],
      {},
      'logLevel (--log-level / TOLLGATE_LOG_LEVEL): Invalid option',
    ],
    [
      'TOLLGATE_SHUTDOWN_GRACE_MS',
      [],
      { TOLLGATE_SHUTDOWN_GRACE_MS: '-1' },
      'shutdownGraceMs (--shutdown-grace-ms / TOLLGATE_SHUTDOWN_GRACE_MS): Too small',
    ],
    ['TOLLGATE_DEMO', [], { TOLLGATE_DEMO: 'maybe' }, 'demo (--demo / TOLLGATE_DEMO)'],
    ['--redis', ['--redis', 'http://127.0.0.1:6379'], {}, 'redis (--redis / TOLLGATE_REDIS)'],
    [
      'TOLLGATE_REDIS_FAILURE_POLICY',
      [],
      { TOLLGATE_REDIS_FAILURE_POLICY: 'maybe' },
      'redisFailurePolicy (--redis-failure-policy / TOLLGATE_REDIS_FAILURE_POLICY): Invalid option',
    ],
  ]
  it.each(badSettings)(
    'refuses a bad %s at start-up with exit code 2 and names the option',
    async (_, args, env, message) => {
      const dataDir = join(tempDir(), 'never-created')
      const p = await start([...args, '--data-dir', dataDir], { waitHealthy: false, env })
      expect(await p.waitExit()).toBe(2)
      expect(p.output()).toMatch(/^tollgate: invalid configuration: /)
      expect(p.output()).toContain(message)
      expect(existsSync(dataDir)).toBe(false)
    },
  )

  it.skipIf(noRedis)(
    'connects to the Redis of --redis / TOLLGATE_REDIS and reports it in its metrics',
    async () => {
      const prefix = redisTestPrefix()
      const p = await start(['--redis', REDIS_URL, '--redis-key-prefix', prefix], {
        env: { TOLLGATE_REDIS_FAILURE_POLICY: 'closed' },
      })
      const metrics = await (await fetch(`${p.url}/_tollgate/metrics`)).text()
      expect(metrics).toMatch(/^tollgate_redis_up 1$/m)
    },
  )

  it('accepts --shutdown-grace-ms, the flag its error message names', async () => {
    const p = await start(['--shutdown-grace-ms', '0'])
    expect((await fetch(`${p.url}/_tollgate/health`)).status).toBe(200)
  })

  it('exits non-zero, naming the address, when the port is taken', async () => {
    const first = await start([])
    const second = await start(['--port', String(first.port)], { waitHealthy: false })
    expect(await second.waitExit()).toBe(1)
    expect(second.output()).toContain(`EADDRINUSE`)
    expect(second.output()).toContain(`127.0.0.1:${first.port}`)
    expect((await fetch(`${first.url}/_tollgate/health`)).status).toBe(200)
  })
})

/** A POST /restapis whose body is sent in slow chunks; `send` decides when each chunk goes. */
function slowCreateApi(
  p: TollgateProcess,
  name: string,
  padding: number,
): { req: ClientRequest; chunks: Buffer[]; response: Promise<{ status: number; body: string }> } {
  // JSON allows any amount of whitespace: a large, valid body without a large field.
  const body = Buffer.from(`{"name": ${JSON.stringify(name)}${' '.repeat(padding)}}`)
  const chunks: Buffer[] = []
  for (let at = 0; at < body.length; at += 64 * 1024) chunks.push(body.subarray(at, at + 64 * 1024))
  let req!: ClientRequest
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = request(
      {
        host: '127.0.0.1',
        port: p.port,
        method: 'POST',
        path: '/restapis',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
  })
  return { req, chunks, response }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('tollgate serve: shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}, stops accepting connections, finishes the in-flight request, exits 0`, async () => {
      const p = await start([])
      const { req, chunks, response } = slowCreateApi(p, `in-flight-${signal}`, 512 * 1024)
      expect(chunks.length).toBeGreaterThan(4)
      req.write(chunks[0])
      await pause(100)
      // Once a later request is answered, the server has read the first one's headers (its bytes
      // arrived earlier): on a loaded machine a fixed pause alone was not always enough.
      await (await fetch(`${p.url}/_tollgate/health`)).arrayBuffer()
      p.kill(signal)
      await pause(200)
      // The listener is closed at once; the half-sent request is still being served.
      expect(await refused('127.0.0.1', p.port)).toBe(true)
      expect(p.child.exitCode).toBeNull()
      for (const chunk of chunks.slice(1, -1)) {
        req.write(chunk)
        await pause(20)
      }
      req.end(chunks.at(-1))
      const result = await response
      expect(result.status).toBe(201)
      expect(JSON.parse(result.body)).toMatchObject({ name: `in-flight-${signal}` })
      expect(await p.waitExit()).toBe(0)
      // The answered request was committed before the store closed.
      expect(await apiNamesIn(p.dataDir)).toEqual([`in-flight-${signal}`])
    })
  }

  it('cuts a request that outlasts the grace period, then exits 0', async () => {
    const p = await start(['--shutdown-grace-ms', '500'])
    const { req, chunks, response } = slowCreateApi(p, 'stuck', 256 * 1024)
    req.write(chunks[0])
    await pause(100)
    const signalled = Date.now()
    p.kill('SIGTERM')
    // The rest of the body never comes.
    await expect(response).rejects.toThrow()
    expect(await p.waitExit()).toBe(0)
    const waited = Date.now() - signalled
    expect(waited).toBeGreaterThanOrEqual(450)
    expect(waited).toBeLessThan(5_000)
    expect(await apiNamesIn(p.dataDir)).toEqual([])
  })
})
