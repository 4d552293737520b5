import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = new URL('../../bin/tollgate.js', import.meta.url).pathname

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export const tempDir = (prefix = 'tollgate-test-'): string => mkdtempSync(join(tmpdir(), prefix))

export interface TollgateProcess {
  url: string
  port: number
  child: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>
  kill(signal?: NodeJS.Signals): void
}

/** Runs `tollgate serve` as a child process and waits until it is healthy. */
export async function spawnTollgate(
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; port?: number; waitHealthy?: boolean } = {},
): Promise<TollgateProcess> {
  const port = options.port ?? (await freePort())
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--log-level', 'warn', ...args],
    {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  )
  const handle: TollgateProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
  }
  if (options.waitHealthy === false) return handle
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tollgate exited early (${child.exitCode}): ${output}`)
    try {
      const response = await fetch(`${handle.url}/_tollgate/health`)
      if (response.ok) return handle
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      handle.kill('SIGKILL')
      throw new Error(`tollgate did not become healthy: ${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
