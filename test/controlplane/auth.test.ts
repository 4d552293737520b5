import {
  APIGatewayClient,
  CreateRestApiCommand,
  GetRestApiCommand,
  GetRestApisCommand,
} from '@aws-sdk/client-api-gateway'
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { CreateFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { zipOf } from '../support/lambda.js'
import { tempDir } from '../support/process.js'

// --auth: every management and Lambda API call signed (SigV4, by the AWS SDKs' own signer) with a
// configured key whose scope covers it; otherwise AWS's errors and no change.

const keys = {
  admin: { accessKeyId: 'AKIAADMIN0000000', secretAccessKey: 'admin-secret-000000000000000000000000000' },
  reader: { accessKeyId: 'AKIAREADER000000', secretAccessKey: 'reader-secret-00000000000000000000000000' },
  scoped: { accessKeyId: 'AKIASCOPED000000', secretAccessKey: 'scoped-secret-00000000000000000000000000' },
}

let tg: TestGateway
let scopedApiId: string
beforeAll(async () => {
  scopedApiId = 'scoped1234'
  const file = join(tempDir('tollgate-auth-'), 'credentials.json')
  writeFileSync(
    file,
    JSON.stringify({
      credentials: [
        { ...keys.admin, userArn: 'arn:aws:iam::000000000000:user/admin' },
        { ...keys.reader, userArn: 'arn:aws:iam::000000000000:user/reader', scope: 'read-only' },
        { ...keys.scoped, scope: { apis: [] } },
      ],
    }),
  )
  tg = await startTestGateway({ auth: true, credentialsFile: file })
})
afterAll(() => tg.close())

const apiClient = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new APIGatewayClient({ endpoint: tg.url, region: 'us-east-1', credentials, maxAttempts: 1 })
const lambdaClient = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new LambdaClient({ endpoint: tg.url, region: 'us-east-1', credentials, maxAttempts: 1 })
const count = async () => (await apiClient(keys.admin).send(new GetRestApisCommand({}))).items?.length ?? 0

describe('signed management calls (--auth)', () => {
  it('serves a configured key and refuses unknown keys, wrong secrets and unsigned calls, changing nothing', async () => {
    const created = await apiClient(keys.admin).send(new CreateRestApiCommand({ name: 'signed' }))
    expect(created.id).toBeTruthy()
    const before = await count()
    await expect(
      apiClient({ accessKeyId: 'AKIANOBODY000000', secretAccessKey: 'x' }).send(
        new CreateRestApiCommand({ name: 'x' }),
      ),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 403 },
    })
    await expect(
      apiClient({ ...keys.admin, secretAccessKey: 'wrong' }).send(new CreateRestApiCommand({ name: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } })
    const unsigned = await fetch(`${tg.url}/restapis`, { method: 'POST', body: '{"name":"x"}' })
    expect(unsigned.status).toBe(403)
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' })
    expect(await count()).toBe(before)
  })

  it('holds keys to their scope: read-only reads, an API-scoped key only its APIs', async () => {
    const reader = apiClient(keys.reader)
    expect((await reader.send(new GetRestApisCommand({}))).items?.length).toBeGreaterThan(0)
    const before = await count()
    await expect(reader.send(new CreateRestApiCommand({ name: 'nope' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message:
        'User: arn:aws:iam::000000000000:user/reader is not authorized to perform: apigateway:POST on resource: arn:aws:apigateway:us-east-1::/restapis',
    })
    expect(await count()).toBe(before)
    await expect(
      apiClient(keys.scoped).send(new GetRestApiCommand({ restApiId: scopedApiId })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' })
  })

  it('signs the Lambda API too (service lambda)', async () => {
    expect((await lambdaClient(keys.admin).send(new ListFunctionsCommand({}))).Functions).toEqual([])
    await expect(
      lambdaClient(keys.reader).send(
        new CreateFunctionCommand({
          FunctionName: 'denied',
          Runtime: 'nodejs20.x',
          Role: 'arn:aws:iam::000000000000:role/r',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf({ 'index.js': 'exports.handler = async () => 1' }) },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } })
    expect((await lambdaClient(keys.admin).send(new ListFunctionsCommand({}))).Functions).toEqual([])
  })
})

describe('signed CloudWatch Logs calls (--auth)', () => {
  const logsClient = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new CloudWatchLogsClient({ endpoint: tg.url, region: 'us-east-1', credentials, maxAttempts: 1 })

  it('serves a signed read (service logs) to a read-only key and refuses unsigned and unknown callers', async () => {
    const groups = await logsClient(keys.reader).send(new DescribeLogGroupsCommand({}))
    expect(groups.logGroups).toEqual([])
    await expect(
      logsClient({ accessKeyId: 'AKIANOBODY000000', secretAccessKey: 'x' }).send(
        new DescribeLogGroupsCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } })
    const unsigned = await fetch(`${tg.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.DescribeLogGroups',
      },
      body: '{}',
    })
    expect(unsigned.status).toBe(403)
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException')
  })
})
