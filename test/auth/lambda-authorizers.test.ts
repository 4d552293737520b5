import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteAuthorizerCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TestInvokeAuthorizerCommand,
  UpdateAuthorizerCommand,
  UpdateMethodCommand,
  UpdateRestApiCommand,
  type CreateAuthorizerCommandInput,
} from '@aws-sdk/client-api-gateway'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { expectAwsError } from '../support/parity.js'

// Lambda authorizers (AWS docs "apigateway-use-lambda-authorizer", "api-gateway-lambda-authorizer-input",
// "-output"); outcomes and bodies from AWS-BEHAVIOR §3.1 (401 Unauthorized, 403 with a capital
// "Message" for a deny, 500 {"message": null} for a broken authorizer).

const functionUri = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`

/** A TOKEN authorizer whose answer depends on the token. `stamp` is new on every call. */
const TOKEN_AUTHORIZER = `
const policy = (effect, resource) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] })
exports.handler = async (event) => {
  const token = event.authorizationToken
  const stage = event.methodArn.split('/').slice(0, 2).join('/')
  const stamp = String(Date.now()) + Math.random()
  if (token === 'unauth') throw new Error('Unauthorized')
  if (token === 'boom') throw new Error('boom')
  if (token === 'slow') await new Promise((r) => setTimeout(r, 3000))
  if (token === 'deny') return { principalId: 'd', policyDocument: { Version: '2012-10-17', Statement: [policy('Allow', '*').Statement[0], policy('Deny', stage + '/*').Statement[0]] } }
  if (token === 'elsewhere') return { principalId: 'e', policyDocument: policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:other/*') }
  if (token === 'nested') return { principalId: 'n', policyDocument: policy('Allow', '*'), context: { deep: { a: 1 } } }
  if (token === 'nopolicy') return { principalId: 'x' }
  const key = token.startsWith('key:') ? token.slice(4) : undefined
  return {
    principalId: 'user-' + token,
    policyDocument: policy('Allow', stage + '/GET/*'),
    context: { stamp, count: 42, admin: true, arn: event.methodArn, type: event.type },
    ...(key ? { usageIdentifierKey: key } : {}),
  }
}`

/** A REQUEST authorizer that reports what it was given. */
const REQUEST_AUTHORIZER = `
exports.handler = async (event) => ({
  principalId: event.headers && event.headers['X-User'] ? event.headers['X-User'] : 'anonymous',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
  context: {
    stamp: String(Date.now()) + Math.random(),
    type: event.type,
    tenant: event.queryStringParameters ? String(event.queryStringParameters.tenant) : 'none',
    stageVar: event.stageVariables ? String(event.stageVariables.mode) : 'none',
    hasBody: 'body' in event,
    path: event.path,
    resource: event.resource,
  },
})`

let tg: TestGateway
let lambda: LambdaClient
beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
  await createFunction(lambda, 'token-authorizer', { 'index.js': TOKEN_AUTHORIZER }, { timeout: 1 })
  await createFunction(lambda, 'request-authorizer', { 'index.js': REQUEST_AUTHORIZER })
  await createFunction(lambda, 'echo-event', {
    'index.js': 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) })',
  })
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

const ECHO_TEMPLATE =
  '{"principal": "$context.authorizer.principalId", "stamp": "$context.authorizer.stamp", "count": "$context.authorizer.count", "type": "$context.authorizer.type", "tenant": "$context.authorizer.tenant", "stageVar": "$context.authorizer.stageVar", "hasBody": "$context.authorizer.hasBody", "arn": "$context.authorizer.arn", "path": "$context.authorizer.path", "resource": "$context.authorizer.resource", "apiKeyId": "$context.identity.apiKeyId"}'

/**
 * An API with GET /items/{id} (MOCK echoing $context.authorizer), POST /items (MOCK) and
 * GET /proxy (AWS_PROXY echoing the event), all behind one authorizer, deployed to `prod`.
 */
async function authorizedApi(input: Omit<CreateAuthorizerCommandInput, 'restApiId'>, apiKeyRequired = false) {
  const { apiId, rootId } = await createApi(tg.client)
  const authorizer = await tg.client.send(new CreateAuthorizerCommand({ restApiId: apiId, ...input }))
  const items = await createPath(tg.client, apiId, rootId, 'items')
  const item = await createPath(tg.client, apiId, items, '{id}')
  const proxy = await createPath(tg.client, apiId, rootId, 'proxy')
  const guard = [
    { op: 'replace' as const, path: '/authorizationType', value: 'CUSTOM' },
    { op: 'replace' as const, path: '/authorizerId', value: authorizer.id! },
    { op: 'replace' as const, path: '/apiKeyRequired', value: String(apiKeyRequired) },
  ]
  for (const [resourceId, httpMethod] of [
    [item, 'GET'],
    [items, 'POST'],
  ] as const) {
    await putMockMethod(tg.client, apiId, resourceId, httpMethod, ECHO_TEMPLATE)
    await tg.client.send(
      new UpdateMethodCommand({ restApiId: apiId, resourceId, httpMethod, patchOperations: guard }),
    )
  }
  await tg.client.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId: proxy,
      httpMethod: 'GET',
      authorizationType: 'CUSTOM',
      authorizerId: authorizer.id,
      apiKeyRequired,
    }),
  )
  await tg.client.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId: proxy,
      httpMethod: 'GET',
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: functionUri('echo-event'),
    }),
  )
  await deploy(tg.client, apiId, 'prod', { mode: 'staged' })
  return { apiId, authorizerId: authorizer.id! }
}

async function call(apiId: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod${path}`, { method, headers })
  const text = await response.text()
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  }
}

const TOKEN_AUTHORIZER_INPUT = {
  name: 'token',
  type: 'TOKEN' as const,
  authorizerUri: functionUri('token-authorizer'),
  identitySource: 'method.request.header.Authorization',
  identityValidationExpression: '^[a-z0-9:-]+$',
}

describe('authorizer management', () => {
  it('creates, reads, lists, updates and deletes authorizers, and refuses what AWS refuses', async () => {
    const { apiId, rootId } = await createApi(tg.client)
    const created = await tg.client.send(
      new CreateAuthorizerCommand({ restApiId: apiId, ...TOKEN_AUTHORIZER_INPUT, authType: 'custom' }),
    )
    // Recorded shape (test_apigateway_with_custom_authorization_method "authorizer").
    expect(created).toMatchObject({
      authType: 'custom',
      authorizerUri: functionUri('token-authorizer'),
      identitySource: 'method.request.header.Authorization',
      name: 'token',
      type: 'TOKEN',
    })
    expect(created.authorizerResultTtlInSeconds).toBeUndefined()
    const got = await tg.client.send(new GetAuthorizerCommand({ restApiId: apiId, authorizerId: created.id }))
    expect(got.id).toBe(created.id)
    const updated = await tg.client.send(
      new UpdateAuthorizerCommand({
        restApiId: apiId,
        authorizerId: created.id,
        patchOperations: [
          { op: 'replace', path: '/name', value: 'renamed' },
          { op: 'replace', path: '/authorizerResultTtlInSeconds', value: '60' },
        ],
      }),
    )
    expect(updated).toMatchObject({ name: 'renamed', authorizerResultTtlInSeconds: 60 })
    const pool = await tg.client.send(
      new CreateAuthorizerCommand({
        restApiId: apiId,
        name: 'pool',
        type: 'COGNITO_USER_POOLS',
        providerARNs: ['arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_ABC123'],
        identitySource: 'method.request.header.Authorization',
      }),
    )
    const listed = await tg.client.send(new GetAuthorizersCommand({ restApiId: apiId }))
    expect(listed.items!.map((a) => a.name).sort()).toEqual(['pool', 'renamed'])

    // CUSTOM takes a Lambda authorizer, COGNITO_USER_POOLS a user pool one (recorded message).
    const invalid = {
      code: 'BadRequestException',
      message:
        'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
    }
    await expectAwsError(
      tg.client.send(
        new PutMethodCommand({
          restApiId: apiId,
          resourceId: rootId,
          httpMethod: 'GET',
          authorizationType: 'CUSTOM',
          authorizerId: pool.id,
        }),
      ),
      invalid,
    )
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'CUSTOM',
        authorizerId: created.id,
      }),
    )
    await expect(
      tg.client.send(new DeleteAuthorizerCommand({ restApiId: apiId, authorizerId: created.id })),
    ).rejects.toMatchObject({ name: 'ConflictException' })
    await tg.client.send(new DeleteAuthorizerCommand({ restApiId: apiId, authorizerId: pool.id }))
    await expectAwsError(
      tg.client.send(new GetAuthorizerCommand({ restApiId: apiId, authorizerId: pool.id })),
      { code: 'NotFoundException', message: 'Invalid Authorizer identifier specified' },
    )
    for (const bad of [
      { name: 'x', type: 'TOKEN' as const, identitySource: 'method.request.header.A' },
      { ...TOKEN_AUTHORIZER_INPUT, authorizerResultTtlInSeconds: 3601 },
      { ...TOKEN_AUTHORIZER_INPUT, identitySource: 'method.request.querystring.token' },
      { name: 'p', type: 'COGNITO_USER_POOLS' as const },
    ]) {
      await expect(
        tg.client.send(new CreateAuthorizerCommand({ restApiId: apiId, ...bad })),
      ).rejects.toMatchObject({ name: 'BadRequestException' })
    }
    expect((await tg.client.send(new GetAuthorizersCommand({ restApiId: apiId }))).items).toHaveLength(1)
  })
})

describe('TestInvokeAuthorizer', () => {
  it('calls the authorizer with the given headers and reports status, principal and policy', async () => {
    const { apiId } = await createApi(tg.client)
    const authorizer = await tg.client.send(
      new CreateAuthorizerCommand({ restApiId: apiId, ...TOKEN_AUTHORIZER_INPUT }),
    )
    const test = (token: string) =>
      tg.client.send(
        new TestInvokeAuthorizerCommand({
          restApiId: apiId,
          authorizerId: authorizer.id,
          headers: { Authorization: token },
        }),
      )
    const ok = await test('frank')
    expect(ok).toMatchObject({ clientStatus: 200, principalId: 'user-frank' })
    // The event carries AWS's test method ARN; the policy comes back as text.
    expect(JSON.parse(ok.policy!)).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Resource: `arn:aws:execute-api:us-east-1:000000000000:${apiId}/ESTestInvoke-stage/GET/*`,
        },
      ],
    })
    expect((await test('unauth')).clientStatus).toBe(401)
    expect((await test('boom')).clientStatus).toBe(500)
  })
})

describe('TOKEN authorizers', () => {
  it('passes principalId and context to templates and to the Lambda proxy event', async () => {
    const { apiId } = await authorizedApi(TOKEN_AUTHORIZER_INPUT)
    const ok = await call(apiId, '/items/7', { Authorization: 'alice' })
    expect(ok.status).toBe(200)
    expect(ok.json).toMatchObject({
      principal: 'user-alice',
      count: '42',
      type: 'TOKEN',
      arn: `arn:aws:execute-api:us-east-1:000000000000:${apiId}/prod/GET/items/7`,
    })
    const proxied = await call(apiId, '/proxy', { Authorization: 'bob' })
    const authorizer = (proxied.json?.['requestContext'] as Record<string, unknown>)['authorizer'] as Record<
      string,
      unknown
    >
    // Context values reach the proxy event as strings; integrationLatency is a number.
    expect(authorizer).toMatchObject({ principalId: 'user-bob', count: '42', admin: 'true' })
    expect(typeof authorizer['integrationLatency']).toBe('number')
  })

  it('answers AWS outcomes: 401 without a token, on a failed expression and on "Unauthorized"; 403 on a deny; 500 when broken', async () => {
    const { apiId } = await authorizedApi({ ...TOKEN_AUTHORIZER_INPUT, authorizerResultTtlInSeconds: 0 })
    const unauthorized = {
      status: 401,
      errorType: 'UnauthorizedException',
      json: { message: 'Unauthorized' },
    }
    expect(await call(apiId, '/items/1')).toEqual(unauthorized)
    expect(await call(apiId, '/items/1', { Authorization: 'UPPER CASE' })).toEqual(unauthorized)
    expect(await call(apiId, '/items/1', { Authorization: 'unauth' })).toEqual(unauthorized)
    expect(await call(apiId, '/items/1', { Authorization: 'deny' })).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      json: { Message: 'User is not authorized to access this resource with an explicit deny' },
    })
    expect(await call(apiId, '/items/1', { Authorization: 'elsewhere' })).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      json: { Message: 'User is not authorized to access this resource' },
    })
    // The policy allows GET only: POST on the same API is denied.
    expect((await call(apiId, '/items', { Authorization: 'alice' }, 'POST')).status).toBe(403)
    for (const token of ['boom', 'nested', 'nopolicy', 'slow']) {
      expect(await call(apiId, '/items/1', { Authorization: token }), token).toEqual({
        status: 500,
        errorType: 'AuthorizerConfigurationException',
        json: { message: null },
      })
    }
  })

  it('caches a result per token for the TTL, evaluating the cached policy for each method', async () => {
    const { apiId } = await authorizedApi({ ...TOKEN_AUTHORIZER_INPUT, authorizerResultTtlInSeconds: 300 })
    const stamps = new Set<unknown>()
    for (let i = 0; i < 5; i++)
      stamps.add((await call(apiId, `/items/${i}`, { Authorization: 'carol' })).json?.['stamp'])
    expect(stamps.size).toBe(1)
    const other = await call(apiId, '/items/1', { Authorization: 'dave' })
    expect(other.json?.['principal']).toBe('user-dave')
    expect(stamps.has(other.json?.['stamp'])).toBe(false)
    // The cached policy (GET only) is evaluated against POST too.
    expect((await call(apiId, '/items', { Authorization: 'carol' }, 'POST')).status).toBe(403)
    // TTL 0: every request calls the authorizer.
    const { apiId: uncached } = await authorizedApi({
      ...TOKEN_AUTHORIZER_INPUT,
      authorizerResultTtlInSeconds: 0,
    })
    const fresh = new Set<unknown>()
    for (let i = 0; i < 3; i++)
      fresh.add((await call(uncached, '/items/1', { Authorization: 'carol' })).json?.['stamp'])
    expect(fresh.size).toBe(3)
  })

  it('feeds the API key from usageIdentifierKey when apiKeySource is AUTHORIZER', async () => {
    const { apiId } = await authorizedApi(
      { ...TOKEN_AUTHORIZER_INPUT, authorizerResultTtlInSeconds: 0 },
      true,
    )
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' }],
      }),
    )
    await deploy(tg.client, apiId, 'prod', { mode: 'staged' })
    const key = await tg.client.send(
      new CreateApiKeyCommand({ name: 'from-authorizer', enabled: true, value: 'authorizerkey0123456789' }),
    )
    const plan = await tg.client.send(
      new CreateUsagePlanCommand({ name: 'authorizer-keys', apiStages: [{ apiId, stage: 'prod' }] }),
    )
    await tg.client.send(
      new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
    )
    const ok = await call(apiId, '/items/1', { Authorization: 'key:authorizerkey0123456789' })
    expect(ok.status).toBe(200)
    expect(ok.json?.['apiKeyId']).toBe(key.id)
    // The x-api-key header does not count with apiKeySource AUTHORIZER.
    const header = await call(apiId, '/items/1', { Authorization: 'alice', 'x-api-key': key.value! })
    expect(header).toMatchObject({ status: 403, json: { message: 'Forbidden' } })
  })
})

describe('Lambda authorizers with a resource policy', () => {
  it('refuses on an explicit Deny before calling the authorizer, and lets the authorizer decide otherwise', async () => {
    const { apiId } = await authorizedApi({ ...TOKEN_AUTHORIZER_INPUT, authorizerResultTtlInSeconds: 0 })
    const setPolicy = async (effect: string) => {
      const statement = {
        Effect: effect,
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/GET/items/*',
      }
      await tg.client.send(
        new UpdateRestApiCommand({
          restApiId: apiId,
          patchOperations: [
            {
              op: 'replace',
              path: '/policy',
              value: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
            },
          ],
        }),
      )
      await deploy(tg.client, apiId, 'prod', { mode: 'staged' })
    }
    await setPolicy('Deny')
    // "unauth" would make the authorizer answer 401: the resource policy answers first.
    expect(await call(apiId, '/items/1', { Authorization: 'unauth' })).toMatchObject({
      status: 403,
      json: {
        Message: expect.stringMatching(
          /^User: anonymous is not authorized .* with an explicit deny$/,
        ) as string,
      },
    })
    // The policy neither allows nor denies POST /items: the authorizer's Allow of GET only decides.
    expect((await call(apiId, '/items', { Authorization: 'alice' }, 'POST')).status).toBe(403)
    await setPolicy('Allow')
    expect((await call(apiId, '/items/1', { Authorization: 'alice' })).status).toBe(200)
    expect((await call(apiId, '/items/1', { Authorization: 'unauth' })).status).toBe(401)
  })
})

describe('REQUEST authorizers', () => {
  const input = {
    name: 'request',
    type: 'REQUEST' as const,
    authorizerUri: functionUri('request-authorizer'),
    identitySource: 'method.request.header.X-User, method.request.querystring.tenant',
  }

  it('gets the request without its body, and is not called when a source is missing with caching on', async () => {
    const { apiId } = await authorizedApi({ ...input, authorizerResultTtlInSeconds: 300 })
    const ok = await call(apiId, '/items/9?tenant=acme', { 'X-User': 'erin' })
    expect(ok.json).toMatchObject({
      principal: 'erin',
      type: 'REQUEST',
      tenant: 'acme',
      stageVar: 'staged',
      hasBody: 'false',
      path: '/items/9',
      resource: '/items/{id}',
    })
    expect(await call(apiId, '/items/9', { 'X-User': 'erin' })).toMatchObject({
      status: 401,
      json: { message: 'Unauthorized' },
    })
    // Cached per the values of every source: another tenant is another call.
    const again = await call(apiId, '/items/9?tenant=acme', { 'X-User': 'erin' })
    const otherTenant = await call(apiId, '/items/9?tenant=beta', { 'X-User': 'erin' })
    expect(again.json?.['stamp']).toBe(ok.json?.['stamp'])
    expect(otherTenant.json?.['stamp']).not.toBe(ok.json?.['stamp'])
  })

  it('calls the function despite a missing source when caching is off', async () => {
    const { apiId } = await authorizedApi({ ...input, authorizerResultTtlInSeconds: 0 })
    const anonymous = await call(apiId, '/items/9')
    expect(anonymous).toMatchObject({ status: 200, json: { principal: 'anonymous', tenant: 'none' } })
  })
})
