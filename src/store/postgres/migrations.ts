import type pg from 'pg'

/**
 * Schema migrations for PostgreSQL, applied in order; `meta.schema_version` records how many ran.
 * The same record layout as SQLite (src/store/sqlite/migrations.ts). Never edit a shipped
 * migration: add a new one.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE records (
     seq   BIGSERIAL PRIMARY KEY,
     kind  TEXT NOT NULL,
     scope TEXT NOT NULL,
     id    TEXT NOT NULL,
     body  TEXT NOT NULL,
     UNIQUE (kind, scope, id)
   );
   CREATE INDEX records_scope ON records (scope);
   INSERT INTO meta (key, value) VALUES ('revision', 0);`,
]

/**
 * Creates the schema and applies pending migrations, under an advisory lock so that nodes
 * starting together migrate once. Returns the schema version.
 */
export async function migratePostgres(pool: pg.Pool, schema: string): Promise<number> {
  const client = await pool.connect()
  try {
    const quoted = client.escapeIdentifier(schema)
    // One lock per schema: hashtext gives the advisory lock key.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`tollgate:${schema}`])
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
      await client.query(`SET search_path TO ${quoted}`)
      await client.query('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)')
      await client.query("INSERT INTO meta (key, value) VALUES ('schema_version', 0) ON CONFLICT DO NOTHING")
      const current = await client.query<{ value: string }>(
        "SELECT value FROM meta WHERE key = 'schema_version'",
      )
      const applied = Number(current.rows[0]?.value ?? 0)
      if (applied > POSTGRES_MIGRATIONS.length) {
        throw new Error(
          `the store's schema is version ${applied}, newer than this Tollgate knows (${POSTGRES_MIGRATIONS.length}): upgrade Tollgate`,
        )
      }
      for (let version = applied; version < POSTGRES_MIGRATIONS.length; version++) {
        await client.query('BEGIN')
        try {
          await client.query(POSTGRES_MIGRATIONS[version] ?? '')
          await client.query("UPDATE meta SET value = $1 WHERE key = 'schema_version'", [version + 1])
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK')
          throw error
        }
      }
      return POSTGRES_MIGRATIONS.length
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`tollgate:${schema}`])
    }
  } finally {
    client.release()
  }
}
