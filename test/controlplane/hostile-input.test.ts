import {
  CreateRestApiCommand,
  DeleteDeploymentCommand,
  DeleteResourceCommand,
  DeleteStageCommand,
  GetRestApiCommand,
} from '@aws-sdk/client-api-gateway'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

let tg: TestGateway
/** An API with a resource, a MOCK method, a deployment and a stage `dev`, and an empty one. */
let a: { apiId: string; rootId: string; resourceId: string; deploymentId: string; validatorId: string }
let b: { apiId: string; rootId: string; childId: string }

beforeAll(async () => {
  tg = await startTestGateway()
  const first = await createApi(tg.client, 'api-a')
  const resourceId = await createPath(tg.client, first.apiId, first.rootId, 'secret')
  await putMethodWithIntegration(tg.client, first.apiId, resourceId, 'GET', {
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
  })
  const deploymentId = await deploy(tg.client, first.apiId, 'dev')
  const validator = await call('POST', `/restapis/${first.apiId}/requestvalidators`, { name: 'v' })
  a = { ...first, resourceId, deploymentId, validatorId: (validator.json as { id: string }).id }
  const second = await createApi(tg.client, 'api-b')
  b = { ...second, childId: await createPath(tg.client, second.apiId, second.rootId, 'child') }
})
afterAll(() => tg.close())

interface Reply {
  status: number
  errorType: string | undefined
  contentType: string | undefined
  json: unknown
}

/**
 * A management call over a raw socket. Unlike fetch, node:http sends the path exactly as given
 * (fetch resolves `..` and `%2e` segments itself), which is what the AWS SDK does with ids.
 */
function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const payload =
    body === undefined
      ? undefined
      : Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
  const { hostname, port } = new URL(tg.url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          resolve({
            status: res.statusCode ?? 0,
            errorType: res.headers['x-amzn-errortype'] as string | undefined,
            contentType: res.headers['content-type'],
            json: text === '' ? undefined : JSON.parse(text),
          })
        })
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** Everything the store holds for the APIs: a failed call must leave it exactly as it was. */
async function storeState(): Promise<unknown> {
  const store = tg.gateway.store
  return store.read(async (r) => {
    const apis = await r.list('restapi', '')
    const perApi = await Promise.all(
      apis.map(async (doc) => ({
        doc,
        deployments: await r.list('deployment', doc.api.id),
        stages: await r.list('stage', doc.api.id),
      })),
    )
    return { revision: await store.revision(), perApi }
  })
}

interface Expected {
  status: number
  type: string
  message: string | RegExp
}

/** Asserts AWS's error shape, and that the store did not change. */
async function expectRefused(attempt: () => Promise<Reply>, expected: Expected): Promise<void> {
  const before = await storeState()
  const reply = await attempt()
  expect({ status: reply.status, errorType: reply.errorType }).toEqual({
    status: expected.status,
    errorType: expected.type,
  })
  expect(reply.contentType).toBe('application/json')
  expect(Object.keys(reply.json as object)).toEqual(['message'])
  const { message } = reply.json as { message: string }
  if (typeof expected.message === 'string') expect(message).toBe(expected.message)
  else expect(message).toMatch(expected.message)
  expect(await storeState()).toEqual(before)
}

const serialization = (message: string | RegExp): Expected => ({
  status: 400,
  type: 'SerializationException',
  message,
})
const badRequest = (message: string | RegExp): Expected => ({
  status: 400,
  type: 'BadRequestException',
  message,
})
const notFound = (message: string): Expected => ({ status: 404, type: 'NotFoundException', message })

describe('malformed JSON', () => {
  // The text after the colon is V8's JSON.parse message, which differs between Node versions.
  const syntax = serialization(/^Invalid JSON in request body: \S/)
  it.each([
    ['a truncated object', '{"name": '],
    ['plain text', 'not json'],
    ['a trailing comma', '{"name": "x",}'],
    ['trailing garbage', '{"name": "x"}}'],
    ['a NUL byte', '\u0000'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('answers %s with a SerializationException', async (_, body) => {
    await expectRefused(() => call('POST', '/restapis', body), syntax)
  })

  const nonObjects = ['[1,2]', '"a string"', '42', 'true']
  it.each(nonObjects)('answers a JSON %s that is not an object as AWS does (CreateRestApi)', async (body) => {
    await expectRefused(
      () => call('POST', '/restapis', body),
      serialization('Start of structure or map found where not expected.'),
    )
  })
  it.each(nonObjects)(
    'answers a JSON %s that is not an object as AWS does (CreateResource)',
    async (body) => {
      await expectRefused(
        () => call('POST', `/restapis/${a.apiId}/resources/${a.rootId}`, body),
        serialization('Start of structure or map found where not expected.'),
      )
    },
  )

  it('refuses malformed JSON in every family, before anything is read or written', async () => {
    const broken = '{"patchOperations": ['
    const paths: [string, string][] = [
      ['PATCH', `/restapis/${a.apiId}`],
      ['POST', `/restapis/${a.apiId}/resources/${a.rootId}`],
      ['PATCH', `/restapis/${a.apiId}/resources/${a.resourceId}`],
      ['PUT', `/restapis/${a.apiId}/resources/${a.resourceId}/methods/POST`],
      ['PUT', `/restapis/${a.apiId}/resources/${a.resourceId}/methods/GET/integration`],
      ['PUT', `/restapis/${a.apiId}/resources/${a.resourceId}/methods/GET/responses/200`],
      ['POST', `/restapis/${a.apiId}/models`],
      ['POST', `/restapis/${a.apiId}/requestvalidators`],
      ['PUT', `/restapis/${a.apiId}/gatewayresponses/DEFAULT_4XX`],
      ['POST', `/restapis/${a.apiId}/deployments`],
      ['POST', `/restapis/${a.apiId}/stages`],
      ['PATCH', `/restapis/${a.apiId}/stages/dev`],
      ['PUT', `/tags/${encodeURIComponent(`arn:aws:apigateway:us-east-1::/restapis/${a.apiId}`)}`],
    ]
    for (const [method, path] of paths) {
      await expectRefused(() => call(method, path, broken), syntax)
    }
  })
})

describe('members of the wrong JSON type', () => {
  // Worded as AWS's Java deserialiser words them (recorded in test_apigateway_api.snapshot.json:
  // "class java.lang.Boolean can not be converted to an String", "...TruncatingBigNumber ...").
  const number =
    'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String'
  it.each([
    ['a number', 42, number],
    ['a boolean', true, 'class java.lang.Boolean can not be converted to an String'],
    ['an object', {}, 'class java.util.LinkedHashMap can not be converted to an String'],
    ['a list', [], 'class java.util.ArrayList can not be converted to an String'],
  ])('refuses %s as a REST API name', async (_, name, message) => {
    await expectRefused(() => call('POST', '/restapis', { name }), serialization(message))
  })

  it('refuses wrong types in lists, maps, booleans and integers', async () => {
    await expectRefused(
      () => call('POST', '/restapis', { name: 'x', binaryMediaTypes: 'image/png' }),
      serialization('Expected list or null'),
    )
    await expectRefused(
      () => call('POST', '/restapis', { name: 'x', endpointConfiguration: 'EDGE' }),
      serialization('Start of structure or map found where not expected.'),
    )
    const method = `/restapis/${a.apiId}/resources/${a.resourceId}/methods`
    await expectRefused(
      () => call('PUT', `${method}/DELETE`, { authorizationType: 'NONE', apiKeyRequired: 'yes' }),
      serialization('class java.lang.String can not be converted to a Boolean'),
    )
    await expectRefused(
      () =>
        call('PUT', `${method}/DELETE`, {
          authorizationType: 'NONE',
          requestParameters: { 'method.request.header.x': 'maybe' },
        }),
      serialization('class java.lang.String can not be converted to a Boolean'),
    )
    await expectRefused(
      () => call('PUT', `${method}/GET/integration`, { type: 'MOCK', timeoutInMillis: 'soon' }),
      serialization('class java.lang.String can not be converted to an Integer'),
    )
    await expectRefused(() => call('PUT', `${method}/GET/integration`, { type: 7 }), serialization(number))
    await expectRefused(
      () =>
        call('POST', `/restapis/${a.apiId}/stages`, {
          stageName: 'typed',
          deploymentId: a.deploymentId,
          variables: { a: 1 },
        }),
      serialization(number),
    )
  })
})

describe('oversized input', () => {
  it('refuses a body over 6 MB and keeps serving', async () => {
    await expectRefused(
      () => call('POST', '/restapis', { name: 'x'.repeat(7 * 1024 * 1024) }),
      badRequest('Request body is too large'),
    )
    expect((await fetch(`${tg.url}/_tollgate/health`)).status).toBe(200)
    const api = await tg.client.send(new CreateRestApiCommand({ name: 'after-the-big-body' }))
    expect(api.name).toBe('after-the-big-body')
  })

  it('refuses 1 MB names and ids with a clear message, creating nothing', async () => {
    const huge = 'n'.repeat(1024 * 1024)
    await expectRefused(
      () => call('POST', '/restapis', { name: huge }),
      badRequest('Invalid name: must be at most 1024 characters'),
    )
    await expectRefused(
      () => call('POST', `/restapis/${a.apiId}/resources/${a.rootId}`, { pathPart: huge }),
      badRequest(
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
      ),
    )
    await expectRefused(
      () => call('POST', `/restapis/${a.apiId}/stages`, { stageName: huge, deploymentId: a.deploymentId }),
      badRequest('Stage name only allows a-zA-Z0-9_ and -, up to 128 characters'),
    )
    await expectRefused(
      () => call('POST', `/restapis/${a.apiId}/deployments`, { stageName: huge }),
      badRequest('Stage name only allows a-zA-Z0-9_ and -, up to 128 characters'),
    )
    await expectRefused(
      () =>
        call('PUT', `/tags/${encodeURIComponent(`arn:aws:apigateway:us-east-1::/restapis/${a.apiId}`)}`, {
          tags: { [huge]: 'v' },
        }),
      badRequest(/^Invalid tag: n+$/),
    )
    await expectRefused(
      () => call('GET', `/restapis/${'i'.repeat(4096)}`),
      notFound(`Invalid API identifier specified 000000000000:${'i'.repeat(4096)}`),
    )
  })

  // Known gap, reported: CreateRestApi limits names to 1024 characters, UpdateRestApi does not.
  // When this starts passing, vitest reports it: turn `it.fails` into `it`.
  it.fails('refuses a 1 MB name through UpdateRestApi too', async () => {
    await expectRefused(
      () =>
        call('PATCH', `/restapis/${b.apiId}`, {
          patchOperations: [{ op: 'replace', path: '/name', value: 'n'.repeat(1024 * 1024) }],
        }),
      badRequest('Invalid name: must be at most 1024 characters'),
    )
  })
})

describe('unknown patch operations and paths', () => {
  const enumSet = '[add, remove, move, test, replace, copy]'
  it('refuses unknown ops as a ValidationException listing every bad one', async () => {
    await expectRefused(
      () =>
        call('PATCH', `/restapis/${a.apiId}`, {
          patchOperations: [{ op: 'frobnicate', path: '/name', value: 'x' }],
        }),
      {
        status: 400,
        type: 'ValidationException',
        message: `1 validation error detected: Value 'frobnicate' at 'updateRestApiInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: ${enumSet}`,
      },
    )
    await expectRefused(
      () =>
        call('PATCH', `/restapis/${a.apiId}`, {
          patchOperations: [
            { op: 'x', path: '/name' },
            { op: 'y', path: '/name' },
          ],
        }),
      {
        status: 400,
        type: 'ValidationException',
        message: `2 validation errors detected: Value 'x' at 'updateRestApiInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: ${enumSet}; Value 'y' at 'updateRestApiInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: ${enumSet}`,
      },
    )
  })

  it('refuses unknown paths with AWS recorded messages', async () => {
    await expectRefused(
      () =>
        call('PATCH', `/restapis/${a.apiId}/resources/${a.resourceId}`, {
          patchOperations: [{ op: 'replace', path: '/invalid', value: 'x' }],
        }),
      badRequest(
        "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]",
      ),
    )
    await expectRefused(
      () =>
        call('PATCH', `/restapis/${a.apiId}/resources/${a.resourceId}`, {
          patchOperations: [{ op: 'add', path: '/pathPart', value: 'x' }],
        }),
      badRequest(
        "Invalid patch path  '/pathPart' specified for op 'add'. Please choose supported operations",
      ),
    )
    await expectRefused(
      () => call('PATCH', `/restapis/${a.apiId}`, { patchOperations: [{ op: 'replace', value: 'z' }] }),
      badRequest('Invalid patch path null'),
    )
  })

  it('applies none of a patch whose last operation is bad', async () => {
    await expectRefused(
      () =>
        call('PATCH', `/restapis/${a.apiId}`, {
          patchOperations: [
            { op: 'replace', path: '/name', value: 'changed' },
            { op: 'replace', path: '/description', value: 'changed too' },
            { op: 'replace', path: '/nosuch', value: 'x' },
          ],
        }),
      badRequest(
        "Invalid patch path  '/nosuch' specified for op 'replace'. Must be one of: [/name, /description, /version, /policy, /apiKeySource, /minimumCompressionSize, /disableExecuteApiEndpoint]",
      ),
    )
    expect((await tg.client.send(new GetRestApiCommand({ restApiId: a.apiId }))).name).toBe('api-a')
  })

  it('refuses patchOperations that are not a list of objects', async () => {
    // Not recorded on AWS; a SerializationException would match the other type errors better.
    await expectRefused(
      () => call('PATCH', `/restapis/${a.apiId}`, { patchOperations: 'replace /name' }),
      badRequest('Invalid patch operations: expected a list'),
    )
    await expectRefused(
      () => call('PATCH', `/restapis/${a.apiId}`, { patchOperations: [1] }),
      badRequest('Invalid patch operations: each operation must be an object'),
    )
  })
})

describe('ids of one API used under another', () => {
  it('finds nothing and changes nothing', async () => {
    const underB = `/restapis/${b.apiId}`
    const resource = notFound('Invalid Resource identifier specified')
    const attempts: [string, string, unknown, Expected][] = [
      ['GET', `${underB}/resources/${a.resourceId}`, undefined, resource],
      ['DELETE', `${underB}/resources/${a.resourceId}`, undefined, resource],
      [
        'PATCH',
        `${underB}/resources/${a.resourceId}`,
        { patchOperations: [{ op: 'replace', path: '/pathPart', value: 'x' }] },
        resource,
      ],
      ['POST', `${underB}/resources/${a.resourceId}`, { pathPart: 'child' }, resource],
      ['GET', `${underB}/resources/${a.resourceId}/methods/GET`, undefined, resource],
      ['PUT', `${underB}/resources/${a.resourceId}/methods/GET`, { authorizationType: 'NONE' }, resource],
      ['GET', `${underB}/resources/${a.resourceId}/methods/GET/integration`, undefined, resource],
      [
        'GET',
        `${underB}/deployments/${a.deploymentId}`,
        undefined,
        notFound('Invalid Deployment identifier specified'),
      ],
      [
        'DELETE',
        `${underB}/deployments/${a.deploymentId}`,
        undefined,
        notFound('Invalid Deployment identifier specified'),
      ],
      [
        'POST',
        `${underB}/stages`,
        { stageName: 'stolen', deploymentId: a.deploymentId },
        badRequest('Deployment id does not exist'),
      ],
      ['GET', `${underB}/stages/dev`, undefined, notFound('Invalid Stage identifier specified')],
      [
        'GET',
        `${underB}/models/Empty-not-here`,
        undefined,
        notFound('Invalid model name specified: Empty-not-here'),
      ],
      [
        'GET',
        `${underB}/requestvalidators/${a.validatorId}`,
        undefined,
        notFound('Invalid Request Validator identifier specified'),
      ],
      [
        'DELETE',
        `${underB}/requestvalidators/${a.validatorId}`,
        undefined,
        notFound('Invalid Request Validator identifier specified'),
      ],
      [
        'PUT',
        `${underB}/resources/${b.rootId}/methods/POST`,
        { authorizationType: 'NONE', requestValidatorId: a.validatorId },
        badRequest('Invalid Request Validator identifier specified'),
      ],
    ]
    for (const [method, path, body, expected] of attempts) {
      await expectRefused(() => call(method, path, body), expected)
    }
  })

  it('does not let a resource of B move under a resource of A, or under itself', async () => {
    const move = (parentId: string) => () =>
      call('PATCH', `/restapis/${b.apiId}/resources/${b.childId}`, {
        patchOperations: [{ op: 'replace', path: '/parentId', value: parentId }],
      })
    await expectRefused(move(a.resourceId), notFound('Invalid Resource identifier specified'))
    await expectRefused(move(b.childId), badRequest('Resources cannot be cyclical.'))
  })
})

describe('path traversal and odd encodings in ids', () => {
  it('treats `.`, `..` and their encodings as ids that do not exist', async () => {
    const api = `/restapis/${a.apiId}`
    const cases: [string, string, Expected][] = [
      ['GET', `${api}/resources/..`, notFound('Invalid Resource identifier specified')],
      ['GET', `${api}/resources/.`, notFound('Invalid Resource identifier specified')],
      ['GET', `${api}/resources/%2e%2e`, notFound('Invalid Resource identifier specified')],
      ['GET', `${api}/resources/%2E.`, notFound('Invalid Resource identifier specified')],
      ['GET', `${api}/resources/..%2F..%2F${a.rootId}`, notFound('Invalid Resource identifier specified')],
      ['DELETE', `${api}/resources/..`, notFound('Invalid Resource identifier specified')],
      ['DELETE', `${api}/resources/%2e%2e`, notFound('Invalid Resource identifier specified')],
      ['DELETE', `${api}/stages/..`, notFound('Invalid Stage identifier specified')],
      ['DELETE', `${api}/deployments/..`, notFound('Invalid Deployment identifier specified')],
      ['GET', '/restapis/..', notFound('Invalid API identifier specified 000000000000:..')],
      ['DELETE', '/restapis/.', notFound('Invalid API identifier specified 000000000000:.')],
      [
        'GET',
        '/restapis/..%2F..%2Fetc%2Fpasswd',
        notFound('Invalid API identifier specified 000000000000:../../etc/passwd'),
      ],
      ['GET', '/restapis/%00', notFound('Invalid API identifier specified 000000000000:\u0000')],
      [
        'GET',
        `/restapis/${a.apiId}%00`,
        notFound(`Invalid API identifier specified 000000000000:${a.apiId}\u0000`),
      ],
      [
        'GET',
        `/restapis/${a.apiId}%2F`,
        notFound(`Invalid API identifier specified 000000000000:${a.apiId}/`),
      ],
      ['GET', '/restapis/%C3%A4', notFound('Invalid API identifier specified 000000000000:ä')],
      [
        'GET',
        `${api}/resources/${a.resourceId}/..`,
        {
          status: 404,
          type: 'UnknownOperationException',
          message: `No operation matches GET ${api}/resources/${a.resourceId}/..`,
        },
      ],
      [
        'GET',
        '/restapis/%ZZ',
        { status: 404, type: 'UnknownOperationException', message: 'No operation matches GET /restapis/%ZZ' },
      ],
    ]
    for (const [method, path, expected] of cases) {
      await expectRefused(() => call(method, path), expected)
    }
  })

  it('never lets the AWS SDK climb out of an id (DeleteResource of `..` once deleted the API)', async () => {
    const before = await storeState()
    const attempts = [
      tg.client.send(new DeleteResourceCommand({ restApiId: a.apiId, resourceId: '..' })),
      tg.client.send(new DeleteResourceCommand({ restApiId: a.apiId, resourceId: '.' })),
      tg.client.send(new DeleteStageCommand({ restApiId: a.apiId, stageName: '..' })),
      tg.client.send(new DeleteDeploymentCommand({ restApiId: a.apiId, deploymentId: '..' })),
    ]
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ name: 'NotFoundException' })
    expect(await storeState()).toEqual(before)
  })
})

describe('unknown operations', () => {
  it.each([
    ['GET', '/no/such/operation?x=1', 'GET /no/such/operation'],
    ['POST', '/restapis/abc', 'POST /restapis/abc'],
    ['PUT', '/restapis', 'PUT /restapis'],
    ['DELETE', '/restapis', 'DELETE /restapis'],
    ['GET', `/restapis/abc/resources/def/frobnicate`, 'GET /restapis/abc/resources/def/frobnicate'],
  ])('answers %s %s with a 404 in AWS shape', async (method, path, described) => {
    await expectRefused(() => call(method, path), {
      status: 404,
      type: 'UnknownOperationException',
      message: `No operation matches ${described}`,
    })
  })
})

describe('concurrency', () => {
  it('survives 50 concurrent writes to one API with a consistent tree', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call('POST', `/restapis/${apiId}/resources/${rootId}`, { pathPart: `r${i % 25}` }),
      ),
    )
    // 25 distinct names: exactly one write per name wins, the other gets a ConflictException.
    expect(results.filter((r) => r.status === 201)).toHaveLength(25)
    expect(results.filter((r) => r.errorType === 'ConflictException')).toHaveLength(25)
    const list = await call('GET', `/restapis/${apiId}/resources?limit=500`)
    expect((list.json as { item: unknown[] }).item).toHaveLength(26)
  })
})
