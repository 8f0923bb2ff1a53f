/**
 * Opening the SQLite connection: WAL journal, `synchronous=NORMAL`, the busy timeout, and the
 * schema migration.
 */
import Database from 'better-sqlite3';
import { migrate } from './schema.js';

/** The path that opens a private in-memory database (no other process can share it). */
export const MEMORY_PATH = ':memory:';

/**
 * Opens (creating when absent) the database at `path` and migrates it. `busyTimeoutMs` is how long
 * a statement waits for another connection's lock before failing with SQLITE_BUSY; it is set before
 * anything else runs, so even concurrent first opens wait for one another. (The store then cuts it
 * to a short slice and waits in its own loop with the event loop free: see lock-wait.ts.)
 */
export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
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
