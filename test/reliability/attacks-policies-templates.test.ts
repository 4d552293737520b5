import { CreateRestApiCommand } from '@aws-sdk/client-api-gateway'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
import { freePort } from '../support/process.js'
import { startResponsivenessProbe } from '../support/responsiveness.js'

// Attack suite, part 3 (issue 16): a resource policy's explicit Deny beside an Allow, a PRIVATE
// API asked for on the public listener, and mapping templates fed hostile request data. Related
// functional tests: test/auth/resource-policies.test.ts, test/dataplane/endpoints.test.ts,
// test/dataplane/mapping/velocity/sandbox.test.ts, test/reliability/prototype-pollution.test.ts.

const VPCE = 'vpce-0attack0001'
let tg: TestGateway
let backend: TestBackend
let endpointPort: number
beforeAll(async () => {
  endpointPort = await freePort()
  tg = await startTestGateway({
    vpcEndpoints: [
      { id: VPCE, host: '127.0.0.1', port: endpointPort, vpcId: 'vpc-0a0a', allowedCidrs: ['127.0.0.0/8'] },
    ],
  })
  backend = await startBackend()
})
afterAll(async () => {
  await tg.close()
  await backend.close()
})

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const response = await httpRequest(base, { path, headers })
  const text = response.body.toString()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { status: response.status, errorType: response.headers['x-amzn-errortype'], json }
}

describe('a resource policy with an explicit Deny beside an Allow', () => {
  let apiId = ''
  beforeAll(async () => {
    const statement = (Effect: string, Resource: string) => ({
      Effect,
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource,
    })
    const policy = {
      Version: '2012-10-17',
      Statement: [
        statement('Allow', 'execute-api:/*'),
        statement('Deny', 'execute-api:/*/GET/secret'),
        // Exact, without a wildcard to absorb an extra slash.
        statement('Deny', 'execute-api:/prod/POST/secret'),
      ],
    }
    const api = await tg.client.send(
      new CreateRestApiCommand({ name: 'deny-beside-allow', policy: JSON.stringify(policy) }),
    )
    apiId = api.id!
    for (const path of ['public', 'secret']) {
      const resourceId = await createPath(tg.client, apiId, api.rootResourceId!, path)
      await putMockMethod(tg.client, apiId, resourceId, 'GET', `{"resource": "${path}"}`)
      await putMockMethod(tg.client, apiId, resourceId, 'POST', `{"resource": "${path}"}`)
    }
    await deploy(tg.client, apiId, 'prod')
  })

  it('serves what only the Allow covers (the control)', async () => {
    expect(await get(tg.url, `/_aws/execute-api/${apiId}/prod/public`)).toMatchObject({
      status: 200,
      json: { resource: 'public' },
    })
    expect((await get(tg.url, `/_aws/execute-api/${apiId}/prod/public/`)).status).toBe(200)
  })

  it('lets the Deny win over the Allow, with AWS body', async () => {
    // AWS-BEHAVIOR §3.1 (explicit deny: capital "Message", AccessDeniedException); the words are
    // those of an IAM denial ("User: anonymous is not authorized to perform: execute-api:Invoke on
    // resource: <arn> with an explicit deny"), the account id masked as AWS prints it.
    expect(await get(tg.url, `/_aws/execute-api/${apiId}/prod/secret`)).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      json: {
        Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:${apiId}/prod/GET/secret with an explicit deny`,
      },
    })
  })

  it('lets no other spelling of the denied path reach it', async () => {
    for (const path of [
      'secret/',
      'secret?x=1',
      './secret',
      'public/../secret',
      '/secret',
      'secret%2F',
      'secre%74',
      'SECRET',
      'secret;x=1',
    ]) {
      const answer = await get(tg.url, `/_aws/execute-api/${apiId}/prod/${path}`)
      expect(answer.json, path).not.toEqual({ resource: 'secret' })
      // A dot segment has no canonical path: refused with 400 before routing (docs/security.md).
      expect(answer.status, path).toBe(/(^|\/)\.\.?(\/|$)/.test(path) ? 400 : 403)
    }
    for (const path of ['secret', 'secret/', '/secret', '//secret/']) {
      const response = await httpRequest(tg.url, {
        method: 'POST',
        path: `/_aws/execute-api/${apiId}/prod/${path}`,
      })
      expect(response.status, `POST ${path}`).toBe(403)
      expect(response.body.toString(), `POST ${path}`).toMatch(/with an explicit deny"\}$/)
    }
    for (const [host, path] of [
      [`${apiId}.execute-api.localhost`, '/prod/secret'],
      [`${apiId}.execute-api.localhost`, '/prod/secret/'],
      ['localhost', `/restapis/${apiId}/prod/_user_request_/secret`],
    ] as const) {
      const answer = await get(tg.url, path, { Host: host })
      expect(answer.status, `${host}${path}`).toBe(403)
      expect(answer.json, `${host}${path}`).toMatchObject({
        Message: expect.stringMatching(/explicit deny$/) as string,
      })
    }
  })
})

describe('a PRIVATE API asked for on the public listener', () => {
  let apiId = ''
  beforeAll(async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
      ],
    }
    const api = await tg.client.send(
      new CreateRestApiCommand({
        name: 'private',
        endpointConfiguration: { types: ['PRIVATE'] },
        policy: JSON.stringify(policy),
      }),
    )
    apiId = api.id!
    await putMockMethod(tg.client, apiId, api.rootResourceId!, 'GET', '{"vpce": "$context.identity.vpceId"}')
    await deploy(tg.client, apiId, 'prod')
  })

  it('answers through its VPC endpoint (the control)', async () => {
    expect(await get(`http://127.0.0.1:${endpointPort}`, `/_aws/execute-api/${apiId}/prod/`)).toMatchObject({
      status: 200,
      json: { vpce: VPCE },
    })
  })

  it('answers 403 Forbidden on the public listener in every URL form, whatever the headers claim', async () => {
    const forbidden = { status: 403, json: { message: 'Forbidden' } }
    for (const [path, headers] of [
      [`/_aws/execute-api/${apiId}/prod/`, {}],
      ['/prod/', { Host: `${apiId}.execute-api.localhost` }],
      [`/restapis/${apiId}/prod/_user_request_/`, {}],
      // What a VPC endpoint's own DNS name and the x-apigw-api-id header select on the endpoint.
      ['/prod/', { Host: `${apiId}-${VPCE}.execute-api.us-east-1.amazonaws.com` }],
      // Headers a proxy in front would add: they do not make the public listener an endpoint.
      [
        `/_aws/execute-api/${apiId}/prod/`,
        { 'x-amzn-vpce-id': VPCE, 'x-amzn-vpc-id': 'vpc-0a0a', 'X-Forwarded-For': '10.0.0.1' },
      ],
    ] as const) {
      expect(await get(tg.url, path, headers), `${path} ${JSON.stringify(headers)}`).toMatchObject(forbidden)
    }
    // The x-apigw-api-id header selects an API on a VPC endpoint only: on the public listener it
    // selects nothing, and the request is no API's (the management API's "no operation" answer).
    const byHeader = await get(tg.url, '/prod/', { 'x-apigw-api-id': apiId })
    expect(byHeader.status).toBe(404)
    expect(JSON.stringify(byHeader.json)).not.toContain(VPCE)
  })
})

describe('template sandbox escapes through request data', () => {
  let base = ''
  const marker = join(tmpdir(), `tollgate-attack-${process.pid}-${Date.now()}`)
  beforeAll(async () => {
    const { apiId, rootId } = await createApi(tg.client, 'templates')
    const resourceId = await createPath(tg.client, apiId, rootId, 'render')
    // Every reference is steered by request data: the key `k`, the command `cmd`, the body.
    const template = [
      "#set($k = $input.params('k'))",
      "#set($body = $input.path('$'))",
      '{',
      '"bodyGet": "$body.get($k)",',
      '"bodyIndex": "$body[$k]",',
      '"context": "$context.get($k)",',
      '"contextIndex": "$context[$k]",',
      '"util": "$util.get($k)",',
      '"params": "$input.params().get($k)",',
      '"parsed": "$util.parseJson($input.body).get($k)",',
      '"getClass": "$input.json(\'$\').getClass()",',
      '"getClassName": "$input.json(\'$\').getClass().getName()",',
      '"forName": "$util.class.forName($k)",',
      '"runtime": "$util.class.forName(\'java.lang.Runtime\').getRuntime().exec($input.params(\'cmd\'))",',
      '"ctor": "$k.constructor.constructor($input.params(\'cmd\'))",',
      '"escape": "$util.escapeJavaScript($input.params(\'cmd\'))",',
      '"header": "$util.escapeJavaScript($input.params(\'x-vtl\'))"',
      '}',
    ].join('\n')
    await putMethodWithIntegration(tg.client, apiId, resourceId, 'POST', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: `${backend.url}/render`,
      requestTemplates: { 'application/json': template },
    })
    await deploy(tg.client, apiId, 'prod')
    base = `/_aws/execute-api/${apiId}/prod/render`
  })

  const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort()
  const baseline = prototypeNames()
  const HOSTILE_BODY =
    '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "process": "data"}'

  for (const key of [
    'constructor',
    '__proto__',
    'prototype',
    'process',
    'mainModule',
    'require',
    'global',
    'globalThis',
    'toString',
    'valueOf',
    '__defineGetter__',
    '__lookupGetter__',
    'hasOwnProperty',
    'java.lang.Runtime',
    'java.lang.ProcessBuilder',
  ]) {
    it(`keeps Node internals out of reach with the request key "${key}"`, async () => {
      const cmd = `touch ${marker}`
      const response = await httpRequest(tg.url, {
        method: 'POST',
        path: `${base}?k=${encodeURIComponent(key)}&cmd=${encodeURIComponent(cmd)}`,
        headers: { 'content-type': 'application/json', 'x-vtl': '#set($p = $util.class)$p' },
        body: HOSTILE_BODY,
      })
      // Rendered or refused as a template error: either way nothing of the process shows.
      expect([200, 500], String(response.status)).toContain(response.status)
      const rendered =
        response.status === 200
          ? (JSON.parse(response.body.toString()) as { body: string }).body
          : response.body.toString()
      expect(rendered).not.toMatch(
        /function |\[object |native code|\[class |ChildProcess|\/usr\/|node:internal/,
      )
      expect(rendered).not.toContain(process.cwd())
      expect(existsSync(marker)).toBe(false)
      expect(prototypeNames()).toEqual(baseline)
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    })
  }

  it('renders the request data it was given as data', async () => {
    const response = await httpRequest(tg.url, {
      method: 'POST',
      path: `${base}?k=process&cmd=${encodeURIComponent('$util.class')}`,
      headers: { 'content-type': 'application/json', 'x-vtl': '#set($p = "pwned")$p' },
      body: HOSTILE_BODY,
    })
    expect(response.status).toBe(200)
    const rendered = JSON.parse((JSON.parse(response.body.toString()) as { body: string }).body) as Record<
      string,
      string
    >
    // The body's own "process" key, the header's VTL text unevaluated.
    expect(rendered['bodyGet']).toBe('data')
    expect(rendered['parsed']).toBe('data')
    expect(rendered['header']).toBe('#set($p = "pwned")$p')
    expect(rendered['escape']).toBe('$util.class')
  })

  it('reads a body nested 4.5 million deep without holding the event loop', async () => {
    // Before a depth limit (Jackson's 1,000, src/model/json-depth.ts), parsing and walking this 9 MB
    // body held the loop for 1.7 s (3 million deep, measured with this probe); refused as not JSON,
    // it is a template error.
    const probe = startResponsivenessProbe(`${tg.url}/_aws/execute-api/none/prod/`, { expectStatus: 403 })
    const depth = 4_500_000
    const response = await httpRequest(tg.url, {
      method: 'POST',
      path: `${base}?k=a`,
      headers: { 'content-type': 'application/json' },
      body: '['.repeat(depth) + ']'.repeat(depth),
    })
    const report = await probe.stop()
    console.info(`deep JSON body: ${response.status}, probe max ${report.maxMs.toFixed(1)} ms`)
    expect(response.status).toBe(500)
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal server error' })
    expect(report.failures).toEqual([])
    expect(report.maxMs).toBeLessThan(400)
  })
})
