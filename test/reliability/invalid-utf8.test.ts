import {
  CreateBasePathMappingCommand,
  CreateDomainNameCommand,
  CreateRestApiCommand,
  UpdateRestApiCommand,
} from '@aws-sdk/client-api-gateway'
import { describe, expect, it } from 'vitest'
import {
  createApi,
  createPath,
  deploy,
  httpRequest,
  putMethodWithIntegration,
  putRenderingMethods,
} from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { rawExchange } from '../support/raw-http.js'

// Invalid UTF-8 everywhere a request carries text (issue 16): never a 5XX from the gateway, never
// a crash. Percent-encoded forms (`%C3%28`: a lead byte without its continuation; `%FF`: never
// valid) stay as sent where AWS passes values undecoded (path parameters); raw bytes in header
// values are Latin-1 octets to HTTP (RFC 9110 section 5.5, obs-text); bodies to HTTP_PROXY pass
// byte for byte (AWS docs "api-gateway-payload-encodings": a passthrough integration leaves
// the payload untouched).
const INVALID = Buffer.from([
  0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22, 0x7d,
]) // {"a":"<bad>"}

const TEMPLATES = [
  ['json', `{"json": $input.json('$')}`],
  ['body', `{"body": "$util.escapeJavaScript($input.body)"}`],
  ['parse', `#set($p = $util.parseJson($input.body)){"a": "$util.escapeJavaScript($p.a)"}`],
  ['path', `{"a": "$util.escapeJavaScript($input.path('$.a'))"}`],
] as const

const mockWith = (template: string) => ({
  integration: {
    type: 'MOCK' as const,
    requestTemplates: { 'application/json': '{"statusCode": 200}', 'text/plain': '{"statusCode": 200}' },
  },
  options: { responseTemplates: { 'application/json': template } },
})

describe('invalid UTF-8 in requests', () => {
  let base = ''
  let apiId = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const created = await createApi(tg.client)
    apiId = created.apiId
    const { rootId } = created
    const item = await createPath(tg.client, apiId, rootId, 'items/{id}')
    const echo = mockWith(
      `{"id": "$util.escapeJavaScript($input.params('id'))", "q": "$util.escapeJavaScript($input.params('q'))", "h": "$util.escapeJavaScript($input.params('x-h'))"}`,
    )
    await putMethodWithIntegration(tg.client, apiId, item, 'GET', echo.integration, echo.options)
    // Request templates (HTTP, non-proxy): the backend receives what they rendered.
    await putRenderingMethods(tg.client, apiId, rootId, backend.url, TEMPLATES)
    const mock = await createPath(tg.client, apiId, rootId, 'mock')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      mock,
      'POST',
      {
        type: 'MOCK',
        requestTemplates: {
          'application/json': `#set($p = $util.parseJson($input.body))#set($j = $input.json('$'))#set($b = $input.body){"statusCode": 200}`,
        },
      },
      { responseTemplates: { 'application/json': '{"ok": true}' } },
    )
    const proxy = await createPath(tg.client, apiId, rootId, 'proxy/{proxy+}')
    await putMethodWithIntegration(tg.client, apiId, proxy, 'ANY', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'ANY',
      uri: `${backend.url}/{proxy}`,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
    })
    await createFunction(lambdaClient(tg.url), 'utf8-echo', {
      'index.js': 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) })',
    })
    const lambda = await createPath(tg.client, apiId, rootId, 'lambda')
    await putMethodWithIntegration(tg.client, apiId, lambda, 'POST', {
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:utf8-echo/invocations',
    })
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: 'add', path: '/binaryMediaTypes/application~1octet-stream' }],
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    base = `/_aws/execute-api/${apiId}/dev`
    await tg.client.send(
      new CreateDomainNameCommand({
        domainName: 'utf8.example.com',
        endpointConfiguration: { types: ['REGIONAL'] },
        regionalCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/abc',
      }),
    )
    await tg.client.send(
      new CreateBasePathMappingCommand({ domainName: 'utf8.example.com', basePath: 'v1', restApiId: apiId }),
    )
  })

  const get = (path: string, headers: Record<string, string> = {}) =>
    httpRequest(env.tg.url, { path: `${base}${path}`, headers })
  const post = (path: string, body: Buffer, contentType = 'application/json') =>
    httpRequest(env.tg.url, {
      method: 'POST',
      path: `${base}${path}`,
      headers: { 'content-type': contentType },
      body,
    })

  describe('paths and query strings', () => {
    for (const id of ['%C3%28', '%FF', '%ED%A0%80', 'ok%FFok']) {
      it(`keeps the path parameter ${id} as sent`, async () => {
        const response = await get(`/items/${id}`)
        expect(response.status).toBe(200)
        expect(JSON.parse(response.body.toString())).toMatchObject({ id })
      })
    }

    it('answers 403 Missing Authentication Token to an unknown path of invalid sequences', async () => {
      const response = await get('/%FF%FE/%C3%28')
      expect(response.status).toBe(403)
      expect(response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException')
    })

    it('routes a custom domain path of invalid sequences without throwing (once a 500)', async () => {
      // The base path and stage were decoded with a bare decodeURIComponent: `%FF` threw and the
      // request answered 500 "domain lookup failed".
      for (const path of ['/%FF/items/1', '/v1/%C3%28/items/1', '/v1/dev/items/%FF']) {
        const response = await httpRequest(env.tg.url, { path, headers: { Host: 'utf8.example.com' } })
        expect(response.status, path).toBeLessThan(500)
      }
      const served = await httpRequest(env.tg.url, {
        path: '/v1/dev/items/%FF',
        headers: { Host: 'utf8.example.com' },
      })
      expect(JSON.parse(served.body.toString())).toMatchObject({ id: '%FF' })
    })

    it('keeps an undecodable query value as sent', async () => {
      const response = await get('/items/1?q=%C3%28%FF')
      expect(response.status).toBe(200)
      expect(JSON.parse(response.body.toString())).toMatchObject({ q: '%C3%28%FF' })
    })

    it('refuses raw (unencoded) bytes above 0x7F in the request line, without a 5XX', async () => {
      const line = Buffer.concat([
        Buffer.from(`GET ${base}/items/`),
        Buffer.from([0xff, 0xc3, 0x28]),
        Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
      ])
      const { text } = await rawExchange(env.tg.url, line)
      // Node's parser refuses them (400): a request target is ASCII (RFC 9112 section 3.2).
      expect(text).toMatch(/^HTTP\/1\.1 400 /)
    })
  })

  describe('header values', () => {
    it('passes Latin-1 octets in a header value to a template, no 5XX', async () => {
      const request = Buffer.concat([
        Buffer.from(`GET ${base}/items/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-H: a`),
        Buffer.from([0xff, 0xc3, 0x28]),
        Buffer.from('b\r\n\r\n'),
      ])
      const { text } = await rawExchange(env.tg.url, request)
      expect(text).toMatch(/^HTTP\/1\.1 200 /)
    })

    it('forwards the same octets to an HTTP_PROXY backend', async () => {
      const request = Buffer.concat([
        Buffer.from(`GET ${base}/proxy/h HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-H: a`),
        Buffer.from([0xff, 0xc3, 0x28]),
        Buffer.from('b\r\n\r\n'),
      ])
      const { text } = await rawExchange(env.tg.url, request)
      expect(text).toMatch(/^HTTP\/1\.1 200 /)
      const received = env.backend.received.at(-1)
      expect(Buffer.from(String(received?.headers['x-h']), 'latin1')).toEqual(
        Buffer.from([0x61, 0xff, 0xc3, 0x28, 0x62]),
      )
    })
  })

  describe('bodies to mapping templates', () => {
    // The body is read as UTF-8 with U+FFFD for each invalid sequence, as Java's decoder (AWS's
    // VTL runs on the JVM) does: the templates see text, never an exception.
    for (const [part] of TEMPLATES) {
      it(`renders $${part === 'parse' ? 'util.parseJson' : `input.${part}`} with U+FFFD, no 5XX`, async () => {
        const response = await post(`/${part}`, INVALID)
        expect(response.status).toBe(200)
        const rendered = env.backend.received.at(-1)?.body.toString() ?? ''
        // Valid JSON out, each invalid sequence a U+FFFD inside it.
        expect(JSON.stringify(JSON.parse(rendered))).toContain('\ufffd(\ufffd')
      })
    }

    it('answers 200 from a MOCK whose request template reads the invalid body every way', async () => {
      const response = await post('/mock', INVALID)
      expect(response.status).toBe(200)
      expect(response.body.toString()).toBe('{"ok": true}')
    })

    it('answers a body of invalid bytes only (not JSON): $input reads it as text, parseJson fails as AWS', async () => {
      const garbage = Buffer.from([0xff, 0xfe, 0xfd, 0x80])
      for (const part of ['json', 'body', 'path'])
        expect((await post(`/${part}`, garbage)).status, part).toBe(200)
      // $util.parseJson of text that is not JSON stops the template: AWS answers 500 "Internal
      // server error" ("Execution failed due to configuration error: Unable to transform
      // request"), an API configuration error, not a crash; the gateway serves on.
      const parse = await post('/parse', garbage)
      expect(parse.status).toBe(500)
      expect(JSON.parse(parse.body.toString())).toEqual({ message: 'Internal server error' })
      expect((await post('/mock', INVALID)).status).toBe(200)
    })
  })

  describe('bodies to HTTP_PROXY', () => {
    for (const type of ['application/json', 'text/plain', 'application/octet-stream']) {
      it(`passes ${type} bytes through unchanged`, async () => {
        const response = await post('/proxy/body', INVALID, type)
        expect(response.status).toBe(200)
        expect(env.backend.received.at(-1)?.body).toEqual(INVALID)
      })
    }
  })

  describe('bodies to AWS_PROXY (Lambda)', () => {
    it('base64-encodes a binary media type exactly (isBase64Encoded true)', async () => {
      const response = await post('/lambda', INVALID, 'application/octet-stream')
      expect(response.status).toBe(200)
      const event = JSON.parse(response.body.toString()) as { body: string; isBase64Encoded: boolean }
      expect(event.isBase64Encoded).toBe(true)
      expect(Buffer.from(event.body, 'base64')).toEqual(INVALID)
    })

    it('gives a text body as UTF-8 text, invalid sequences as U+FFFD (isBase64Encoded false)', async () => {
      const response = await post('/lambda', INVALID, 'application/json')
      expect(response.status).toBe(200)
      const event = JSON.parse(response.body.toString()) as { body: string; isBase64Encoded: boolean }
      expect(event.isBase64Encoded).toBe(false)
      expect(event.body).toBe(INVALID.toString('utf8'))
      expect(event.body).toContain('\ufffd')
    })
  })

  describe('management API', () => {
    // An id that is not percent-encoded UTF-8 names no operation's parameter: 404
    // UnknownOperationException, as for `%ZZ` (test/controlplane/hostile-input.test.ts).
    for (const path of [
      '/restapis/%FF',
      '/restapis/%C3%28/resources',
      '/restapis/%FF/stages/%C3%28',
      '/restapis/{api}/resources/%ED%A0%80',
      '/restapis/{api}/stages/%FF',
    ]) {
      it(`answers GET ${path} with an AWS-shaped 404`, async () => {
        const response = await httpRequest(env.tg.url, { path: path.replace('{api}', apiId) })
        expect(response.status).toBe(404)
        expect(response.headers['x-amzn-errortype']).toBe('UnknownOperationException')
        expect(JSON.parse(response.body.toString())).toMatchObject({ message: expect.any(String) })
      })
    }

    it('answers a management body of invalid bytes with 400, never 5XX', async () => {
      const response = await httpRequest(env.tg.url, {
        method: 'POST',
        path: '/restapis',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from([0xff, 0xfe, 0x7b]),
      })
      expect(response.status).toBe(400)
      expect(response.headers['x-amzn-errortype']).toMatch(/Exception$/)
    })

    it('answers a JSON body with invalid bytes inside a string without a 5XX', async () => {
      const response = await httpRequest(env.tg.url, {
        method: 'POST',
        path: '/restapis',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('"}')]),
      })
      expect(response.status).toBeLessThan(500)
    })

    it('still serves the management API afterwards', async () => {
      const api = await env.tg.client.send(new CreateRestApiCommand({ name: 'after' }))
      expect(api.id).toBeDefined()
    })

    it('never throws out of the request listener for /_tollgate/logs with invalid sequences', async () => {
      const response = await httpRequest(env.tg.url, { path: '/_tollgate/logs/%FF/%C3%28' })
      expect(response.status).toBe(200)
      expect(JSON.parse(response.body.toString())).toEqual({ entries: [] })
    })
  })
})
