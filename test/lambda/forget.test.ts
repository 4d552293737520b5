import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  UpdateFunctionCodeCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient, zipOf } from '../support/lambda.js'
import { tempDir } from '../support/process.js'

// What the gateway keeps per function name must go with the function (a long-running gateway
// sees functions come and go, and made-up names from anyone who can reach the Invoke API).

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

const metrics = async (): Promise<string> => (await fetch(`${tg.url}/_tollgate/metrics`)).text()

/** The exposition lines of the Lambda metrics labelled with the function. */
const seriesOf = (text: string, name: string): string[] =>
  text.split('\n').filter((l) => l.startsWith('tollgate_lambda_') && l.includes(`function="${name}"`))

const invoke = async (name: string): Promise<unknown> =>
  JSON.parse(
    Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload ?? []).toString(),
  )

describe('Lambda metrics of functions that do not exist', () => {
  it('adds no series for invocations of made-up names', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `ghost-${i}`)
    for (const name of names) {
      const error = await lambda.send(new InvokeCommand({ FunctionName: name })).catch((e: unknown) => e)
      expect(error).toMatchObject({
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 404 },
      })
    }
    const text = await metrics()
    expect(text.split('\n').filter((l) => l.includes('function="ghost-'))).toEqual([])
  })

  it('forgets a deleted function: its series go, and one created again starts from zero', async () => {
    const files = { 'index.js': 'exports.handler = async () => "ok"' }
    await createFunction(lambda, 'doomed', files)
    expect(await invoke('doomed')).toBe('ok')
    expect(await invoke('doomed')).toBe('ok')
    let text = await metrics()
    expect(text).toContain('tollgate_lambda_invocations_total{function="doomed"} 2')
    expect(text).toContain('tollgate_lambda_cold_starts_total{function="doomed"} 1')

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'doomed' }))
    expect(seriesOf(await metrics(), 'doomed')).toEqual([])
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'doomed' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    })
    expect(seriesOf(await metrics(), 'doomed')).toEqual([])

    await createFunction(lambda, 'doomed', files)
    expect(await invoke('doomed')).toBe('ok')
    text = await metrics()
    expect(text).toContain('tollgate_lambda_invocations_total{function="doomed"} 1')
    expect(text).toContain('tollgate_lambda_duration_seconds_count{function="doomed"} 1')
    expect(text).toContain('tollgate_lambda_cold_starts_total{function="doomed"} 1')
    expect(text).toContain('tollgate_lambda_concurrent_executions{function="doomed"} 0')
    expect(text).not.toContain('tollgate_lambda_errors_total{function="doomed"}')
  })
})

describe('hot-reload watchers', () => {
  // Each environment answers with an id of its own: the same id twice means a warm environment.
  const source = 'const id = Math.random(); exports.handler = async () => id'

  const createHot = (name: string, folder: string) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { S3Bucket: 'hot-reload', S3Key: folder },
      }),
    )

  /** Changes the folder and waits until `control`, which watches it, has reloaded. */
  const changeAndWait = async (folder: string, control: string): Promise<void> => {
    const before = await invoke(control)
    writeFileSync(join(folder, 'index.js'), `${source} // ${Date.now()}`)
    let now = before
    for (let attempt = 0; attempt < 50 && now === before; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      now = await invoke(control)
    }
    expect(now).not.toBe(before)
    // Past the watchers' debounce, so that every watcher of the folder has acted.
    await new Promise((resolve) => setTimeout(resolve, 200))
  }

  it('closes the watcher of a deleted function', async () => {
    const folder = tempDir('tollgate-forget-hot-')
    writeFileSync(join(folder, 'index.js'), source)
    await createHot('hot-control', folder)
    await createHot('hot-doomed', folder)
    await invoke('hot-doomed')
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'hot-doomed' }))
    // The same name again, with its code in a package: a change in the old folder is none of its business.
    await createFunction(lambda, 'hot-doomed', { 'index.js': source })
    const warm = await invoke('hot-doomed')
    expect(await invoke('hot-doomed')).toBe(warm)
    await changeAndWait(folder, 'hot-control')
    expect(await invoke('hot-doomed')).toBe(warm)
  })

  it('stops watching the old folder when the function points at a new one', async () => {
    const folder = tempDir('tollgate-forget-moved-')
    writeFileSync(join(folder, 'index.js'), source)
    await createHot('moved-control', folder)
    await createHot('moved', folder)
    await invoke('moved')
    // New code in a package: the function now runs from where the package was unpacked.
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'moved', ZipFile: zipOf({ 'index.js': source }) }),
    )
    const warm = await invoke('moved')
    expect(await invoke('moved')).toBe(warm)
    await changeAndWait(folder, 'moved-control')
    expect(await invoke('moved')).toBe(warm)
  })
})
