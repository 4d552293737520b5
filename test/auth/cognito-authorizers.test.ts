import {
  CreateAuthorizerCommand,
  CreateRestApiCommand,
  GetAuthorizersCommand,
  TestInvokeAuthorizerCommand,
  UpdateMethodCommand,
} from '@aws-sdk/client-api-gateway'
import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPath, deploy, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { CLIENT_ID, startJwtIssuer, type JwtIssuer } from '../support/jwt-issuer.js'

// COGNITO_USER_POOLS authorizers (AWS docs "apigateway-integrate-with-cognito",
// "apigateway-enable-cognito-user-pool"; Cognito "amazon-cognito-user-pools-using-tokens-verifying-a-jwt"),
// against a real JWT issuer on 127.0.0.1 standing in for Cognito (--cognito-issuer-base).

const POOL = 'us-east-1_TestPool1'
const OTHER_POOL = 'us-east-1_OtherPool'
const poolArn = (pool: string) => `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${pool}`

let issuer: JwtIssuer
let tg: TestGateway
let apiId: string
beforeAll(async () => {
  issuer = await startJwtIssuer()
  tg = await startTestGateway({ cognitoIssuerBase: issuer.base, cognitoClientIds: [CLIENT_ID] })
  const api = await tg.client.send(new CreateRestApiCommand({ name: 'cognito' }))
  apiId = api.id!
  const authorizer = await tg.client.send(
    new CreateAuthorizerCommand({
      restApiId: apiId,
      name: 'pool',
      type: 'COGNITO_USER_POOLS',
      providerARNs: [poolArn(POOL)],
      identitySource: 'method.request.header.Authorization',
    }),
  )
  const template =
    '{"sub": "$context.authorizer.claims.sub", "email": "$context.authorizer.claims.email", "groups": "$context.authorizer.claims[\'cognito:groups\']", "exp": "$context.authorizer.claims.exp"}'
  for (const [path, scopes] of [
    ['profile', undefined],
    ['orders', ['orders/read', 'orders/write']],
  ] as const) {
    const resourceId = await createPath(tg.client, apiId, api.rootResourceId!, path)
    await putMockMethod(tg.client, apiId, resourceId, 'GET', template)
    await tg.client.send(
      new UpdateMethodCommand({
        restApiId: apiId,
        resourceId,
        httpMethod: 'GET',
        patchOperations: [
          { op: 'replace', path: '/authorizationType', value: 'COGNITO_USER_POOLS' },
          { op: 'replace', path: '/authorizerId', value: authorizer.id },
          ...(scopes ?? []).map((scope) => ({
            op: 'add' as const,
            path: '/authorizationScopes',
            value: scope,
          })),
        ],
      }),
    )
  }
  await deploy(tg.client, apiId, 'prod')
})
afterAll(async () => {
  await tg.close()
  await issuer.close()
})

async function call(path: string, token?: string) {
  const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/${path}`, {
    headers: token ? { Authorization: token } : {},
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

const UNAUTHORIZED = { status: 401, json: { message: 'Unauthorized' } }

describe('COGNITO_USER_POOLS authorizers', () => {
  it('TestInvokeAuthorizer verifies a token and reports its claims', async () => {
    const authorizers = await tg.client.send(new GetAuthorizersCommand({ restApiId: apiId }))
    const test = (token: string) =>
      tg.client.send(
        new TestInvokeAuthorizerCommand({
          restApiId: apiId,
          authorizerId: authorizers.items![0]!.id,
          headers: { Authorization: token },
        }),
      )
    const ok = await test(await issuer.idToken(POOL))
    expect(ok).toMatchObject({ clientStatus: 200, claims: { email: 'alice@example.com' } })
    expect((await test(await issuer.foreignToken(POOL))).clientStatus).toBe(401)
  })

  it('accepts an ID token on a method without scopes and exposes its claims', async () => {
    const token = await issuer.idToken(POOL)
    const ok = await call('profile', token)
    expect(ok.status).toBe(200)
    expect(ok.json).toMatchObject({
      sub: 'c0ffee00-1111-2222-3333-444455556666',
      email: 'alice@example.com',
      groups: 'admins,users',
    })
    // exp as REST API events show it: a Java date in UTC.
    expect(ok.json['exp']).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/)
    expect((await call('profile', `Bearer ${token}`)).status).toBe(200)
  })

  it('takes an access token holding one of the scopes on a scoped method', async () => {
    expect((await call('orders', await issuer.accessToken(POOL, 'openid orders/read'))).status).toBe(200)
    expect(await call('orders', await issuer.accessToken(POOL, 'openid profile'))).toEqual(UNAUTHORIZED)
    expect(
      await call(
        'orders',
        await issuer.accessToken(POOL, 'orders/read', { client_id: 'someotherappclient000000' }),
      ),
    ).toEqual(UNAUTHORIZED)
    expect(await call('orders', await issuer.idToken(POOL))).toEqual(UNAUTHORIZED)
    expect(await call('profile', await issuer.accessToken(POOL, 'orders/read'))).toEqual(UNAUTHORIZED)
  })

  it('refuses missing, unsigned, foreign, expired, tampered and other-pool tokens with 401', async () => {
    const good = await issuer.idToken(POOL)
    const [header, payload, signature] = good.split('.') as [string, string, string]
    const tampered = `${header}.${Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        email: 'mallory@example.com',
      }),
    ).toString('base64url')}.${signature}`
    const none = new UnsecuredJWT({ token_use: 'id', aud: CLIENT_ID })
      .setIssuer(issuer.issuer(POOL))
      .setExpirationTime('1h')
      .encode()
    const hs256 = await new SignJWT({ token_use: 'id', aud: CLIENT_ID })
      .setProtectedHeader({ alg: 'HS256', kid: 'tollgate-test-key' })
      .setIssuer(issuer.issuer(POOL))
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('the-public-key-is-not-a-secret-000000'))
    const expired = await issuer.idToken(POOL, {}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })
    for (const [name, token] of [
      ['missing', undefined],
      ['not a JWT', 'garbage'],
      ['alg none', none],
      ['HS256', hs256],
      ['foreign key', await issuer.foreignToken(POOL)],
      ['expired', expired],
      ['tampered', tampered],
      ['other pool', await issuer.idToken(OTHER_POOL)],
      ['another client', await issuer.idToken(POOL, { aud: 'someotherappclient000000' })],
    ] as const) {
      expect(await call('profile', token), name).toEqual(UNAUTHORIZED)
    }
  })
})
