/**
 * The SQLite {@link Store}: one database file shared by every server process, in WAL mode.
 *
 * Every write is one `BEGIN IMMEDIATE` transaction that appends to the revision log and updates the
 * current table, so writers in all processes are serialised by SQLite's write lock and each takes
 * the next revision. A lock held by another process is waited for in short slices with the event
 * loop free in between, up to the busy timeout (lock-wait.ts); so a write that waits may be
 * overtaken by a later one of the same process. Reads run in deferred transactions, which in WAL
 * mode are consistent snapshots that never block writers. After a local commit, this process's
 * watches are served synchronously; other processes' commits reach them through the
 * {@link watchForChanges} signal.
 */
import type { Database, Transaction } from 'better-sqlite3';
import { StorageError } from '../errors.js';
import type { StoreLogger } from '../logger.js';
import { checkPreconditions } from '../preconditions.js';
import {
  NO_CHANGE,
  type JsonObject,
  type ListOptions,
  type ListResult,
  type Preconditions,
  type Store,
  type StoredObject,
  type UpdateFn,
  type WatchHandlers,
  type Watcher,
} from '../store.js';
import { SAFETY_POLL_MS, watchForChanges, type ChangeSignal } from './change-signal.js';
import { decodeValue, encodeValue, toStoredObject } from './codec.js';
import { MEMORY_PATH, openDatabase } from './connection.js';
import { translateError } from './errors.js';
import { retryWhileBusy, sliceLockWaits, type LockWait } from './lock-wait.js';
import { RevisionLog } from './revision-log.js';
import { SnapshotReader } from './snapshot.js';
import { TtlRecords } from './ttl-records.js';
import { WatchHub } from './watch-hub.js';

/** How long an operation waits for another process's lock, by default, before failing `Internal`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Options of {@link openSqliteStore}; every one has a default. */
export interface SqliteStoreOptions {
  /** The clock TTL records expire by, in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Milliseconds to wait for another connection's lock before failing `Internal` (default {@link DEFAULT_BUSY_TIMEOUT_MS}). */
  busyTimeoutMs?: number;
  /** Hears about every operation that found another connection's lock taken and tried again. */
  onLockWait?: (wait: LockWait) => void;
  /** Where the store reports what it recovers from (a pino logger fits); silent when absent. */
  logger?: StoreLogger;
  /** The safety poll period of cross-process watches in milliseconds (default {@link SAFETY_POLL_MS}). */
  pollMs?: number;
  /** Use file change events for cross-process watches (default true); false relies on the safety poll alone. */
  fileEvents?: boolean;
}

/**
 * Opens the store in the SQLite file at `path` (created and migrated when needed; `:memory:` gives a
 * private store no other process can see). Throws an `Internal` StorageError when the file cannot
 * be opened. Close the store to stop its watches and release the file.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  let db: Database;
  try {
    db = openDatabase(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  } catch (err) {
    throw StorageError.internal(path, `cannot open the store at ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  sliceLockWaits(db);
  return new SqliteStore(path, db, options);
}

class SqliteStore implements Store {
  private readonly log: RevisionLog;
  private readonly snapshot: SnapshotReader;
  private readonly ttl: TtlRecords;
  private readonly hub: WatchHub;
  private readonly transaction: Transaction<(body: () => unknown) => unknown>;
  private signal: ChangeSignal | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly db: Database,
    private readonly options: SqliteStoreOptions,
  ) {
    this.log = new RevisionLog(db);
    this.snapshot = new SnapshotReader(db);
    this.ttl = new TtlRecords(db, options.now ?? Date.now);
    this.hub = new WatchHub(this.log, options.logger);
    this.transaction = db.transaction((body: () => unknown) => body());
  }

  async currentRevision(): Promise<number> {
    return this.call('', () => this.log.revision());
  }

  async get(key: string): Promise<StoredObject | undefined> {
    return this.call(key, () => {
      const row = this.log.current(key);
      return row === undefined ? undefined : toStoredObject(row);
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return this.read(prefix, () => {
      const current = this.log.revision();
      const at = options.atRev ?? current;
      const compacted = this.log.compactedRevision();
      if (at < compacted) throw StorageError.expired(prefix, at, compacted);
      if (at > current) throw StorageError.tooLarge(prefix, at, current);
      return { ...this.snapshot.page(prefix, at, options), rev: at };
    });
  }

  async count(prefix: string): Promise<number> {
    return this.call(prefix, () => this.snapshot.count(prefix));
  }

  async create(key: string, value: JsonObject): Promise<StoredObject> {
    return this.write(key, () => {
      if (this.log.current(key) !== undefined) throw StorageError.exists(key);
      const text = encodeValue(value);
      const rev = this.log.append({ key, prev: undefined, value: text });
      return { key, rev, createRev: rev, value: decodeValue(text) };
    });
  }

  async update(key: string, update: UpdateFn, preconditions?: Preconditions): Promise<StoredObject> {
    return this.write(key, () => {
      const row = this.log.current(key);
      if (row === undefined) throw StorageError.notFound(key);
      const current = toStoredObject(row);
      checkPreconditions(current, preconditions);
      const next = update(current);
      const text = next === NO_CHANGE ? row.value : encodeValue(next);
      if (text === row.value) return toStoredObject(row);
      const rev = this.log.append({ key, prev: row, value: text });
      return { key, rev, createRev: row.create_rev, value: decodeValue(text) };
    });
  }

  async delete(key: string, preconditions?: Preconditions, check?: (current: StoredObject) => void): Promise<StoredObject> {
    return this.write(key, () => {
      const row = this.log.current(key);
      if (row === undefined) throw StorageError.notFound(key);
      const current = toStoredObject(row);
      checkPreconditions(current, preconditions);
      check?.(current);
      const rev = this.log.append({ key, prev: row, value: null });
      return { key, rev, createRev: row.create_rev, value: decodeValue(row.value) };
    });
  }

  watch(prefix: string, afterRev: number, handlers: WatchHandlers): Watcher {
    const compacted = this.run(prefix, () => this.log.compactedRevision());
    if (afterRev < compacted) throw StorageError.expired(prefix, afterRev, compacted);
    if (this.signal === undefined && this.path !== MEMORY_PATH) {
      this.signal = watchForChanges(this.path, () => this.hub.schedule(), {
        fileEvents: this.options.fileEvents ?? true,
        pollMs: this.options.pollMs ?? SAFETY_POLL_MS,
        logger: this.options.logger,
      });
    }
    return this.hub.subscribe(prefix, afterRev, handlers);
  }

  async compact(rev: number): Promise<void> {
    await this.write('', () => {
      const current = this.log.revision();
      if (rev > current) throw StorageError.tooLarge('', rev, current);
      if (rev > this.log.compactedRevision()) this.log.compact(rev);
    });
  }

  async compactedRevision(): Promise<number> {
    return this.call('', () => this.log.compactedRevision());
  }

  async setTtl(key: string, value: JsonObject, ttlSeconds: number): Promise<void> {
    await this.call(key, () => this.ttl.set(key, value, ttlSeconds));
  }

  async getTtl(key: string): Promise<JsonObject | undefined> {
    return this.call(key, () => this.ttl.get(key));
  }

  async listTtl(prefix: string): Promise<Array<{ key: string; value: JsonObject }>> {
    return this.call(prefix, () => this.ttl.list(prefix));
  }

  async deleteTtl(key: string): Promise<void> {
    await this.call(key, () => this.ttl.delete(key));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.close();
    this.hub.endAll(StorageError.internal('', 'storage closed'));
    this.db.close();
  }

  /** Runs `body` in one `BEGIN IMMEDIATE` transaction, then serves this process's watches. */
  private async write<T>(key: string, body: () => T): Promise<T> {
    const result = await this.call(key, () => this.transaction.immediate(body) as T);
    if (this.hub.watching) this.hub.pump();
    return result;
  }

  /** Runs `body` in one read snapshot. */
  private read<T>(key: string, body: () => T): Promise<T> {
    return this.call(key, () => this.transaction.deferred(body) as T);
  }

  /**
   * Runs `body` (one statement or one whole transaction) on the open store, trying again while
   * another connection holds the lock it needs, up to the busy timeout; SQLite failures become
   * `Internal` StorageErrors.
   */
  private async call<T>(key: string, body: () => T): Promise<T> {
    try {
      return await retryWhileBusy(() => this.run(key, body, false), this.options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, this.options.onLockWait);
    } catch (err) {
      throw translateError(err, key);
    }
  }

  /**
   * Runs `body` on the open store at once; SQLite failures become `Internal` StorageErrors unless
   * `translate` is false (a caller that retries needs to see them raw).
   */
  private run<T>(key: string, body: () => T, translate = true): T {
    if (this.closed) throw StorageError.internal(key, 'storage closed');
    if (!translate) return body();
    try {
      return body();
    } catch (err) {
      throw translateError(err, key);
    }
  }
}
