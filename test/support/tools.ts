import { accessSync, constants } from 'node:fs'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { isListening } from '../../src/integrations/vpc-links.js'

/** The Debian awscli v2 (another, older `aws` may come first on PATH: always use this path). */
export const AWS_CLI = '/usr/bin/aws'

/** Something a test suite needs from outside the project: a program, a running server. */
export interface ToolRequirement {
  /** What the reader needs to hear, e.g. "the aws CLI v2 (Debian awscli)". */
  name: string
  /** Says whether the tool is there; may probe a server. */
  check: () => boolean | Promise<boolean>
  /** How to get it, printed with the reason. */
  install: string
}

/** Whether the program at `path` exists and may be executed. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Whether something accepts TCP connections at host:port (PostgreSQL, Redis): the gateway's own check. */
export { isListening } from '../../src/integrations/vpc-links.js'

/**
 * Says whether the suites that need `tool` must be skipped; pass the answer to
 * `describe.skipIf(...)`. On a developer's machine a missing tool skips them and prints why;
 * under CI=true it throws instead, which fails the test file: CI must never skip (`.ci/run`
 * installs what the tests need).
 */
export async function requireTool(tool: ToolRequirement): Promise<boolean> {
  let present: boolean
  try {
    present = await tool.check()
  } catch {
    present = false
  }
  if (present) return false
  const reason = `${tool.name} is not available (to get it: ${tool.install})`
  if (process.env['CI'] === 'true') throw new Error(`CI must not skip tests: ${reason}`)
  console.warn(`skipping the tests that need ${reason}`)
  return true
}

/** The Debian aws CLI v2 at /usr/bin/aws. */
export const awsCli: ToolRequirement = {
  name: `the aws CLI v2 (Debian awscli) at ${AWS_CLI}`,
  check: () => isExecutable(AWS_CLI),
  install: 'apt-get install -y awscli',
}

/** Shorthand for a program at a fixed path. */
export function skipUnlessTool(name: string, path: string, install: string): Promise<boolean> {
  return requireTool({ name: `${name} at ${path}`, check: () => isExecutable(path), install })
}

/** The machine's PostgreSQL (trust auth, database `test`); TOLLGATE_TEST_POSTGRES overrides it. */
export const POSTGRES_URL = process.env['TOLLGATE_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test'

export const postgresServer: ToolRequirement = {
  name: `PostgreSQL at ${POSTGRES_URL}`,
  check: async () => {
    const { hostname, port } = new URL(POSTGRES_URL)
    return isListening(Number(port || 5432), hostname)
  },
  install: 'apt-get install -y postgresql, then pg_ctlcluster 15 main start (trust auth for 127.0.0.1)',
}

/**
 * A PostgreSQL URL with a schema of its own (dropped by `dropPostgresSchema`), for one test or
 * bench run; `prefix` says who made it (bench/cluster uses `bench_cluster_`).
 */
export function postgresTestUrl(prefix = 'test_'): string {
  const url = new URL(POSTGRES_URL)
  url.searchParams.set('schema', `${prefix}${randomBytes(6).toString('hex')}`)
  return url.toString()
}

/** Drops the schema of a URL from `postgresTestUrl` (only a schema named with `prefix`). */
export async function dropPostgresSchema(url: string, prefix = 'test_'): Promise<void> {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema')
  parsed.searchParams.delete('schema')
  if (!schema?.startsWith(prefix)) return
  const client = new pg.Client({ connectionString: parsed.toString() })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`)
  } finally {
    await client.end()
  }
}

/** The machine's Redis; TOLLGATE_TEST_REDIS overrides it. */
export const REDIS_URL = process.env['TOLLGATE_TEST_REDIS'] ?? 'redis://127.0.0.1:6379'

export const redisServer: ToolRequirement = {
  name: `Redis at ${REDIS_URL} and the redis-server program`,
  check: async () => {
    const { hostname, port } = new URL(REDIS_URL)
    return isExecutable('/usr/bin/redis-server') && (await isListening(Number(port || 6379), hostname))
  },
  install: 'apt-get install -y redis-server, then redis-server --daemonize yes',
}

/** Debian's Chromium, which the console's browser tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium'

export const chromiumBrowser: ToolRequirement = {
  name: `Chromium at ${CHROMIUM}`,
  check: () => isExecutable(CHROMIUM),
  install: 'apt-get install -y chromium',
}
