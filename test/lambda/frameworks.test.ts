import { PutIntegrationCommand, PutMethodCommand, UpdateRestApiCommand } from '@aws-sdk/client-api-gateway'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { buildSync } from 'esbuild'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, httpRequest, type RawResponse } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

/** Bundles a handler and its dependencies into one file, as users deploy framework apps. */
function bundle(entry: string, format: 'cjs' | 'esm'): string {
  const result = buildSync({
    entryPoints: [new URL(`./fixtures/${entry}`, import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

let tg: TestGateway
let lambda: LambdaClient
let expressServer: Server
let expressUrl: string
let honoApp: { fetch(request: Request): Promise<Response> }

beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
  await createFunction(lambda, 'express-app', { 'index.js': bundle('express-handler.cjs', 'cjs') })
  await createFunction(lambda, 'hono-app', { 'index.mjs': bundle('hono-handler.mjs', 'esm') })
  const require = createRequire(import.meta.url)
  const { app } = require('./fixtures/express-app.cjs') as { app: Parameters<typeof createServer>[1] }
  expressServer = createServer(app)
  await new Promise<void>((resolve) => expressServer.listen(0, '127.0.0.1', resolve))
  expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`
  // @ts-expect-error -- a plain JavaScript fixture without type declarations
  honoApp = ((await import('./fixtures/hono-app.mjs')) as { app: typeof honoApp }).app
})
afterAll(async () => {
  lambda.destroy()
  expressServer.close()
  await tg.close()
})

async function frameworkApi(functionName: string): Promise<string> {
  const { apiId, rootId } = await createApi(tg.client)
  await tg.client.send(
    new UpdateRestApiCommand({
      restApiId: apiId,
      patchOperations: [{ op: 'add', path: '/binaryMediaTypes/application~1octet-stream' }],
    }),
  )
  const proxy = await createPath(tg.client, apiId, rootId, '{proxy+}')
  await tg.client.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId: proxy,
      httpMethod: 'ANY',
      authorizationType: 'NONE',
    }),
  )
  await tg.client.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId: proxy,
      httpMethod: 'ANY',
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${functionName}/invocations`,
    }),
  )
  await deploy(tg.client, apiId, 'dev')
  return apiId
}

interface Probe {
  method: string
  path: string
  headers: Record<string, string | string[]>
  body?: Buffer
}

const PROBES: Probe[] = [
  { method: 'GET', path: '/users/42?q=hello%20world', headers: { 'x-multi': ['a', 'b'] } },
  {
    method: 'POST',
    path: '/echo',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"name":"Ann","tags":[1,2]}'),
  },
  {
    method: 'POST',
    path: '/binary',
    headers: { 'content-type': 'application/octet-stream', accept: 'application/octet-stream' },
    body: Buffer.from([0, 1, 2, 250, 255]),
  },
  { method: 'GET', path: '/cookies', headers: { cookie: 'session=abc' } },
]

function comparable(response: {
  status: number
  body: Buffer
  contentType: string | undefined
  cookies: string[]
}) {
  const type = response.contentType?.split(';')[0]
  const json =
    type === 'application/json'
      ? (JSON.parse(response.body.toString()) as Record<string, unknown>)
      : undefined
  // serverless-express joins a repeated request header with "," where Node's server uses ", ":
  // the library's own choice (it does the same on AWS), so compare the values, not the separator.
  if (json && typeof json['multi'] === 'string') json['multi'] = json['multi'].split(/,\s*/)
  return {
    status: response.status,
    type,
    body: json ?? [...response.body],
    cookies: response.cookies.map((c) => c.split(';')[0]),
  }
}

const fromRaw = (r: RawResponse) => ({
  status: r.status,
  body: r.body,
  contentType: r.headers['content-type'] as string | undefined,
  cookies: ([] as string[]).concat(r.headers['set-cookie'] ?? []),
})

describe('framework apps behind AWS_PROXY answer as when served directly', () => {
  it('Express through @codegenie/serverless-express', async () => {
    const apiId = await frameworkApi('express-app')
    for (const probe of PROBES) {
      const direct = await httpRequest(expressUrl, {
        method: probe.method,
        path: probe.path,
        headers: probe.headers,
        ...(probe.body ? { body: probe.body } : {}),
      })
      const viaGateway = await httpRequest(tg.url, {
        method: probe.method,
        path: `/_aws/execute-api/${apiId}/dev${probe.path}`,
        headers: probe.headers,
        ...(probe.body ? { body: probe.body } : {}),
      })
      expect(comparable(fromRaw(viaGateway)), `${probe.method} ${probe.path}`).toEqual(
        comparable(fromRaw(direct)),
      )
    }
  })

  it('hono through hono/aws-lambda', async () => {
    const apiId = await frameworkApi('hono-app')
    for (const probe of PROBES) {
      const headers = new Headers()
      for (const [name, value] of Object.entries(probe.headers))
        for (const v of ([] as string[]).concat(value)) headers.append(name, v)
      const direct = await honoApp.fetch(
        new Request(`http://localhost${probe.path}`, {
          method: probe.method,
          headers,
          ...(probe.body ? { body: probe.body } : {}),
        }),
      )
      const directShape = {
        status: direct.status,
        body: Buffer.from(await direct.arrayBuffer()),
        contentType: direct.headers.get('content-type') ?? undefined,
        cookies: direct.headers.getSetCookie(),
      }
      const viaGateway = await httpRequest(tg.url, {
        method: probe.method,
        path: `/_aws/execute-api/${apiId}/dev${probe.path}`,
        headers: probe.headers,
        ...(probe.body ? { body: probe.body } : {}),
      })
      expect(comparable(fromRaw(viaGateway)), `${probe.method} ${probe.path}`).toEqual(
        comparable(directShape),
      )
    }
  })
})
