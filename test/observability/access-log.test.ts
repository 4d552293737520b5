import { CreateDeploymentCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, putMethodWithIntegration, putMockMethod } from '../support/apis.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { tempDir } from '../support/process.js'

// Access logs (AWS docs "set-up-logging"): one line per request in the stage's format, with
// $context variables; the console's JSON and CLF presets, and a custom format.

const JSON_FORMAT =
  '{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod","routeKey":"$context.resourcePath", "status":"$context.status","protocol":"$context.protocol", "responseLength":"$context.responseLength" }'
const CLF_FORMAT =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId'

let tg: TestGateway
let apiId: string
const logFile = join(tempDir('tollgate-access-'), 'access.log')
beforeAll(async () => {
  tg = await startTestGateway({ accessLogFile: logFile })
  const api = await createApi(tg.client)
  apiId = api.apiId
  const hello = await createPath(tg.client, apiId, api.rootId, 'hello')
  await putMockMethod(tg.client, apiId, hello, 'GET', '{"hello": "world"}')
  for (const [stageName, format] of [
    ['json', JSON_FORMAT],
    ['clf', CLF_FORMAT],
    [
      'custom',
      'custom status=$context.status error=$context.error.responseType missing=$context.authorizer.principalId',
    ],
  ]) {
    await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName }))
    await tg.client.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName,
        patchOperations: [
          {
            op: 'replace',
            path: '/accessLogSettings/destinationArn',
            value: 'arn:aws:logs:us-east-1:000000000000:log-group:access',
          },
          { op: 'replace', path: '/accessLogSettings/format', value: format },
        ],
      }),
    )
  }
  await tg.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'silent' }))
})
afterAll(() => tg.close())

/** The file's lines so far ('' before the first write). */
const linesSoFar = (): string[] => {
  const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''
  return text === '' ? [] : text.trimEnd().split('\n')
}

describe('access logs', () => {
  let earlier = 0
  it('writes a line before 64 KB have gathered, without waiting for a shutdown', async () => {
    await fetch(`${tg.url}/_aws/execute-api/${apiId}/json/hello`)
    // Lines are gathered up to 64 KB or 500 ms (src/observability/access-log.ts); this one is
    // ~300 bytes, so only the timer can write it while the gateway runs.
    const sent = Date.now()
    while (linesSoFar().length === 0 && Date.now() - sent < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 50))
    expect(linesSoFar()).toHaveLength(1)
    earlier = 1
  })

  it('writes one line per request in each stage format', async () => {
    for (const stage of ['json', 'clf', 'silent'])
      await fetch(`${tg.url}/_aws/execute-api/${apiId}/${stage}/hello`)
    await fetch(`${tg.url}/_aws/execute-api/${apiId}/custom/nowhere`)
    await tg.close()
    const lines = linesSoFar().slice(earlier)
    expect(lines).toHaveLength(3)
    const json = JSON.parse(lines[0]!) as Record<string, string>
    expect(json).toMatchObject({
      ip: '127.0.0.1',
      httpMethod: 'GET',
      routeKey: '/hello',
      status: '200',
      protocol: 'HTTP/1.1',
      responseLength: '18',
    })
    expect(json['requestId']).toMatch(/^[0-9a-f-]{36}$/)
    expect(lines[1]).toMatch(
      /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/hello HTTP\/1\.1" 200 18 [0-9a-f-]{36}$/,
    )
    expect(lines[2]).toBe('custom status=403 error=MISSING_AUTHENTICATION_TOKEN missing=-')
  })
})

describe('access logs at shutdown', () => {
  it('drops the line of a request that ends after the log is closed, with no error', async () => {
    // Shutdown closes the access log before the function environments (src/server.ts): a Lambda
    // request still running then ends afterwards, and its line has nowhere to go. A line kept for
    // the log's 500 ms timer would have been written into the closed destination, an uncaught
    // error in that timer (vitest fails the run on one).
    const dir = tempDir('tollgate-access-late-')
    const file = join(dir, 'access.log')
    const marker = join(dir, 'started')
    const late = await startTestGateway({ accessLogFile: file, shutdownGraceMs: 100 })
    const lambda = lambdaClient(late.url)
    await createFunction(
      lambda,
      'slow',
      {
        'index.js': `exports.handler = async () => {
          require('node:fs').writeFileSync(process.env.MARKER, 'started')
          await new Promise((resolve) => setTimeout(resolve, 5000))
          return { statusCode: 200, body: 'late' }
        }`,
      },
      { timeout: 10, env: { MARKER: marker } },
    )
    lambda.destroy()
    const { apiId, rootId } = await createApi(late.client)
    await putMethodWithIntegration(late.client, apiId, rootId, 'GET', {
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:slow/invocations',
    })
    await late.client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }))
    await late.client.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'dev',
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/format', value: 'late $context.status' },
        ],
      }),
    )
    const answered = fetch(`${late.url}/_aws/execute-api/${apiId}/dev/`).then(
      (response) => response.status,
      () => 'connection closed',
    )
    const deadline = Date.now() + 20_000
    while (!existsSync(marker) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
    expect(existsSync(marker)).toBe(true)
    await late.close()
    expect(await answered).toBe('connection closed')
    // Past the log's 500 ms timer.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(readFileSync(file, 'utf8')).toBe('')
  }, 40_000)
})
