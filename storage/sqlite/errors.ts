/**
 * The one place where SQLite failures become {@link StorageError}s.
 */
import Database from 'better-sqlite3';
import { StorageError } from '../errors.js';

/**
 * Maps an error thrown while serving `key` to what the store raises: any SQLite failure (SQLITE_BUSY
 * after the busy timeout, SQLITE_LOCKED, I/O errors) becomes an `Internal` StorageError naming the
 * SQLite code; StorageErrors and errors thrown by caller callbacks pass through unchanged.
 */
export function translateError(err: unknown, key: string): unknown {
  if (err instanceof Database.SqliteError) return StorageError.internal(key, `sqlite ${err.code}: ${err.message}`);
  return err;
}
