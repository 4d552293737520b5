import { CreateRestApiCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway'
import { describe, expect, it } from 'vitest'
import { createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'
import { rawExchange } from '../support/raw-http.js'

// AWS docs "api-gateway-execution-service-limits-table" (REST APIs): the URL of an edge-optimized
// API is at most 8192 characters, of a regional API 10240; not adjustable. AWS documents the
// quota, not the answer: Tollgate answers 414 URI Too Long and closes the connection. AWS docs
// "limits": with authorization (or a resource policy), a method ARN past 1600 bytes gets "414
// Request URI too long".
const EDGE_LIMIT = 8_192
const REGIONAL_LIMIT = 10_240

const statusLines = (text: string): string[] => text.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? []

/** A GET whose request target (`path?pad=aaa...`) is exactly `length` characters. */
function requestWithUrlLength(path: string, length: number, connection = 'close'): string {
  const prefix = `${path}?pad=`
  const target = prefix + 'a'.repeat(length - prefix.length)
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: ${connection}\r\n\r\n`
}

async function proxyApi(
  client: APIGatewayClient,
  backendUrl: string,
  type: 'EDGE' | 'REGIONAL',
  policy?: object,
): Promise<string> {
  const api = await client.send(
    new CreateRestApiCommand({
      name: `url-length-${type}`,
      endpointConfiguration: { types: [type] },
      ...(policy ? { policy: JSON.stringify(policy) } : {}),
    }),
  )
  const apiId = api.id!
  const proxy = await createPath(client, apiId, api.rootResourceId!, '{proxy+}')
  await putMethodWithIntegration(client, apiId, proxy, 'ANY', {
    type: 'HTTP_PROXY',
    integrationHttpMethod: 'ANY',
    uri: `${backendUrl}/{proxy}`,
    requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
  })
  await deploy(client, apiId, 'dev')
  return apiId
}

describe('request URL length limits', () => {
  const paths = { EDGE: '', REGIONAL: '', POLICY: '' }
  let policyApiId = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    paths.EDGE = `/_aws/execute-api/${await proxyApi(tg.client, backend.url, 'EDGE')}/dev/echo`
    paths.REGIONAL = `/_aws/execute-api/${await proxyApi(tg.client, backend.url, 'REGIONAL')}/dev/echo`
    policyApiId = await proxyApi(tg.client, backend.url, 'REGIONAL', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      ],
    })
    paths.POLICY = `/_aws/execute-api/${policyApiId}/dev`
  })

  for (const [type, limit] of [
    ['EDGE', EDGE_LIMIT],
    ['REGIONAL', REGIONAL_LIMIT],
  ] as const) {
    it(`passes a URL of exactly ${limit} characters to the backend (${type})`, async () => {
      const before = env.backend.received.length
      const { text } = await rawExchange(env.tg.url, requestWithUrlLength(paths[type], limit))
      expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK'])
      expect(env.backend.received.length).toBe(before + 1)
      expect(env.backend.received.at(-1)?.url.length).toBeGreaterThan(limit - 100)
    })

    it(`refuses ${limit + 1} characters with 414, closes the connection, calls no backend (${type})`, async () => {
      const before = env.backend.received.length
      const { text, closedByPeer } = await rawExchange(
        env.tg.url,
        // keep-alive asked for, and a second request pipelined behind: neither is honoured.
        requestWithUrlLength(paths[type], limit + 1, 'keep-alive') + requestWithUrlLength(paths[type], 100),
      )
      expect(statusLines(text)).toEqual(['HTTP/1.1 414 URI Too Long'])
      expect(text).toMatch(/\r\nContent-Type: application\/json\r\n/i)
      expect(text.endsWith('\r\n\r\n{"message":"Request-URI Too Long"}')).toBe(true)
      expect(text).toMatch(/\r\nConnection: close\r\n/i)
      expect(closedByPeer).toBe(true)
      expect(env.backend.received.length).toBe(before)
    })
  }

  it('reads nothing of a refused request body', async () => {
    const before = env.backend.received.length
    const head = requestWithUrlLength(paths.EDGE, EDGE_LIMIT + 1).replace('GET ', 'POST ')
    // A body announced and never sent: the answer comes without waiting for it.
    const { text, closedByPeer } = await rawExchange(
      env.tg.url,
      head.replace('\r\n\r\n', '\r\nContent-Length: 1000000\r\n\r\n'),
    )
    expect(statusLines(text)).toEqual(['HTTP/1.1 414 URI Too Long'])
    expect(closedByPeer).toBe(true)
    expect(env.backend.received.length).toBe(before)
  })

  it(`accepts on a regional API a URL that an edge-optimized one refuses`, async () => {
    const between = EDGE_LIMIT + 1_000
    expect(
      statusLines((await rawExchange(env.tg.url, requestWithUrlLength(paths.EDGE, between))).text),
    ).toEqual(['HTTP/1.1 414 URI Too Long'])
    expect(
      statusLines((await rawExchange(env.tg.url, requestWithUrlLength(paths.REGIONAL, between))).text),
    ).toEqual(['HTTP/1.1 200 OK'])
  })

  describe('method ARN past 1600 bytes, under a resource policy', () => {
    // arn:aws:execute-api:us-east-1:000000000000:{apiId}/dev/GET/{path}
    const arnBytes = (path: string): number =>
      Buffer.byteLength(`arn:aws:execute-api:us-east-1:000000000000:${policyApiId}/dev/GET/${path}`)
    const segment = (bytes: number): string => 'p'.repeat(bytes - arnBytes(''))

    it('passes a method ARN of exactly 1600 bytes', async () => {
      const before = env.backend.received.length
      const { text } = await rawExchange(
        env.tg.url,
        `GET ${paths.POLICY}/${segment(1_600)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      )
      expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK'])
      expect(env.backend.received.length).toBe(before + 1)
    })

    it('refuses 1601 bytes with 414, calling no backend', async () => {
      const before = env.backend.received.length
      const { text } = await rawExchange(
        env.tg.url,
        `GET ${paths.POLICY}/${segment(1_601)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      )
      expect(statusLines(text)).toEqual(['HTTP/1.1 414 URI Too Long'])
      expect(text).toContain('{"message":"Request-URI Too Long"}')
      expect(env.backend.received.length).toBe(before)
    })

    it('does not apply to a method without authorization or policy', async () => {
      const { text } = await rawExchange(
        env.tg.url,
        `GET ${paths.REGIONAL.replace(/\/echo$/, '')}/${'p'.repeat(2_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      )
      expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK'])
    })
  })
})
