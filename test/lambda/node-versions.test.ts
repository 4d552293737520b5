import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { createFunction, lambdaClient } from '../support/lambda.js'

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

const VERSION_HANDLER = { 'index.js': 'exports.handler = async () => process.version' }

// Node 22 and 24 come from `npm ci --prefix runtimes/node` (.ci/run does it). Missing on a
// laptop: skip and say why; under CI the run must not skip.
const installed = ['22', '24'].every((major) =>
  existsSync(new URL(`../../runtimes/node/node_modules/node${major}/bin/node`, import.meta.url)),
)
if (!installed) {
  const reason = 'Node 22/24 binaries not installed (npm ci --prefix runtimes/node)'
  if (process.env['CI'] === 'true') throw new Error(`CI must not skip: ${reason}`)
  console.warn(`skipping the Node 22/24 runtime tests: ${reason}`)
}

describe.skipIf(!installed)('Node.js runtimes run on their own Node major', () => {
  for (const [runtime, major] of [
    ['nodejs20.x', 'v20.'],
    ['nodejs22.x', 'v22.'],
    ['nodejs24.x', 'v24.'],
  ] as const) {
    it(`${runtime} runs on Node ${major.slice(1, 3)}`, async () => {
      const name = `version-${runtime.replace('.', '-')}`
      await createFunction(lambda, name, VERSION_HANDLER, { runtime })
      const result = await lambda.send(new InvokeCommand({ FunctionName: name }))
      expect(JSON.parse(Buffer.from(result.Payload ?? []).toString())).toMatch(
        new RegExp(`^${major.replace('.', '\\.')}`),
      )
    })
  }

  it('runs nodejs18.x on the host Node and says so in the log', async () => {
    await createFunction(lambda, 'version-18', VERSION_HANDLER, { runtime: 'nodejs18.x' })
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'version-18', LogType: 'Tail' }))
    expect(JSON.parse(Buffer.from(result.Payload ?? []).toString())).toBe(process.version)
    expect(Buffer.from(result.LogResult ?? '', 'base64').toString()).toContain(
      `nodejs18.x: Node 18 is not installed here; running on the host's Node ${process.version}`,
    )
  })
})
