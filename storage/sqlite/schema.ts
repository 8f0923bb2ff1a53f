/**
 * The SQLite schema of the store and its migrations, versioned by `PRAGMA user_version`.
 *
 * - `log`: the append-only change log. `rev` is the global revision (an object's resourceVersion);
 *   AUTOINCREMENT keeps `sqlite_sequence` at the highest revision ever used, so a revision is never
 *   reused, not even after compaction has deleted the rows. `value` is the value after the change
 *   (NULL for a deletion), `prev_value`/`prev_rev` the value and revision before it (NULL for a
 *   creation), `create_rev` the creation revision of the key's incarnation the row concerns.
 *   The `(key, rev)` index finds a key's first change after a revision (lists at an older revision).
 * - `current`: one row per live key, clustered by key so that lists read in key order.
 * - `ttl`: time-to-live records outside the revisioned key space; `expires_at` is in clock ms.
 * - `meta`: named integers; `compacted_rev` is the revision up to which the log was compacted.
 *
 * Values are JSON text and never carry `metadata.resourceVersion`.
 */
import type { Database } from 'better-sqlite3';

/** The schema version this code writes; {@link migrate} brings an older file up to it. */
export const SCHEMA_VERSION = 1;

/** The name under which `meta` holds the compacted revision. */
export const META_COMPACTED_REV = 'compacted_rev';

const MIGRATIONS: readonly string[] = [
  // 0 → 1
  `
  CREATE TABLE log (
    rev        INTEGER PRIMARY KEY AUTOINCREMENT,
    type       TEXT    NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
    key        TEXT    NOT NULL,
    value      TEXT,
    prev_value TEXT,
    prev_rev   INTEGER,
    create_rev INTEGER NOT NULL
  );
  CREATE INDEX log_key_rev ON log (key, rev);
  CREATE TABLE current (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    rev        INTEGER NOT NULL,
    create_rev INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE ttl (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX ttl_expires_at ON ttl (expires_at);
  CREATE TABLE meta (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/**
 * Brings the database to {@link SCHEMA_VERSION} inside one `BEGIN IMMEDIATE` transaction, so that
 * processes opening a fresh file at the same time migrate it exactly once. A file already at this
 * version is only read: opening a store never queues for the write lock behind busy writers.
 * Throws when the file was written by a newer schema.
 */
export function migrate(db: Database): void {
  if (db.pragma('user_version', { simple: true }) === SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`database schema version ${version} is newer than this kube-skew (${SCHEMA_VERSION})`);
    }
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
