import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import {
  StoreUnavailableError,
  type ConfigReader,
  type ConfigStore,
  type ConfigTx,
  type RecordKind,
  type RecordKinds,
} from '../config-store.js'
import { SQLITE_MIGRATIONS } from './migrations.js'
import { Mutex } from '../mutex.js'

interface Row {
  body: string
}

/**
 * The embedded store: one SQLite file (`tollgate.db`) in the data directory, in WAL mode so a
 * committed transaction survives `kill -9`. Holds the database file open until `close()`.
 *
 * better-sqlite3 is synchronous while the store interface is async (PostgreSQL's is), so a
 * transaction may await between statements; a mutex keeps one transaction or read at a time on
 * the single connection, which makes every transaction serialisable.
 */
export class SqliteConfigStore implements ConfigStore {
  readonly shared = false
  readonly #db: Database.Database
  readonly #mutex = new Mutex()
  readonly #statements
  readonly #listeners = new Set<(revision: number) => void>()

  constructor(file: string) {
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    // FULL syncs the WAL on every commit: a management call that answered is on disk.
    this.#db.pragma('synchronous = FULL')
    this.#db.pragma('busy_timeout = 5000')
    migrate(this.#db)
    this.#statements = {
      get: this.#db.prepare<[string, string, string], Row>(
        'SELECT body FROM records WHERE kind = ? AND scope = ? AND id = ?',
      ),
      list: this.#db.prepare<[string, string], Row>(
        'SELECT body FROM records WHERE kind = ? AND scope = ? ORDER BY seq',
      ),
      put: this.#db.prepare<[string, string, string, string]>(
        `INSERT INTO records (kind, scope, id, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body`,
      ),
      delete: this.#db.prepare<[string, string, string]>(
        'DELETE FROM records WHERE kind = ? AND scope = ? AND id = ?',
      ),
      deleteScope: this.#db.prepare<[string]>('DELETE FROM records WHERE scope = ?'),
      bump: this.#db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'revision'"),
      revision: this.#db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'revision'"),
    }
  }

  /** Opens (creating if needed) the store of a data directory. */
  static open(dataDir: string): SqliteConfigStore {
    mkdirSync(dataDir, { recursive: true })
    return new SqliteConfigStore(join(dataDir, 'tollgate.db'))
  }

  /** An in-memory store, for tests that need no persistence. */
  static inMemory(): SqliteConfigStore {
    return new SqliteConfigStore(':memory:')
  }

  transaction<T>(fn: (tx: ConfigTx) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const s = this.#statements
      let wrote = false
      const tx: ConfigTx = {
        ...this.#reader(),
        put: <K extends RecordKind>(kind: K, scope: string, id: string, value: RecordKinds[K]) => {
          s.put.run(kind, scope, id, JSON.stringify(value))
          wrote = true
          return Promise.resolve()
        },
        delete: (kind, scope, id) => {
          const removed = s.delete.run(kind, scope, id).changes > 0
          wrote ||= removed
          return Promise.resolve(removed)
        },
        deleteScope: (scope) => {
          const removed = s.deleteScope.run(scope).changes > 0
          wrote ||= removed
          return Promise.resolve()
        },
      }
      this.#db.exec('BEGIN IMMEDIATE')
      try {
        const result = await fn(tx)
        if (wrote) s.bump.run()
        this.#db.exec('COMMIT')
        if (wrote) this.#notify()
        return result
      } catch (error) {
        // SQLite rolls some failures back itself (a full disk may, mid-statement or at COMMIT):
        // a second ROLLBACK would throw and hide the cause.
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
        throw isDiskFull(error) ? new StoreUnavailableError(error) : error
      }
    })
  }

  read<T>(fn: (reader: ConfigReader) => Promise<T>): Promise<T> {
    return this.#mutex.run(() => fn(this.#reader()))
  }

  revision(): Promise<number> {
    return Promise.resolve(this.#statements.revision.get()?.value ?? 0)
  }

  onChange(listener: (revision: number) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #notify(): void {
    const revision = this.#statements.revision.get()?.value ?? 0
    for (const listener of this.#listeners) listener(revision)
  }

  ping(): Promise<boolean> {
    return Promise.resolve(this.#db.open)
  }

  close(): Promise<void> {
    return this.#mutex.run(() => {
      this.#db.close()
      return Promise.resolve()
    })
  }

  #reader(): ConfigReader {
    const s = this.#statements
    return {
      get: <K extends RecordKind>(kind: K, scope: string, id: string) => {
        const row = s.get.get(kind, scope, id)
        return Promise.resolve(row ? (JSON.parse(row.body) as RecordKinds[K]) : undefined)
      },
      list: <K extends RecordKind>(kind: K, scope: string) =>
        Promise.resolve(s.list.all(kind, scope).map((row) => JSON.parse(row.body) as RecordKinds[K])),
    }
  }
}

/**
 * SQLITE_FULL: the disk (or the filesystem's quota) has no room for the write. Nothing was
 * committed, and the same write succeeds once space is freed, so it is answered as the store
 * being unavailable (503, retryable), not as an internal failure.
 */
function isDiskFull(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_FULL'
}

function migrate(db: Database.Database): void {
  const applied = db.pragma('user_version', { simple: true }) as number
  for (let version = applied; version < SQLITE_MIGRATIONS.length; version++) {
    const sql = SQLITE_MIGRATIONS[version]
    if (sql === undefined) break
    db.transaction(() => {
      db.exec(sql)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}
