import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './process.js'
import type { ToolRequirement } from './tools.js'

const run = promisify(execFile)

/** The server binaries of Debian's postgresql package (any major version). */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a))
  for (const version of versions) {
    const bin = join(root, version, 'bin')
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin
  }
  return undefined
}

export const privatePostgres: ToolRequirement = {
  name: "PostgreSQL's server binaries (initdb, pg_ctl) under /usr/lib/postgresql",
  check: () => postgresBin() !== undefined,
  install: 'apt-get install -y postgresql',
}

/** A PostgreSQL server of the test's own, on a free port: stopped and started by the test. */
export interface PrivatePostgres {
  url: string
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes its files. */
  destroy(): Promise<void>
}

/**
 * initdb into a temporary folder and start it (trust auth, 127.0.0.1 only). PostgreSQL refuses to
 * run as root, so as root it runs as the `postgres` user, which owns the folder.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin()
  if (!bin) throw new Error('no PostgreSQL server binaries')
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'))
  const asRoot = process.getuid?.() === 0
  const exec = async (program: string, args: string[]): Promise<void> => {
    const path = join(bin, program)
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', path, ...args])
    else await run(path, args)
  }
  if (asRoot) {
    const { uid, gid } = await postgresIds()
    chownSync(dir, uid, gid)
  }
  const data = join(dir, 'data')
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = (): Promise<void> =>
    exec('pg_ctl', ['-D', data, '-o', options, '-w', '-l', join(dir, 'log'), 'start'])
  const stop = (): Promise<void> => exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
  await start()
  let running = true
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await start()
      running = true
    },
    stop: async () => {
      await stop()
      running = false
    },
    destroy: async () => {
      if (running) await stop().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}
