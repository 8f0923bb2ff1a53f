/**
 * Reading the key space as of a revision, a page at a time: the SQL behind {@link Store.list} and
 * {@link Store.count}.
 *
 * The value of a key at revision `at` is found by undoing the log rather than replaying it, so it
 * stays correct after compaction (which deletes every row at or below the compacted revision, and
 * `at` may not be older than that):
 * - a key whose current row has `rev <= at` has not changed since: its current row is its value;
 * - otherwise its first log row after `at` (found through the `(key, rev)` index) holds the value
 *   before that change in `prev_value`/`prev_rev`, or NULL when the change created the key, which
 *   therefore did not exist at `at`.
 * For `at` equal to the current revision the second half reads no rows, so listing "now" costs a
 * range scan of `current`.
 */
import type { Database, Statement } from 'better-sqlite3';
import { prefixEnd } from '../keys.js';
import type { ListOptions, ListResult, StoredObject } from '../store.js';
import { decodeValue, type CurrentRow } from './codec.js';

interface Range {
  /** Inclusive lower bound: the prefix. */
  from: string;
  /** Exclusive upper bound: {@link prefixEnd} of the prefix. */
  end: string;
  /** Exclusive lower bound: the key the page resumes after, or the empty string. */
  after: string;
  at: number;
}

const SNAPSHOT = `
  SELECT key, value, rev, create_rev FROM current
   WHERE key >= @from AND key < @end AND key > @after AND rev <= @at
  UNION ALL
  SELECT l.key, l.prev_value, l.prev_rev, l.create_rev FROM log AS l NOT INDEXED
   WHERE l.rev > @at AND l.key >= @from AND l.key < @end AND l.key > @after AND l.prev_rev IS NOT NULL
     AND l.rev = (SELECT min(m.rev) FROM log AS m WHERE m.key = l.key AND m.rev > @at)`;

/** One page of a list: the {@link ListResult} without its revision. */
export type Page = Omit<ListResult, 'rev'>;

/** Prepared statements that read the key space at a revision. Call them inside one read transaction. */
export class SnapshotReader {
  private readonly rowsStmt: Statement<[Range], CurrentRow>;
  private readonly countAfterStmt: Statement<[Range], number>;
  private readonly countCurrentStmt: Statement<[string, string], number>;

  constructor(db: Database) {
    this.rowsStmt = db.prepare<[Range], CurrentRow>(`${SNAPSHOT} ORDER BY key`);
    this.countAfterStmt = db.prepare<[Range], number>(`SELECT count(*) FROM (${SNAPSHOT})`).pluck();
    this.countCurrentStmt = db.prepare<[string, string], number>(`SELECT count(*) FROM current WHERE key >= ? AND key < ?`).pluck();
  }

  /**
   * The keys under `prefix` as of revision `at`, in key order, after `afterKey` when given. `filter`
   * runs before `limit` counts; when the page is cut short, `continueKey` is its last key and
   * `remaining` the number of keys after it (before filtering).
   */
  page(prefix: string, at: number, options: Omit<ListOptions, 'atRev'>): Page {
    const range: Range = { from: prefix, end: prefixEnd(prefix), after: options.afterKey ?? '', at };
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const items: StoredObject[] = [];
    for (const row of this.rowsStmt.iterate(range)) {
      const value = decodeValue(row.value);
      if (options.filter !== undefined && !options.filter(value)) continue;
      items.push({ key: row.key, rev: row.rev, createRev: row.create_rev, value });
      if (items.length === limit) break;
    }
    const last = items.at(-1);
    if (items.length < limit || last === undefined) return { items };
    const remaining = this.countAfterStmt.get({ ...range, after: last.key }) ?? 0;
    return remaining > 0 ? { items, continueKey: last.key, remaining } : { items };
  }

  /** How many keys exist under `prefix` now. */
  count(prefix: string): number {
    return this.countCurrentStmt.get(prefix, prefixEnd(prefix)) ?? 0;
  }
}
