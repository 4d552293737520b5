/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit a
 * shipped migration: add a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE records (
     seq   INTEGER PRIMARY KEY AUTOINCREMENT,
     kind  TEXT NOT NULL,
     scope TEXT NOT NULL,
     id    TEXT NOT NULL,
     body  TEXT NOT NULL,
     UNIQUE (kind, scope, id)
   );
   CREATE INDEX records_scope ON records (scope);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO meta (key, value) VALUES ('revision', 0);`,
]
