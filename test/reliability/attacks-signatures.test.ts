import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateRestApiCommand,
  GetRestApisCommand,
  UpdateMethodCommand,
} from '@aws-sdk/client-api-gateway'
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPath, deploy, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { CLIENT_ID, startJwtIssuer, type JwtIssuer } from '../support/jwt-issuer.js'
import { tempDir } from '../support/process.js'

// Attack suite, part 2 (issue 16): forged, stale, replayed and re-signed credentials against
// AWS_IAM (SigV4) methods, a COGNITO_USER_POOLS authorizer, and the management API of a gateway
// in server mode (--auth). One gateway holds all three. Related functional tests:
// test/auth/iam.test.ts, test/auth/sigv4.test.ts, test/auth/cognito-authorizers.test.ts,
// test/controlplane/auth.test.ts.

/** The management key the test's own SDK client signs with (server mode refuses anything else). */
const ADMIN = { accessKeyId: 'test', secretAccessKey: 'test' }
const ALICE = { accessKeyId: 'AKIAALICE0000000', secretAccessKey: 'alice-secret-key-0000000000000000000000' }
const POOL = 'us-east-1_AttackPool'

let tg: TestGateway
let issuer: JwtIssuer
let port: string
let iamApi: string
let cognitoApi: string
beforeAll(async () => {
  issuer = await startJwtIssuer()
  const file = join(tempDir('tollgate-attacks-'), 'credentials.json')
  writeFileSync(
    file,
    JSON.stringify({
      credentials: [
        { ...ADMIN, userArn: 'arn:aws:iam::000000000000:user/admin' },
        { ...ALICE, userArn: 'arn:aws:iam::000000000000:user/alice' },
      ],
    }),
  )
  tg = await startTestGateway({
    auth: true,
    credentialsFile: file,
    cognitoIssuerBase: issuer.base,
    cognitoClientIds: [CLIENT_ID],
  })
  port = new URL(tg.url).port

  const iam = await tg.client.send(new CreateRestApiCommand({ name: 'iam' }))
  iamApi = iam.id!
  const other = await createPath(tg.client, iamApi, iam.rootResourceId!, 'other')
  for (const resourceId of [iam.rootResourceId!, other]) {
    await putMockMethod(tg.client, iamApi, resourceId, 'POST', '{"caller": "$context.identity.userArn"}')
    await tg.client.send(
      new UpdateMethodCommand({
        restApiId: iamApi,
        resourceId,
        httpMethod: 'POST',
        patchOperations: [{ op: 'replace', path: '/authorizationType', value: 'AWS_IAM' }],
      }),
    )
  }
  await deploy(tg.client, iamApi, 'prod')

  const cognito = await tg.client.send(new CreateRestApiCommand({ name: 'cognito' }))
  cognitoApi = cognito.id!
  const authorizer = await tg.client.send(
    new CreateAuthorizerCommand({
      restApiId: cognitoApi,
      name: 'pool',
      type: 'COGNITO_USER_POOLS',
      providerARNs: [`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL}`],
      identitySource: 'method.request.header.Authorization',
    }),
  )
  await putMockMethod(
    tg.client,
    cognitoApi,
    cognito.rootResourceId!,
    'GET',
    '{"sub": "$context.authorizer.claims.sub"}',
  )
  await tg.client.send(
    new UpdateMethodCommand({
      restApiId: cognitoApi,
      resourceId: cognito.rootResourceId,
      httpMethod: 'GET',
      patchOperations: [
        { op: 'replace', path: '/authorizationType', value: 'COGNITO_USER_POOLS' },
        { op: 'replace', path: '/authorizerId', value: authorizer.id },
      ],
    }),
  )
  await deploy(tg.client, cognitoApi, 'prod')
})
afterAll(async () => {
  await tg.close()
  await issuer.close()
})

interface Signed {
  path: string
  headers: Record<string, string>
  body: string
}

/** Signs a POST with the AWS SDKs' own signer (the headers a real client would send). */
async function sign(
  key: { accessKeyId: string; secretAccessKey: string },
  options: { path?: string; body?: string; at?: number; service?: string; region?: string } = {},
): Promise<Signed> {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region ?? 'us-east-1',
    credentials: key,
    sha256: Hash.bind(null, 'sha256'),
  })
  const path = options.path ?? `/_aws/execute-api/${iamApi}/prod/`
  const body = options.body ?? '{"order":1}'
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: Number(port),
      path,
      query: {},
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
      body,
    },
    { signingDate: new Date(options.at ?? Date.now()) },
  )
  return { path, headers: signed.headers, body }
}

/** Sends a signed request, optionally changed after signing. */
async function send(signed: Signed, change: Partial<Signed> = {}) {
  const { path, headers, body } = { ...signed, ...change }
  const response = await fetch(`${tg.url}${path}`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'host')),
    body,
  })
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    json: (await response.json()) as Record<string, unknown>,
  }
}

// The words API Gateway answers IAM failures with (AWS knowledge center "API Gateway 403 with IAM
// authentication": "The request signature we calculated does not match the signature you
// provided...", "The security token included in the request is invalid.", "Signature expired:
// <date> is now earlier than <date> (<now> - 5 min.)").
const MISMATCH = {
  status: 403,
  errorType: 'InvalidSignatureException',
  json: {
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  },
}

/** Parses an X-Amz-Date (yyyyMMddTHHmmssZ) to ms. */
const amzDateMs = (text: string): number =>
  Date.parse(text.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'))

describe('attacks on AWS_IAM (SigV4) methods', () => {
  it('serves a request signed with a configured key (the control)', async () => {
    expect(await send(await sign(ALICE))).toEqual({
      status: 200,
      errorType: null,
      json: { caller: 'arn:aws:iam::000000000000:user/alice' },
    })
  })

  it('refuses an X-Amz-Date more than 5 minutes old with "Signature expired", in AWS words', async () => {
    const stale = await sign(ALICE, { at: Date.now() - 6 * 60_000 })
    const answer = await send(stale)
    expect(answer).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    const match =
      /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 5 min\.\)$/.exec(
        String(answer.json['message']),
      )
    expect(match, String(answer.json['message'])).not.toBeNull()
    const [, signedAt = '', earliest = '', now = ''] = match ?? []
    expect(signedAt).toBe(stale.headers['x-amz-date'])
    expect(amzDateMs(now) - amzDateMs(earliest)).toBe(5 * 60_000)
    expect(Math.abs(amzDateMs(now) - Date.now())).toBeLessThan(10_000)
  })

  it('refuses an X-Amz-Date more than 5 minutes ahead with "Signature not yet current"', async () => {
    const answer = await send(await sign(ALICE, { at: Date.now() + 6 * 60_000 }))
    expect(answer).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    expect(String(answer.json['message'])).toMatch(
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
    )
  })

  it('refuses a stale request whose X-Amz-Date was rewritten to now after signing', async () => {
    const stale = await sign(ALICE, { at: Date.now() - 6 * 60_000 })
    const fresh = await sign(ALICE)
    expect(
      await send(stale, { headers: { ...stale.headers, 'x-amz-date': fresh.headers['x-amz-date']! } }),
    ).toEqual(MISMATCH)
  })

  it('refuses a body altered after signing', async () => {
    const signed = await sign(ALICE)
    expect(await send(signed, { body: '{"order":2}' })).toEqual(MISMATCH)
    expect(await send(signed, { body: `${signed.body} ` })).toEqual(MISMATCH)
  })

  it('refuses a signature made with a wrong secret for a known key', async () => {
    expect(await send(await sign({ ...ALICE, secretAccessKey: 'not-alices-secret' }))).toEqual(MISMATCH)
  })

  // A signature scoped to another region is not valid here, however well made (the gateway runs as
  // us-east-1). AWS's words, as execute-api and other SigV4 services answer them (e.g. aws-sdk-js
  // issue 792: "Credential should be scoped to a valid region, not 'execute-api'. ").
  it('refuses a signature scoped to another region', async () => {
    expect(await send(await sign(ALICE, { region: 'eu-west-1' }))).toEqual({
      status: 403,
      errorType: 'InvalidSignatureException',
      json: { message: "Credential should be scoped to a valid region, not 'eu-west-1'. " },
    })
  })

  it('refuses an unknown access key', async () => {
    expect(await send(await sign({ accessKeyId: 'AKIANOBODY000000', secretAccessKey: 'x' }))).toEqual({
      status: 403,
      errorType: 'UnrecognizedClientException',
      json: { message: 'The security token included in the request is invalid.' },
    })
  })

  // (Not a replay: `/prod//` signs as `/prod/`, as the SDK signers normalise empty path segments
  // away for every service but S3, and it names the same resource.)
  it('refuses a signed header set replayed on another path, query string or URL form', async () => {
    const signed = await sign(ALICE)
    expect((await send(signed)).status).toBe(200)
    for (const path of [
      `/_aws/execute-api/${iamApi}/prod/other`,
      `/_aws/execute-api/${iamApi}/prod/?x=1`,
      `/restapis/${iamApi}/prod/_user_request_/other`,
    ]) {
      expect(await send(signed, { path }), path).toEqual(MISMATCH)
    }
  })
})

/**
 * A presigned POST to the root (X-Amz-* in the query). `expires` may claim another X-Amz-Expires
 * than the signer checks (its valueOf): the SDK refuses to sign more than a week, an attacker's
 * own signer does not.
 */
async function presign(
  key: { accessKeyId: string; secretAccessKey: string },
  options: { at?: number; expires?: number; claimExpires?: string },
): Promise<string> {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'us-east-1',
    credentials: key,
    sha256: Hash.bind(null, 'sha256'),
  })
  const expiresIn = options.claimExpires
    ? ({ valueOf: () => 60, toString: () => options.claimExpires } as unknown as number)
    : (options.expires ?? 60)
  const signed = await signer.presign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: Number(port),
      path: `/_aws/execute-api/${iamApi}/prod/`,
      query: {},
      headers: { host: `127.0.0.1:${port}` },
      body: '{"order":1}',
    },
    { signingDate: new Date(options.at ?? Date.now()), expiresIn },
  )
  return `${signed.path}?${new URLSearchParams(signed.query as Record<string, string>).toString()}`
}

async function sendPresigned(url: string) {
  const response = await fetch(`${tg.url}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"order":1}',
  })
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    json: (await response.json()) as Record<string, unknown>,
  }
}

describe('attacks on presigned (query string) SigV4 requests', () => {
  it('serves a presigned request within its X-Amz-Expires (the control)', async () => {
    expect((await sendPresigned(await presign(ALICE, {}))).status).toBe(200)
  })

  it('refuses one past its X-Amz-Expires, in AWS words', async () => {
    const answer = await sendPresigned(await presign(ALICE, { at: Date.now() - 120_000, expires: 60 }))
    expect(answer).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    expect(String(answer.json['message'])).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 60 sec\.\)$/,
    )
  })

  it('refuses an X-Amz-Expires over a week, however well signed', async () => {
    for (const claimExpires of ['315360000', '604801', '0', '-5', '1.5']) {
      const answer = await sendPresigned(await presign(ALICE, { claimExpires }))
      expect(answer.status, claimExpires).toBe(403)
      expect(answer.errorType, claimExpires).toBe('IncompleteSignatureException')
      expect(answer.json, claimExpires).toEqual({
        message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800',
      })
    }
  })

  it('refuses a presigned URL whose query was changed or extended after signing', async () => {
    const url = await presign(ALICE, {})
    expect(await sendPresigned(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600'))).toEqual(MISMATCH)
    expect(await sendPresigned(`${url}&admin=true`)).toEqual(MISMATCH)
    expect(await sendPresigned(url.replace(`/prod/?`, `/prod/other?`))).toEqual(MISMATCH)
  })
})

describe('attacks on a COGNITO_USER_POOLS authorizer', () => {
  const call = async (token: string) => {
    const response = await fetch(`${tg.url}/_aws/execute-api/${cognitoApi}/prod/`, {
      headers: { Authorization: token },
    })
    return {
      status: response.status,
      errorType: response.headers.get('x-amzn-errortype'),
      json: await response.json(),
    }
  }
  // AWS-BEHAVIOR §3.1: a token the authorizer does not accept is 401 Unauthorized.
  const UNAUTHORIZED = { status: 401, errorType: 'UnauthorizedException', json: { message: 'Unauthorized' } }

  it('serves a token of the pool for the app client (the control)', async () => {
    expect(await call(await issuer.idToken(POOL))).toMatchObject({
      status: 200,
      json: { sub: 'c0ffee00-1111-2222-3333-444455556666' },
    })
  })

  it('refuses alg none, with and without a signature part', async () => {
    const none = new UnsecuredJWT({ token_use: 'id', aud: CLIENT_ID, sub: 'mallory' })
      .setIssuer(issuer.issuer(POOL))
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode()
    expect(await call(none)).toEqual(UNAUTHORIZED)
    // The same claims under the real key's kid, with alg none and a copied signature.
    const good = (await issuer.idToken(POOL)).split('.')
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'tollgate-test-key' })).toString(
      'base64url',
    )
    expect(await call(`${header}.${none.split('.')[1]!}.${good[2]!}`)).toEqual(UNAUTHORIZED)
    expect(await call(`${header}.${good[1]!}.`)).toEqual(UNAUTHORIZED)
  })

  it("refuses a wrong issuer: another pool, and an attacker's issuer serving its own keys", async () => {
    expect(await call(await issuer.idToken('us-east-1_OtherPool'))).toEqual(UNAUTHORIZED)
    // The attacker runs an issuer of its own (same kid, its own JWKS) and names it in iss: the
    // gateway must fetch keys only from the configured Cognito issuer of the authorizer's pool.
    const attacker = await startJwtIssuer()
    try {
      expect(await call(await attacker.idToken(POOL))).toEqual(UNAUTHORIZED)
      const forged = await attacker.idToken(POOL, { iss: issuer.issuer(POOL) })
      expect(await call(forged)).toEqual(UNAUTHORIZED)
    } finally {
      await attacker.close()
    }
  })

  it('refuses a wrong audience: an ID token for another app client, an access token of another client_id', async () => {
    expect(await call(await issuer.idToken(POOL, { aud: 'someotherappclient000000' }))).toEqual(UNAUTHORIZED)
    expect(
      await call(await issuer.accessToken(POOL, 'openid', { client_id: 'someotherappclient000000' })),
    ).toEqual(UNAUTHORIZED)
  })

  it('refuses an expired token, and one whose exp was pushed out without re-signing', async () => {
    const expired = await issuer.idToken(POOL, {}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })
    expect(await call(expired)).toEqual(UNAUTHORIZED)
    const [header = '', payload = '', signature = ''] = expired.split('.')
    const extended = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), exp: 4_102_444_800 }),
    ).toString('base64url')
    expect(await call(`${header}.${extended}.${signature}`)).toEqual(UNAUTHORIZED)
  })

  it('refuses a token re-signed with a foreign key, and HS256 keyed with the public key', async () => {
    expect(await call(await issuer.foreignToken(POOL))).toEqual(UNAUTHORIZED)
    // Key confusion: the pool's public key (what its JWKS publishes) used as an HMAC secret.
    const jwks = (await (await fetch(`${issuer.issuer(POOL)}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[]
    }
    const hs256 = await new SignJWT({ token_use: 'id', aud: CLIENT_ID, sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256', kid: 'tollgate-test-key' })
      .setIssuer(issuer.issuer(POOL))
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])))
    expect(await call(hs256)).toEqual(UNAUTHORIZED)
    // A token carrying its own key (jwk header) is not trusted for it.
    const own = await generateKeyPair('RS256')
    const embedded = await new SignJWT({ token_use: 'id', aud: CLIENT_ID, sub: 'mallory' })
      .setProtectedHeader({ alg: 'RS256', kid: 'tollgate-test-key', jwk: await exportJWK(own.publicKey) })
      .setIssuer(issuer.issuer(POOL))
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(own.privateKey)
    expect(await call(embedded)).toEqual(UNAUTHORIZED)
  })
})

describe('attacks on the management API in server mode (--auth)', () => {
  const restApiCount = async () => (await tg.client.send(new GetRestApisCommand({}))).items?.length ?? 0
  const unsignedCreate = (headers: Record<string, string> = {}) =>
    fetch(`${tg.url}/restapis`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"name":"intruder"}',
    })

  it('refuses unsigned calls to the management and Lambda APIs with Missing Authentication Token, changing nothing', async () => {
    const before = await restApiCount()
    for (const response of [
      await unsignedCreate(),
      await fetch(`${tg.url}/restapis`),
      await fetch(`${tg.url}/2015-03-31/functions`),
    ]) {
      expect(response.status).toBe(403)
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' })
    }
    expect(await restApiCount()).toBe(before)
  })

  it('refuses forged, unknown-key, stale and replayed signatures, changing nothing', async () => {
    const before = await restApiCount()
    const forged = await unsignedCreate({
      Authorization: `AWS4-HMAC-SHA256 Credential=${ADMIN.accessKeyId}/20261204/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      'X-Amz-Date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
    })
    expect(forged.status).toBe(403)
    expect(forged.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
    const intruder = new APIGatewayClient({
      endpoint: tg.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIANOBODY000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    })
    await expect(intruder.send(new CreateRestApiCommand({ name: 'intruder' }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    })
    intruder.destroy()
    // A management call signed 6 minutes ago, and one signed for GET /restapis replayed as a POST.
    const body = '{"name":"intruder"}'
    const stale = await sign(ADMIN, {
      path: '/restapis',
      body,
      at: Date.now() - 6 * 60_000,
      service: 'apigateway',
    })
    const staleAnswer = await send(stale)
    expect(staleAnswer).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    expect(String(staleAnswer.json['message'])).toMatch(/^Signature expired: /)
    const fresh = await sign(ADMIN, { path: '/restapis', body, service: 'apigateway' })
    expect((await send(fresh, { path: '/restapis?x=1' })).status).toBe(403)
    expect((await send(fresh, { body: '{"name":"intruder2"}' })).status).toBe(403)
    expect(await restApiCount()).toBe(before)
  })
})
