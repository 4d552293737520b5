import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient, zipOf } from '../support/lambda.js'

let tg: TestGateway
let lambda: LambdaClient
beforeAll(async () => {
  tg = await startTestGateway()
  lambda = lambdaClient(tg.url)
})
afterAll(async () => {
  lambda.destroy()
  await tg.close()
})

const decode = (payload: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(payload ?? []).toString())
const invoke = (name: string, event: unknown = {}, tail = false) =>
  lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(event)),
      ...(tail ? { LogType: 'Tail' } : {}),
    }),
  )

describe('Lambda API', () => {
  it('creates, gets, lists, updates and deletes a function', async () => {
    await createFunction(
      lambda,
      'crud-fn',
      { 'index.js': 'exports.handler = async () => "v1"' },
      { env: { A: '1' } },
    )
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'crud-fn' }))
    // Shapes from AWS's recorded CreateFunction response (test_lambda_api.snapshot.json).
    expect(config).toMatchObject({
      FunctionName: 'crud-fn',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:crud-fn',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Timeout: 3,
      MemorySize: 128,
      Version: '$LATEST',
      PackageType: 'Zip',
      Environment: { Variables: { A: '1' } },
      TracingConfig: { Mode: 'PassThrough' },
    })
    expect(config.CodeSha256).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(config.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/)
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'crud-fn' }))
    expect(got.Configuration?.FunctionName).toBe('crud-fn')
    const list = await lambda.send(new ListFunctionsCommand({}))
    expect(list.Functions?.map((f) => f.FunctionName)).toContain('crud-fn')

    expect(decode((await invoke('crud-fn')).Payload)).toBe('v1')
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'crud-fn',
        ZipFile: zipOf({ 'index.js': 'exports.handler = async () => "v2"' }),
      }),
    )
    expect(decode((await invoke('crud-fn')).Payload)).toBe('v2')
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'crud-fn',
        Timeout: 10,
        Environment: { Variables: { B: '2' } },
      }),
    )
    expect(updated).toMatchObject({ Timeout: 10, Environment: { Variables: { B: '2' } } })

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'crud-fn' }))
    const missing = await lambda
      .send(new GetFunctionCommand({ FunctionName: 'crud-fn' }))
      .catch((e: unknown) => e as Error)
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:crud-fn',
    })
  })

  it('refuses a duplicate function and an unsupported runtime', async () => {
    await createFunction(lambda, 'dup-fn', { 'index.js': 'exports.handler = async () => 1' })
    await expect(createFunction(lambda, 'dup-fn', { 'index.js': '' })).rejects.toMatchObject({
      name: 'ResourceConflictException',
    })
    await expect(
      createFunction(lambda, 'java-fn', { 'x.jar': '' }, { runtime: 'java21', handler: 'x.Handler' }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    })
  })
})

describe('Node.js runtime', () => {
  it('passes the event and a full context, with Lambda environment variables, to CommonJS handlers', async () => {
    await createFunction(
      lambda,
      'context-fn',
      {
        'index.js': `
          const started = Date.now()
          exports.handler = async (event, context) => ({
            event,
            functionName: context.functionName,
            functionVersion: context.functionVersion,
            invokedFunctionArn: context.invokedFunctionArn,
            memoryLimitInMB: context.memoryLimitInMB,
            awsRequestId: context.awsRequestId,
            logGroupName: context.logGroupName,
            remaining: context.getRemainingTimeInMillis(),
            env: {
              name: process.env.AWS_LAMBDA_FUNCTION_NAME,
              region: process.env.AWS_REGION,
              handler: process.env._HANDLER,
              taskRoot: process.env.LAMBDA_TASK_ROOT,
              custom: process.env.CUSTOM,
            },
            started,
          })`,
      },
      { memory: 256, timeout: 5, env: { CUSTOM: 'yes' } },
    )
    const first = decode((await invoke('context-fn', { hello: 'world' })).Payload) as Record<string, unknown>
    expect(first).toMatchObject({
      event: { hello: 'world' },
      functionName: 'context-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:context-fn',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/context-fn',
      env: { name: 'context-fn', region: 'us-east-1', handler: 'index.handler', custom: 'yes' },
    })
    expect(first['awsRequestId']).toMatch(/^[0-9a-f-]{36}$/)
    expect(first['remaining']).toBeGreaterThan(0)
    expect(first['remaining']).toBeLessThanOrEqual(5000)
    // Warm: the second invocation reuses the environment, so init code does not run again.
    const second = decode((await invoke('context-fn')).Payload) as Record<string, unknown>
    expect(second['started']).toBe(first['started'])
    expect(second['awsRequestId']).not.toBe(first['awsRequestId'])
  })

  it('runs ESM handlers in nested paths and callback handlers', async () => {
    await createFunction(
      lambda,
      'esm-fn',
      { 'src/app.mjs': 'export const main = async (e) => ({ esm: true, n: e.n * 2 })' },
      { handler: 'src/app.main' },
    )
    expect(decode((await invoke('esm-fn', { n: 21 })).Payload)).toEqual({ esm: true, n: 42 })
    await createFunction(lambda, 'cb-fn', {
      'index.js': 'exports.handler = (e, ctx, cb) => setTimeout(() => cb(null, { cb: e.v }), 5)',
    })
    expect(decode((await invoke('cb-fn', { v: 'ok' })).Payload)).toEqual({ cb: 'ok' })
  })

  it('returns a thrown error as an Unhandled function error in the Node.js shape, with the log tail', async () => {
    await createFunction(lambda, 'throw-fn', {
      'index.js':
        'exports.handler = async () => { console.log("about to fail"); const e = new TypeError("bad input"); throw e }',
    })
    const result = await invoke('throw-fn', {}, true)
    expect(result.StatusCode).toBe(200)
    expect(result.FunctionError).toBe('Unhandled')
    const payload = decode(result.Payload) as { errorType: string; errorMessage: string; trace: string[] }
    expect(payload.errorType).toBe('TypeError')
    expect(payload.errorMessage).toBe('bad input')
    expect(Array.isArray(payload.trace)).toBe(true)
    const log = Buffer.from(result.LogResult ?? '', 'base64').toString()
    expect(log).toContain('about to fail')
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST/)
    expect(log).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: /)
  })

  it('answers process.exit with Runtime.ExitError and keeps serving', async () => {
    await createFunction(lambda, 'exit-fn', {
      'index.js': 'exports.handler = async (e) => { if (e.exit) process.exit(1); return "alive" }',
    })
    const result = await invoke('exit-fn', { exit: true })
    expect(result.FunctionError).toBe('Unhandled')
    // Recorded (lambda/test_lambda.snapshot.json, test_lambda_handler_exit).
    expect(decode(result.Payload)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Runtime exited without providing a reason$/,
      ),
    })
    expect(decode((await invoke('exit-fn', { exit: false })).Payload)).toBe('alive')
  })

  it('kills a handler that runs past its timeout with Sandbox.Timedout', async () => {
    await createFunction(
      lambda,
      'loop-fn',
      { 'index.js': 'exports.handler = async (e) => { if (e.loop) for (;;) {} return "done" }' },
      { timeout: 1 },
    )
    const result = await invoke('loop-fn', { loop: true })
    expect(result.FunctionError).toBe('Unhandled')
    // Recorded (test_lambda_invoke_with_timeout): "Task timed out after 1.00 seconds".
    expect(decode(result.Payload)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/,
      ),
    })
    expect(decode((await invoke('loop-fn', { loop: false })).Payload)).toBe('done')
  })

  it("sizes V8's heap from MemorySize and exposes global.gc, as Lambda's Node.js bootstrap does", async () => {
    // AWS's /var/runtime/bootstrap of the nodejs images: new_space = MemorySize / 10,
    // --max-semi-space-size = new_space / 2, --max-old-space-size = MemorySize - new_space, plus
    // --expose-gc and --max-http-header-size 81920.
    await createFunction(
      lambda,
      'heap-fn',
      {
        'index.js': `
          const v8 = require('node:v8')
          exports.handler = async () => {
            global.gc()
            return { gc: typeof global.gc, execArgv: process.execArgv, heapLimitMb: v8.getHeapStatistics().heap_size_limit / 1048576 }
          }`,
      },
      { memory: 512 },
    )
    const result = decode((await invoke('heap-fn')).Payload) as {
      gc: string
      execArgv: string[]
      heapLimitMb: number
    }
    expect(result.gc).toBe('function')
    expect(result.execArgv).toEqual(
      expect.arrayContaining([
        '--expose-gc',
        '--max-http-header-size=81920',
        '--max-semi-space-size=25',
        '--max-old-space-size=461',
      ]),
    )
    // V8 took the limits: old generation plus young generation, not its default of ~2 GB or more.
    expect(result.heapLimitMb).toBeGreaterThan(461)
    expect(result.heapLimitMb).toBeLessThan(600)
  })

  it('answers a memory blow-up past MemorySize with an error and keeps serving', async () => {
    await createFunction(
      lambda,
      'oom-fn',
      {
        'index.js':
          'exports.handler = async (e) => { if (!e.grow) return "small"; const keep = []; for (;;) keep.push(new Array(1e6).fill(1)) }',
      },
      { memory: 128, timeout: 20 },
    )
    const result = await invoke('oom-fn', { grow: true })
    expect(result.FunctionError).toBe('Unhandled')
    expect((decode(result.Payload) as { errorType: string }).errorType).toMatch(
      /^Runtime\.(OutOfMemory|ExitError)$/,
    )
    expect(decode((await invoke('oom-fn', { grow: false })).Payload)).toBe('small')
  })
})
