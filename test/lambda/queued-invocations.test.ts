import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SCALE_OUT_WAIT_MS } from '../../src/lambda/environment-pool.js'
import {
  ExecutionEnvironment,
  NOT_RUN,
  QUEUE_DEPTH,
  type InvocationOutcome,
} from '../../src/lambda/runtime/environment.js'
import { startTestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

// An execution environment takes the next invocations while one runs (ExecutionEnvironment's
// queue): they still run one at a time, each with its own timeout, remaining time, duration and
// log, and an invocation queued behind one that runs long, ends its process or times out is given
// back unrun (NOT_RUN) for another environment. Real child processes running node-runner.mjs.
const HANDLER = `
// What the gateway's messages were, as the process received them.
const received = []
process.on('message', (message) => received.push(message.type))
exports.handler = async (event, context) => {
  const start = process.hrtime.bigint()
  console.log('line of ' + event.tag)
  if (event.stderr) console.error('err of ' + event.tag)
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs))
  if (event.spinMs) { const until = Date.now() + event.spinMs; while (Date.now() < until); }
  if (event.exit) process.exit(1)
  if (event.exitAfter) setImmediate(() => process.exit(1))
  return {
    tag: event.tag,
    version: process.env.V,
    pid: process.pid,
    remaining: context.getRemainingTimeInMillis(),
    start: String(start),
    end: String(process.hrtime.bigint()),
    received: [...received],
  }
}
`

let dir: string
const environments: ExecutionEnvironment[] = []
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-queued-'))
  writeFileSync(join(dir, 'index.js'), HANDLER)
})
afterEach(() => {
  for (const environment of environments.splice(0)) environment.dispose()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function environment(timeoutSeconds = 30): Promise<ExecutionEnvironment> {
  const env = new ExecutionEnvironment({
    functionName: 'queued-fn',
    codeDir: dir,
    handler: 'index.handler',
    memoryMb: 256,
    timeoutSeconds,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LAMBDA_TASK_ROOT: dir, _HANDLER: 'index.handler' },
  })
  environments.push(env)
  await env.initialised
  return env
}

let sequence = 0
const invoke = (env: ExecutionEnvironment, event: Record<string, unknown>) => {
  const id = `req-${++sequence}`
  return env.invoke(id, event, { awsRequestId: id })
}
const ran = (outcome: InvocationOutcome | typeof NOT_RUN): InvocationOutcome => {
  if (outcome === NOT_RUN) throw new Error('given back unrun')
  return outcome
}
const body = (outcome: InvocationOutcome | typeof NOT_RUN) =>
  JSON.parse(ran(outcome).payload) as {
    tag: string
    pid: number
    remaining: number
    start: string
    end: string
    received: string[]
  }

describe('an environment with invocations queued behind the running one', () => {
  it('runs them one at a time, in order, each with its own output and remaining time', async () => {
    const env = await environment()
    // Not yet queueable: nothing runs. Queueable up to QUEUE_DEPTH while one runs.
    expect(env.canQueue(QUEUE_DEPTH, SCALE_OUT_WAIT_MS)).toBe(false)
    expect(env.canQueue(1, SCALE_OUT_WAIT_MS)).toBe(true)
    const tags = Array.from({ length: 12 }, (_, i) => `t${i}`)
    const outcomes = await Promise.all(
      tags.map((tag, i) => invoke(env, { tag, stderr: i % 3 === 0, sleepMs: i === 0 ? 20 : 0 })),
    )
    const results = outcomes.map(body)
    expect(results.map((r) => r.tag)).toEqual(tags)
    // One process, and no two invocations overlapping in it: each started after the previous ended.
    expect(new Set(results.map((r) => r.pid)).size).toBe(1)
    for (let i = 1; i < results.length; i++)
      expect(BigInt(results[i]?.start ?? 0)).toBeGreaterThan(BigInt(results[i - 1]?.end ?? 0))
    outcomes.forEach((outcome, i) => {
      const { log } = ran(outcome)
      // Each log has its own lines and no other invocation's.
      expect(log).toContain(`line of t${i}\n`)
      expect(log.match(/line of t\d+/g)).toEqual([`line of t${i}`])
      if (i % 3 === 0) expect(log).toContain(`err of t${i}\n`)
      else expect(log).not.toContain('err of')
      expect(log).not.toContain('\0')
    })
    // The remaining time counts from each one's own start, not from when it was queued.
    for (const result of results) expect(result.remaining).toBeGreaterThan(29_000)
    // The last waited behind eleven others; its duration is its own run, not that wait.
    expect(ran(outcomes[11] as InvocationOutcome).report.durationMs).toBeLessThan(15)
  })

  it('sends the invocations of one turn together; one whose event cannot be sent fails alone', async () => {
    const env = await environment()
    // Three invocations in one turn go to the process as one message; the second's event has a
    // BigInt, which JSON cannot carry: it gets an error outcome, the other two run.
    const outcomes = await Promise.all([
      invoke(env, { tag: 'first' }),
      invoke(env, { tag: 'unsendable', big: 1n }),
      invoke(env, { tag: 'third' }),
    ])
    expect(body(outcomes[0]).tag).toBe('first')
    expect(body(outcomes[2]).tag).toBe('third')
    // Tried as one message first; the channel refused it, and the three went one by one.
    expect(body(outcomes[2]).received).toEqual(['invoke', 'invoke'])
    const failed = ran(outcomes[1])
    expect(failed.functionError).toBe('Unhandled')
    expect(JSON.parse(failed.payload)).toMatchObject({
      errorType: 'Runtime.InvalidEvent',
      errorMessage: expect.stringContaining('BigInt') as unknown,
    })
    // The process is still there for the next. Four sent in one turn arrive as one message.
    const four = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => invoke(env, { tag })))
    expect(body(four[0]!).pid).toBe(body(outcomes[0]).pid)
    expect(body(four[3]!).received).toEqual(['invoke', 'invoke', 'batch'])
  })

  it('gives back those queued behind an invocation that waits past the scale-out wait', async () => {
    const env = await environment()
    const began = Date.now()
    const slow = invoke(env, { tag: 'slow', sleepMs: 1500 })
    const queued = await Promise.all([invoke(env, { tag: 'q1' }), invoke(env, { tag: 'q2' })])
    expect(queued).toEqual([NOT_RUN, NOT_RUN])
    expect(Date.now() - began).toBeLessThan(1000)
    expect(body(await slow).tag).toBe('slow')
    // The environment goes on serving.
    expect(body(await invoke(env, { tag: 'after' })).tag).toBe('after')
  })

  it('gives back those queued behind an invocation that ends the process, which gets the exit error', async () => {
    const env = await environment()
    const [exiting, next] = await Promise.all([
      invoke(env, { tag: 'exit', sleepMs: 10, exit: true }),
      invoke(env, { tag: 'next' }),
    ])
    expect(next).toBe(NOT_RUN)
    // Recorded (test_lambda_runtime_exit): the same text for any exit.
    expect(JSON.parse(ran(exiting).payload)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(
        /^RequestId: req-\d+ Error: Runtime exited without providing a reason$/,
      ),
    })
    expect(ran(exiting).log).toContain('line of exit\n')
  })

  it('answers the exit error to the next one when the process ends after a result: it may have started', async () => {
    const env = await environment()
    const [returned, next] = await Promise.all([
      invoke(env, { tag: 'returns', sleepMs: 10, exitAfter: true }),
      invoke(env, { tag: 'next' }),
    ])
    // The handler returned before its process ended: its result stands. The runner starts the
    // next once that result is written, so the gateway cannot tell whether it ran: never twice.
    expect(body(returned).tag).toBe('returns')
    expect(JSON.parse(ran(next).payload)).toMatchObject({ errorType: 'Runtime.ExitError' })
  })

  it('gives back those queued behind an invocation that times out, which gets the timeout error', async () => {
    const env = await environment(1)
    const began = Date.now()
    const [spinning, next] = await Promise.all([
      invoke(env, { tag: 'spin', spinMs: 3000 }),
      invoke(env, { tag: 'next' }),
    ])
    expect(next).toBe(NOT_RUN)
    expect(JSON.parse(ran(spinning).payload)).toMatchObject({ errorType: 'Sandbox.Timedout' })
    expect(Date.now() - began).toBeLessThan(2500)
    expect(env.isAlive).toBe(false)
  })
})

describe('Invoke, with invocations queued in the environments', () => {
  it('serves a burst through one warm environment; those given back run elsewhere, with the configuration as it is now', async () => {
    const tg = await startTestGateway()
    try {
      const lambda = lambdaClient(tg.url)
      await createFunction(lambda, 'queued', { 'index.js': HANDLER })
      const call = async (event: Record<string, unknown>) => {
        const out = await lambda.send(
          new InvokeCommand({ FunctionName: 'queued', Payload: JSON.stringify(event), LogType: 'Tail' }),
        )
        return {
          error: out.FunctionError,
          body: JSON.parse(new TextDecoder().decode(out.Payload)) as {
            tag: string
            pid: number
            version?: string
            errorType?: string
          },
          log: Buffer.from(out.LogResult ?? '', 'base64').toString(),
        }
      }
      await call({ tag: 'warm' })
      const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => call({ tag: `b${i}` })))
      burst.forEach((result, i) => {
        expect(result.error).toBeUndefined()
        expect(result.body.tag).toBe(`b${i}`)
        expect(result.log.match(/line of b\d+/g)).toEqual([`line of b${i}`])
      })
      // A slow invocation holds the warm environment: the next ones, queued behind it, are given
      // back after SCALE_OUT_WAIT_MS and served by a new environment long before it ends.
      const slowStarted = Date.now()
      const slow = call({ tag: 'slow', sleepMs: 2000 })
      await new Promise((resolve) => setTimeout(resolve, 10))
      const quick = await Promise.all([call({ tag: 'q1' }), call({ tag: 'q2' })])
      expect(Date.now() - slowStarted).toBeLessThan(1500)
      expect(quick.map((r) => r.body.tag)).toEqual(['q1', 'q2'])
      const slowResult = await slow
      expect(slowResult.body.tag).toBe('slow')

      // Queued behind an invocation that blocks its process, then the configuration changes: the
      // next invocation retires the old environments, and the queued ones, given back, run with
      // the new configuration. (The blocking one is ended with its process, as before queueing.)
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'queued',
          Environment: { Variables: { V: '1' } },
        }),
      )
      await call({ tag: 'warm-v1' })
      const blocking = call({ tag: 'blocking', spinMs: 1500 })
      await new Promise((resolve) => setTimeout(resolve, 10))
      const behind = Promise.all([call({ tag: 'r1' }), call({ tag: 'r2' })])
      await new Promise((resolve) => setTimeout(resolve, 100))
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'queued',
          Environment: { Variables: { V: '2' } },
        }),
      )
      expect((await call({ tag: 'v2' })).body.version).toBe('2')
      expect((await behind).map((r) => [r.body.tag, r.body.version])).toEqual([
        ['r1', '2'],
        ['r2', '2'],
      ])
      expect((await blocking).body.errorType).toBe('Runtime.ExitError')
    } finally {
      await tg.close()
    }
  })
})
