import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import { afterAll, describe, expect, it } from 'vitest'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { freePort, tempDir } from '../support/process.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The compiled build (`npm run build`, what a production node or the bench runs) works on its own:
 * it serves, and a Node.js function runs (its runner is a file the build copies beside the JavaScript).
 */
describe('npm run build', () => {
  let child: ChildProcess | undefined
  afterAll(() => {
    child?.kill('SIGKILL')
  })

  it('serves from dist/ and runs a Node.js function', { timeout: 180_000 }, async () => {
    await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT })
    const port = await freePort()
    child = spawn(
      process.execPath,
      ['dist/cli/main.js', 'serve', '--port', String(port), '--data-dir', tempDir(), '--log-level', 'warn'],
      { cwd: ROOT, stdio: 'ignore' },
    )
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 20_000
    for (;;) {
      const ok = await fetch(`${url}/_tollgate/health`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) break
      if (Date.now() > deadline) throw new Error('the compiled gateway did not become healthy in 20 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const lambda = lambdaClient(url)
    await createFunction(lambda, 'built', {
      'index.mjs': 'export const handler = async (event) => ({ doubled: event.n * 2 })',
    })
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: 'built', Payload: Buffer.from('{"n":21}') }),
    )
    lambda.destroy()
    expect(result.FunctionError).toBeUndefined()
    expect(JSON.parse(Buffer.from(result.Payload ?? []).toString())).toEqual({ doubled: 42 })
  })
})
