import { afterAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApi, createPath, deploy, putMethodWithIntegration, putMockMethod } from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'
import { freePort } from '../support/process.js'
import { startResponsivenessProbe } from '../support/responsiveness.js'

// Backends that misbehave (issue 16, "faults survived"), behind HTTP_PROXY with a 1 s timeout:
// refused, silent, cut mid-response, dripping, 50 MB; each answer is AWS's, and the gateway keeps
// serving (a MOCK request answers within 50 ms throughout, and after each).
// AWS: a backend that cannot complete is a configuration error, 500 "Internal server error";
// past timeoutInMillis, 504 "Endpoint request timed out"; a response over the 10 MB payload limit
// is a configuration error too (execution log "Integration response of reported length N is
// larger than allowed maximum of 10485760 bytes"), 500.
const FAULTS: Record<string, (res: import('node:http').ServerResponse) => void> = {
  // Accepts the request and never answers.
  silent: () => undefined,
  // Headers and part of the body, then the connection is cut.
  reset: (res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
    res.write('partial')
    setTimeout(() => res.socket?.destroy(), 20)
  },
  // One byte every 200 ms: the whole answer would take minutes.
  drip: (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    const timer = setInterval(() => res.write('x'), 200)
    res.on('close', () => clearInterval(timer))
  },
  // 50 MB declared.
  huge: (res) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(50 * 1024 * 1024),
    })
    const chunk = Buffer.alloc(1024 * 1024, 120)
    let sent = 0
    const more = (): void => {
      while (sent < 50 && res.write(chunk)) sent++
      if (sent < 50) res.once('drain', more)
      else res.end()
    }
    more()
  },
  // 50 MB chunked, no length declared.
  'huge-chunked': (res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    const chunk = Buffer.alloc(1024 * 1024, 121)
    let sent = 0
    const more = (): void => {
      while (sent < 50 && !res.destroyed && res.write(chunk)) sent++
      if (sent < 50 && !res.destroyed) res.once('drain', more)
      else res.end()
    }
    more()
  },
}

const EXPECTED: Record<string, { status: number; message: string }> = {
  refused: { status: 500, message: 'Internal server error' },
  silent: { status: 504, message: 'Endpoint request timed out' },
  reset: { status: 500, message: 'Internal server error' },
  drip: { status: 504, message: 'Endpoint request timed out' },
  huge: { status: 500, message: 'Internal server error' },
  'huge-chunked': { status: 500, message: 'Internal server error' },
}

describe('faulty backends', () => {
  let faulty: Server
  let apiId = ''
  const env = gatewayWithBackend(async (tg) => {
    faulty = createServer((req, res) => FAULTS[(req.url ?? '/').slice(1)]?.(res))
    await new Promise<void>((resolve) => faulty.listen(0, '127.0.0.1', resolve))
    const { port } = faulty.address() as AddressInfo
    const api = await createApi(tg.client)
    apiId = api.apiId
    // Nothing listens on a port just freed: connections are refused.
    const closedPort = await freePort()
    for (const name of Object.keys(EXPECTED)) {
      const resource = await createPath(tg.client, apiId, api.rootId, name)
      await putMethodWithIntegration(tg.client, apiId, resource, 'GET', {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: `http://127.0.0.1:${name === 'refused' ? closedPort : port}/${name}`,
        timeoutInMillis: 1_000,
      })
    }
    const alive = await createPath(tg.client, apiId, api.rootId, 'alive')
    await putMockMethod(tg.client, apiId, alive, 'GET', '{"alive": true}')
    await deploy(tg.client, apiId, 'prod')
  })

  afterAll(async () => {
    faulty.closeAllConnections()
    await new Promise((resolve) => faulty.close(resolve))
  })

  // The event loop is never blocked by a fault: a MOCK request due every 25 ms answers within 50
  // ms throughout (this file runs in the serial pass, vitest.serial.config.ts).
  for (const name of Object.keys(EXPECTED)) {
    it(`answers a ${name} backend as AWS does, and keeps serving`, async () => {
      const probe = startResponsivenessProbe(`${env.tg.url}/_aws/execute-api/${apiId}/prod/alive`)
      const response = await fetch(`${env.tg.url}/_aws/execute-api/${apiId}/prod/${name}`)
      const expected = EXPECTED[name]!
      expect(response.status).toBe(expected.status)
      expect(await response.json()).toEqual({ message: expected.message })
      const report = await probe.stop()
      console.info(
        `${name} backend: ${response.status}, probe max ${report.maxMs.toFixed(1)} ms over ${report.answered} calls`,
      )
      expect(report.failures).toEqual([])
      expect(report.answered).toBeGreaterThan(0)
      expect(report.maxMs).toBeLessThan(50)
      const alive = await fetch(`${env.tg.url}/_aws/execute-api/${apiId}/prod/alive`)
      expect(await alive.json()).toEqual({ alive: true })
    })
  }
})
