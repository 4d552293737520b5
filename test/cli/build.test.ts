import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import { afterAll, describe, expect, it } from 'vitest'
import { createFunction, lambdaClient } from '../support/lambda.js'
import { freePort, tempDir } from '../support/process.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The compiled build (`npm run build`, what a production node or the bench runs) works on its own:
 * both its entry points serve, a Node.js function runs (its runner is a file the build copies
 * beside the JavaScript) and the console's files are found. The bundle (dist/tollgate.cjs) caches
 * its compiled code for the next start in a directory of the user's only.
 */
describe('npm run build', () => {
  let child: ChildProcess | undefined
  let built = false
  afterAll(() => {
    child?.kill('SIGKILL')
  })

  it.each(['dist/tollgate.cjs', 'dist/cli/main.js'])(
    '%s serves and runs a Node.js function',
    { timeout: 180_000 },
    async (entry) => {
      if (!built) {
        await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT })
        built = true
      }
      child?.kill('SIGKILL')
      const port = await freePort()
      child = spawn(
        process.execPath,
        [entry, 'serve', '--port', String(port), '--data-dir', tempDir(), '--log-level', 'info'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
      )
      let stdout = ''
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
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
      // The launcher decodes the bundle as Latin-1: right only for a bundle of ASCII bytes.
      expect(readFileSync(join(ROOT, 'dist/bundle.cjs')).findIndex((byte) => byte > 0x7f)).toBe(-1)
      // pino, bundled into dist/bundle.cjs, writes the process log: JSON lines on stdout.
      await expect
        .poll(() => stdout.split('\n').filter((line) => line.includes('"service":"tollgate"')).length)
        .toBeGreaterThan(0)
      const line = stdout.split('\n').find((l) => l.includes('"service":"tollgate"')) ?? ''
      expect(JSON.parse(line)).toMatchObject({ level: 30, service: 'tollgate' })
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
      const consolePage = await fetch(`${url}/_tollgate/console/`)
      expect(consolePage.status).toBe(200)
      expect(await consolePage.text()).toContain('<html')
      if (entry === 'dist/tollgate.cjs' && process.platform === 'linux') {
        // A second after start, the launcher writes the code cache of this build, owner-only.
        const dir = join(tmpdir(), `tollgate-compile-cache-${process.getuid?.() ?? 'user'}`)
        // Named as the launcher names it: other clones and earlier builds of this user share the
        // directory, each under its own name.
        const bundle = statSync(join(ROOT, 'dist', 'bundle.cjs'))
        const name = `${process.version}-${process.arch}-${bundle.size}-${Math.floor(bundle.mtimeMs)}`
        await expect.poll(() => readdirSync(dir), { timeout: 10_000 }).toContain(name)
        expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600)
        expect(statSync(dir).mode & 0o777).toBe(0o700)
      }
    },
  )
})
