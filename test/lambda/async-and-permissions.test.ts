import {
  AddPermissionCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda'
import { PutIntegrationCommand, PutMethodCommand } from '@aws-sdk/client-api-gateway'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, deploy } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { tempDir } from '../support/process.js'

let tg: TestGateway
let lambda: LambdaClient
beforeAll(async () => {
  // Short retry delays keep the test quick; AWS waits about 1 and 2 minutes.
  tg = await startTestGateway({ lambdaAsyncRetryDelayMs: 50, enforceLambdaPermissions: true })
  lambda = lambdaClient(tg.url)
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

describe('asynchronous invocation', () => {
  it('accepts an Event invoke at once and retries a failing function twice (AWS docs "invocation-async")', async () => {
    const dir = tempDir('tollgate-async-')
    const marks = join(dir, 'marks.txt')
    writeFileSync(marks, '')
    await createFunction(lambda, 'flaky', {
      'index.js': `const fs = require('fs'); exports.handler = async (e) => { fs.appendFileSync(${JSON.stringify(marks)}, 'x'); throw new Error('always fails') }`,
    })
    const accepted = await lambda.send(
      new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: Buffer.from('{}') }),
    )
    expect(accepted.StatusCode).toBe(202)
    let attempts = 0
    for (let i = 0; i < 100 && attempts < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      attempts = readFileSync(marks, 'utf8').length
    }
    expect(attempts).toBe(3)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(readFileSync(marks, 'utf8').length).toBe(3)
  })

  it('answers a DryRun with 204 and runs nothing', async () => {
    await createFunction(lambda, 'dry', { 'index.js': 'exports.handler = async () => 1' })
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'dry', InvocationType: 'DryRun' }))
    expect(result.StatusCode).toBe(204)
  })
})

describe('Lambda permissions for API Gateway (enforced by configuration)', () => {
  it('refuses an integration until the function allows apigateway.amazonaws.com for this source ARN', async () => {
    await createFunction(lambda, 'guarded-api', {
      'index.js': 'exports.handler = async () => ({ statusCode: 200, body: "allowed" })',
    })
    const { apiId, rootId } = await createApi(tg.client)
    await tg.client.send(
      new PutMethodCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        authorizationType: 'NONE',
      }),
    )
    await tg.client.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: rootId,
        httpMethod: 'GET',
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:guarded-api/invocations',
      }),
    )
    await deploy(tg.client, apiId, 'dev')
    const url = `${tg.url}/_aws/execute-api/${apiId}/dev/`
    const refused = await fetch(url)
    expect(refused.status).toBe(500)
    expect(await refused.json()).toEqual({ message: 'Internal server error' })

    // A grant for another method does not help.
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'guarded-api',
        StatementId: 'post-only',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:000000000000:${apiId}/*/POST/`,
      }),
    )
    expect((await fetch(url)).status).toBe(500)

    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'guarded-api',
        StatementId: 'get',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:us-east-1:000000000000:${apiId}/*/GET/`,
      }),
    )
    const allowed = await fetch(url)
    expect(allowed.status).toBe(200)
    expect(await allowed.text()).toBe('allowed')
  })
})

describe('reserved concurrency', () => {
  it('throttles synchronous invokes beyond it with 429 and queues Event invokes', async () => {
    const dir = tempDir('tollgate-concurrency-')
    const marks = join(dir, 'marks.txt')
    writeFileSync(marks, '')
    await createFunction(
      lambda,
      'narrow',
      {
        'index.js': `const fs = require('fs'); exports.handler = async (e) => { fs.appendFileSync(${JSON.stringify(marks)}, e.mark ?? ''); await new Promise(r => setTimeout(r, 300)); return 'done' }`,
      },
      { timeout: 5 },
    )
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'narrow', ReservedConcurrentExecutions: 1 }),
    )
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'narrow' })))
        .ReservedConcurrentExecutions,
    ).toBe(1)
    const results = await Promise.allSettled([
      lambda.send(new InvokeCommand({ FunctionName: 'narrow', Payload: Buffer.from('{}') })),
      lambda.send(new InvokeCommand({ FunctionName: 'narrow', Payload: Buffer.from('{}') })),
    ])
    const rejected = results.filter((r) => r.status === 'rejected')
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(rejected).toHaveLength(1)
    // AWS: 429 TooManyRequestsException "Rate Exceeded." (docs "lambda-concurrency").
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    })

    // Event invokes beyond the limit wait their turn instead of failing.
    await Promise.all(
      ['a', 'b', 'c'].map((mark) =>
        lambda.send(
          new InvokeCommand({
            FunctionName: 'narrow',
            InvocationType: 'Event',
            Payload: Buffer.from(JSON.stringify({ mark })),
          }),
        ),
      ),
    )
    let seen = ''
    for (let i = 0; i < 100 && seen.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      seen = readFileSync(marks, 'utf8')
    }
    expect(seen.split('').sort().join('')).toBe('abc')
  })
})
