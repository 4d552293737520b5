import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresConfigStore, parsePostgresUrl } from '../../src/store/postgres/postgres-store.js'
import { BIN } from '../support/process.js'
import { dropPostgresSchema, postgresServer, postgresTestUrl, requireTool } from '../support/tools.js'
import { configStoreContract } from './config-store.contract.js'

// Needs the machine's PostgreSQL (TOLLGATE_TEST_POSTGRES overrides the URL); skips with a reason
// on a laptop without one, never under CI=true.
const skip = await requireTool(postgresServer)
const schemas: string[] = []

/** A store in a fresh schema, dropped after the file's tests. */
async function fresh(url = postgresTestUrl()): Promise<PostgresConfigStore> {
  if (!schemas.includes(url)) schemas.push(url)
  return PostgresConfigStore.connect(url, { pollIntervalMs: 200 })
}

afterAll(async () => {
  for (const url of schemas) await dropPostgresSchema(url)
})

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe.skipIf(skip)('PostgresConfigStore', () => {
  configStoreContract('postgres', () => fresh())

  it('reads the schema from the URL and refuses one that is not an identifier', () => {
    expect(parsePostgresUrl('postgres://u@h:5432/db?schema=blue_1')).toEqual({
      connectionString: 'postgres://u@h:5432/db',
      schema: 'blue_1',
    })
    expect(parsePostgresUrl('postgres://u@h/db').schema).toBe('tollgate')
    expect(() => parsePostgresUrl('postgres://u@h/db?schema=x;drop')).toThrow(/identifier/)
  })

  describe('two nodes on one schema', () => {
    const url = postgresTestUrl()
    let a: PostgresConfigStore
    let b: PostgresConfigStore
    beforeAll(async () => {
      // Both migrate at once: the advisory lock lets one create the tables.
      ;[a, b] = await Promise.all([fresh(url), fresh(url)])
    })
    afterAll(async () => {
      await a?.close()
      await b?.close()
    })

    it('tells the other node about a commit through NOTIFY', async () => {
      const seen: number[] = []
      const off = b.onChange((revision) => seen.push(revision))
      await a.transaction((tx) => tx.put('stage', 'api', 'dev', { stageName: 'dev' } as never))
      const revision = await a.revision()
      await until(() => seen.includes(revision), 1_000)
      expect(await b.read((r) => r.get('stage', 'api', 'dev'))).toEqual({ stageName: 'dev' })
      off()
    })

    it('serialises read-modify-write transactions across nodes', async () => {
      await a.transaction((tx) => tx.put('stage', 'api', 'counter', { stageName: '0' } as never))
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).transaction(async (tx) => {
            const current = await tx.get('stage', 'api', 'counter')
            await new Promise((resolve) => setTimeout(resolve, 1))
            await tx.put('stage', 'api', 'counter', {
              stageName: String(Number(current?.stageName) + 1),
            } as never)
          }),
        ),
      )
      expect((await b.read((r) => r.get('stage', 'api', 'counter')))?.stageName).toBe('40')
    })

    it('catches up after its change feed is cut', async () => {
      const seen: number[] = []
      const off = b.onChange((revision) => seen.push(revision))
      // Cut the LISTEN connections of this schema's channel, as a restart or network drop would.
      const admin = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString })
      await admin.connect()
      try {
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN%' AND query LIKE $1`,
          [`%${parsePostgresUrl(url).schema}%`],
        )
      } finally {
        await admin.end()
      }
      await a.transaction((tx) => tx.put('stage', 'api', 'late', { stageName: 'late' } as never))
      const revision = await a.revision()
      await until(() => seen.includes(revision), 2_000)
      expect(await b.read((r) => r.get('stage', 'api', 'late'))).toEqual({ stageName: 'late' })
      // And the feed is back: the next commit arrives too.
      await a.transaction((tx) => tx.put('stage', 'api', 'later', { stageName: 'later' } as never))
      const next = await a.revision()
      await until(() => seen.includes(next), 2_000)
      off()
    })
  })

  it('migrates an existing schema to the same version without touching its data', async () => {
    const url = postgresTestUrl()
    const store = await fresh(url)
    await store.transaction((tx) => tx.put('stage', 'api', 'dev', { stageName: 'kept' } as never))
    await store.close()
    const version = await PostgresConfigStore.migrate(url)
    expect(version).toBeGreaterThan(0)
    const again = await fresh(url)
    expect(await again.read((r) => r.get('stage', 'api', 'dev'))).toEqual({ stageName: 'kept' })
    expect(await again.ping()).toBe(true)
    await again.close()
  })

  it('`tollgate migrate` brings a new schema to the current version, and again changes nothing', async () => {
    const url = postgresTestUrl()
    schemas.push(url)
    const run = promisify(execFile)
    const first = await run(process.execPath, [BIN, 'migrate', '--store', url])
    const version = await PostgresConfigStore.migrate(url)
    expect(first.stdout).toBe(`store schema at version ${version}\n`)
    const second = await run(process.execPath, [BIN, 'migrate'], {
      env: { ...process.env, TOLLGATE_STORE: url },
    })
    expect(second.stdout).toBe(first.stdout)
    await expect(
      run(process.execPath, [BIN, 'migrate', '--store', 'postgres://postgres@127.0.0.1:1/test']),
    ).rejects.toMatchObject({ code: 1 })
  })
})
