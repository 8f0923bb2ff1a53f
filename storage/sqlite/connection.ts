/**
 * Opening the SQLite connection: WAL journal, `synchronous=NORMAL`, the busy timeout, and the
 * schema migration.
 */
import Database from 'better-sqlite3';
import { isBusy } from './lock-wait.js';
import { migrate } from './schema.js';

/** The path that opens a private in-memory database (no other process can share it). */
export const MEMORY_PATH = ':memory:';

/** Milliseconds between two attempts to open a database another connection holds locked. */
const OPEN_RETRY_PAUSE_MS = 5;

/**
 * Opens (creating when absent) the database at `path` and migrates it. `busyTimeoutMs` is how long
 * to wait for another connection's lock before failing with SQLITE_BUSY; it is set before anything
 * else runs, so even concurrent first opens wait for one another. (The store then cuts it to a
 * short slice and waits in its own loop with the event loop free: see lock-wait.ts.)
 *
 * SQLite does not always call its busy handler: switching a fresh file to WAL reads the header under
 * a shared lock and then asks for the write lock, and when another connection holds that lock SQLite
 * fails at once rather than risk a deadlock. Two servers opening a new store together meet exactly
 * this, so the whole open is tried again, after a short pause, until `busyTimeoutMs` have passed.
 * Opening happens before a process serves anything, so the pause may block.
 */
export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  const started = performance.now();
  for (;;) {
    try {
      return openOnce(path, busyTimeoutMs);
    } catch (err) {
      if (!isBusy(err) || performance.now() - started >= busyTimeoutMs) throw err;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, OPEN_RETRY_PAUSE_MS);
  }
}

function openOnce(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
