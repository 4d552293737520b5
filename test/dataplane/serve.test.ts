import {
  CreateDeploymentCommand,
  GetStageCommand,
  PutIntegrationResponseCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateRestApiCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApi,
  createPath,
  deploy,
  httpRequest,
  putMethodWithIntegration,
  setResponseTemplates,
} from '../support/apis.js'
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

const invoke = (apiId: string, stage: string, path: string, init?: RequestInit): Promise<Response> =>
  fetch(`${tg.url}/_aws/execute-api/${apiId}/${stage}${path}`, init)

/** An API whose `GET /` is a MOCK answering `body`. */
async function mockApi(body: string): Promise<{ apiId: string; rootId: string }> {
  const ids = await createApi(tg.client)
  await putMethodWithIntegration(
    tg.client,
    ids.apiId,
    ids.rootId,
    'GET',
    { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
    { responseTemplates: { 'application/json': body } },
  )
  return ids
}

describe('entry points', () => {
  it('serves a stage on all three URL forms', async () => {
    const { apiId } = await mockApi('{"hello":"world"}')
    await deploy(tg.client, apiId, 'dev')
    const viaPath = await invoke(apiId, 'dev', '/')
    expect(viaPath.status).toBe(200)
    expect(await viaPath.text()).toBe('{"hello":"world"}')
    expect(viaPath.headers.get('content-type')).toBe('application/json')
    expect(viaPath.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)

    const legacy = await fetch(`${tg.url}/restapis/${apiId}/dev/_user_request_/`)
    expect(await legacy.text()).toBe('{"hello":"world"}')

    const port = new URL(tg.url).port
    const viaHost = await httpRequest(tg.url, {
      path: '/dev/',
      headers: { host: `${apiId}.execute-api.localhost:${port}` },
    })
    expect(viaHost.status).toBe(200)
    expect(viaHost.body.toString()).toBe('{"hello":"world"}')
  })

  it('answers an unknown stage with 403 Forbidden', async () => {
    // AWS Knowledge Center "api-gateway-troubleshoot-403-forbidden": a wrong stage name gives
    // 403 {"message":"Forbidden"} with x-amzn-ErrorType ForbiddenException.
    const { apiId } = await mockApi('{}')
    await deploy(tg.client, apiId, 'dev')
    const response = await invoke(apiId, 'nostage', '/')
    expect(response.status).toBe(403)
    expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException')
    expect(await response.json()).toEqual({ message: 'Forbidden' })
  })

  it('honours disableExecuteApiEndpoint once deployed', async () => {
    const { apiId } = await mockApi('{}')
    await deploy(tg.client, apiId, 'dev')
    expect((await invoke(apiId, 'dev', '/')).status).toBe(200)
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' }],
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const response = await invoke(apiId, 'dev', '/')
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ message: 'Forbidden' })
  })
})

describe('deployments', () => {
  it('serves the deployed snapshot, not undeployed edits', async () => {
    const { apiId, rootId } = await mockApi('{"v":1}')
    await deploy(tg.client, apiId, 'dev')
    await setResponseTemplates(tg.client, apiId, rootId, 'GET', { 'application/json': '{"v":2}' })
    expect(await (await invoke(apiId, 'dev', '/')).text()).toBe('{"v":1}')
    await deploy(tg.client, apiId, 'dev')
    expect(await (await invoke(apiId, 'dev', '/')).text()).toBe('{"v":2}')
  })

  it('rolls back atomically under load, with no failed request', async () => {
    const { apiId, rootId } = await mockApi('{"v":1}')
    const v1 = await deploy(tg.client, apiId, 'prod')
    await setResponseTemplates(tg.client, apiId, rootId, 'GET', { 'application/json': '{"v":2}' })
    const v2 = await deploy(tg.client, apiId, 'prod')
    expect(v2).not.toBe(v1)
    expect(await (await invoke(apiId, 'prod', '/')).text()).toBe('{"v":2}')

    let switched = false
    const bodies: string[] = []
    const statuses: number[] = []
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 60; i++) {
        const response = await invoke(apiId, 'prod', '/')
        statuses.push(response.status)
        bodies.push(await response.text())
      }
    }
    const load = Promise.all(Array.from({ length: 10 }, worker))
    await new Promise((resolve) => setTimeout(resolve, 20))
    await tg.client.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/deploymentId', value: v1 }],
      }),
    )
    switched = true
    await load
    expect(switched).toBe(true)
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect(bodies.every((b) => b === '{"v":1}' || b === '{"v":2}')).toBe(true)
    expect(await (await invoke(apiId, 'prod', '/')).text()).toBe('{"v":1}')
    const stage = await tg.client.send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' }))
    expect(stage.deploymentId).toBe(v1)
  })
})

describe('routing', () => {
  it('answers unknown paths and unmapped methods with 403 Missing Authentication Token', async () => {
    // Recorded: test_apigateway_common.snapshot.json test_routing_not_found ("not-found", "wrong-method").
    const { apiId } = await mockApi('{}')
    await deploy(tg.client, apiId, 'dev')
    for (const [method, path] of [
      ['GET', '/unknown'],
      ['POST', '/'],
    ] as const) {
      const response = await invoke(apiId, 'dev', path, { method })
      expect(response.status).toBe(403)
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
      expect(await response.text()).toBe('{"message":"Missing Authentication Token"}')
    }
  })

  it('prefers an explicit method over ANY', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const items = await createPath(tg.client, apiId, rootId, 'items')
    const mock = (body: string) =>
      [
        { type: 'MOCK' as const, requestTemplates: { 'application/json': '{"statusCode": 200}' } },
        { responseTemplates: { 'application/json': body } },
      ] as const
    await putMethodWithIntegration(tg.client, apiId, items, 'ANY', ...mock('"any"'))
    await putMethodWithIntegration(tg.client, apiId, items, 'GET', ...mock('"get"'))
    await deploy(tg.client, apiId, 'dev')
    expect(await (await invoke(apiId, 'dev', '/items')).text()).toBe('"get"')
    expect(await (await invoke(apiId, 'dev', '/items/', { method: 'DELETE' })).text()).toBe('"any"')
  })
})

/** Replaces the application/json request template of a root GET (a MOCK's status comes from it). */
async function setMockRequestTemplate(apiId: string, rootId: string, template: string): Promise<void> {
  await tg.client.send(
    new UpdateIntegrationCommand({
      restApiId: apiId,
      resourceId: rootId,
      httpMethod: 'GET',
      patchOperations: [{ op: 'replace', path: '/requestTemplates/application~1json', value: template }],
    }),
  )
}

describe('MOCK', () => {
  it('picks the integration response by the template status and maps response parameters', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(
      tg.client,
      apiId,
      rootId,
      'GET',
      { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 201}' } },
      { responseTemplates: { 'application/json': '{"never":true}' } },
    )
    await tg.client.send(
      new PutMethodResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '201',
        responseParameters: {
          'method.response.header.X-Static': false,
          'method.response.header.X-Stage': false,
          'method.response.header.X-Var': false,
        },
      }),
    )
    await tg.client.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '201',
        selectionPattern: '201',
        responseParameters: {
          'method.response.header.X-Static': "'static-value'",
          'method.response.header.X-Stage': 'context.stage',
          'method.response.header.X-Var': 'stageVariables.color',
        },
        responseTemplates: { 'application/json': '{"created":true}' },
      }),
    )
    await deploy(tg.client, apiId, 'test', { color: 'blue' })
    const response = await invoke(apiId, 'test', '/')
    expect(response.status).toBe(201)
    expect(response.headers.get('x-static')).toBe('static-value')
    expect(response.headers.get('x-stage')).toBe('test')
    expect(response.headers.get('x-var')).toBe('blue')
    expect(await response.text()).toBe('{"created":true}')
  })

  it('answers 500 when the template gives no status code', async () => {
    const { apiId, rootId } = await mockApi('{}')
    await setMockRequestTemplate(apiId, rootId, '{"nothing": 1}')
    await deploy(tg.client, apiId, 'dev')
    const response = await invoke(apiId, 'dev', '/')
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ message: 'Internal server error' })
  })

  it('reads the status of each template output anew, valid or not, in any order', async () => {
    // Statuses are kept per template output (src/integrations/mock.ts): a template that varies
    // with the request must still answer each output as AWS does, and a refused output must not
    // change what a valid one answers.
    const { apiId, rootId } = await mockApi('{"ok":true}')
    await setMockRequestTemplate(apiId, rootId, `{"statusCode": $input.params('code')}`)
    await deploy(tg.client, apiId, 'dev')
    for (const [code, status] of [
      ['200', 200],
      ['abc', 500],
      ['700', 500],
      ['200', 200],
      ['"200"', 200],
      ['99', 500],
      ['200', 200],
    ] as const) {
      const response = await invoke(apiId, 'dev', `/?code=${encodeURIComponent(code)}`)
      expect([code, response.status]).toEqual([code, status])
      expect(await response.json()).toEqual(
        status === 200 ? { ok: true } : { message: 'Internal server error' },
      )
    }
  })
})

describe('HTTP_PROXY', () => {
  it('passes method, path, query, headers and a binary body through, and remaps backend headers', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const proxy = await createPath(tg.client, apiId, rootId, '{proxy+}')
    await putMethodWithIntegration(tg.client, apiId, proxy, 'ANY', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'ANY',
      uri: `${backend.url}/base/{proxy}`,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
    })
    await deploy(tg.client, apiId, 'dev')
    const payload = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256))
    const before = backend.received.length
    const response = await invoke(apiId, 'dev', '/a/b%2Fc?x=1&x=2&y=%20z', {
      method: 'PUT',
      headers: {
        'X-Custom': 'kept',
        'Content-Type': 'application/octet-stream',
        'X-Forwarded-For': '10.9.8.7',
      },
      body: payload,
    })
    expect(response.status).toBe(200)
    const seen = backend.received[before]!
    expect(seen.method).toBe('PUT')
    expect(seen.url).toBe('/base/a/b%2Fc?x=1&x=2&y=%20z')
    expect(seen.headers['x-custom']).toBe('kept')
    expect(seen.headers['x-forwarded-for']).toBe('10.9.8.7, 127.0.0.1')
    expect(seen.body.equals(payload)).toBe(true)
    // AWS renames the backend's Server/Date/Connection/Content-Length (docs "set-up-http-proxy-integrations").
    expect(response.headers.get('x-amzn-remapped-server')).toBe('test-backend')
    expect(response.headers.get('x-amzn-remapped-date')).not.toBeNull()
    expect(response.headers.get('x-backend')).toBe('echo')
  })

  it('passes the backend status and body back', async () => {
    const teapot = await startBackend((_, res) => {
      res.writeHead(418, { 'content-type': 'text/plain' })
      res.end('short and stout')
    })
    try {
      const { apiId, rootId } = await createApi(tg.client)
      await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: teapot.url,
      })
      await deploy(tg.client, apiId, 'dev')
      const response = await invoke(apiId, 'dev', '/')
      expect(response.status).toBe(418)
      expect(response.headers.get('content-type')).toBe('text/plain')
      expect(await response.text()).toBe('short and stout')
    } finally {
      await teapot.close()
    }
  })

  it('times out after timeoutInMillis with 504 "Endpoint request timed out"', async () => {
    const slow = await startBackend((_, res) => {
      setTimeout(() => res.end('late'), 1_000).unref()
    })
    try {
      const { apiId, rootId } = await createApi(tg.client)
      await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: slow.url,
        timeoutInMillis: 100,
      })
      await deploy(tg.client, apiId, 'dev')
      const response = await invoke(apiId, 'dev', '/')
      // AWS Knowledge Center "api-gateway-504-errors": 504 {"message": "Endpoint request timed out"}.
      expect(response.status).toBe(504)
      expect(await response.json()).toEqual({ message: 'Endpoint request timed out' })
    } finally {
      await slow.close()
    }
  })

  it('answers a refused connection with 500 Internal server error', async () => {
    const gone = await startBackend()
    await gone.close()
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: gone.url,
    })
    await deploy(tg.client, apiId, 'dev')
    const response = await invoke(apiId, 'dev', '/')
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ message: 'Internal server error' })
  })
})

describe('HTTP (non-proxy) and stage variables', () => {
  it('maps request parameters and selects integration responses by backend status', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const item = await createPath(tg.client, apiId, rootId, 'items/{id}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      item,
      'GET',
      {
        type: 'HTTP',
        integrationHttpMethod: 'POST',
        uri: 'http://127.0.0.1:${stageVariables.port}/things/{thingId}',
        requestParameters: {
          'integration.request.path.thingId': 'method.request.path.id',
          'integration.request.querystring.q': 'method.request.querystring.search',
          'integration.request.header.X-Stage': 'context.stage',
          'integration.request.header.X-Color': 'stageVariables.color',
          'integration.request.header.X-Fixed': "'fixed'",
        },
      },
      {
        requestParameters: { 'method.request.path.id': true, 'method.request.querystring.search': false },
        responseParameters: { 'method.response.header.X-Backend': 'integration.response.header.x-backend' },
      },
    )
    await deploy(tg.client, apiId, 'dev', { port: String(backend.port), color: 'red' })
    const before = backend.received.length
    const response = await invoke(apiId, 'dev', '/items/42?search=hello%20world&ignored=1')
    expect(response.status).toBe(200)
    expect(response.headers.get('x-backend')).toBe('echo')
    const seen = backend.received[before]!
    expect(seen.method).toBe('POST')
    expect(seen.url).toBe('/things/42?q=hello%20world')
    expect(seen.headers['x-stage']).toBe('dev')
    expect(seen.headers['x-color']).toBe('red')
    expect(seen.headers['x-fixed']).toBe('fixed')
  })

  it('applies a stage variable change without a new deployment', async () => {
    const other = await startBackend((_, res) => res.end('"other backend"'))
    try {
      const { apiId, rootId } = await createApi(tg.client)
      await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: 'http://127.0.0.1:${stageVariables.port}/',
      })
      await deploy(tg.client, apiId, 'dev', { port: String(backend.port) })
      expect((await (await invoke(apiId, 'dev', '/')).json()) as object).toHaveProperty('method', 'GET')
      await tg.client.send(
        new UpdateStageCommand({
          restApiId: apiId,
          stageName: 'dev',
          patchOperations: [{ op: 'replace', path: '/variables/port', value: String(other.port) }],
        }),
      )
      expect(await (await invoke(apiId, 'dev', '/')).text()).toBe('"other backend"')
    } finally {
      await other.close()
    }
  })
})

describe('integration URLs', () => {
  it('fills the path placeholders a request has, keeps the others (URL-encoded), and appends to a query', async () => {
    // A placeholder with no value stays as written, whatever its name: `{constructor}` read
    // Object's constructor, and the request failed with a 500.
    const { apiId, rootId } = await createApi(tg.client)
    const item = await createPath(tg.client, apiId, rootId, 'items/{id}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      item,
      'GET',
      {
        type: 'HTTP',
        integrationHttpMethod: 'GET',
        uri: 'http://127.0.0.1:${stageVariables.port}/a/{constructor}/{thing}/b?x=1',
        requestParameters: {
          'integration.request.path.thing': 'method.request.path.id',
          'integration.request.querystring.q': 'method.request.querystring.search',
        },
      },
      { requestParameters: { 'method.request.path.id': true } },
    )
    await deploy(tg.client, apiId, 'dev', { port: String(backend.port) })
    for (const [id, search] of [
      ['42', 'one'],
      ['43', 'two'],
    ]) {
      const before = backend.received.length
      const response = await invoke(apiId, 'dev', `/items/${id}?search=${search}`)
      expect(response.status).toBe(200)
      expect(backend.received[before]?.url).toBe(`/a/%7Bconstructor%7D/${id}/b?x=1&q=${search}`)
    }
  })

  it('answers 500 for a URI that is not a URL once its stage variable is filled, every time', async () => {
    // A configuration error, as for a refused connection: AWS logs "Execution failed due to
    // configuration error" and answers 500 (AWS-BEHAVIOR §3.1). Parsed URLs are kept per text
    // (src/integrations/http.ts); a failed parse is not, and a fixed variable takes effect at once.
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'GET',
      uri: 'http://127.0.0.1:${stageVariables.port}/',
    })
    await deploy(tg.client, apiId, 'dev', { port: 'not-a-port' })
    for (let i = 0; i < 2; i++) {
      const response = await invoke(apiId, 'dev', '/')
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ message: 'Internal server error' })
    }
    await tg.client.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        patchOperations: [{ op: 'replace', path: '/variables/port', value: String(backend.port) }],
      }),
    )
    const fixed = await invoke(apiId, 'dev', '/')
    expect(fixed.status).toBe(200)
    expect((await fixed.json()) as object).toHaveProperty('method', 'GET')
  })
})

describe('canary', () => {
  it('sends about percentTraffic of requests to the canary deployment', async () => {
    const { apiId, rootId } = await mockApi('"main"')
    await deploy(tg.client, apiId, 'live')
    await setResponseTemplates(tg.client, apiId, rootId, 'GET', { 'application/json': '"canary"' })
    await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'live',
        canarySettings: { percentTraffic: 30 },
      }),
    )
    let canary = 0
    const total = 1000
    for (let i = 0; i < total; i += 50) {
      const bodies = await Promise.all(
        Array.from({ length: 50 }, async () => (await invoke(apiId, 'live', '/')).text()),
      )
      canary += bodies.filter((b) => b === '"canary"').length
      expect(bodies.every((b) => b === '"canary"' || b === '"main"')).toBe(true)
    }
    // Binomial(1000, 0.3): mean 300, sd 14.5; ±5 sd keeps a false failure below one in a million.
    expect(canary).toBeGreaterThan(228)
    expect(canary).toBeLessThan(372)
  })
})

describe('unknown APIs', () => {
  it('answers an unknown API id with 403 Forbidden, as the execute-api host does', async () => {
    const response = await invoke('nosuchapi0', 'dev', '/')
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ message: 'Forbidden' })
  })
})
