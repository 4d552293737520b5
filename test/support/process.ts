import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BIN = new URL('../../bin/tollgate.js', import.meta.url).pathname

/** A free TCP port on 127.0.0.1 (bound, read, released): `serve` cannot print the port of `--port 0` yet. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export const tempDir = (prefix = 'tollgate-test-'): string => mkdtempSync(join(tmpdir(), prefix))

export interface TollgateProcess {
  /** `http://host:port` of the listener. */
  url: string
  port: number
  pid: number
  child: ChildProcess
  /** The data directory it was given (a fresh temp dir unless the test chose one). */
  dataDir: string
  /** Everything the process printed so far, stdout and stderr. */
  output(): string
  /** Resolves with the exit code, or the signal's name when a signal ended it. */
  exited: Promise<number | string>
  waitExit(): Promise<number | string>
  /** Sends a signal (SIGTERM by default) unless the process has already ended. */
  kill(signal?: NodeJS.Signals): void
}

export interface SpawnOptions {
  /** Variables added to the test's environment (inherited `TOLLGATE_*` ones are dropped first). */
  env?: NodeJS.ProcessEnv
  /** The port to pass as `--port`; a free one by default. */
  port?: number
  /** Wait for `/_tollgate/health` to answer 200 (default true). */
  waitHealthy?: boolean
  /** A command the gateway runs under, e.g. `['nsenter', '-t', pid, '-m']` (it must exec it). */
  prefix?: string[]
}

const running = new Set<ChildProcess>()
// Whatever happens to the test worker, it leaves no gateway behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Kills every gateway this worker spawned that is still running (for `afterAll`/`afterEach`). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL')
}

const flagValue = (args: readonly string[], flag: string): string | undefined => {
  const index = args.indexOf(flag)
  return index === -1 ? undefined : args[index + 1]
}

/**
 * Runs `node bin/tollgate.js serve` as a child process and waits until it is healthy. Only what
 * neither `args` nor `options.env` set is filled in: a free `--port`, a fresh temp `--data-dir`
 * (never the repository's `.tollgate/`), `--log-level warn`.
 */
export async function spawnTollgate(
  args: string[] = [],
  options: SpawnOptions = {},
): Promise<TollgateProcess> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('TOLLGATE_')),
  )
  Object.assign(env, options.env)
  const extra: string[] = []
  const portSetting = flagValue(args, '--port') ?? env['TOLLGATE_PORT']
  let port = portSetting === undefined ? undefined : Number(portSetting)
  if (port === undefined) {
    port = options.port ?? (await freePort())
    extra.push('--port', String(port))
  }
  let dataDir = flagValue(args, '--data-dir') ?? env['TOLLGATE_DATA_DIR']
  if (dataDir === undefined) {
    dataDir = tempDir()
    extra.push('--data-dir', dataDir)
  }
  if (flagValue(args, '--log-level') === undefined && env['TOLLGATE_LOG_LEVEL'] === undefined) {
    extra.push('--log-level', 'warn')
  }
  const host = flagValue(args, '--host') ?? env['TOLLGATE_HOST'] ?? '127.0.0.1'

  const [command, ...prefixArgs] = [...(options.prefix ?? []), process.execPath]
  const child = spawn(command, [...prefixArgs, BIN, 'serve', ...extra, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve(code ?? signal ?? 'unknown')
    }),
  )
  const handle: TollgateProcess = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    pid: child.pid ?? -1,
    child,
    dataDir,
    output: () => output,
    exited,
    waitExit: () => exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
  }
  if (options.waitHealthy === false) return handle
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`tollgate exited early (${child.exitCode ?? child.signalCode}): ${output}`)
    }
    try {
      const response = await fetch(`${handle.url}/_tollgate/health`, { signal: AbortSignal.timeout(1_000) })
      await response.arrayBuffer()
      if (response.ok) return handle
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      handle.kill('SIGKILL')
      throw new Error(`tollgate did not become healthy within 20 s: ${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
