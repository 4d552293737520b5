import { InvokeCommand, PutFunctionConcurrencyCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_CONCURRENT_STARTS } from '../../src/lambda/environment-pool.js'
import { createApi, createPath, deploy, httpRequest, putMethodWithIntegration } from '../support/apis.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { tempDir } from '../support/process.js'

// A burst of AWS_PROXY requests to a function without warm environments (issue 16). Each start is
// a process spawn plus the function's init; starting one environment per waiting request made
// every start slower on a starved CPU, so more requests found no environment and started more.
// Now at most MAX_CONCURRENT_STARTS environments of a function start at once, and a request past
// them waits for the first environment that becomes free or finishes starting. Throttling is
// untouched: AWS answers 429 TooManyRequestsException "Rate Exceeded." past a function's reserved
// concurrency (AWS docs "lambda-concurrency").

/** A function whose init takes ~300 ms (sleeping, not spinning) and logs when it starts and ends. */
const slowInit = (marks: string) => `
const fs = require('fs')
fs.appendFileSync(${JSON.stringify(marks)}, 'start ' + process.pid + ' ' + Date.now() + '\\n')
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300)
fs.appendFileSync(${JSON.stringify(marks)}, 'ready ' + process.pid + ' ' + Date.now() + '\\n')
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 100))
  const pid = String(process.pid)
  return event.httpMethod ? { statusCode: 200, body: pid } : pid
}`

const functionUri = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`

/** The most environments whose init ran at the same time, from the functions' start/ready marks. */
function maxConcurrentInits(marks: string): { inits: number; maxAtOnce: number } {
  const events = readFileSync(marks, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [kind = '', , at = '0'] = line.split(' ')
      return { at: Number(at), delta: kind === 'start' ? 1 : -1 }
    })
    // At the same millisecond, an init that ended is counted out before one that began.
    .sort((a, b) => a.at - b.at || a.delta - b.delta)
  let running = 0
  let maxAtOnce = 0
  for (const { delta } of events) {
    running += delta
    maxAtOnce = Math.max(maxAtOnce, running)
  }
  return { inits: events.filter((e) => e.delta === 1).length, maxAtOnce }
}

let tg: TestGateway
let lambda: LambdaClient
let base = ''
const dir = tempDir('tollgate-cold-starts-')
const burstMarks = join(dir, 'burst.txt')
const narrowMarks = join(dir, 'narrow.txt')

beforeAll(async () => {
  writeFileSync(burstMarks, '')
  writeFileSync(narrowMarks, '')
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
  await createFunction(lambda, 'slow-init', { 'index.js': slowInit(burstMarks) }, { timeout: 20 })
  await createFunction(lambda, 'slow-init-narrow', { 'index.js': slowInit(narrowMarks) }, { timeout: 20 })
  const { apiId, rootId } = await createApi(tg.client, 'cold-starts')
  await putMethodWithIntegration(
    tg.client,
    apiId,
    await createPath(tg.client, apiId, rootId, 'burst'),
    'GET',
    {
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri: functionUri('slow-init'),
    },
  )
  await deploy(tg.client, apiId, 'prod')
  base = `/_aws/execute-api/${apiId}/prod`
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

describe('concurrent cold starts of one function', () => {
  it(`serves a burst of 30 AWS_PROXY requests with at most ${MAX_CONCURRENT_STARTS} environments starting at once`, async () => {
    const started = performance.now()
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => httpRequest(tg.url, { path: `${base}/burst` })),
    )
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 30 }, () => 200))
    const pids = new Set(answers.map((a) => a.body.toString()))
    const { inits, maxAtOnce } = maxConcurrentInits(burstMarks)
    console.log(
      `30 requests in ${seconds} s: ${pids.size} environments, ${inits} inits, at most ${maxAtOnce} at once (cap ${MAX_CONCURRENT_STARTS})`,
    )
    expect(inits).toBe(pids.size)
    expect(maxAtOnce).toBeLessThanOrEqual(MAX_CONCURRENT_STARTS)
    // Requests that waited were served by environments already warm, not one environment each.
    expect(pids.size).toBeLessThan(30)
  })

  it('still answers 429 TooManyRequestsException past reserved concurrency, at once', async () => {
    await lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: 'slow-init-narrow',
        ReservedConcurrentExecutions: 3,
      }),
    )
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        lambda.send(new InvokeCommand({ FunctionName: 'slow-init-narrow', Payload: Buffer.from('{}') })),
      ),
    )
    // As before the start cap: the first three run (one of them waiting for a start slot when the
    // cap is 2), the other seven are refused without waiting.
    const fulfilled = results.filter((r) => r.status === 'fulfilled')
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(fulfilled).toHaveLength(3)
    expect(rejected).toHaveLength(7)
    for (const { reason } of rejected)
      expect(reason).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } })
    expect(maxConcurrentInits(narrowMarks).maxAtOnce).toBeLessThanOrEqual(MAX_CONCURRENT_STARTS)
  })
})
