import {
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateRestApiCommand,
  type PutIntegrationCommandInput,
} from '@aws-sdk/client-api-gateway'
import { createHash, randomUUID } from 'node:crypto'
import { loadConfig } from '../../src/config/config.js'
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../support/process.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy } from '../support/apis.js'
import { applyProject } from '../../src/project/apply.js'
import { loadProject } from '../../src/project/project-file.js'
import { STAND_IN_KEY, startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'

// AWS service integrations against stand-ins for SQS (Query and JSON 1.0), Step Functions (JSON
// 1.0) and S3 (path-style objects) on 127.0.0.1. Each stand-in checks the SigV4 signature with
// Tollgate's verifier, not with the signer that made it, and answers as the service's API
// reference documents (SendMessage, StartExecution, GetObject/PutObject).

const md5 = (text: string) => createHash('md5').update(text).digest('hex')
const objects = new Map<string, Buffer>()
let sqs: AwsStandIn
let sfn: AwsStandIn
let s3: AwsStandIn
let tg: TestGateway
let apiId: string

beforeAll(async () => {
  sqs = await startAwsStandIn('sqs', (req, res) => {
    if (req.headers['x-amz-target'] === 'AmazonSQS.SendMessage') {
      // JSON 1.0 protocol (SQS API reference, SendMessage).
      const input = JSON.parse(req.body.toString()) as { QueueUrl?: string; MessageBody?: string }
      const ok =
        req.headers['content-type'] === 'application/x-amz-json-1.0' && input.QueueUrl && input.MessageBody
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/x-amz-json-1.0' })
      res.end(
        JSON.stringify(
          ok
            ? { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody ?? '') }
            : { __type: 'InvalidParameterValue' },
        ),
      )
      return
    }
    // Query protocol: a form-encoded body posted to the queue URL.
    const form = new URLSearchParams(req.body.toString())
    if (req.path !== '/000000000000/orders') {
      res.writeHead(400, { 'content-type': 'text/xml' })
      res.end(
        '<ErrorResponse><Error><Code>AWS.SimpleQueueService.NonExistentQueue</Code></Error></ErrorResponse>',
      )
      return
    }
    const ok = form.get('Action') === 'SendMessage' && form.get('MessageBody') !== null
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/xml' })
    res.end(
      ok
        ? `<SendMessageResponse><SendMessageResult><MD5OfMessageBody>${md5(form.get('MessageBody') ?? '')}</MD5OfMessageBody><MessageId>${randomUUID()}</MessageId></SendMessageResult></SendMessageResponse>`
        : '<ErrorResponse><Error><Code>MissingParameter</Code></Error></ErrorResponse>',
    )
  })
  sfn = await startAwsStandIn('states', (req, res) => {
    const input = JSON.parse(req.body.toString()) as { stateMachineArn?: string; input?: string }
    const ok =
      req.headers['x-amz-target'] === 'AWSStepFunctions.StartExecution' &&
      req.headers['content-type'] === 'application/x-amz-json-1.0' &&
      input.stateMachineArn?.startsWith('arn:aws:states:') === true &&
      typeof input.input === 'string'
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/x-amz-json-1.0' })
    res.end(
      JSON.stringify(
        ok
          ? {
              executionArn: `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:run-1`,
              startDate: 1795536000,
            }
          : { __type: 'ValidationException' },
      ),
    )
  })
  s3 = await startAwsStandIn('s3', (req, res) => {
    if (req.method === 'PUT') {
      objects.set(req.path, req.body)
      res.writeHead(200, { etag: `"${md5(req.body.toString('latin1'))}"` })
      res.end()
      return
    }
    const object = objects.get(req.path)
    res.writeHead(object ? 200 : 404, { 'content-type': object ? 'image/png' : 'application/xml' })
    res.end(object ?? '<Error><Code>NoSuchKey</Code></Error>')
  })
  tg = await startTestGateway({
    awsAccessKeyId: STAND_IN_KEY.accessKeyId,
    awsSecretAccessKey: STAND_IN_KEY.secretAccessKey,
    awsServiceEndpoints: { sqs: sqs.url, states: sfn.url, s3: s3.url },
  })
  const api = await createApi(tg.client)
  apiId = api.apiId
  await tg.client.send(
    new UpdateRestApiCommand({
      restApiId: apiId,
      patchOperations: [{ op: 'add', path: '/binaryMediaTypes/image~1png' }],
    }),
  )
  const role = 'arn:aws:iam::000000000000:role/apigateway-invoke'
  const route = async (
    path: string,
    httpMethod: string,
    integration: Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod' | 'type'>,
    responses: { status: string; pattern?: string; template?: string; parameters?: Record<string, string> }[],
    requestParameters: Record<string, boolean> = {},
  ) => {
    const resourceId = await createPath(tg.client, apiId, api.rootId, path)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId,
        httpMethod,
        authorizationType: 'NONE',
        requestParameters,
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId,
        httpMethod,
        type: 'AWS',
        credentials: role,
        ...integration,
      }),
    )
    for (const r of responses) {
      await tg.client.send(
        new PutMethodResponseCommand({
          restApiId: apiId,
          resourceId,
          httpMethod,
          statusCode: r.status,
          responseParameters: Object.fromEntries(Object.keys(r.parameters ?? {}).map((k) => [k, false])),
        }),
      )
      await tg.client.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId,
          httpMethod,
          statusCode: r.status,
          ...(r.pattern !== undefined ? { selectionPattern: r.pattern } : {}),
          ...(r.template !== undefined ? { responseTemplates: { 'application/json': r.template } } : {}),
          ...(r.parameters ? { responseParameters: r.parameters } : {}),
        }),
      )
    }
  }
  await route(
    'query/{queue}',
    'POST',
    {
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:${stageVariables.region}:sqs:path/${stageVariables.account}/{queue}',
      requestParameters: {
        'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
        'integration.request.path.queue': 'method.request.path.queue',
      },
      requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
      passthroughBehavior: 'NEVER',
    },
    [
      { status: '200', pattern: '', template: '{"queued": true}' },
      { status: '400', pattern: '4\\d{2}', template: '{"error": "the queue refused the message"}' },
    ],
    { 'method.request.path.queue': true },
  )
  await route(
    'json',
    'POST',
    {
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:sqs:path/000000000000/orders',
      requestParameters: {
        'integration.request.header.Content-Type': "'application/x-amz-json-1.0'",
        'integration.request.header.X-Amz-Target': "'AmazonSQS.SendMessage'",
      },
      requestTemplates: {
        'application/json':
          '{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/orders", "MessageBody": "$util.escapeJavaScript($input.body)"}',
      },
    },
    [
      {
        status: '200',
        pattern: '',
        template: '{"id": "$input.path(\'$.MessageId\')", "md5": "$input.path(\'$.MD5OfMessageBody\')"}',
      },
    ],
  )
  await route(
    'executions',
    'POST',
    {
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:states:action/StartExecution',
      requestTemplates: {
        'application/json':
          '{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:orders", "input": "$util.escapeJavaScript($input.body)"}',
      },
    },
    [{ status: '200', pattern: '', template: '{"execution": "$input.path(\'$.executionArn\')"}' }],
  )
  for (const verb of ['GET', 'PUT']) {
    await route(
      `files/{bucket}/{key}`.replace('files', verb === 'GET' ? 'files' : 'upload'),
      verb,
      {
        integrationHttpMethod: verb,
        uri: 'arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}',
        requestParameters: {
          'integration.request.path.bucket': 'method.request.path.bucket',
          'integration.request.path.key': 'method.request.path.key',
        },
      },
      [
        {
          status: '200',
          pattern: '',
          ...(verb === 'GET'
            ? {
                parameters: {
                  'method.response.header.Content-Type': 'integration.response.header.Content-Type',
                },
              }
            : { template: '{"stored": true}' }),
        },
        { status: '404', pattern: '404' },
      ],
      { 'method.request.path.bucket': true, 'method.request.path.key': true },
    )
  }
  await deploy(tg.client, apiId, 'prod', { region: 'us-east-1', account: '000000000000' })
})
afterAll(async () => {
  await tg.close()
  await Promise.all([sqs.close(), sfn.close(), s3.close()])
})

const post = (path: string, body: string) =>
  fetch(`${tg.url}/_aws/execute-api/${apiId}/prod${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })

describe('AWS service settings', () => {
  it("reads endpoints and credentials from the AWS SDKs' standard variables", () => {
    const config = loadConfig(
      { awsServiceEndpoints: 'dynamodb=http://127.0.0.1:8000' },
      {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
        AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
        AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:8083',
        AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
        AWS_SECRET_ACCESS_KEY: 'secret-from-env',
      },
    )
    expect(config.awsEndpointUrl).toBe('http://127.0.0.1:4566')
    // Tollgate's own setting wins over the SDK variables.
    expect(config.awsServiceEndpoints).toEqual({ dynamodb: 'http://127.0.0.1:8000' })
    const fromEnv = loadConfig(
      {},
      { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324', AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:8083' },
    )
    expect(fromEnv.awsServiceEndpoints).toEqual({
      sqs: 'http://127.0.0.1:9324',
      states: 'http://127.0.0.1:8083',
    })
    expect(config).toMatchObject({ awsAccessKeyId: 'AKIDFROMENV', awsSecretAccessKey: 'secret-from-env' })
  })
})

describe('AWS service integrations', () => {
  it('sends SQS SendMessage in the Query protocol, signed, and maps the answer', async () => {
    const response = await post('/query/orders', '{"order": 42, "note": "a&b c"}')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ queued: true })
    const sent = sqs.received.at(-1)!
    expect(sent.method).toBe('POST')
    expect(sent.path).toBe('/000000000000/orders')
    expect(new URLSearchParams(sent.body.toString()).get('MessageBody')).toBe(
      '{"order": 42, "note": "a&b c"}',
    )
    // A service error goes through the integration responses.
    const refused = await post('/query/missing', '{}')
    expect(refused.status).toBe(400)
    expect(await refused.json()).toEqual({ error: 'the queue refused the message' })
  })

  it('sends SQS SendMessage in the JSON 1.0 protocol with the mapped X-Amz-Target', async () => {
    const response = await post('/json', 'hello "queue"')
    const body = (await response.json()) as { id: string; md5: string }
    expect(response.status).toBe(200)
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(body.md5).toBe(md5('hello "queue"'))
  })

  it('starts a Step Functions execution from the action URI (JSON 1.0, X-Amz-Target added)', async () => {
    const response = await post('/executions', '{"item": "book"}')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      execution: 'arn:aws:states:us-east-1:000000000000:execution:orders:run-1',
    })
    const input = JSON.parse(sfn.received.at(-1)!.body.toString()) as { input: string }
    expect(JSON.parse(input.input)).toEqual({ item: 'book' })
  })

  it('writes and reads S3 objects by path, binary bytes intact', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x80, 0x7f])
    const put = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/upload/photos/cat.png`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: png,
    })
    expect(put.status).toBe(200)
    expect(objects.get('/photos/cat.png')).toEqual(png)
    const get = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/files/photos/cat.png`, {
      headers: { accept: 'image/png' },
    })
    expect(get.status).toBe(200)
    expect(get.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await get.arrayBuffer())).toEqual(png)
    expect((await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/files/photos/dog.png`)).status).toBe(404)
  })

  it('serves the examples/ projects for SQS, Step Functions and S3', async () => {
    const example = (name: string) =>
      new URL(`../../examples/${name}/tollgate.yaml`, import.meta.url).pathname
    const urls = async (name: string) => (await applyProject(tg.url, loadProject(example(name)))).urls
    const queue = (await urls('aws-sqs'))['orders-queue']!['dev']!
    expect(
      await (
        await fetch(`${queue}orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"id":7}',
        })
      ).json(),
    ).toEqual({ queued: true })
    expect(new URLSearchParams(sqs.received.at(-1)!.body.toString()).get('MessageBody')).toBe('{"id":7}')
    const workflow = (await urls('aws-step-functions'))['orders-workflow']!['dev']!
    expect(
      await (
        await fetch(`${workflow}executions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).json(),
    ).toEqual({
      execution: 'arn:aws:states:us-east-1:000000000000:execution:orders:run-1',
    })
    const files = (await urls('aws-s3'))['files']!['dev']!
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 0xff])
    objects.set('/photos/example.png', png)
    const got = await fetch(`${files}files/photos/example.png`, { headers: { accept: 'image/png' } })
    expect(got.status).toBe(200)
    expect(Buffer.from(await got.arrayBuffer())).toEqual(png)
    expect((await fetch(`${files}files/photos/none.png`)).status).toBe(404)
  })

  it("signs with the caller's own key for credentials arn:aws:iam::*:user/*", async () => {
    const file = join(tempDir('tollgate-caller-'), 'credentials.json')
    writeFileSync(
      file,
      JSON.stringify({
        credentials: [{ ...STAND_IN_KEY, userArn: 'arn:aws:iam::000000000000:user/caller' }],
      }),
    )
    // Tollgate's own AWS key is wrong for the stand-in: only the caller's key can succeed.
    const gw = await startTestGateway({
      credentialsFile: file,
      awsAccessKeyId: 'AKIDWRONG00000000000',
      awsSecretAccessKey: 'nope',
      awsServiceEndpoints: { states: sfn.url },
    })
    try {
      const { apiId: id, rootId } = await createApi(gw.client)
      await gw.client.send(
        new PutMethodCommand({
          restApiId: id,
          resourceId: rootId,
          httpMethod: 'POST',
          authorizationType: 'AWS_IAM',
        }),
      )
      await gw.client.send(
        new PutIntegrationCommand({
          restApiId: id,
          resourceId: rootId,
          httpMethod: 'POST',
          type: 'AWS',
          integrationHttpMethod: 'POST',
          uri: 'arn:aws:apigateway:us-east-1:states:action/StartExecution',
          credentials: 'arn:aws:iam::*:user/*',
          requestTemplates: {
            'application/json':
              '{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:orders", "input": "{}"}',
          },
        }),
      )
      await gw.client.send(
        new PutMethodResponseCommand({
          restApiId: id,
          resourceId: rootId,
          httpMethod: 'POST',
          statusCode: '200',
        }),
      )
      await gw.client.send(
        new PutIntegrationResponseCommand({
          restApiId: id,
          resourceId: rootId,
          httpMethod: 'POST',
          statusCode: '200',
          selectionPattern: '',
        }),
      )
      await deploy(gw.client, id, 'prod')
      const port = Number(new URL(gw.url).port)
      const signed = await new SignatureV4({
        service: 'execute-api',
        region: 'us-east-1',
        credentials: STAND_IN_KEY,
        sha256: Hash.bind(null, 'sha256'),
      }).sign({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port,
        path: `/_aws/execute-api/${id}/prod/`,
        headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
        body: '{}',
      })
      const response = await fetch(`${gw.url}${signed.path}`, {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host')),
        body: '{}',
      })
      expect(response.status).toBe(200)
      expect(((await response.json()) as { executionArn: string }).executionArn).toMatch(
        /:execution:orders:run-1$/,
      )
    } finally {
      await gw.close()
    }
  })

  it('refuses to sign for a stand-in with the wrong key: the service answer maps like any other', async () => {
    const wrong = await startTestGateway({
      awsAccessKeyId: 'AKIDWRONG00000000000',
      awsSecretAccessKey: 'nope',
      awsServiceEndpoints: { states: sfn.url },
    })
    try {
      const before = sfn.received.length
      const { apiId: other, rootId } = await createApi(wrong.client)
      await wrong.client.send(
        new PutMethodCommand({
          restApiId: other,
          resourceId: rootId,
          httpMethod: 'POST',
          authorizationType: 'NONE',
        }),
      )
      await wrong.client.send(
        new PutIntegrationCommand({
          restApiId: other,
          resourceId: rootId,
          httpMethod: 'POST',
          type: 'AWS',
          integrationHttpMethod: 'POST',
          uri: 'arn:aws:apigateway:us-east-1:states:action/StartExecution',
          credentials: 'arn:aws:iam::000000000000:role/r',
        }),
      )
      await wrong.client.send(
        new PutMethodResponseCommand({
          restApiId: other,
          resourceId: rootId,
          httpMethod: 'POST',
          statusCode: '403',
        }),
      )
      await wrong.client.send(
        new PutIntegrationResponseCommand({
          restApiId: other,
          resourceId: rootId,
          httpMethod: 'POST',
          statusCode: '403',
          selectionPattern: '',
        }),
      )
      await deploy(wrong.client, other, 'prod')
      const response = await fetch(`${wrong.url}/_aws/execute-api/${other}/prod/`, {
        method: 'POST',
        body: '{}',
      })
      expect(response.status).toBe(403)
      expect(((await response.json()) as { __type: string }).__type).toBe('InvalidSignatureException')
      expect(sfn.received.length).toBe(before)
    } finally {
      await wrong.close()
    }
  })
})
