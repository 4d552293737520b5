import fc from 'fast-check'
import { Agent, request } from 'node:http'
import { zipOf } from '../support/lambda.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import {
  awsErrorProblem,
  fuzzSettings,
  managementCall as call,
  putValidatorAndModel,
  Violations,
  watchUnhandledRejections,
} from '../support/fuzz.js'
import {
  dataPlaneRequest,
  type DataPlaneRequest,
  type DataPlaneTargets,
} from '../support/fuzz-dataplane-requests.js'

// Property-based fuzzing of the data plane (issue 16): generated methods, raw paths (encodings,
// traversal forms, Latin-1 bytes, long ones), query strings, odd headers and bodies (JSON, deep
// JSON, invalid UTF-8, binary, 300 KB) against MOCK, HTTP, HTTP_PROXY and AWS_PROXY methods with
// path parameters, a greedy path, a request validator and an API key. Nothing the client sends
// may make Tollgate answer 5XX (the backend and the function never fail here), every error is
// AWS-shaped, and the gateway answers a control request afterwards.
const { seed, runs } = fuzzSettings(10_000)
/** Requests are generated in chunks (a replayable seed each) and sent by this many clients. */
const CHUNK = 500
const CLIENTS = 6

describe('data-plane fuzz', () => {
  let tg: TestGateway
  let backend: TestBackend
  let targets: DataPlaneTargets
  const rejections = watchUnhandledRejections()

  beforeAll(async () => {
    tg = await startTestGateway()
    backend = await startBackend()
    targets = await deployFixture(tg.url, backend.url)
  })
  afterAll(async () => {
    await tg.close()
    await backend.close()
  })

  it(`answers ${runs} generated requests without a 5XX, every error AWS-shaped`, async () => {
    const started = Date.now()
    const violations = new Violations()
    const statuses = new Map<number, number>()
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
    const base = new URL(tg.url)
    let backendCalls = 0
    try {
      for (let sent = 0, chunk = 0; sent < runs; sent += CHUNK, chunk++) {
        const requests = fc.sample(dataPlaneRequest(targets), {
          seed: seed + chunk,
          numRuns: Math.min(CHUNK, runs - sent),
        })
        let next = 0
        const client = async (): Promise<void> => {
          for (let i = next++; i < requests.length; i = next++) {
            const req = requests[i] as DataPlaneRequest
            const answer = await send(agent, base, req)
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
            const where = `chunk ${chunk} #${i}: ${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers).slice(0, 300)} ${req.body?.subarray(0, 100).toString('latin1') ?? ''} -> ${answer.status} ${answer.body.slice(0, 200)}`
            if (answer.status === 0 || answer.status >= 500) {
              violations.add(`${answer.status} ${answer.errorType ?? ''} ${answer.body.slice(0, 80)}`, where)
            } else if (answer.status >= 400) {
              // HEAD answers carry no body: the header alone says what failed.
              const problem =
                req.method === 'HEAD'
                  ? answer.errorType
                    ? undefined
                    : `${answer.status} without x-amzn-ErrorType`
                  : awsErrorProblem(answer.status, answer.errorType, answer.body)
              if (problem) violations.add(`not AWS-shaped: ${problem}`, where)
            }
          }
        }
        await Promise.all(Array.from({ length: CLIENTS }, client))
        backendCalls += backend.received.length
        backend.received.length = 0
      }
    } finally {
      agent.destroy()
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0)
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    console.log(
      `data-plane fuzz: seed ${seed}, ${total} requests in ${seconds} s, ${backendCalls} reached the ` +
        `backend; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    )
    expect(violations.report()).toEqual([])
    expect(rejections).toEqual([])
    expect(total).toBe(runs)
    // The generator reaches past routing: integrations answered, and errors were not all one kind.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(runs / 10)
    expect(backendCalls).toBeGreaterThan(runs / 50)
    // The gateway still serves: a MOCK, the backend through HTTP_PROXY, and the function.
    const control = await fetch(`${tg.url}/_aws/execute-api/${targets.apiId}/prod?q=ok`)
    expect(control.status).toBe(200)
    expect(await control.json()).toEqual({ ok: true, q: 'ok' })
    const proxied = await fetch(`${tg.url}/_aws/execute-api/${targets.apiId}/prod/pets/1`)
    expect(proxied.status).toBe(200)
    expect(((await proxied.json()) as Record<string, unknown>)['url']).toBe('/pets/1')
    const lambda = await fetch(`${tg.url}/_aws/execute-api/${targets.lambdaApiId}/prod/fn/x`)
    expect(lambda.status).toBe(200)
  }, 300_000)
})

interface Answer {
  status: number
  errorType: string | null
  body: string
}

function send(agent: Agent, base: URL, req: DataPlaneRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const outgoing = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        // Node's client frames a GET, HEAD, DELETE or OPTIONS body only with an explicit length.
        headers: req.body ? { ...req.headers, 'content-length': String(req.body.length) } : req.headers,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const errorType = res.headers['x-amzn-errortype']
          resolve({
            status: res.statusCode ?? 0,
            errorType: typeof errorType === 'string' ? errorType : null,
            body: Buffer.concat(chunks).toString('utf8'),
          })
        })
        res.on('error', (error) =>
          resolve({ status: 0, errorType: null, body: `response: ${error.message}` }),
        )
      },
    )
    outgoing.setTimeout(20_000, () => outgoing.destroy(new Error('no answer in 20 s')))
    outgoing.on('error', (error) =>
      resolve({ status: 0, errorType: null, body: `request: ${error.message}` }),
    )
    outgoing.end(req.body)
  })
}

/**
 * One API with MOCK methods (templates that read the body, path and query), path parameters, a
 * request validator with a model, an API-key method, HTTP and greedy HTTP_PROXY methods to the
 * backend; a second API with an AWS_PROXY method to an echo function.
 */
async function deployFixture(url: string, backendUrl: string): Promise<DataPlaneTargets> {
  const api = await call(url, 'POST', '/restapis', {
    name: 'fuzz-dp',
    binaryMediaTypes: ['application/octet-stream', 'image/*'],
  })
  const apiId = String(api['id'])
  const a = `/restapis/${apiId}`
  const resource = async (parent: unknown, pathPart: string): Promise<string> =>
    String((await call(url, 'POST', `${a}/resources/${String(parent)}`, { pathPart }))['id'])
  const method = async (
    resourceId: string,
    httpMethod: string,
    m: Record<string, unknown>,
    integration: Record<string, unknown>,
    responseTemplate?: string,
  ): Promise<void> => {
    const path = `${a}/resources/${resourceId}/methods/${httpMethod}`
    await call(url, 'PUT', path, { authorizationType: 'NONE', ...m })
    await call(url, 'PUT', `${path}/integration`, integration)
    if (integration['type'] === 'HTTP_PROXY' || integration['type'] === 'AWS_PROXY') return
    await call(url, 'PUT', `${path}/responses/200`, {})
    await call(url, 'PUT', `${path}/integration/responses/200`, {
      selectionPattern: '',
      ...(responseTemplate ? { responseTemplates: { 'application/json': responseTemplate } } : {}),
    })
  }
  // MOCK request templates read what the client sent but always yield a valid statusCode: the
  // client must not be able to turn a MOCK into a configuration error.
  // Other content types: 415 (WHEN_NO_TEMPLATES), not a MOCK without a template (a 500, as on AWS).
  const readingMock = {
    type: 'MOCK',
    passthroughBehavior: 'WHEN_NO_TEMPLATES',
    requestTemplates: {
      'application/json': [
        "#set($body = $input.json('$'))",
        "#set($deep = $input.path('$.a.b'))",
        '#set($all = $input.params())',
        '#set($escaped = $util.escapeJavaScript($input.body))',
        '{"statusCode": 200}',
      ].join('\n'),
    },
  }
  const root = String(api['rootResourceId'])
  await method(
    root,
    'GET',
    { requestParameters: { 'method.request.querystring.q': false } },
    {
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'NEVER',
    },
    '{"ok": true, "q": "$util.escapeJavaScript($input.params(\'q\'))"}',
  )
  const items = await resource(root, 'items')
  const item = await resource(items, '{id}')
  await method(
    item,
    'ANY',
    { requestParameters: { 'method.request.path.id': true } },
    readingMock,
    '{"id": "$util.escapeJavaScript($input.params(\'id\'))", "ctx": "$context.resourcePath $context.httpMethod"}',
  )
  const validatorId = await putValidatorAndModel(url, a, {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', maxLength: 10, pattern: '^[a-z]+$' }, tags: { type: 'array' } },
  })
  const validated = await resource(root, 'validated')
  await method(
    validated,
    'POST',
    {
      requestValidatorId: validatorId,
      requestModels: { 'application/json': 'Pet' },
      requestParameters: { 'method.request.querystring.q': true, 'method.request.header.X-Req': true },
    },
    readingMock,
    '{"valid": true}',
  )
  const keyed = await resource(root, 'keyed')
  await method(keyed, 'GET', { apiKeyRequired: true }, readingMock, '{"keyed": true}')
  const http = await resource(root, 'http')
  const httpItem = await resource(http, '{id}')
  await method(
    httpItem,
    'POST',
    { requestParameters: { 'method.request.path.id': true, 'method.request.querystring.q': false } },
    {
      type: 'HTTP',
      httpMethod: 'POST',
      uri: `${backendUrl}/h/{id}`,
      requestParameters: {
        'integration.request.path.id': 'method.request.path.id',
        'integration.request.querystring.q': 'method.request.querystring.q',
        'integration.request.header.x-id': 'method.request.path.id',
      },
      requestTemplates: { 'application/json': '{"sent": $input.json(\'$\'), "id": "$input.params(\'id\')"}' },
    },
    '{"backend": $input.json(\'$.url\')}',
  )
  const proxy = await resource(root, '{proxy+}')
  await method(
    proxy,
    'ANY',
    { requestParameters: { 'method.request.path.proxy': true } },
    {
      type: 'HTTP_PROXY',
      httpMethod: 'ANY',
      uri: `${backendUrl}/{proxy}`,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
    },
  )
  await call(url, 'POST', `${a}/deployments`, { stageName: 'prod' })
  const key = await call(url, 'POST', '/apikeys', { name: 'fuzz', enabled: true })
  const plan = await call(url, 'POST', '/usageplans', { name: 'fuzz', apiStages: [{ apiId, stage: 'prod' }] })
  await call(url, 'POST', `/usageplans/${String(plan['id'])}/keys`, { keyId: key['id'], keyType: 'API_KEY' })

  await call(url, 'POST', '/2015-03-31/functions', {
    FunctionName: 'fuzz-echo',
    Runtime: 'nodejs20.x',
    Role: 'arn:aws:iam::000000000000:role/lambda-role',
    Handler: 'index.handler',
    Code: { ZipFile: Buffer.from(zipOf({ 'index.js': ECHO })).toString('base64') },
    Timeout: 10,
  })
  const lambdaApi = await call(url, 'POST', '/restapis', { name: 'fuzz-lambda' })
  const lambdaApiId = String(lambdaApi['id'])
  const l = `/restapis/${lambdaApiId}`
  const fn = String(
    (await call(url, 'POST', `${l}/resources/${String(lambdaApi['rootResourceId'])}`, { pathPart: 'fn' }))[
      'id'
    ],
  )
  const fnProxy = String((await call(url, 'POST', `${l}/resources/${fn}`, { pathPart: '{proxy+}' }))['id'])
  for (const resourceId of [fn, fnProxy]) {
    await call(url, 'PUT', `${l}/resources/${resourceId}/methods/ANY`, { authorizationType: 'NONE' })
    await call(url, 'PUT', `${l}/resources/${resourceId}/methods/ANY/integration`, {
      type: 'AWS_PROXY',
      httpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:fuzz-echo/invocations',
    })
  }
  await call(url, 'POST', `${l}/deployments`, { stageName: 'prod' })
  return { apiId, lambdaApiId, apiKey: String(key['value']) }
}

/** Answers with what it received (sizes, not the whole event, to stay small). */
const ECHO = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ path: event.path, method: event.httpMethod, bodyLength: (event.body || '').length, isBase64Encoded: event.isBase64Encoded }),
})`
