import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { existsSync } from 'node:fs'

// The shell bootstrap talks HTTP with curl. Missing on a laptop: skip and say why; under CI the
// run must not skip, so it fails here instead (.ci/run installs curl).
const noCurl = !existsSync('/usr/bin/curl')
if (noCurl) {
  if (process.env['CI'] === 'true')
    throw new Error('CI must not skip: curl not found at /usr/bin/curl (apt-get install -y curl)')
  console.warn('skipping the provided.al2023 test: curl not found at /usr/bin/curl (apt-get install -y curl)')
}

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

const invoke = async (name: string, event: unknown) => {
  const result = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }),
  )
  return {
    error: result.FunctionError,
    payload: JSON.parse(Buffer.from(result.Payload ?? []).toString()) as unknown,
  }
}

// AWS docs "runtimes-api" and "runtimes-walkthrough": a custom runtime's bootstrap loops on
// /invocation/next and posts /response or /error.
describe.skipIf(noCurl)('provided.al2023 through the Runtime API', () => {
  it('runs a shell bootstrap, warm across invocations', async () => {
    const bootstrap = `#!/bin/bash
set -euo pipefail
COUNT=0
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  COUNT=$((COUNT + 1))
  curl -sS -X POST "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" \\
    -d "{\\"echo\\": $EVENT, \\"count\\": $COUNT, \\"fn\\": \\"$AWS_LAMBDA_FUNCTION_NAME\\"}" > /dev/null
done
`
    await createFunction(
      lambda,
      'shell-fn',
      { bootstrap },
      { runtime: 'provided.al2023', handler: 'unused', executable: ['bootstrap'] },
    )
    expect(await invoke('shell-fn', { a: 1 })).toEqual({
      error: undefined,
      payload: { echo: { a: 1 }, count: 1, fn: 'shell-fn' },
    })
    expect((await invoke('shell-fn', { a: 2 })).payload).toEqual({ echo: { a: 2 }, count: 2, fn: 'shell-fn' })
  })
})

describe('python3 through the Runtime API', () => {
  it('runs a handler and returns Python-shaped errors', async () => {
    await createFunction(
      lambda,
      'py-fn',
      {
        'app.py': `
import os
def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad value " + str(event["fail"]))
    return {"doubled": event["n"] * 2, "fn": context.function_name, "region": os.environ["AWS_REGION"], "remaining": context.get_remaining_time_in_millis() > 0}
`,
      },
      { runtime: 'python3.12', handler: 'app.handler' },
    )
    expect(await invoke('py-fn', { n: 21 })).toEqual({
      error: undefined,
      payload: { doubled: 42, fn: 'py-fn', region: 'us-east-1', remaining: true },
    })
    const failed = await invoke('py-fn', { fail: 7 })
    expect(failed.error).toBe('Unhandled')
    // The Python runtime's error shape (lambda/test_lambda.snapshot.json): errorMessage, errorType, requestId, stackTrace.
    expect(failed.payload).toMatchObject({
      errorMessage: 'bad value 7',
      errorType: 'ValueError',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    expect(Array.isArray((failed.payload as { stackTrace: unknown }).stackTrace)).toBe(true)
  })
  it("gives each invocation its X-Ray header as _X_AMZN_TRACE_ID, as Lambda's Python runtime does", async () => {
    // AWS docs "configuration-envvars": _X_AMZN_TRACE_ID, the X-Ray tracing header, changes with
    // each invocation.
    await createFunction(
      lambda,
      'py-trace',
      {
        'app.py': `
import os
def handler(event, context):
    return {"environ": os.environ.get("_X_AMZN_TRACE_ID"), "getenv": os.getenv("_X_AMZN_TRACE_ID")}
`,
      },
      { runtime: 'python3.12', handler: 'app.handler' },
    )
    const first = (await invoke('py-trace', {})).payload as { environ: string; getenv: string }
    const second = (await invoke('py-trace', {})).payload as { environ: string; getenv: string }
    expect(first.environ).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}/)
    expect(first.getenv).toBe(first.environ)
    expect(second.environ).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}/)
    expect(second.environ).not.toBe(first.environ)
  })

  it('answers from a handler that runs longer than an idle HTTP connection lives (5 s in Node)', async () => {
    // The bootstrap keeps one connection to the Runtime API across invocations; the handler's 7 s
    // would outlast Node's default keep-alive, and the answer would be posted on a closed connection.
    await createFunction(
      lambda,
      'py-slow',
      {
        'app.py': `
import time
def handler(event, context):
    time.sleep(event["sleep"])
    return {"slept": event["sleep"]}
`,
      },
      { runtime: 'python3.12', handler: 'app.handler', timeout: 10 },
    )
    expect(await invoke('py-slow', { sleep: 0 })).toEqual({ error: undefined, payload: { slept: 0 } })
    expect(await invoke('py-slow', { sleep: 7 })).toEqual({ error: undefined, payload: { slept: 7 } })
    expect(await invoke('py-slow', { sleep: 0 })).toEqual({ error: undefined, payload: { slept: 0 } })
  }, 20_000)

  it('holds a handler to MemorySize: past it, Runtime.OutOfMemory, and the next call is served', async () => {
    await createFunction(
      lambda,
      'py-hog',
      {
        'app.py': `
def handler(event, context):
    keep = []
    while event.get("grow"):
        keep.append(bytearray(16 * 1024 * 1024))
    return "small"
`,
      },
      { runtime: 'python3.12', handler: 'app.handler', memory: 128, timeout: 15 },
    )
    const started = Date.now()
    const grown = await invoke('py-hog', { grow: true })
    // Well before the 15 s timeout: the memory watch, not the timer, ended it.
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(grown).toEqual({
      error: 'Unhandled',
      payload: {
        errorType: 'Runtime.OutOfMemory',
        errorMessage: expect.stringMatching(
          /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$/,
        ) as string,
      },
    })
    expect(await invoke('py-hog', {})).toEqual({ error: undefined, payload: 'small' })
  })
})
