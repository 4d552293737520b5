import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Gateway } from '../server.js'

const DEMO_NAME = 'tollgate-demo'

/**
 * Deploys the demo API through the gateway's own management API (so it exercises the same path
 * as any client): `GET /` is a MOCK, `ANY /backend/{proxy+}` an HTTP_PROXY to a small backend
 * this function starts on 127.0.0.1, found through the stage variable `backendPort`. An earlier
 * demo API in the same data directory is replaced. Returns the invoke URLs it printed.
 */
export async function deployDemo(gateway: Gateway): Promise<string[]> {
  const backend = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ message: 'Hello from the demo backend', method: req.method, path: req.url }))
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const backendPort = (backend.address() as AddressInfo).port
  backend.unref()

  const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`demo setup: ${method} ${path} answered ${response.status} ${text}`)
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  }

  const existing = (await call('GET', '/restapis?limit=500'))['item'] as { id: string; name: string }[]
  for (const api of existing.filter((a) => a.name === DEMO_NAME)) await call('DELETE', `/restapis/${api.id}`)

  const api = await call('POST', '/restapis', { name: DEMO_NAME, description: 'Tollgate demo API' })
  const apiId = api['id'] as string
  const rootId = api['rootResourceId'] as string
  const base = `/restapis/${apiId}/resources`

  await call('PUT', `${base}/${rootId}/methods/GET`, { authorizationType: 'NONE' })
  await call('PUT', `${base}/${rootId}/methods/GET/integration`, {
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
  })
  await call('PUT', `${base}/${rootId}/methods/GET/responses/200`, {})
  await call('PUT', `${base}/${rootId}/methods/GET/integration/responses/200`, {
    selectionPattern: '',
    responseTemplates: {
      'application/json':
        '{"message": "Hello from Tollgate", "stage": "$context.stage", "requestId": "$context.requestId"}',
    },
  })

  const backendResource = await call('POST', `${base}/${rootId}`, { pathPart: 'backend' })
  const proxy = await call('POST', `${base}/${backendResource['id'] as string}`, { pathPart: '{proxy+}' })
  const proxyId = proxy['id'] as string
  await call('PUT', `${base}/${proxyId}/methods/ANY`, {
    authorizationType: 'NONE',
    requestParameters: { 'method.request.path.proxy': true },
  })
  await call('PUT', `${base}/${proxyId}/methods/ANY/integration`, {
    type: 'HTTP_PROXY',
    httpMethod: 'ANY',
    uri: 'http://127.0.0.1:${stageVariables.backendPort}/{proxy}',
    requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
  })

  await call('POST', `/restapis/${apiId}/deployments`, {
    stageName: 'demo',
    description: 'demo deployment',
    variables: { backendPort: String(backendPort) },
  })
  const urls = [
    `${gateway.url}/_aws/execute-api/${apiId}/demo/`,
    `${gateway.url}/_aws/execute-api/${apiId}/demo/backend/hello`,
  ]
  gateway.log.info({ apiId, urls }, 'demo API deployed')
  process.stdout.write(
    `\nDemo API ${apiId} deployed to stage "demo":\n  curl ${urls[0] ?? ''}\n  curl ${urls[1] ?? ''}\n\n`,
  )
  return urls
}
