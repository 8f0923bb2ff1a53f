/**
 * The revision log: the SQL that appends changes, reads them back in revision order, and compacts
 * them. Callers own transactions; the methods that write must run inside `BEGIN IMMEDIATE`.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ChangeType } from '../store.js';
import type { CurrentRow, LogRow } from './codec.js';
import { META_COMPACTED_REV } from './schema.js';

/** A change to append: the key's row before it (absent for a creation) and the new JSON text (null to delete). */
export interface Change {
  key: string;
  prev: CurrentRow | undefined;
  value: string | null;
}

/** Log rows newer than a revision, read in one snapshot with the compacted revision they respect. */
export interface LogBatch {
  compactedRev: number;
  rows: LogRow[];
}

/** Prepared statements over the `log`, `current` and `meta` tables. */
export class RevisionLog {
  private readonly revisionStmt: Statement<[], number | undefined>;
  private readonly compactedStmt: Statement<[], number | undefined>;
  private readonly currentStmt: Statement<[string], CurrentRow | undefined>;
  private readonly insertLogStmt: Statement<[number, ChangeType, string, string | null, string | null, number | null, number]>;
  private readonly upsertCurrentStmt: Statement<[string, string, number, number]>;
  private readonly deleteCurrentStmt: Statement<[string]>;
  private readonly sinceStmt: Statement<[number, number], LogRow>;
  private readonly compactLogStmt: Statement<[number]>;
  private readonly setCompactedStmt: Statement<[string, number]>;
  private readonly readBatch: (afterRev: number, limit: number) => LogBatch;

  constructor(db: Database) {
    this.revisionStmt = db.prepare<[], number>(`SELECT seq FROM sqlite_sequence WHERE name = 'log'`).pluck();
    this.compactedStmt = db.prepare<[], number>(`SELECT value FROM meta WHERE name = '${META_COMPACTED_REV}'`).pluck();
    this.currentStmt = db.prepare(`SELECT key, value, rev, create_rev FROM current WHERE key = ?`);
    this.insertLogStmt = db.prepare(
      `INSERT INTO log (rev, type, key, value, prev_value, prev_rev, create_rev) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertCurrentStmt = db.prepare(
      `INSERT INTO current (key, value, rev, create_rev) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, rev = excluded.rev`,
    );
    this.deleteCurrentStmt = db.prepare(`DELETE FROM current WHERE key = ?`);
    this.sinceStmt = db.prepare(
      `SELECT rev, type, key, value, prev_value, prev_rev, create_rev FROM log WHERE rev > ? ORDER BY rev LIMIT ?`,
    );
    this.compactLogStmt = db.prepare(`DELETE FROM log WHERE rev <= ?`);
    this.setCompactedStmt = db.prepare(
      `INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    );
    this.readBatch = db.transaction((afterRev: number, limit: number) => ({
      compactedRev: this.compactedRevision(),
      rows: this.sinceStmt.all(afterRev, limit),
    }));
  }

  /** The highest revision ever written (0 for a new store); unaffected by compaction. */
  revision(): number {
    return this.revisionStmt.get() ?? 0;
  }

  /** The revision up to which the log has been compacted (0 when never). */
  compactedRevision(): number {
    return this.compactedStmt.get() ?? 0;
  }

  /** The current row of `key`, or undefined when the key has no value. */
  current(key: string): CurrentRow | undefined {
    return this.currentStmt.get(key);
  }

  /**
   * Appends `change` at the next revision and applies it to `current`; returns that revision.
   * Must run inside `BEGIN IMMEDIATE`, which makes "read the revision, write the next one" atomic
   * across processes.
   */
  append(change: Change): number {
    const rev = this.revision() + 1;
    const { key, prev, value } = change;
    const createRev = prev?.create_rev ?? rev;
    const type: ChangeType = prev === undefined ? 'ADDED' : value === null ? 'DELETED' : 'MODIFIED';
    this.insertLogStmt.run(rev, type, key, value, prev?.value ?? null, prev?.rev ?? null, createRev);
    if (value === null) this.deleteCurrentStmt.run(key);
    else this.upsertCurrentStmt.run(key, value, rev, createRev);
    return rev;
  }

  /** Up to `limit` log rows with a revision above `afterRev`, in revision order, from one read snapshot. */
  readSince(afterRev: number, limit: number): LogBatch {
    return this.readBatch(afterRev, limit);
  }

  /** Deletes the log rows at or below `rev` and records `rev` as compacted. Must run inside a write transaction. */
  compact(rev: number): void {
    this.compactLogStmt.run(rev);
    this.setCompactedStmt.run(META_COMPACTED_REV, rev);
  }
}
