import { CreateDeploymentCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, putMockMethod } from '../support/apis.js'
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
  it('writes a line before 4 KB have gathered, without waiting for a shutdown', async () => {
    await fetch(`${tg.url}/_aws/execute-api/${apiId}/json/hello`)
    // Lines are gathered up to 4 KB or 500 ms (src/observability/access-log.ts); this one is
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
