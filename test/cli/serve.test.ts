import { request } from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort, spawnTollgate, tempDir, type TollgateProcess } from '../support/process.js'

const started: TollgateProcess[] = []
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL')
})
async function start(...args: Parameters<typeof spawnTollgate>): Promise<TollgateProcess> {
  const p = await spawnTollgate(...args)
  started.push(p)
  return p
}

describe('tollgate serve', () => {
  it('takes its settings from flags and TOLLGATE_* variables, and answers health checks', async () => {
    const dataDir = tempDir()
    const viaFlags = await start(['--data-dir', dataDir, '--host', '127.0.0.1'])
    const health = await fetch(`${viaFlags.url}/_tollgate/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(existsSync(join(dataDir, 'tollgate.db'))).toBe(true)

    const envPort = await freePort()
    const envDir = tempDir()
    const viaEnv = await start(['--port', String(envPort)], {
      env: { TOLLGATE_DATA_DIR: envDir, TOLLGATE_ACCOUNT_ID: '123456789012' },
      port: envPort,
    })
    const missing = await fetch(`${viaEnv.url}/restapis/nosuchapi0`)
    // The account id from the environment shows in AWS's not-found message.
    expect(await missing.json()).toEqual({
      message: 'Invalid API identifier specified 123456789012:nosuchapi0',
    })
    expect(existsSync(join(envDir, 'tollgate.db'))).toBe(true)
  })

  it('refuses a bad setting at start-up with exit code 2 and names the option', async () => {
    const p = await start(['--region', 'not a region'], { waitHealthy: false })
    expect(await p.exited).toBe(2)
    expect(p.output()).toContain('region (--region / TOLLGATE_REGION)')
    const fromEnv = await start([], { waitHealthy: false, env: { TOLLGATE_ACCOUNT_ID: 'abc' } })
    expect(await fromEnv.exited).toBe(2)
    expect(fromEnv.output()).toContain('accountId (--account-id / TOLLGATE_ACCOUNT_ID): must be 12 digits')
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`finishes an in-flight request on ${signal}, then exits 0`, async () => {
      const p = await start(['--data-dir', tempDir()])
      const body = JSON.stringify({ name: 'in-flight' })
      const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: p.port,
            method: 'POST',
            path: '/restapis',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = ''
            res.on('data', (c: Buffer) => (text += c.toString()))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
          },
        )
        req.on('error', reject)
        // Half the body now, the signal, then the rest: the request is in flight when the signal lands.
        req.write(body.slice(0, 5))
        setTimeout(() => {
          p.kill(signal)
          setTimeout(() => req.end(body.slice(5)), 300)
        }, 200)
      })
      const result = await response
      expect(result.status).toBe(201)
      expect(JSON.parse(result.text)).toMatchObject({ name: 'in-flight' })
      expect(await p.exited).toBe(0)
    })
  }
})
