import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway'
import { describe, expect, it } from 'vitest'
import {
  createPath,
  httpRequest,
  putMethodWithIntegration,
  putMockMethod,
  setResponseTemplates,
} from '../support/apis.js'
import { gatewayWithBackend } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

// One canonical path (src/dataplane/routing/canonical.ts) for routing, the method ARN (resource
// policies, Lambda authorizers) and the cache key (issue 16). `%2F` is never a separator before
// routing; a Deny on /admin/* holds for every spelling of /admin/x; dot segments are refused.
// Equivalent spellings (RFC 3986 section 6.2.2): `%61` is `a`, `%2f` is `%2F`.

const DENY_ADMIN = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: ['execute-api:/*/*/admin', 'execute-api:/*/*/admin/*'],
    },
  ],
})

/** A TOKEN authorizer that allows what it is asked about and hands the method ARN back. */
const ARN_AUTHORIZER = `
exports.handler = async (event) => ({
  principalId: 'p',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
  context: { arn: event.methodArn },
})`

describe('one canonical path for routing, policies, authorizers and the cache', () => {
  let base = ''
  let authorized = ''
  const env = gatewayWithBackend(async (tg, backend) => {
    const api = await tg.client.send(new CreateRestApiCommand({ name: 'canonical', policy: DENY_ADMIN }))
    const apiId = api.id!
    const rootId = api.rootResourceId!
    const catchAll = await createPath(tg.client, apiId, rootId, '{proxy+}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      catchAll,
      'GET',
      {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: `${backend.url}/{proxy}`,
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        cacheKeyParameters: ['method.request.path.proxy'],
      },
      { requestParameters: { 'method.request.path.proxy': true } },
    )
    const admin = await createPath(tg.client, apiId, rootId, 'admin')
    await putMockMethod(tg.client, apiId, admin, 'GET', '{"resource": "/admin"}')
    const adminAll = await createPath(tg.client, apiId, admin, '{proxy+}')
    await putMockMethod(tg.client, apiId, adminAll, 'GET', '{"resource": "/admin/{proxy+}"}')
    const a = await createPath(tg.client, apiId, rootId, 'a')
    const ab = await createPath(tg.client, apiId, a, 'b')
    await putMockMethod(tg.client, apiId, ab, 'GET', '{"resource": "/a/b"}')
    const aId = await createPath(tg.client, apiId, a, '{id}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      aId,
      'GET',
      { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      { responseTemplates: { 'application/json': `{"resource": "/a/{id}", "id": "$input.params('id')"}` } },
    )
    const user = await createPath(tg.client, apiId, rootId, 'users/{id}')
    await putMethodWithIntegration(
      tg.client,
      apiId,
      user,
      'GET',
      {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: `${backend.url}/users/{id}`,
        requestParameters: { 'integration.request.path.id': 'method.request.path.id' },
        cacheKeyParameters: ['method.request.path.id'],
      },
      { requestParameters: { 'method.request.path.id': true } },
    )
    await tg.client.send(
      new CreateDeploymentCommand({
        restApiId: apiId,
        stageName: 'prod',
        cacheClusterEnabled: true,
        cacheClusterSize: '0.5',
      }),
    )
    base = `/_aws/execute-api/${apiId}/prod`

    // A second API: a Lambda authorizer reports the method ARN it was asked about.
    await createFunction(lambdaClient(tg.url), 'arn-authorizer', { 'index.js': ARN_AUTHORIZER })
    const second = await tg.client.send(new CreateRestApiCommand({ name: 'authorized' }))
    const authorizer = await tg.client.send(
      new CreateAuthorizerCommand({
        restApiId: second.id!,
        name: 'arn',
        type: 'TOKEN',
        identitySource: 'method.request.header.Authorization',
        authorizerResultTtlInSeconds: 0,
        authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:arn-authorizer/invocations`,
      }),
    )
    const p = await createPath(tg.client, second.id!, second.rootResourceId!, 'p/{proxy+}')
    await tg.client.send(
      new PutMethodCommand({
        restApiId: second.id!,
        resourceId: p,
        httpMethod: 'GET',
        authorizationType: 'CUSTOM',
        authorizerId: authorizer.id!,
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: second.id!,
        resourceId: p,
        httpMethod: 'GET',
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
      }),
    )
    await setResponseTemplates(tg.client, second.id!, p, 'GET', {
      'application/json': `{"arn": "$context.authorizer.arn", "proxy": "$input.params('proxy')"}`,
    })
    await tg.client.send(new CreateDeploymentCommand({ restApiId: second.id!, stageName: 'prod' }))
    authorized = `/_aws/execute-api/${second.id!}/prod`
  })

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await httpRequest(env.tg.url, { path: `${base}${path}`, headers })
    const text = response.body.toString()
    return {
      status: response.status,
      text,
      json: text.startsWith('{') ? (JSON.parse(text) as unknown) : text,
    }
  }

  describe('routing: an encoded slash stays inside its segment', () => {
    for (const [path, expected] of [
      ['/a/b', { resource: '/a/b' }],
      ['/a/b/', { resource: '/a/b' }],
      ['/%61/%62', { resource: '/a/b' }],
      ['/a/x%2Fy', { resource: '/a/{id}', id: 'x%2Fy' }],
      ['/a/x%2fy', { resource: '/a/{id}', id: 'x%2Fy' }],
    ] as const) {
      it(`${path} reaches ${expected.resource}`, async () => {
        const response = await get(path)
        expect(response.status).toBe(200)
        expect(response.json).toEqual(expected)
      })
    }

    for (const [path, sent] of [
      ['/a%2Fb', '/a%2Fb'],
      ['/b%2fa', '/b%2Fa'],
      ['/x/a%2F..%2Fb', '/x/a%2F..%2Fb'],
    ] as const) {
      it(`${path} is not /a/b: {proxy+} holds it, the backend gets ${sent}`, async () => {
        const before = env.backend.received.length
        const response = await get(path)
        expect(response.status).toBe(200)
        expect(env.backend.received.length).toBe(before + 1)
        expect(env.backend.received.at(-1)?.url).toBe(sent)
      })
    }
  })

  describe('a resource policy Deny on /admin and /admin/*', () => {
    for (const path of [
      '/admin',
      '/admin/',
      '//admin',
      '/%61dmin',
      '/%61%64%6D%69%6E',
      '/admin/x',
      '/%61dmin/x',
      '//admin//x',
      '/admin%2Fx',
      '/admin%2fx',
    ]) {
      it(`refuses ${path} with the explicit deny, reaching nothing`, async () => {
        const before = env.backend.received.length
        const response = await get(path)
        expect(response.status).toBe(403)
        expect(response.text).toContain('with an explicit deny')
        expect(env.backend.received.length).toBe(before)
      })
    }

    it('lets /public and /administrator through', async () => {
      expect((await get('/public')).status).toBe(200)
      expect((await get('/administrator')).status).toBe(200)
    })
  })

  describe('dot segments have no canonical form', () => {
    for (const path of ['/admin/./x', '/x/../admin', '/x/%2e%2E/admin', '/x/.%2e/admin', '/admin/.', '/.']) {
      it(`refuses ${path} with 400 before routing`, async () => {
        const before = env.backend.received.length
        const response = await get(path)
        expect(response.status).toBe(400)
        expect(response.json).toEqual({ message: 'Bad Request' })
        expect(env.backend.received.length).toBe(before)
      })
    }
  })

  it('keys the cache on the canonical path parameter', async () => {
    const before = env.backend.received.length
    expect((await get('/users/1')).status).toBe(200)
    expect(env.backend.received.length).toBe(before + 1)
    for (const same of ['/users/%31', '/users/1/', '//users/1']) {
      expect((await get(same)).status).toBe(200)
      expect(env.backend.received.length).toBe(before + 1)
    }
    expect((await get('/users/a%2fb')).status).toBe(200)
    expect((await get('/users/a%2Fb')).status).toBe(200)
    expect(env.backend.received.length).toBe(before + 2)
    expect(env.backend.received.at(-1)?.url).toBe('/users/a%2Fb')
    expect((await get('/users/2')).status).toBe(200)
    expect(env.backend.received.length).toBe(before + 3)
  })

  it('hands a Lambda authorizer the canonical path in its methodArn', async () => {
    const response = await httpRequest(env.tg.url, {
      path: `${authorized}/p/%61b/x%2fy/`,
      headers: { authorization: 'token' },
    })
    expect(response.status).toBe(200)
    const body = JSON.parse(response.body.toString()) as { arn: string; proxy: string }
    expect(body.arn).toMatch(/\/prod\/GET\/p\/ab\/x%2Fy$/)
    expect(body.proxy).toBe('ab/x%2Fy')
  })
})
