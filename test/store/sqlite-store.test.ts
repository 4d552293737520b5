import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SqliteConfigStore } from '../../src/store/index.js'
import { tempDir } from '../support/process.js'
import { configStoreContract } from './config-store.contract.js'

configStoreContract('sqlite in memory', () => SqliteConfigStore.inMemory())
configStoreContract('sqlite file', () => SqliteConfigStore.open(tempDir()))

describe('SqliteConfigStore files', () => {
  it('keeps committed data across close and reopen, and migrates once', async () => {
    const dir = tempDir()
    const first = SqliteConfigStore.open(dir)
    await first.transaction((tx) =>
      tx.put('stage', 'api1', 'dev', { stageName: 'dev', deploymentId: 'd1' } as never),
    )
    const revision = await first.revision()
    await first.close()
    const second = SqliteConfigStore.open(dir)
    expect(await second.read((r) => r.get('stage', 'api1', 'dev'))).toMatchObject({ deploymentId: 'd1' })
    expect(await second.revision()).toBe(revision)
    await second.close()
    expect(existsSync(join(dir, 'tollgate.db'))).toBe(true)
  })

  it('creates a missing data directory and keeps one file there', async () => {
    const dir = join(tempDir(), 'a', 'b')
    const store = SqliteConfigStore.open(dir)
    await store.transaction((tx) => tx.put('stage', 'api1', 'dev', { stageName: 'dev' } as never))
    // WAL: commits go to the -wal file first, which is what survives kill -9 (test/cli/persistence).
    expect(existsSync(join(dir, 'tollgate.db-wal'))).toBe(true)
    await store.close()
    expect(existsSync(join(dir, 'tollgate.db'))).toBe(true)
  })
})
