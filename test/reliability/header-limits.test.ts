import { describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'
import { rawExchange } from '../support/raw-http.js'

// AWS docs "api-gateway-execution-service-limits-table" (REST APIs): "Total combined size of all
// header values, including header names, values, any line terminators, and white space" is
// 10240 bytes (8000 for private APIs), not adjustable. AWS documents the quota, not the answer:
// clients report 431 Request Header Fields Too Large from REST APIs past it (backbencher.dev,
// "431 Status Code With Request Header Fields Too Large", 2023), which is what Tollgate answers.
const LIMIT = 10_240

/** A request whose header section (`name: value\r\n` each) is exactly `bytes` long. */
function requestWithHeaderBytes(path: string, bytes: number, connection = 'close'): string {
  const fixed = [`Host: 127.0.0.1`, `Connection: ${connection}`]
  const used = fixed.reduce((sum, line) => sum + line.length + 2, 0)
  const padName = 'X-Pad'
  const padValue = 'a'.repeat(bytes - used - padName.length - 4)
  const head = [...fixed, `${padName}: ${padValue}`].join('\r\n')
  return `GET ${path} HTTP/1.1\r\n${head}\r\n\r\n`
}

const statusLines = (text: string): string[] => text.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? []

describe('request header limits', () => {
  let path = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const { apiId, rootId } = await createApi(tg.client)
    const proxy = await createPath(tg.client, apiId, rootId, '{proxy+}')
    await putMethodWithIntegration(tg.client, apiId, proxy, 'ANY', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'ANY',
      uri: `${backend.url}/{proxy}`,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
    })
    await deploy(tg.client, apiId, 'dev')
    path = `/_aws/execute-api/${apiId}/dev/echo`
  })

  it(`passes headers of exactly ${LIMIT} bytes to the backend`, async () => {
    const before = env.backend.received.length
    const { text } = await rawExchange(env.tg.url, requestWithHeaderBytes(path, LIMIT))
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK'])
    expect(env.backend.received.length).toBe(before + 1)
    expect(env.backend.received.at(-1)?.headers['x-pad']?.length).toBeGreaterThan(10_000)
  })

  it(`refuses ${LIMIT + 1} bytes with 431, closes the connection, calls no backend`, async () => {
    const before = env.backend.received.length
    const { text, closedByPeer } = await rawExchange(
      env.tg.url,
      // keep-alive asked for, and a second request pipelined behind: neither is honoured.
      requestWithHeaderBytes(path, LIMIT + 1, 'keep-alive') + requestWithHeaderBytes(path, 100),
    )
    expect(statusLines(text)).toEqual(['HTTP/1.1 431 Request Header Fields Too Large'])
    expect(text).toContain('{"message":"Request Header Fields Too Large"}')
    expect(closedByPeer).toBe(true)
    expect(env.backend.received.length).toBe(before)
  })

  it('refuses one 1 MB header (Node stops reading at 24 KiB) and closes the connection', async () => {
    const before = env.backend.received.length
    const huge = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(1024 * 1024)}\r\n\r\n`
    const started = performance.now()
    const { text, closedByPeer } = await rawExchange(env.tg.url, huge)
    expect(statusLines(text)).toEqual(['HTTP/1.1 431 Request Header Fields Too Large'])
    // Node's parser refuses it, no handler runs: the listeners' clientError handler answers with
    // the JSON body of the gateway's own 431 (Node's default answer had none).
    expect(text).toContain('{"message":"Request Header Fields Too Large"}')
    expect(closedByPeer).toBe(true)
    expect(performance.now() - started).toBeLessThan(1_500)
    expect(env.backend.received.length).toBe(before)
  })

  for (const count of [3_000, 20_000]) {
    it(`refuses ${count.toLocaleString('en')} tiny headers with 431`, async () => {
      // 3,000 headers of 6 bytes pass Node's 24 KiB and its default 2,000-header cut-off (which
      // would have hidden the rest): the gateway counts them all. 20,000 stop at Node's parser.
      const before = env.backend.received.length
      const many = Array.from({ length: count }, (_, i) => `${(i % 26).toString(36)}:1`).join('\r\n')
      const { text, closedByPeer } = await rawExchange(
        env.tg.url,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${many}\r\n\r\n`,
      )
      expect(statusLines(text)).toEqual(['HTTP/1.1 431 Request Header Fields Too Large'])
      expect(closedByPeer).toBe(true)
      expect(env.backend.received.length).toBe(before)
    })
  }

  it('answers a head just past 24 KiB with a complete JSON 431 from the parser', async () => {
    const before = env.backend.received.length
    const head = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(25 * 1024)}\r\n\r\n`
    const { text, closedByPeer } = await rawExchange(env.tg.url, head)
    const [answerHead = '', body] = text.split('\r\n\r\n')
    expect(answerHead.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'Content-Type: application/json',
      'Content-Length: 45',
      'Connection: close',
    ])
    expect(JSON.parse(body ?? '')).toEqual({ message: 'Request Header Fields Too Large' })
    expect(closedByPeer).toBe(true)
    expect(env.backend.received.length).toBe(before)
  })

  it('keeps serving on the same connection after requests under the limit', async () => {
    const before = env.backend.received.length
    const three =
      requestWithHeaderBytes(path, 9_000, 'keep-alive') +
      requestWithHeaderBytes(path, LIMIT, 'keep-alive') +
      requestWithHeaderBytes(path, 200, 'close')
    const { text } = await rawExchange(env.tg.url, three)
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    expect(env.backend.received.length).toBe(before + 3)
  })

  it('answers a fresh connection normally after every refusal', async () => {
    const { text } = await rawExchange(env.tg.url, requestWithHeaderBytes(path, 500))
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK'])
  })
})
