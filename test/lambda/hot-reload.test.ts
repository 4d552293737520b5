import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { lambdaClient } from '../support/lambda.js'
import { tempDir } from '../support/process.js'

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

const invoke = async (name: string): Promise<unknown> =>
  JSON.parse(
    Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload ?? []).toString(),
  )

// LocalStack's hot-reload convention (docs "hot-reloading"): Code.S3Bucket "hot-reload" and
// Code.S3Key the absolute path of a local folder.
describe('hot reload from a local folder', () => {
  it('serves the folder in place and reloads after a change', async () => {
    const folder = tempDir('tollgate-hot-')
    writeFileSync(join(folder, 'index.js'), 'exports.handler = async () => "first"')
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'hot-fn',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/r',
        Handler: 'index.handler',
        Code: { S3Bucket: 'hot-reload', S3Key: folder },
      }),
    )
    expect(await invoke('hot-fn')).toBe('first')
    writeFileSync(join(folder, 'index.js'), 'exports.handler = async () => "second"')
    let answer: unknown = 'first'
    for (let attempt = 0; attempt < 50 && answer === 'first'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      answer = await invoke('hot-fn')
    }
    expect(answer).toBe('second')
  })

  it('refuses a folder that does not exist', async () => {
    await expect(
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'cold-fn',
          Runtime: 'nodejs20.x',
          Role: 'arn:aws:iam::000000000000:role/r',
          Handler: 'index.handler',
          Code: { S3Bucket: 'hot-reload', S3Key: '/no/such/folder' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' })
  })
})
