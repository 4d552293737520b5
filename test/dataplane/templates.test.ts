import { PutIntegrationResponseCommand } from '@aws-sdk/client-api-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApi,
  createPath,
  deploy,
  httpRequest,
  putMethodWithIntegration,
  putMockMethod,
} from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

let tg: TestGateway
let backend: TestBackend
let petsBackend: TestBackend
beforeAll(async () => {
  tg = await startTestGateway()
  backend = await startBackend()
  petsBackend = await startBackend((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify([
        { id: 1, type: 'dog', price: 249.99 },
        { id: 2, type: 'cat', price: 124.99 },
      ]),
    )
  })
})
afterAll(async () => {
  await tg.close()
  await backend.close()
  await petsBackend.close()
})

const invoke = (apiId: string, path: string, init?: RequestInit): Promise<Response> =>
  fetch(`${tg.url}/_aws/execute-api/${apiId}/dev${path}`, init)

describe('mapping templates end to end', () => {
  it('transforms the request for an HTTP integration, with $context.requestOverride', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const items = await createPath(tg.client, apiId, rootId, 'items/{id}')
    await putMethodWithIntegration(tg.client, apiId, items, 'POST', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: `${backend.url}/store`,
      requestTemplates: {
        'application/json': [
          "#set($body = $input.path('$'))",
          '{',
          '  "id": "$input.params(\'id\')",',
          '  "name": "$util.escapeJavaScript($body.name)",',
          '  "tags": $input.json(\'$.tags\'),',
          '  "count": $body.tags.size(),',
          '  "stage": "$context.stage",',
          '  "color": "$stageVariables.color"',
          '}',
          '#set($context.requestOverride.header.X-Override = "from-template")',
          '#set($context.requestOverride.querystring.extra = "1")',
        ].join('\n'),
      },
    })
    await deploy(tg.client, apiId, 'dev', { color: 'green' })
    const before = backend.received.length
    const response = await invoke(apiId, '/items/42', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'it\'s "big"', tags: ['a', 'b'] }),
    })
    expect(response.status).toBe(200)
    const seen = backend.received[before]!
    expect(seen.body.toString()).toBe(
      '{\n  "id": "42",\n  "name": "it\\\'s \\"big\\"",\n  "tags": ["a","b"],\n  "count": 2,\n  "stage": "dev",\n  "color": "green"\n}\n',
    )
    expect(seen.headers['x-override']).toBe('from-template')
    expect(seen.url).toBe('/store?extra=1')
  })

  it('transforms the response and picks the template by Accept', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(tg.client, apiId, rootId, 'GET', {
      type: 'HTTP',
      integrationHttpMethod: 'GET',
      uri: petsBackend.url,
    })
    await tg.client.send(
      new PutIntegrationResponseCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        statusCode: '200',
        selectionPattern: '',
        responseTemplates: {
          // The AWS docs' PetStore response template (models-mappings).
          'application/json': [
            "#set($inputRoot = $input.path('$'))",
            '[',
            '#foreach($elem in $inputRoot)',
            '  {',
            '    "description" : "Item $elem.id is a $elem.type.",',
            '    "askingPrice" : $elem.price',
            '  }#if($foreach.hasNext),#end',
            '',
            '#end',
            ']',
          ].join('\n'),
          'application/xml':
            '<pets>#foreach($p in $input.path(\'$\'))<pet id="$p.id">$p.type</pet>#end</pets>',
        },
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const json = await invoke(apiId, '/')
    expect(json.headers.get('content-type')).toBe('application/json')
    expect(JSON.parse(await json.text())).toEqual([
      { description: 'Item 1 is a dog.', askingPrice: 249.99 },
      { description: 'Item 2 is a cat.', askingPrice: 124.99 },
    ])
    const xml = await invoke(apiId, '/', { headers: { accept: 'application/xml' } })
    expect(xml.headers.get('content-type')).toBe('application/xml')
    expect(await xml.text()).toBe('<pets><pet id="1">dog</pet><pet id="2">cat</pet></pets>')
  })

  it('chooses the response template as AWS does for each kind of Accept header', async () => {
    // AWS docs "request-response-data-mappings": application/json without an Accept header, the
    // first template defined when none matches. Templates are defined here with XML first, so that
    // "first defined" and "application/json" differ.
    const { apiId, rootId } = await createApi(tg.client)
    await putMockMethod(tg.client, apiId, rootId, 'GET', {
      'application/xml': 'xml',
      'application/json': 'json',
      'text/plain': 'text',
    })
    await deploy(tg.client, apiId, 'dev')
    const path = `/_aws/execute-api/${apiId}/dev/`
    const noAccept = await httpRequest(tg.url, { path })
    expect([noAccept.headers['content-type'], noAccept.body.toString()]).toEqual(['application/json', 'json'])
    // Twice over: the second pass is answered from the choices kept per template set and Accept.
    for (const pass of [1, 2]) {
      for (const [accept, chosen] of [
        ['image/png', 'xml'],
        ['*/*', 'json'],
        ['text/*', 'text'],
        ['image/png, TEXT/PLAIN;q=0.5', 'text'],
        ['application/xml', 'xml'],
        ['', 'xml'],
      ] as const) {
        const response = await invoke(apiId, '/', { headers: { accept } })
        expect([pass, accept, await response.text()]).toEqual([pass, accept, chosen])
      }
      const again = await httpRequest(tg.url, { path })
      expect([pass, again.body.toString()]).toEqual([pass, 'json'])
    }
  })

  it("reads request parameters named like Object's members as plain data, without polluting", async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMockMethod(tg.client, apiId, rootId, 'GET', {
      'application/json':
        "[$input.params().header.get('constructor')][$input.params('constructor')][$input.params().querystring.get('__proto__')][$input.params('hasOwnProperty')][$input.params().header.get('__proto__')]",
    })
    await deploy(tg.client, apiId, 'dev')
    const response = await httpRequest(tg.url, {
      path: `/_aws/execute-api/${apiId}/dev/?__proto__=qp`,
      // Parsed, so that `__proto__` is a header name and not the literal's prototype.
      headers: JSON.parse('{"constructor": "hc", "__proto__": "hp"}') as Record<string, string>,
    })
    expect(response.body.toString()).toBe('[hc][hc][qp][][hp]')
    expect(({} as Record<string, unknown>)['qp']).toBeUndefined()
    expect(Object.getPrototypeOf({})).toBe(Object.prototype)
  })

  it('applies $context.responseOverride status and headers from a MOCK response template', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(
      tg.client,
      apiId,
      rootId,
      'GET',
      { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      {
        responseTemplates: {
          'application/json':
            '#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Teapot = "yes"){"brewing": true}',
        },
      },
    )
    await deploy(tg.client, apiId, 'dev')
    const response = await invoke(apiId, '/')
    expect(response.status).toBe(418)
    expect(response.headers.get('x-teapot')).toBe('yes')
    expect(await response.json()).toEqual({ brewing: true })
  })

  it('ends a request whose template exceeds a budget with a 500, and keeps serving', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    await putMethodWithIntegration(
      tg.client,
      apiId,
      rootId,
      'GET',
      { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      { responseTemplates: { 'application/json': '#foreach($i in [1..5000])x#end' } },
    )
    const ok = await createPath(tg.client, apiId, rootId, 'ok')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      ok,
      'GET',
      { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      { responseTemplates: { 'application/json': '{"fine": true}' } },
    )
    await deploy(tg.client, apiId, 'dev')
    const failed = await invoke(apiId, '/')
    expect(failed.status).toBe(500)
    expect(await failed.json()).toEqual({ message: 'Internal server error' })
    expect(await (await invoke(apiId, '/ok')).json()).toEqual({ fine: true })
  })
})
