import pg from 'pg'
import type { Logger } from 'pino'
import {
  StoreUnavailableError,
  type ConfigReader,
  type ConfigStore,
  type ConfigTx,
  type RecordKind,
  type RecordKinds,
} from '../config-store.js'
import { migratePostgres } from './migrations.js'

export interface PostgresStoreOptions {
  /** Where the tables live (created if missing); several clusters can share one database. */
  schema?: string
  /** The safety-net check of the revision, for notifications lost while disconnected. */
  pollIntervalMs?: number
  /** Connections per node (management calls and cold reads; requests are served from memory). */
  poolSize?: number
  log?: Logger
}

/**
 * `postgres://...?schema=name`: the schema is ours to read (pg would pass it on as a server option).
 */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema') ?? 'tollgate'
  parsed.searchParams.delete('schema')
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) {
    throw new Error(`schema must be a lower-case SQL identifier (a-z, 0-9, _), got ${JSON.stringify(schema)}`)
  }
  return { connectionString: parsed.toString(), schema }
}

/**
 * The shared store for several nodes: the same record layout as SQLite, in PostgreSQL.
 *
 * Transactions are serialisable across every node: each one starts by locking the revision row
 * (`SELECT ... FOR UPDATE`), so writers run one at a time cluster-wide and, under READ COMMITTED,
 * each statement after the lock sees every earlier commit. A write bumps the revision and calls
 * `pg_notify` in the same transaction; PostgreSQL delivers the notification at commit to every
 * node's listening connection. Notifications sent while a node is disconnected are lost (see
 * DEPENDENCIES.md), so a periodic revision check, and one after every reconnection, catches up.
 */
export class PostgresConfigStore implements ConfigStore {
  readonly shared = true
  readonly #pool: pg.Pool
  readonly #schema: string
  readonly #connectionString: string
  readonly #channel: string
  readonly #log: Logger | undefined
  readonly #listeners = new Set<(revision: number) => void>()
  readonly #poll: NodeJS.Timeout
  #listener: pg.Client | undefined
  #reconnect: NodeJS.Timeout | undefined
  #seen = 0
  #closed = false
  #reachable = true

  private constructor(
    pool: pg.Pool,
    connectionString: string,
    schema: string,
    options: PostgresStoreOptions,
  ) {
    this.#pool = pool
    this.#connectionString = connectionString
    this.#schema = schema
    this.#channel = `tollgate_${schema}`
    this.#log = options.log
    // An idle connection that drops (PostgreSQL restarted) must not crash the process.
    this.#pool.on('error', (error) => this.#log?.warn({ err: error }, 'store connection lost'))
    this.#poll = setInterval(() => void this.#check(), options.pollIntervalMs ?? 1_000).unref()
  }

  /** Connects, creates the schema and applies pending migrations, and starts listening. */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresConfigStore> {
    const parsed = parsePostgresUrl(url)
    const schema = options.schema ?? parsed.schema
    const pool = new pg.Pool({
      connectionString: parsed.connectionString,
      max: options.poolSize ?? 10,
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: 5_000,
    })
    try {
      await migratePostgres(pool, schema)
    } catch (error) {
      await pool.end()
      throw error
    }
    const store = new PostgresConfigStore(pool, parsed.connectionString, schema, options)
    store.#seen = await store.revision()
    await store.#listen()
    return store
  }

  /** Applies pending migrations and disconnects (`tollgate migrate`); returns the schema version. */
  static async migrate(url: string): Promise<number> {
    const { connectionString, schema } = parsePostgresUrl(url)
    const pool = new pg.Pool({ connectionString, max: 1, options: `-c search_path=${schema}` })
    try {
      return await migratePostgres(pool, schema)
    } finally {
      await pool.end()
    }
  }

  async transaction<T>(fn: (tx: ConfigTx) => Promise<T>): Promise<T> {
    let wrote = false
    let revision = 0
    const result = await this.#inTransaction('BEGIN', async (client) => {
      await client.query("SELECT value FROM meta WHERE key = 'revision' FOR UPDATE")
      const tx: ConfigTx = {
        ...reader(client),
        put: async <K extends RecordKind>(kind: K, scope: string, id: string, value: RecordKinds[K]) => {
          await client.query(
            `INSERT INTO records (kind, scope, id, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body`,
            [kind, scope, id, JSON.stringify(value)],
          )
          wrote = true
        },
        delete: async (kind, scope, id) => {
          const result = await client.query(
            'DELETE FROM records WHERE kind = $1 AND scope = $2 AND id = $3',
            [kind, scope, id],
          )
          const removed = (result.rowCount ?? 0) > 0
          wrote ||= removed
          return removed
        },
        deleteScope: async (scope) => {
          const result = await client.query('DELETE FROM records WHERE scope = $1', [scope])
          wrote ||= (result.rowCount ?? 0) > 0
        },
      }
      const value = await fn(tx)
      if (wrote) {
        const bumped = await client.query<{ value: string }>(
          "UPDATE meta SET value = value + 1 WHERE key = 'revision' RETURNING value",
        )
        revision = Number(bumped.rows[0]?.value ?? 0)
        await client.query('SELECT pg_notify($1, $2)', [this.#channel, String(revision)])
      }
      return value
    })
    if (wrote) this.#advance(revision)
    return result
  }

  read<T>(fn: (reader: ConfigReader) => Promise<T>): Promise<T> {
    // One snapshot for every statement of the read.
    return this.#inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (client) =>
      fn(reader(client)),
    )
  }

  /** Runs `fn` between `begin` and COMMIT on a pooled connection; rolls back when it throws. */
  async #inTransaction<T>(begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.#pool.connect()
    } catch (error) {
      throw new StoreUnavailableError(error)
    }
    let broken = false
    try {
      await client.query(begin)
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      // A connection that cannot even roll back is dropped, not handed to the next caller.
      await client.query('ROLLBACK').catch(() => (broken = true))
      throw broken || isConnectionError(error) ? new StoreUnavailableError(error) : error
    } finally {
      client.release(broken)
    }
  }

  async revision(): Promise<number> {
    const result = await this.#pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'revision'")
    return Number(result.rows[0]?.value ?? 0)
  }

  onChange(listener: (revision: number) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Whether the last contact with PostgreSQL succeeded (readiness). */
  get reachable(): boolean {
    return this.#reachable
  }

  /** Asks PostgreSQL now (readiness probes). */
  async ping(): Promise<boolean> {
    try {
      await this.#pool.query('SELECT 1')
      this.#reachable = true
    } catch {
      this.#reachable = false
    }
    return this.#reachable
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#poll)
    clearTimeout(this.#reconnect)
    const listener = this.#listener
    this.#listener = undefined
    await listener?.end().catch(() => undefined)
    await this.#pool.end()
  }

  /** Tells listeners about a revision newer than any seen (from here, a notification, or a check). */
  #advance(revision: number): void {
    if (revision <= this.#seen) return
    this.#seen = revision
    for (const listener of this.#listeners) listener(revision)
  }

  async #check(): Promise<void> {
    if (this.#closed) return
    try {
      const revision = await this.revision()
      if (!this.#reachable) this.#log?.info('store reachable again')
      this.#reachable = true
      this.#advance(revision)
    } catch (error) {
      if (this.#reachable)
        this.#log?.warn({ err: error }, 'store unreachable: serving the last configuration')
      this.#reachable = false
    }
  }

  /** A dedicated connection for LISTEN (a pooled one would be handed to queries). */
  async #listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#connectionString,
      connectionTimeoutMillis: 5_000,
    })
    const retry = (): void => {
      if (this.#closed || this.#reconnect) return
      if (this.#listener === client) this.#listener = undefined
      client.end().catch(() => undefined)
      this.#reconnect = setTimeout(() => {
        this.#reconnect = undefined
        this.#listen().catch(retry)
      }, 500)
      this.#reconnect.unref()
    }
    client.on('error', (error) => {
      this.#log?.warn({ err: error }, 'store change feed lost; reconnecting')
      retry()
    })
    client.on('end', retry)
    client.on('notification', (message) => {
      if (message.channel === this.#channel) this.#advance(Number(message.payload))
    })
    await client.connect()
    await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`)
    if (this.#closed) {
      await client.end()
      return
    }
    this.#listener = client
    // Whatever committed while nobody listened.
    await this.#check()
  }

  get schema(): string {
    return this.#schema
  }
}

/**
 * Errors that mean the server went away rather than that the statement failed: connection
 * refused or reset, and SQLSTATE classes 08 (connection exception) and 57P (operator
 * intervention: shutdown, cannot connect now).
 */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code
  if (typeof code === 'string' && (/^(08|57P)/.test(code) || /^E(CONN|PIPE|TIMEDOUT|HOSTUNREACH)/.test(code)))
    return true
  return (
    error instanceof Error &&
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)
  )
}

interface Row {
  body: string
}

function reader(client: pg.PoolClient): ConfigReader {
  return {
    get: async <K extends RecordKind>(kind: K, scope: string, id: string) => {
      const result = await client.query<Row>(
        'SELECT body FROM records WHERE kind = $1 AND scope = $2 AND id = $3',
        [kind, scope, id],
      )
      const row = result.rows[0]
      return row ? (JSON.parse(row.body) as RecordKinds[K]) : undefined
    },
    list: async <K extends RecordKind>(kind: K, scope: string) => {
      const result = await client.query<Row>(
        'SELECT body FROM records WHERE kind = $1 AND scope = $2 ORDER BY seq',
        [kind, scope],
      )
      return result.rows.map((row) => JSON.parse(row.body) as RecordKinds[K])
    },
  }
}
