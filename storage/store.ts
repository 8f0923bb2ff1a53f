/**
 * The storage contract every kube-skew backend implements.
 *
 * The model is etcd's, as kube-apiserver uses it: a flat key space of JSON objects, one global
 * revision counter that increases with every write anywhere in the store, and an append-only change
 * log that watches read. An object's `resourceVersion` is the revision of the write that produced
 * its current value; a list's `resourceVersion` is the store's revision at the moment it was read.
 *
 * Keys are spelled with kube-apiserver's default prefix, `/registry/…` (the registry decides the
 * layout); the store treats keys as opaque strings ordered by code point; prefixes always end with
 * `/`. Two backends implement it: SQLite (sqlite/) and etcd (etcd/). Where etcd differs: an empty
 * etcd is at revision 1 rather than 0, and a TTL record's write takes a revision.
 *
 * Values are plain JSON objects. The store never interprets them and never stores
 * `metadata.resourceVersion`: callers read the revision from {@link StoredObject.rev} and set it on
 * the way out. Callers strip it before writing.
 *
 * Every method may be called from several processes that open the same store at once. Writes are
 * serialised by the backend; none is lost, and no revision is used twice.
 *
 * Errors are {@link StorageError}s with a stable `code`; the API layer turns them into Status
 * objects in exactly one place.
 */

/** A JSON object as stored: never carries `metadata.resourceVersion`. */
export type JsonObject = Record<string, unknown>;

/** One key's current value and the revisions that describe it. */
export interface StoredObject {
  /** The key the value is stored under. */
  key: string;
  /** The revision of the write that produced this value: the object's resourceVersion. */
  rev: number;
  /** The revision of the write that created the key (unchanged by later updates). */
  createRev: number;
  /** The value, parsed. Callers own it and may mutate it. */
  value: JsonObject;
}

/** Conditions a write or delete checks against the current value before it goes ahead. */
export interface Preconditions {
  /** The current value's `metadata.uid` must equal this. */
  uid?: string;
  /** The current revision must equal this (an object's resourceVersion, as a number). */
  rev?: number;
}

/** Options for {@link Store.list}. */
export interface ListOptions {
  /** At most this many items; 0 or absent means no limit. */
  limit?: number;
  /**
   * Resume after this key (exclusive): the last key of the previous page. The page is read at
   * {@link atRev} so that paging presents one consistent snapshot.
   */
  afterKey?: string;
  /**
   * Read the list as of this revision (used to continue a paged list). The value must not be older
   * than the compacted revision, or the call fails with `Expired`. Absent means "now".
   */
  atRev?: number;
  /**
   * An optional filter applied before `limit` is counted, so a page holds up to `limit` matching
   * items. The scan continues until the page is full or the prefix is exhausted.
   */
  filter?: (value: JsonObject) => boolean;
}

/** A page of a list. */
export interface ListResult {
  /** Matching items in key order. */
  items: StoredObject[];
  /** The revision the list was read at: the list's resourceVersion. */
  rev: number;
  /** When the page was cut short by `limit`, the key to pass as `afterKey` for the next page. */
  continueKey?: string;
  /** When cut short, how many items after this page exist under the prefix (before filtering). */
  remaining?: number;
}

/** The kind of change a watch event reports. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One entry of the change log, as a watch sees it. */
export interface ChangeEvent {
  type: ChangeType;
  key: string;
  /** The revision of this change. For DELETED it is the deletion's revision. */
  rev: number;
  /** The value after the change; for DELETED, the last value before deletion. */
  value: JsonObject;
  /** The value before the change (absent for ADDED). Needed to filter watches by selector. */
  prevValue?: JsonObject;
  /** The revision of the previous value (absent for ADDED). */
  prevRev?: number;
}

/** A running watch; stopping it is idempotent. */
export interface Watcher {
  /** Stop delivering events and release resources. Safe to call more than once. */
  stop(): void;
}

/** Callbacks of {@link Store.watch}. */
export interface WatchHandlers {
  /** Called for each change under the prefix, in revision order, exactly once each. */
  onEvent(event: ChangeEvent): void;
  /**
   * Called at most once when the watch can no longer continue (for example the log was compacted
   * past the next revision to deliver). No event follows an error.
   */
  onError?(err: Error): void;
}

/** Result of a guaranteed update's callback: a new value, or {@link NO_CHANGE} to leave it. */
export const NO_CHANGE: unique symbol = Symbol('kube-skew.store.no-change');

/**
 * A transform applied to the current value inside the write transaction. It runs synchronously and
 * may run more than once on backends that retry; it must not have side effects. Throwing aborts the
 * update with that error and changes nothing.
 */
export type UpdateFn = (current: StoredObject) => JsonObject | typeof NO_CHANGE;

/**
 * The storage contract. Every method is asynchronous so that a network backend fits; the SQLite
 * backend resolves promptly.
 */
export interface Store {
  /** The store's current revision: the revision of the last write anywhere (0 for an empty SQLite store, 1 for an empty etcd). */
  currentRevision(): Promise<number>;

  /** The value under `key`, or `undefined` when there is none. */
  get(key: string): Promise<StoredObject | undefined>;

  /**
   * The keys under `prefix` (which ends with `/`), in key order, read from one snapshot.
   * Fails with `Expired` when `atRev` is older than the compacted revision.
   */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;

  /** How many keys exist under `prefix`. */
  count(prefix: string): Promise<number>;

  /**
   * Create `key` with `value` at a new revision and return it.
   * Fails with `KeyExists` when the key already has a value.
   */
  create(key: string, value: JsonObject): Promise<StoredObject>;

  /**
   * Read-modify-write `key` atomically. `update` receives the current value and returns the new one.
   * When the new value is identical (as JSON) to the current one, nothing is written and the current
   * object is returned with its revision unchanged. Fails with `KeyNotFound` when absent, and with
   * `Conflict` when a precondition does not hold.
   */
  update(key: string, update: UpdateFn, preconditions?: Preconditions): Promise<StoredObject>;

  /**
   * Delete `key` and return its last value, with `rev` set to the deletion's revision.
   * Fails with `KeyNotFound` when absent and `Conflict` when a precondition does not hold.
   * `check`, when given, runs on the current value inside the transaction and may throw to abort.
   */
  delete(key: string, preconditions?: Preconditions, check?: (current: StoredObject) => void): Promise<StoredObject>;

  /**
   * Watch every change under `prefix` (a key ending with `/`, or one exact key) with a revision
   * greater than `afterRev`. Changes made by other processes are delivered within milliseconds.
   * When `afterRev` is older than the compacted revision it fails with `Expired`: synchronously when
   * the backend knows it at once (SQLite; etcd when this process compacted past it), otherwise
   * through `onError` once the server refuses the watch (etcd).
   */
  watch(prefix: string, afterRev: number, handlers: WatchHandlers): Watcher;

  /**
   * Drop change-log entries at or below `rev`. Afterwards watches and paged lists that start before
   * `rev` fail with `Expired`. Current values are kept.
   */
  compact(rev: number): Promise<void>;

  /** The revision up to which the log has been compacted (0 when never). */
  compactedRevision(): Promise<number>;

  /**
   * A time-to-live record outside the revisioned key space (kube-apiserver's peer endpoint leases
   * live in etcd with a TTL, not as API objects). Setting refreshes the expiry; reading ignores
   * expired records.
   */
  setTtl(key: string, value: JsonObject, ttlSeconds: number): Promise<void>;
  /** The unexpired TTL record under `key`, or undefined. */
  getTtl(key: string): Promise<JsonObject | undefined>;
  /** Every unexpired TTL record under `prefix`, in key order. */
  listTtl(prefix: string): Promise<Array<{ key: string; value: JsonObject }>>;
  /** Remove the TTL record under `key` (no error when absent). */
  deleteTtl(key: string): Promise<void>;

  /**
   * Stop every watch and release the backend. Each running watch ends with `onError` carrying an
   * `Internal` StorageError, so its consumer learns that no more events will come. Further calls
   * fail with `Internal`; closing again does nothing.
   */
  close(): Promise<void>;
}
