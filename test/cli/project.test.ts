import { cpSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { spawnTollgate, tempDir, type TollgateProcess } from '../support/process.js'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = new URL('../../bin/tollgate.js', import.meta.url).pathname
const EXAMPLE = new URL('../../examples/petstore-project/', import.meta.url).pathname

const started: TollgateProcess[] = []
const children: ChildProcess[] = []
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL')
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** A copy of the example project, so a test can edit it. */
function projectCopy(): string {
  const dir = tempDir('tollgate-project-')
  cpSync(EXAMPLE, dir, { recursive: true })
  return dir
}

/** Starts `tollgate dev` and returns the invoke URL it prints for the API's dev stage. */
async function startDev(config: string, dataDir: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [BIN, 'dev', '--config', config, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.push(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const deadline = Date.now() + 20_000
  while (!/greetings \(dev\): (\S+)/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`tollgate dev did not start: ${output}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return /greetings \(dev\): (\S+)/.exec(output)?.[1] ?? ''
}

describe('project files', () => {
  it('tollgate up applies a project to a running gateway, idempotently', async () => {
    const dir = projectCopy()
    const gateway = await spawnTollgate(['--data-dir', tempDir()])
    started.push(gateway)
    for (let round = 0; round < 2; round++) {
      const { stdout } = await run(process.execPath, [
        BIN,
        'up',
        '--config',
        join(dir, 'tollgate.yaml'),
        '--endpoint',
        gateway.url,
      ])
      const url = /greetings \(dev\): (\S+)/.exec(stdout)?.[1] ?? ''
      expect(await (await fetch(`${url}hello`)).json()).toEqual({ message: 'Hello, world!', path: '/hello' })
      expect(await (await fetch(`${url}status`)).json()).toEqual({ status: 'up', stage: 'dev' })
    }
    const apis = (await (await fetch(`${gateway.url}/restapis`)).json()) as { item: { name: string }[] }
    expect(apis.item.filter((a) => a.name === 'greetings')).toHaveLength(1)
  })

  it('names the file, line and field of a mistake', async () => {
    const dir = tempDir('tollgate-bad-project-')
    writeFileSync(
      join(dir, 'tollgate.yaml'),
      'functions:\n  hello:\n    runtime: nodejs20.x\n    timeout: 9000\n    code: ./x\n',
    )
    const gateway = await spawnTollgate(['--data-dir', tempDir()])
    started.push(gateway)
    const failure = await run(process.execPath, [
      BIN,
      'up',
      '--config',
      join(dir, 'tollgate.yaml'),
      '--endpoint',
      gateway.url,
    ]).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    )
    expect(failure?.code).toBe(2)
    expect(failure?.stderr).toContain(`${join(dir, 'tollgate.yaml')}:4: functions.hello.timeout:`)
  })

  it('tollgate dev: an edited handler is live on the next request, an edited API redeploys', async () => {
    const dir = projectCopy()
    const url = await startDev(join(dir, 'tollgate.yaml'), tempDir())
    expect(await (await fetch(`${url}hello`)).json()).toMatchObject({ message: 'Hello, world!' })

    writeFileSync(
      join(dir, 'functions/hello/index.js'),
      'exports.handler = async () => ({ statusCode: 200, body: "edited" })',
    )
    let body = ''
    for (let i = 0; i < 40 && body !== 'edited'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      body = await (await fetch(`${url}hello`)).text()
    }
    expect(body).toBe('edited')

    const openapi = join(dir, 'openapi.yaml')
    const { readFileSync } = await import('node:fs')
    writeFileSync(openapi, readFileSync(openapi, 'utf8').replace('"status": "up"', '"status": "changed"'))
    let status = ''
    for (let i = 0; i < 60 && status !== 'changed'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      status = ((await (await fetch(`${url}status`)).json()) as { status: string }).status
    }
    expect(status).toBe('changed')
  })
})
