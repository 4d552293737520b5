import { PutIntegrationCommand, PutMethodCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, httpRequest } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

let tg: TestGateway
let lambda: LambdaClient
beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
  await createFunction(lambda, 'echo-event', {
    'index.js': 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) })',
  })
  await createFunction(lambda, 'respond', {
    'index.js': 'exports.handler = async (event) => JSON.parse(event.body)',
  })
  await createFunction(lambda, 'raw', {
    'index.js': 'exports.handler = async (event) => { const r = JSON.parse(event.body); return r.value }',
  })
  await createFunction(lambda, 'thrower', {
    'index.js': 'exports.handler = async () => { throw new Error("boom") }',
  })
  await createFunction(
    lambda,
    'sleeper',
    {
      'index.js':
        'exports.handler = async () => { await new Promise(r => setTimeout(r, 2000)); return { statusCode: 200 } }',
    },
    { timeout: 5 },
  )
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

const functionUri = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`

async function proxyApi(
  functionName: string,
  options: {
    stageVariables?: Record<string, string>
    timeoutInMillis?: number
    uri?: string
    httpMethod?: string
  } = {},
) {
  const { apiId, rootId } = await createApi(tg.client)
  const proxy = await createPath(tg.client, apiId, rootId, 'items/{id}')
  for (const resourceId of [rootId, proxy]) {
    await tg.client.send(
      new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'ANY', authorizationType: 'NONE' }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'ANY',
        type: 'AWS_PROXY',
        integrationHttpMethod: options.httpMethod ?? 'POST',
        uri: options.uri ?? functionUri(functionName),
        ...(options.timeoutInMillis ? { timeoutInMillis: options.timeoutInMillis } : {}),
      }),
    )
  }
  await deploy(tg.client, apiId, 'dev', options.stageVariables)
  return apiId
}

describe('AWS_PROXY integration', () => {
  it('builds the proxy event as AWS does', async () => {
    const apiId = await proxyApi('echo-event', { stageVariables: { color: 'blue' } })
    const response = await httpRequest(tg.url, {
      method: 'POST',
      path: `/_aws/execute-api/${apiId}/dev/items/test%2Balias@x.com?a=1&a=2&b=hello+world`,
      headers: { 'Content-Type': 'application/json', 'tEsT-HEADeR': 'value', 'X-Multi': ['one', 'two'] },
      body: '{"k":"v"}',
    })
    expect(response.status).toBe(200)
    const event = JSON.parse(response.body.toString()) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON event read field by field
    // AWS docs "set-up-lambda-proxy-integrations" (input format) and the recorded events (AWS-BEHAVIOR §3.3).
    expect(Object.keys(event).sort()).toEqual(
      [
        'body',
        'headers',
        'httpMethod',
        'isBase64Encoded',
        'multiValueHeaders',
        'multiValueQueryStringParameters',
        'path',
        'pathParameters',
        'queryStringParameters',
        'requestContext',
        'resource',
        'stageVariables',
      ].sort(),
    )
    expect(event).toMatchObject({
      resource: '/items/{id}',
      path: '/items/test%2Balias@x.com',
      httpMethod: 'POST',
      queryStringParameters: { a: '2', b: 'hello world' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['hello world'] },
      pathParameters: { id: 'test%2Balias@x.com' },
      stageVariables: { color: 'blue' },
      body: '{"k":"v"}',
      isBase64Encoded: false,
    })
    expect(event.headers['tEsT-HEADeR']).toBe('value')
    expect(event.headers['X-Multi']).toBe('two')
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one', 'two'])
    expect(event.headers['Content-Length']).toBeUndefined()
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      apiId,
      httpMethod: 'POST',
      path: '/dev/items/test%2Balias@x.com',
      protocol: 'HTTP/1.1',
      resourcePath: '/items/{id}',
      stage: 'dev',
      identity: { sourceIp: '127.0.0.1', caller: null, user: null, accessKey: null },
    })
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(event.requestContext.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/)
    expect(event.requestContext.authorizer).toBeUndefined()
  })

  it('uses null for empty maps and an absent body, as recorded', async () => {
    const apiId = await proxyApi('echo-event')
    const event = (await (await fetch(`${tg.url}/_aws/execute-api/${apiId}/dev/`)).json()) as Record<
      string,
      unknown
    >
    expect(event).toMatchObject({
      resource: '/',
      path: '/',
      body: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
    })
  })

  it('base64-encodes a body whose Content-Type is a binary media type', async () => {
    const apiId = await proxyApi('echo-event')
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: 'add', path: '/binaryMediaTypes/image~1png' }],
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255])
    const response = await httpRequest(tg.url, {
      method: 'POST',
      path: `/_aws/execute-api/${apiId}/dev/`,
      headers: { 'content-type': 'image/png' },
      body: bytes,
    })
    const event = JSON.parse(response.body.toString()) as { body: string; isBase64Encoded: boolean }
    expect(event.isBase64Encoded).toBe(true)
    expect(Buffer.from(event.body, 'base64').equals(bytes)).toBe(true)
  })

  it("answers with the function's status, merged headers and body", async () => {
    const apiId = await proxyApi('respond')
    const send = (proxyResponse: unknown) =>
      httpRequest(tg.url, {
        method: 'POST',
        path: `/_aws/execute-api/${apiId}/dev/`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(proxyResponse),
      })
    const created = await send({
      statusCode: '201',
      headers: { 'x-solo': 'a', 'test-multi': 'value-solo', 'x-bool': true },
      multiValueHeaders: { 'test-multi': ['value-multi'], 'set-cookie': ['a=1', 'b=2'] },
      body: 'created',
    })
    // Recorded (test_aws_proxy_response_payload_format_validation): numeric-string status, boolean
    // header values, multi values first when a header is in both maps.
    expect(created.status).toBe(201)
    expect(created.headers['x-solo']).toBe('a')
    expect(created.headers['x-bool']).toBe('true')
    expect(created.headers['test-multi']).toBe('value-multi, value-solo')
    expect(created.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(created.body.toString()).toBe('created')
    const onlyHeaders = await send({ headers: { 'x-only': 'h' } })
    expect(onlyHeaders.status).toBe(200)
    expect(onlyHeaders.headers['content-type']).toBe('application/json')
    expect(onlyHeaders.body.length).toBe(0)
    const base64 = await send({ body: Buffer.from('test-data').toString('base64'), isBase64Encoded: true })
    // Not decoded: the request's Accept is not a binary media type (recorded body dGVzdC1kYXRh).
    expect(base64.body.toString()).toBe('dGVzdC1kYXRh')
  })

  it('answers malformed proxy responses and function errors with 502', async () => {
    const apiId = await proxyApi('raw')
    const send = (value: unknown) =>
      httpRequest(tg.url, {
        method: 'POST',
        path: `/_aws/execute-api/${apiId}/dev/`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value }),
      })
    for (const bad of [
      { wrongValue: 1 },
      { statusCode: 'test' },
      { multiValueHeaders: { a: 'not-a-list' } },
      'plain string',
      { body: { object: true } },
    ]) {
      const response = await send(bad)
      expect(response.status, JSON.stringify(bad)).toBe(502)
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal server error' })
      expect(response.headers['x-amzn-errortype']).toBe('InternalServerErrorException')
    }
    const failing = await proxyApi('thrower')
    const thrown = await fetch(`${tg.url}/_aws/execute-api/${failing}/dev/`)
    expect(thrown.status).toBe(502)
    expect(await thrown.json()).toEqual({ message: 'Internal server error' })
  })

  it('answers a non-POST integration method with 500 and a slow function with 504', async () => {
    const getMethod = await proxyApi('echo-event', { httpMethod: 'GET' })
    const notPost = await fetch(`${tg.url}/_aws/execute-api/${getMethod}/dev/`)
    expect(notPost.status).toBe(500)
    expect(await notPost.json()).toEqual({ message: 'Internal server error' })
    const slow = await proxyApi('sleeper', { timeoutInMillis: 300 })
    const timedOut = await fetch(`${tg.url}/_aws/execute-api/${slow}/dev/`)
    expect(timedOut.status).toBe(504)
    expect(await timedOut.json()).toEqual({ message: 'Endpoint request timed out' })
  })

  it('resolves the function name from a stage variable', async () => {
    const apiId = await proxyApi('', {
      uri: functionUri('${stageVariables.fn}'),
      stageVariables: { fn: 'echo-event' },
    })
    const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/dev/items/9`)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { pathParameters: unknown }).pathParameters).toEqual({ id: '9' })
  })
})
