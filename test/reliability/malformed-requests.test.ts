import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'

/** Writes raw bytes on a fresh connection; resolves with all that came back once it closed (or after 2 s). */
function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text))
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(received))
    setTimeout(() => socket.destroy(), 2_000).unref()
  })
}

// Request smuggling and host confusion forms (issue 16; RFC 9112 sections 3.2, 3.3, 6.1): Node
// 20's parser accepts the first four, so the gateway refuses them itself; the last is Node's own,
// answered through the listeners' 'clientError' handler with the same body.
const SMUGGLING: Record<string, (path: string) => string> = {
  'two Host headers': (path) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: other.example\r\n\r\n`,
  'an absolute-form target': (path) => `GET http://other.example${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
  'a request line without a version': (path) => `GET ${path}\r\n\r\n`,
  'an obfuscated Transfer-Encoding': (path) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`,
  'Content-Length beside Transfer-Encoding': (path) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
}

describe('malformed requests', () => {
  let path = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const { apiId, rootId } = await createApi(tg.client)
    const proxy = await createPath(tg.client, apiId, rootId, '{proxy+}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      proxy,
      'ANY',
      { type: 'HTTP_PROXY', integrationHttpMethod: 'ANY', uri: `${backend.url}/{proxy}` },
      { requestParameters: { 'method.request.path.proxy': true } },
    )
    await deploy(tg.client, apiId, 'dev')
    path = `/_aws/execute-api/${apiId}/dev/pets`
  })

  it('passes a well-formed request to the backend', async () => {
    const answer = await rawExchange(
      env.tg.url,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 200 /)
    expect(env.backend.received.map((r) => r.url)).toContain('/pets')
  })

  for (const [form, request] of Object.entries(SMUGGLING)) {
    it(`refuses ${form} with 400 and closes the connection, reaching no backend`, async () => {
      const before = env.backend.received.length
      const answer = await rawExchange(env.tg.url, request(path))
      expect(answer).toMatch(/^HTTP\/1\.1 400 /)
      expect(answer).toMatch(/\r\nconnection: close\r\n/i)
      expect(answer).toMatch(/\r\ncontent-type: application\/json\r\n/i)
      expect(answer.endsWith('\r\n\r\n{"message":"Bad Request"}')).toBe(true)
      // One answer only: nothing after the refused request was taken as a second request.
      expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1)
      expect(env.backend.received.length).toBe(before)
    })
  }

  // What Node's parser refuses before any handler runs (Node docs, HTTP "Event: 'clientError'"):
  // it used to answer a bare `400 Bad Request` without a body; now the listeners' clientError
  // handler answers with AWS's error shape, Content-Length and Connection: close.
  const PARSE_ERRORS: Record<string, (path: string) => string> = {
    'a garbage request line': () => 'THIS IS NOT HTTP\r\n\r\n',
    'a space inside the request target': (path) => `GET ${path} x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    'an unknown HTTP version': (path) => `GET ${path} HTTP/7.1\r\nHost: 127.0.0.1\r\n\r\n`,
    'a header line without a colon': (path) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColon\r\n\r\n`,
    'a control character in a header value': (path) =>
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: a\x01b\r\n\r\n`,
    'a chunk size that is not hex': (path) =>
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
  }

  for (const [form, request] of Object.entries(PARSE_ERRORS)) {
    it(`answers Node's parse error on ${form} with a JSON 400 and closes`, async () => {
      const before = env.backend.received.length
      const answer = await rawExchange(env.tg.url, request(path))
      const [head = '', body] = answer.split('\r\n\r\n')
      expect(head.split('\r\n')).toEqual([
        'HTTP/1.1 400 Bad Request',
        'Content-Type: application/json',
        'Content-Length: 25',
        'Connection: close',
      ])
      expect(JSON.parse(body ?? '')).toEqual({ message: 'Bad Request' })
      expect(env.backend.received.length).toBe(before)
    })
  }

  it('answers 413 to a body declared over 10 MB before any of it is sent', async () => {
    const before = env.backend.received.length
    const answer = await rawExchange(
      env.tg.url,
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${10 * 1024 * 1024 + 1}\r\n\r\n`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 413 /)
    expect(answer).toContain('{"message":"Request Too Long"}')
    expect(env.backend.received.length).toBe(before)
  })

  it('answers 413 to a chunked body once it passes 10 MB', async () => {
    const before = env.backend.received.length
    const chunk = 'a'.repeat(1024 * 1024)
    const chunks = Array.from({ length: 11 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('')
    const answer = await rawExchange(
      env.tg.url,
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 413 /)
    expect(env.backend.received.length).toBe(before)
  })
})
