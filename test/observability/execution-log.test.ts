import { UpdateStageCommand } from '@aws-sdk/client-api-gateway'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi, createPath, deploy, putMethodWithIntegration } from '../support/apis.js'
import { startBackend, type TestBackend } from '../support/backend.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { truncatedEvent } from '../../src/observability/execution-log.js'

// Execution logs (AWS docs "set-up-logging"): with logging/loglevel INFO every request's steps are
// kept, with logging/dataTrace its bodies; `tollgate logs` prints them.

const BIN = new URL('../../bin/tollgate.js', import.meta.url).pathname
let tg: TestGateway
let backend: TestBackend
let apiId: string
beforeAll(async () => {
  tg = await startTestGateway()
  backend = await startBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"stock": 3}')
  })
  const api = await createApi(tg.client)
  apiId = api.apiId
  const items = await createPath(tg.client, apiId, api.rootId, 'items/{id}')
  await putMethodWithIntegration(
    tg.client,
    apiId,
    items,
    'POST',
    {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: `${backend.url}/stock/{id}`,
      requestParameters: { 'integration.request.path.id': 'method.request.path.id' },
      requestTemplates: { 'application/json': '{"sku": "$input.params(\'id\')"}' },
    },
    {
      requestParameters: { 'method.request.path.id': true },
      responseTemplates: { 'application/json': '{"left": $input.json(\'$.stock\')}' },
    },
  )
  await deploy(tg.client, apiId, 'prod')
  await deploy(tg.client, apiId, 'quiet')
  await tg.client.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: 'prod',
      patchOperations: [
        { op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' },
        { op: 'replace', path: '/*/*/logging/dataTrace', value: 'true' },
      ],
    }),
  )
})
afterAll(async () => {
  await tg.close()
  await backend.close()
})

describe('execution logs', () => {
  it("keeps a mapped HTTP integration's steps and prints them with tollgate logs", async () => {
    const post = (stage: string) =>
      fetch(`${tg.url}/_aws/execute-api/${apiId}/${stage}/items/sku-9`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"qty": 1}',
      })
    expect((await post('prod')).status).toBe(200)
    expect((await post('quiet')).status).toBe(200)
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      'logs',
      '--api',
      apiId,
      '--stage',
      'prod',
      '--endpoint',
      tg.url,
    ])
    const steps = stdout
      .trim()
      .split('\n')
      .map((line) => line.replace(/^\([0-9a-f-]{36}\) /, ''))
    expect(steps).toEqual([
      expect.stringMatching(/^Extended Request Id: /) as string,
      expect.stringMatching(/^Verifying Usage Plan for request: /) as string,
      expect.stringMatching(/^Starting execution for request: /) as string,
      'HTTP Method: POST, Resource Path: /items/sku-9',
      'Method request body before transformations: {"qty": 1}',
      `Endpoint request URI: ${backend.url}/stock/sku-9`,
      'Endpoint request body after transformations: {"sku": "sku-9"}',
      `Sending request to ${backend.url}/stock/sku-9`,
      expect.stringMatching(/^Received response\. Status: 200, Integration latency: \d+ ms$/) as string,
      'Endpoint response body before transformations: {"stock": 3}',
      'Method response body after transformations: {"left": 3}',
      'Method completed with status: 200',
    ])
    const quiet = await promisify(execFile)(process.execPath, [
      BIN,
      'logs',
      '--api',
      apiId,
      '--stage',
      'quiet',
      '--endpoint',
      tg.url,
    ])
    expect(quiet.stdout).toBe('')
  })

  it('cuts each event at 1 KB, as AWS does, marked [TRUNCATED]', async () => {
    // 3,000 characters of 2 bytes each (é): 6,000 bytes of body.
    const body = JSON.stringify({ note: 'é'.repeat(3_000) })
    const response = await fetch(`${tg.url}/_aws/execute-api/${apiId}/prod/items/sku-big`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(response.status).toBe(200)
    const read = await fetch(`${tg.url}/_tollgate/logs/${apiId}/prod`)
    const { entries } = (await read.json()) as { entries: { lines: string[] }[] }
    const lines = entries.at(-1)?.lines ?? []
    const line = lines.find((l) => l.includes('Method request body before transformations: '))
    expect(line).toBeDefined()
    const text = line ?? ''
    expect(text.endsWith(' [TRUNCATED]')).toBe(true)
    const kept = text.slice(0, -' [TRUNCATED]'.length)
    expect(Buffer.byteLength(kept)).toBeGreaterThan(1_020)
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(1_024)
    expect(kept).not.toContain('\uFFFD')
    expect(body.startsWith(kept.split('before transformations: ')[1] ?? 'missing')).toBe(true)
    // The short lines of the same request are whole.
    expect(lines.at(-1)).toMatch(/\) Method completed with status: 200$/)
  })
})

describe('truncatedEvent', () => {
  it('keeps text up to 1,024 UTF-8 bytes whole and never splits a character', () => {
    expect(truncatedEvent('a'.repeat(1_024))).toBe('a'.repeat(1_024))
    expect(truncatedEvent('a'.repeat(1_025))).toBe(`${'a'.repeat(1_024)} [TRUNCATED]`)
    // 341 three-byte characters are 1,023 bytes; a 342nd would pass the limit and is dropped whole.
    expect(truncatedEvent('€'.repeat(400))).toBe(`${'€'.repeat(341)} [TRUNCATED]`)
  })
})
