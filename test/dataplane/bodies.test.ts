import { UpdateIntegrationResponseCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway'
import { gunzipSync, inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, httpRequest, putMethodWithIntegration } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

let tg: TestGateway
let backend: TestBackend
beforeAll(async () => {
  tg = await startTestGateway()
  backend = await startBackend()
})
afterAll(async () => {
  await tg.close()
  await backend.close()
})

const invokePath = (apiId: string, stage: string, path: string): string =>
  `/_aws/execute-api/${apiId}/${stage}${path}`

describe('payload limits', () => {
  it('refuses a body over 10 MB with 413 and keeps serving', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(tg.client, apiId, rootId, 'POST', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'POST',
      uri: backend.url,
    })
    await deploy(tg.client, apiId, 'dev')
    const before = backend.received.length
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 97)
    const response = await httpRequest(tg.url, {
      method: 'POST',
      path: invokePath(apiId, 'dev', '/'),
      body: big,
    })
    // AWS docs "limits": 10 MB payload; REQUEST_TOO_LARGE answers 413.
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Request Too Long' })
    expect(backend.received.length).toBe(before)
    const ok = await httpRequest(tg.url, {
      method: 'POST',
      path: invokePath(apiId, 'dev', '/'),
      body: 'small',
    })
    expect(ok.status).toBe(200)
  })
})

describe('binary media types and content handling', () => {
  it('converts a binary request body to base64 text for CONVERT_TO_TEXT', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: 'add', path: '/binaryMediaTypes/application~1octet-stream' }],
      }),
    )
    await putMethodWithIntegration(tg.client, apiId, rootId, 'POST', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: backend.url,
      contentHandling: 'CONVERT_TO_TEXT',
    })
    await deploy(tg.client, apiId, 'dev')
    const bytes = Buffer.from([0, 255, 1, 254, 128, 10])
    const before = backend.received.length
    const response = await httpRequest(tg.url, {
      method: 'POST',
      path: invokePath(apiId, 'dev', '/'),
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(response.status).toBe(200)
    expect(backend.received[before]!.body.toString()).toBe(bytes.toString('base64'))
  })

  it('passes a binary body through unchanged without content handling', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(tg.client, apiId, rootId, 'POST', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: backend.url,
    })
    await deploy(tg.client, apiId, 'dev')
    const bytes = Buffer.from([0, 255, 1, 254, 128, 10, 0xc3, 0x28])
    const before = backend.received.length
    await httpRequest(tg.url, {
      method: 'POST',
      path: invokePath(apiId, 'dev', '/'),
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(backend.received[before]!.body.equals(bytes)).toBe(true)
  })

  it('decodes a base64 backend answer to bytes for CONVERT_TO_BINARY', async () => {
    const bytes = Buffer.from([137, 80, 78, 71, 0, 1, 2, 255])
    const imageBackend = await startBackend((_, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(bytes.toString('base64'))
    })
    try {
      const { apiId, rootId } = await createApi(tg.client)
      await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
        type: 'HTTP',
        integrationHttpMethod: 'GET',
        uri: imageBackend.url,
      })
      await tg.client.send(
        new UpdateIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          statusCode: '200',
          patchOperations: [{ op: 'replace', path: '/contentHandling', value: 'CONVERT_TO_BINARY' }],
        }),
      )
      await deploy(tg.client, apiId, 'dev')
      const response = await httpRequest(tg.url, { path: invokePath(apiId, 'dev', '/') })
      expect(response.status).toBe(200)
      expect(response.body.equals(bytes)).toBe(true)
    } finally {
      await imageBackend.close()
    }
  })
})

describe('answer bodies', () => {
  it('sends every byte value unchanged, in a small body and in one of 20 KB', async () => {
    const small = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const large = Buffer.concat(Array.from({ length: 80 }, () => small))
    const bytesBackend = await startBackend((req, res) => {
      const body = req.url === '/large' ? large : small
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      res.end(body)
    })
    try {
      const { apiId, rootId } = await createApi(tg.client)
      for (const name of ['small', 'large'])
        await putMethodWithIntegration(
          tg.client,
          apiId,
          await createPath(tg.client, apiId, rootId, name),
          'GET',
          {
            type: 'HTTP_PROXY',
            integrationHttpMethod: 'GET',
            uri: `${bytesBackend.url}/${name}`,
          },
        )
      await deploy(tg.client, apiId, 'dev')
      for (const [path, expected] of [
        ['/small', small],
        ['/large', large],
      ] as const) {
        const response = await httpRequest(tg.url, { path: invokePath(apiId, 'dev', path) })
        expect(response.status).toBe(200)
        expect(response.headers['content-length']).toBe(String(expected.length))
        expect(response.body.equals(expected)).toBe(true)
      }
    } finally {
      await bytesBackend.close()
    }
  })
})

describe('minimumCompressionSize', () => {
  it('compresses answers at least that large for clients that accept gzip or deflate', async () => {
    const text = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => `item-${i}`) })
    const bigBackend = await startBackend((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(text)
    })
    try {
      const { apiId, rootId } = await createApi(tg.client)
      await tg.client.send(
        new UpdateRestApiCommand({
          restApiId: apiId,
          patchOperations: [{ op: 'replace', path: '/minimumCompressionSize', value: '1000' }],
        }),
      )
      await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: bigBackend.url,
      })
      await deploy(tg.client, apiId, 'dev')
      const path = invokePath(apiId, 'dev', '/')
      const gzip = await httpRequest(tg.url, { path, headers: { 'accept-encoding': 'gzip' } })
      expect(gzip.headers['content-encoding']).toBe('gzip')
      expect(gunzipSync(gzip.body).toString()).toBe(text)
      const deflate = await httpRequest(tg.url, { path, headers: { 'accept-encoding': 'deflate' } })
      expect(deflate.headers['content-encoding']).toBe('deflate')
      expect(inflateSync(deflate.body).toString()).toBe(text)
      const plain = await httpRequest(tg.url, { path })
      expect(plain.headers['content-encoding']).toBeUndefined()
      expect(plain.body.toString()).toBe(text)
    } finally {
      await bigBackend.close()
    }
  })
})

describe('passthrough behaviour', () => {
  it('answers 415 when no request template matches and passthroughBehavior forbids passing through', async () => {
    // AWS docs "integration-passthrough-behaviors": NEVER and WHEN_NO_TEMPLATES (with templates) reject
    // an unmatched Content-Type with 415 {"message":"Unsupported Media Type"}.
    for (const passthroughBehavior of ['NEVER', 'WHEN_NO_TEMPLATES'] as const) {
      const { apiId, rootId } = await createApi(tg.client)
      await putMethodWithIntegration(tg.client, apiId, rootId, 'POST', {
        type: 'HTTP',
        integrationHttpMethod: 'POST',
        uri: backend.url,
        passthroughBehavior,
        requestTemplates: { 'application/json': '{"wrapped": true}' },
      })
      await deploy(tg.client, apiId, 'dev')
      const path = invokePath(apiId, 'dev', '/')
      const rejected = await httpRequest(tg.url, {
        method: 'POST',
        path,
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      })
      expect(rejected.status).toBe(415)
      expect(rejected.body.toString()).toBe('{"message":"Unsupported Media Type"}')
      const before = backend.received.length
      const accepted = await httpRequest(tg.url, {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(accepted.status).toBe(200)
      expect(backend.received[before]!.body.toString()).toBe('{"wrapped": true}')
    }
  })
})
