import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  UpdateMethodCommand,
  UpdateRestApiCommand,
  type CreateAuthorizerCommandInput,
} from '@aws-sdk/client-api-gateway'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, httpRequest, putMockMethod, requireApiKey } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

// Attack suite, part 1 (issue 16): API keys that must not open a method, and Lambda authorizer
// results that must not leak from one caller to another through the result cache. Each case is a
// real request to a real gateway; a good key / a fresh caller is the control that shows the case
// could pass. Related functional tests: test/controlplane/apikeys.test.ts,
// test/auth/lambda-authorizers.test.ts.

let tg: TestGateway
let lambda: LambdaClient
beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
  // Answers from the identity alone: "deny-*" tokens get a Deny, others an Allow, and every
  // answer carries a stamp new on each call (so a cached answer shows as a repeated stamp);
  // "key:<value>" tokens also name an API key (usageIdentifierKey, for apiKeySource AUTHORIZER).
  await createFunction(lambda, 'attack-authorizer', {
    'index.js': `exports.handler = async (event) => {
      const who = event.type === 'TOKEN'
        ? event.authorizationToken
        : JSON.stringify([event.queryStringParameters.user, event.queryStringParameters.tenant])
      const first = event.type === 'TOKEN' ? event.authorizationToken : event.queryStringParameters.user
      const effect = first.startsWith('deny-') ? 'Deny' : 'Allow'
      const key = first.startsWith('key:') ? first.slice(4) : undefined
      return {
        ...(key ? { usageIdentifierKey: key } : {}),
        principalId: who,
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn.split('/').slice(0, 2).join('/') + '/*' }] },
        context: { who, stamp: String(Date.now()) + Math.random() },
      }
    }`,
  })
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

async function get(url: string, headers: Record<string, string> = {}) {
  const { pathname, search } = new URL(url)
  const response = await httpRequest(url, { path: pathname + search, headers })
  const text = response.body.toString()
  return {
    status: response.status,
    errorType: response.headers['x-amzn-errortype'],
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  }
}

// AWS: "If there is a match, API Gateway throttles the requests [...]. Otherwise, it throws an
// InvalidKeyParameter exception. As a result, the caller receives a 403 Forbidden response."
// (developer guide "api-gateway-api-key-source"); body and error type: AWS-BEHAVIOR §3.1.
const FORBIDDEN = { status: 403, errorType: 'ForbiddenException', json: { message: 'Forbidden' } }

describe('attacks on API keys', () => {
  let url = ''
  let other = ''
  const keys: Record<string, string> = {}
  beforeAll(async () => {
    const { apiId, rootId } = await createApi(tg.client, 'keyed')
    await putMockMethod(tg.client, apiId, rootId, 'GET', '{"key": "$context.identity.apiKeyId"}')
    await requireApiKey(tg.client, apiId, rootId, 'GET')
    await deploy(tg.client, apiId, 'prod')
    await deploy(tg.client, apiId, 'beta')
    const second = await createApi(tg.client, 'another')
    await putMockMethod(tg.client, second.apiId, second.rootId, 'GET', '{}')
    await requireApiKey(tg.client, second.apiId, second.rootId, 'GET')
    await deploy(tg.client, second.apiId, 'prod')
    other = `${tg.url}/_aws/execute-api/${second.apiId}/prod/`
    url = `${tg.url}/_aws/execute-api/${apiId}`
    const plan = async (name: string, apiStages: { apiId: string; stage: string }[]) =>
      (await tg.client.send(new CreateUsagePlanCommand({ name, apiStages }))).id!
    const plans = {
      prod: await plan('prod-plan', [{ apiId, stage: 'prod' }]),
      beta: await plan('beta-plan', [{ apiId, stage: 'beta' }]),
      elsewhere: await plan('other-api-plan', [{ apiId: second.apiId, stage: 'prod' }]),
    }
    for (const [name, planId, enabled] of [
      ['good', plans.prod, true],
      ['disabled', plans.prod, false],
      ['beta', plans.beta, true],
      ['elsewhere', plans.elsewhere, true],
    ] as const) {
      const key = await tg.client.send(new CreateApiKeyCommand({ name, enabled }))
      await tg.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId: key.id, keyType: 'API_KEY' }),
      )
      keys[name] = key.value!
      keys[`${name}Id`] = key.id!
    }
  })

  it('serves the key of a plan of this API and stage (the control)', async () => {
    expect(await get(`${url}/prod/`, { 'x-api-key': keys['good']! })).toMatchObject({
      status: 200,
      json: { key: keys['goodId'] },
    })
  })

  it("refuses a key of another API's usage plan, though that key opens the other API", async () => {
    expect(await get(`${url}/prod/`, { 'x-api-key': keys['elsewhere']! })).toEqual(FORBIDDEN)
    expect((await get(other, { 'x-api-key': keys['elsewhere']! })).status).toBe(200)
  })

  it('refuses a key whose plan covers another stage of the same API', async () => {
    expect(await get(`${url}/prod/`, { 'x-api-key': keys['beta']! })).toEqual(FORBIDDEN)
    expect((await get(`${url}/beta/`, { 'x-api-key': keys['beta']! })).status).toBe(200)
  })

  it('refuses a disabled key of the right plan', async () => {
    expect(await get(`${url}/prod/`, { 'x-api-key': keys['disabled']! })).toEqual(FORBIDDEN)
  })

  it('refuses a good key sent only in the query string (apiKeySource HEADER reads X-API-Key alone)', async () => {
    expect(await get(`${url}/prod/?x-api-key=${keys['good']!}`)).toEqual(FORBIDDEN)
    expect(await get(`${url}/prod/?X-API-Key=${keys['good']!}&api_key=${keys['good']!}`)).toEqual(FORBIDDEN)
  })

  it('refuses a good key under a header spelled x_api_key (no underscore-to-dash folding)', async () => {
    expect(await get(`${url}/prod/`, { x_api_key: keys['good']! })).toEqual(FORBIDDEN)
    expect(await get(`${url}/prod/`, { 'x-api_key': keys['good']! })).toEqual(FORBIDDEN)
  })

  it('with apiKeySource AUTHORIZER, refuses the keys the authorizer names unless enabled and in a plan of this stage', async () => {
    const { url, apiId } = await authorizedApi(
      {
        type: 'TOKEN',
        identitySource: 'method.request.header.Authorization',
        authorizerResultTtlInSeconds: 0,
      },
      true,
    )
    const plan = await tg.client.send(
      new CreateUsagePlanCommand({ name: 'authorizer-plan', apiStages: [{ apiId, stage: 'prod' }] }),
    )
    for (const name of ['good', 'disabled'])
      await tg.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: keys[`${name}Id`], keyType: 'API_KEY' }),
      )
    expect((await get(url, { Authorization: `key:${keys['good']!}` })).status).toBe(200)
    for (const name of ['disabled', 'beta', 'elsewhere'])
      expect(await get(url, { Authorization: `key:${keys[name]!}` }), name).toEqual(FORBIDDEN)
    // No key from the authorizer: a good x-api-key header does not stand in for it.
    expect(await get(url, { Authorization: 'nokey', 'x-api-key': keys['good']! })).toEqual(FORBIDDEN)
  })

  it('refuses a good key with bytes around it, and a key id in place of the key', async () => {
    expect(await get(`${url}/prod/`, { 'x-api-key': `${keys['good']!}x` })).toEqual(FORBIDDEN)
    expect(await get(`${url}/prod/`, { 'x-api-key': keys['good']!.slice(0, -1) })).toEqual(FORBIDDEN)
    expect(await get(`${url}/prod/`, { 'x-api-key': keys['goodId']! })).toEqual(FORBIDDEN)
  })
})

const functionUri = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`

/**
 * An API whose GET /who (MOCK, echoing $context.authorizer) is behind a caching authorizer;
 * `keysFromAuthorizer` also requires an API key, read from the authorizer's answer.
 */
async function authorizedApi(
  input: Omit<CreateAuthorizerCommandInput, 'restApiId' | 'name'>,
  keysFromAuthorizer = false,
): Promise<{ url: string; apiId: string }> {
  const { apiId, rootId } = await createApi(tg.client, 'authorized')
  const authorizer = await tg.client.send(
    new CreateAuthorizerCommand({
      restApiId: apiId,
      name: 'cached',
      authorizerUri: functionUri('attack-authorizer'),
      authorizerResultTtlInSeconds: 300,
      ...input,
    }),
  )
  const who = await createPath(tg.client, apiId, rootId, 'who')
  await putMockMethod(
    tg.client,
    apiId,
    who,
    'GET',
    '{"principal": "$util.escapeJavaScript($context.authorizer.principalId)", "stamp": "$context.authorizer.stamp"}',
  )
  await tg.client.send(
    new UpdateMethodCommand({
      restApiId: apiId,
      resourceId: who,
      httpMethod: 'GET',
      patchOperations: [
        { op: 'replace', path: '/authorizationType', value: 'CUSTOM' },
        { op: 'replace', path: '/authorizerId', value: authorizer.id! },
        ...(keysFromAuthorizer ? [{ op: 'replace' as const, path: '/apiKeyRequired', value: 'true' }] : []),
      ],
    }),
  )
  if (keysFromAuthorizer)
    await tg.client.send(
      new UpdateRestApiCommand({
        restApiId: apiId,
        patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' }],
      }),
    )
  await deploy(tg.client, apiId, 'prod')
  return { url: `${tg.url}/_aws/execute-api/${apiId}/prod/who`, apiId }
}

describe('attacks on the Lambda authorizer result cache', () => {
  it('TOKEN: a second token never gets the policy or context cached for the first', async () => {
    const { url } = await authorizedApi({
      type: 'TOKEN',
      identitySource: 'method.request.header.Authorization',
    })
    const alice = await get(url, { Authorization: 'alice' })
    expect(alice).toMatchObject({ status: 200, json: { principal: 'alice' } })
    // Cached for alice: her second call repeats the stamp (the control that caching is on).
    expect((await get(url, { Authorization: 'alice' })).json?.['stamp']).toBe(alice.json?.['stamp'])
    // A token denied by the authorizer is denied though an Allow for another token is cached.
    expect(await get(url, { Authorization: 'deny-mallory' })).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      json: { Message: 'User is not authorized to access this resource with an explicit deny' },
    })
    // Tokens that differ from alice's only a little are other identities, each with its own answer
    // (a trailing space is not a difference: HTTP drops it before the gateway sees the header).
    for (const token of ['alice2', 'Alice', 'xalice', ' alice\t.', 'alice,alice']) {
      const answer = await get(url, { Authorization: token })
      expect(answer.status, JSON.stringify(token)).toBe(200)
      expect(answer.json?.['stamp'], JSON.stringify(token)).not.toBe(alice.json?.['stamp'])
      expect(answer.json?.['principal'], JSON.stringify(token)).not.toBe('alice')
    }
    // And the Deny cached for mallory does not stick to alice.
    expect((await get(url, { Authorization: 'alice' })).status).toBe(200)
  })

  it('REQUEST: results are cached per the values of every identity source, which cannot be made to collide', async () => {
    const { url } = await authorizedApi({
      type: 'REQUEST',
      identitySource: 'method.request.querystring.user, method.request.querystring.tenant',
    })
    const first = await get(`${url}?user=alice&tenant=acme`)
    expect(first).toMatchObject({ status: 200, json: { principal: '["alice","acme"]' } })
    expect((await get(`${url}?user=alice&tenant=acme`)).json?.['stamp']).toBe(first.json?.['stamp'])
    // Same values in other sources: another identity.
    const swapped = await get(`${url}?user=acme&tenant=alice`)
    expect(swapped.json?.['principal']).toBe('["acme","alice"]')
    // Values that would join to the same string with any separator (here NUL, sent as %00, and
    // the comma) are still two identities.
    const a = await get(`${url}?user=deny-a%00b&tenant=c`)
    const b = await get(`${url}?user=deny-a&tenant=b%00c`)
    expect(a.status).toBe(403)
    expect(b.status).toBe(403)
    const allowed = await get(`${url}?user=a%00b&tenant=c`)
    const collided = await get(`${url}?user=a&tenant=b%00c`)
    expect(allowed).toMatchObject({ status: 200, json: { principal: '["a\\u0000b","c"]' } })
    expect(collided).toMatchObject({ status: 200, json: { principal: '["a","b\\u0000c"]' } })
    expect(collided.json?.['stamp']).not.toBe(allowed.json?.['stamp'])
    const comma = await get(`${url}?user=a,b&tenant=c`)
    const comma2 = await get(`${url}?user=a&tenant=b,c`)
    expect(comma2.json?.['stamp']).not.toBe(comma.json?.['stamp'])
    expect(comma2.json?.['principal']).toBe('["a","b,c"]')
  })
})
