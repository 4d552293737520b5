import { CreateRestApiCommand, UpdateMethodCommand } from '@aws-sdk/client-api-gateway'
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deploy, putMockMethod } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { tempDir } from '../support/process.js'

// AWS_IAM methods: requests signed with @smithy/signature-v4 (the AWS SDKs' signer) against the
// access keys of a credentials file (AWS docs "permissions" for execute-api; error types as API
// Gateway answers IAM failures).

const ALICE = { accessKeyId: 'AKIAALICE0000000', secretAccessKey: 'alice-secret-key-0000000000000000000000' }
const MALLORY = {
  accessKeyId: 'AKIAMALLORY00000',
  secretAccessKey: 'mallory-secret-000000000000000000000000',
}

let tg: TestGateway
let apiId: string
let port: string
beforeAll(async () => {
  const file = join(tempDir('tollgate-credentials-'), 'credentials.yaml')
  writeFileSync(
    file,
    [
      'credentials:',
      `  - accessKeyId: ${ALICE.accessKeyId}`,
      `    secretAccessKey: ${ALICE.secretAccessKey}`,
      '    userArn: arn:aws:iam::123456789012:user/alice',
      `  - accessKeyId: ${MALLORY.accessKeyId}`,
      `    secretAccessKey: ${MALLORY.secretAccessKey}`,
      '    userArn: arn:aws:iam::999999999999:user/mallory',
    ].join('\n'),
  )
  tg = await startTestGateway({ credentialsFile: file, accountId: '123456789012' })
  port = new URL(tg.url).port
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: { AWS: 'arn:aws:iam::123456789012:user/blocked' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
      },
    ],
  }
  const api = await tg.client.send(new CreateRestApiCommand({ name: 'iam', policy: JSON.stringify(policy) }))
  apiId = api.id!
  await putMockMethod(
    tg.client,
    apiId,
    api.rootResourceId!,
    'POST',
    '{"userArn": "$context.identity.userArn", "accessKey": "$context.identity.accessKey", "accountId": "$context.identity.accountId"}',
  )
  await tg.client.send(
    new UpdateMethodCommand({
      restApiId: apiId,
      resourceId: api.rootResourceId,
      httpMethod: 'POST',
      patchOperations: [{ op: 'replace', path: '/authorizationType', value: 'AWS_IAM' }],
    }),
  )
  await deploy(tg.client, apiId, 'prod')
})
afterAll(() => tg.close())

async function signedCall(
  key: { accessKeyId: string; secretAccessKey: string },
  options: { body?: string; sendBody?: string; at?: number; presign?: boolean } = {},
) {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'us-east-1',
    credentials: key,
    sha256: Hash.bind(null, 'sha256'),
  })
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: Number(port),
    path: `/_aws/execute-api/${apiId}/prod/`,
    query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
    body: options.body ?? '{"order":1}',
  }
  const signingDate = new Date(options.at ?? Date.now())
  const signed = options.presign
    ? await signer.presign(request, { signingDate, expiresIn: 60 })
    : await signer.sign(request, { signingDate })
  const query = new URLSearchParams(signed.query as Record<string, string>).toString()
  const response = await fetch(`${tg.url}${signed.path}${query ? `?${query}` : ''}`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host')),
    body: options.sendBody ?? request.body,
  })
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    json: (await response.json()) as Record<string, unknown>,
  }
}

describe('AWS_IAM authorization', () => {
  it('serves a request signed with a configured key and fills $context.identity', async () => {
    const ok = await signedCall(ALICE)
    expect(ok.status).toBe(200)
    expect(ok.json).toEqual({
      userArn: 'arn:aws:iam::123456789012:user/alice',
      accessKey: ALICE.accessKeyId,
      accountId: '123456789012',
    })
    expect((await signedCall(ALICE, { presign: true })).status).toBe(200)
  })

  it('refuses unsigned, unknown, wrongly signed, stale and altered requests with AWS errors', async () => {
    const unsigned = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/`, { method: 'POST', body: '{}' })
    expect(unsigned.status).toBe(403)
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' })

    expect(await signedCall({ accessKeyId: 'AKIANOBODY000000', secretAccessKey: 'x' })).toEqual({
      status: 403,
      errorType: 'UnrecognizedClientException',
      json: { message: 'The security token included in the request is invalid.' },
    })
    const mismatch = {
      status: 403,
      errorType: 'InvalidSignatureException',
      json: {
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      },
    }
    expect(await signedCall({ ...ALICE, secretAccessKey: 'not-alices-secret' })).toEqual(mismatch)
    expect(await signedCall(ALICE, { sendBody: '{"order":2}' })).toEqual(mismatch)
    const stale = await signedCall(ALICE, { at: Date.now() - 6 * 60_000 })
    expect(stale).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    expect(String(stale.json['message'])).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/)
  })

  it('lets a caller of another account in only when the resource policy allows it', async () => {
    // mallory's account (999999999999) is not the API's: the policy does not allow it.
    const denied = await signedCall(MALLORY)
    expect(denied).toMatchObject({ status: 403, errorType: 'AccessDeniedException' })
    expect(denied.json['Message']).toMatch(
      /^User: arn:aws:iam::999999999999:user\/mallory is not authorized to perform: execute-api:Invoke/,
    )
  })
})
