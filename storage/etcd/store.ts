/**
 * The etcd {@link Store}: the store kube-apiserver really uses, through the `etcd3` client.
 *
 * etcd's revision is the resourceVersion: an object's `rev` is its key's mod_revision, a list's is
 * the range's header revision. Every write is one etcd transaction: a create puts only where the
 * key's create_revision is 0; an update or delete reads the key, runs the caller's callback and
 * preconditions on what it read, and commits only where the key's mod_revision is still the one
 * read, reading again and retrying when another writer came first (upstream's GuaranteedUpdate).
 * Watches are etcd watches from `afterRev + 1` with previous values; compaction is etcd's
 * compaction. TTL records (peer endpoint leases, master leases) are keys attached to an etcd lease
 * of their TTL.
 *
 * Where etcd differs from SQLite (the contract suite says so too): an empty etcd is at revision 1,
 * not 0; a TTL record's write takes a revision; and a watch below the compacted revision fails
 * synchronously only when this process compacted past it, otherwise through `onError` once etcd
 * refuses it.
 */
import { Etcd3, type IOptions, type Watcher as EtcdWatcher } from 'etcd3';
import { StorageError } from '../errors.js';
import type { StoreLogger } from '../logger.js';
import { checkPreconditions } from '../preconditions.js';
import {
  NO_CHANGE,
  type ChangeEvent,
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
import { isCompactedError, isFutureRevisionError, translateError } from './errors.js';
import { EtcdKeys } from './keys.js';

/** The key the compacted-revision probe reads (any key will do: etcd checks the revision first). */
const COMPACT_PROBE_KEY = 'compact_rev_key';

/** How many keys one range of a filtered list reads at most. */
const LIST_BATCH = 500;

/** Options of {@link openEtcdStore}. */
export interface EtcdStoreOptions {
  /** The etcd client URLs (`--etcd-servers`). */
  servers: string[];
  /** Where keys live (`--etcd-prefix`, default `/registry`). */
  prefix?: string;
  /** PEM files for TLS (`--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`), read already. */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** The clock TTL records expire by, in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Where the store reports what it recovers from; silent when absent. */
  logger?: StoreLogger;
}

/** A TTL record's value in etcd: the record and when it expires by the store's clock. */
interface TtlValue {
  expiresAt: number;
  value: JsonObject;
}

interface Kv {
  key: Buffer;
  value: Buffer;
  create_revision: string;
  mod_revision: string;
}

/** Opens a client to the etcd cluster at `options.servers`; no request is made until the first call. */
export function openEtcdStore(options: EtcdStoreOptions): Store {
  const clientOptions: IOptions = { hosts: options.servers, dialTimeout: 5000 };
  if (options.tls) {
    clientOptions.credentials = { rootCertificate: options.tls.ca, ...(options.tls.key ? { privateKey: options.tls.key } : {}), ...(options.tls.cert ? { certChain: options.tls.cert } : {}) };
  }
  return new EtcdStore(new Etcd3(clientOptions), new EtcdKeys(options.prefix), options);
}

class EtcdStore implements Store {
  private closed = false;
  /** The highest compacted revision this process knows of (etcd offers no direct read of it). */
  private knownCompacted = 0;
  private readonly watches = new Set<{ end(err: Error): void }>();
  private readonly now: () => number;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly options: EtcdStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async currentRevision(): Promise<number> {
    const res = await this.call('', () => this.client.kv.range({ key: Buffer.from(this.keys.toEtcd('/registry/')), count_only: true }));
    return Number(res.header.revision);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const kv = await this.read(key);
    return kv === undefined ? undefined : this.stored(key, kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const etcdPrefix = this.keys.toEtcd(prefix);
    const end = rangeEnd(etcdPrefix);
    let start = options.afterKey !== undefined ? `${this.keys.toEtcd(options.afterKey)}\0` : etcdPrefix;
    const limit = options.limit ?? 0;
    let rev = options.atRev;
    let total: number | undefined;
    let scanned = 0;
    const items: StoredObject[] = [];
    for (;;) {
      const batch = limit > 0 && !options.filter ? limit : LIST_BATCH;
      const res = await this.call(prefix, () =>
        this.client.kv.range({ key: Buffer.from(start), range_end: end, limit: batch, ...(rev !== undefined ? { revision: rev } : {}) }),
      ).catch((err: unknown) => {
        throw this.revisionError(err, prefix, rev ?? 0);
      });
      rev ??= Number(res.header.revision);
      total ??= Number(res.count);
      const kvs = res.kvs as Kv[];
      for (const kv of kvs) {
        scanned++;
        const item = this.stored(this.keys.fromEtcd(prefix, kv.key.toString()), kv);
        if (options.filter && !options.filter(item.value)) continue;
        items.push(item);
        if (limit > 0 && items.length === limit) {
          const remaining = total - scanned;
          return remaining > 0 ? { items, rev, continueKey: item.key, remaining } : { items, rev };
        }
      }
      if (!res.more || kvs.length === 0) return { items, rev };
      start = `${(kvs.at(-1) as Kv).key.toString()}\0`;
    }
  }

  async count(prefix: string): Promise<number> {
    const etcdPrefix = this.keys.toEtcd(prefix);
    const res = await this.call(prefix, () => this.client.kv.range({ key: Buffer.from(etcdPrefix), range_end: rangeEnd(etcdPrefix), count_only: true }));
    return Number(res.count);
  }

  async create(key: string, value: JsonObject): Promise<StoredObject> {
    const text = encode(value);
    const etcdKey = Buffer.from(this.keys.toEtcd(key));
    const res = await this.call(key, () =>
      this.client.kv.txn({
        compare: [{ key: etcdKey, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: etcdKey, value: Buffer.from(text) } }],
        failure: [],
      }),
    );
    if (!res.succeeded) throw StorageError.exists(key);
    const rev = Number(res.header.revision);
    return { key, rev, createRev: rev, value: JSON.parse(text) as JsonObject };
  }

  async update(key: string, update: UpdateFn, preconditions?: Preconditions): Promise<StoredObject> {
    for (;;) {
      const kv = await this.read(key);
      if (kv === undefined) throw StorageError.notFound(key);
      const current = this.stored(key, kv);
      checkPreconditions(current, preconditions);
      const next = update(this.stored(key, kv));
      const text = next === NO_CHANGE ? kv.value.toString() : encode(next);
      if (text === kv.value.toString()) return current;
      const res = await this.commitIfUnchanged(key, kv, { request_put: { key: kv.key, value: Buffer.from(text) } });
      if (res === undefined) continue;
      return { key, rev: res, createRev: current.createRev, value: JSON.parse(text) as JsonObject };
    }
  }

  async delete(key: string, preconditions?: Preconditions, check?: (current: StoredObject) => void): Promise<StoredObject> {
    for (;;) {
      const kv = await this.read(key);
      if (kv === undefined) throw StorageError.notFound(key);
      const current = this.stored(key, kv);
      checkPreconditions(current, preconditions);
      check?.(current);
      const res = await this.commitIfUnchanged(key, kv, { request_delete_range: { key: kv.key } });
      if (res === undefined) continue;
      return { ...current, rev: res };
    }
  }

  watch(prefix: string, afterRev: number, handlers: WatchHandlers): Watcher {
    if (this.closed) throw StorageError.internal(prefix, 'storage closed');
    if (afterRev < this.knownCompacted) throw StorageError.expired(prefix, afterRev, this.knownCompacted);
    const etcdKey = this.keys.toEtcd(prefix);
    const builder = this.client.watch().withPreviousKV().startRevision(String(afterRev + 1));
    const watcher: EtcdWatcher = (prefix.endsWith('/') ? builder.prefix(etcdKey) : builder.key(etcdKey)).watcher();
    let active = true;
    // A watch etcd itself cancelled (compacted past) must not be cancelled again: the client
    // throws, outside any caller, on the answer to a cancel of a watch it no longer knows.
    let cancelledByServer = false;
    const cancel = (): void => {
      if (!cancelledByServer) void watcher.cancel().catch(() => undefined);
    };
    const entry = {
      end: (err: Error): void => {
        if (!active) return;
        active = false;
        this.watches.delete(entry);
        cancel();
        try {
          handlers.onError?.(err);
        } catch (handlerErr) {
          this.options.logger?.error({ err: handlerErr, prefix }, 'watch error handler threw');
        }
      },
    };
    this.watches.add(entry);
    watcher.on('data', (res) => {
      for (const event of res.events) {
        if (!active) return;
        try {
          handlers.onEvent(this.changeEvent(prefix, event.type, event.kv as Kv, event.prev_kv as Kv | undefined));
        } catch (err) {
          this.options.logger?.error({ err, prefix }, 'watch handler threw; ending the watch');
          entry.end(err instanceof Error ? err : new Error(String(err)));
          return;
        }
      }
    });
    watcher.on('error', (err) => {
      cancelledByServer = true;
      void this.compactedByServer()
        .then((compacted) => entry.end(afterRev < compacted ? StorageError.expired(prefix, afterRev, compacted) : StorageError.internal(prefix, `etcd watch: ${err.message}`)))
        .catch(() => entry.end(StorageError.internal(prefix, `etcd watch: ${err.message}`)));
    });
    return {
      stop: () => {
        if (!active) return;
        active = false;
        this.watches.delete(entry);
        cancel();
      },
    };
  }

  async compact(rev: number): Promise<void> {
    try {
      await this.call('', () => this.client.kv.compact({ revision: rev, physical: true }));
    } catch (err) {
      if (isCompactedError(err)) return;
      if (isFutureRevisionError(err)) throw StorageError.tooLarge('', rev, await this.currentRevision());
      throw err;
    }
    this.knownCompacted = Math.max(this.knownCompacted, rev);
  }

  async compactedRevision(): Promise<number> {
    return this.compactedByServer();
  }

  async setTtl(key: string, value: JsonObject, ttlSeconds: number): Promise<void> {
    const record: TtlValue = { expiresAt: this.now() + ttlSeconds * 1000, value };
    await this.call(key, async () => {
      const lease = await this.client.leaseClient.leaseGrant({ TTL: Math.max(1, Math.ceil(ttlSeconds)) });
      await this.client.kv.put({ key: Buffer.from(this.keys.toEtcd(key)), value: Buffer.from(JSON.stringify(record)), lease: lease.ID });
    });
  }

  async getTtl(key: string): Promise<JsonObject | undefined> {
    const kv = await this.read(key);
    return kv === undefined ? undefined : this.unexpired(kv);
  }

  async listTtl(prefix: string): Promise<Array<{ key: string; value: JsonObject }>> {
    const etcdPrefix = this.keys.toEtcd(prefix);
    const res = await this.call(prefix, () => this.client.kv.range({ key: Buffer.from(etcdPrefix), range_end: rangeEnd(etcdPrefix) }));
    const records: Array<{ key: string; value: JsonObject }> = [];
    for (const kv of res.kvs as Kv[]) {
      const value = this.unexpired(kv);
      if (value !== undefined) records.push({ key: this.keys.fromEtcd(prefix, kv.key.toString()), value });
    }
    return records;
  }

  async deleteTtl(key: string): Promise<void> {
    await this.call(key, () => this.client.kv.deleteRange({ key: Buffer.from(this.keys.toEtcd(key)) }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watch of [...this.watches]) watch.end(StorageError.internal('', 'storage closed'));
    this.client.close();
  }

  /** The current key-value of `key`, or undefined. */
  private async read(key: string): Promise<Kv | undefined> {
    const res = await this.call(key, () => this.client.kv.range({ key: Buffer.from(this.keys.toEtcd(key)) }));
    return (res.kvs as Kv[])[0];
  }

  /** Commits `op` only where `kv`'s key still has the mod_revision read; the new revision, or undefined when it moved. */
  private async commitIfUnchanged(key: string, kv: Kv, op: { request_put?: { key: Buffer; value: Buffer }; request_delete_range?: { key: Buffer } }): Promise<number | undefined> {
    const res = await this.call(key, () =>
      this.client.kv.txn({ compare: [{ key: kv.key, target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }], success: [op], failure: [] }),
    );
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /**
   * The compacted revision as etcd reports it: etcd refuses a read below it, so the lowest revision
   * it still reads is found by bisection (0 when revision 1 still reads: never compacted).
   */
  private async compactedByServer(): Promise<number> {
    const readable = async (rev: number): Promise<boolean> => {
      try {
        await this.call('', () => this.client.kv.range({ key: Buffer.from(COMPACT_PROBE_KEY), revision: rev, count_only: true }));
        return true;
      } catch (err) {
        if (isCompactedError(err)) return false;
        throw err;
      }
    };
    if (await readable(1)) return 0;
    let low = 1;
    let high = await this.currentRevision();
    // Invariant: `low` is compacted away, `high` reads.
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await readable(mid)) high = mid;
      else low = mid;
    }
    this.knownCompacted = Math.max(this.knownCompacted, high);
    return high;
  }

  private revisionError(err: unknown, key: string, rev: number): unknown {
    if (isCompactedError(err)) return StorageError.expired(key, rev, this.knownCompacted);
    if (isFutureRevisionError(err)) return StorageError.tooLarge(key, rev, 0);
    return err;
  }

  private stored(key: string, kv: Kv): StoredObject {
    return { key, rev: Number(kv.mod_revision), createRev: Number(kv.create_revision), value: JSON.parse(kv.value.toString()) as JsonObject };
  }

  private unexpired(kv: Kv): JsonObject | undefined {
    const record = JSON.parse(kv.value.toString()) as TtlValue;
    return record.expiresAt > this.now() ? record.value : undefined;
  }

  private changeEvent(prefix: string, type: string, kv: Kv, prev: Kv | undefined): ChangeEvent {
    const key = prefix.endsWith('/') ? this.keys.fromEtcd(prefix, kv.key.toString()) : prefix;
    const rev = Number(kv.mod_revision);
    const prevValue = prev && prev.value.length > 0 ? (JSON.parse(prev.value.toString()) as JsonObject) : undefined;
    if (type === 'Delete') {
      const event: ChangeEvent = { type: 'DELETED', key, rev, value: prevValue ?? {} };
      if (prevValue !== undefined) {
        event.prevValue = prevValue;
        event.prevRev = Number(prev?.mod_revision);
      }
      return event;
    }
    const value = JSON.parse(kv.value.toString()) as JsonObject;
    if (kv.create_revision === kv.mod_revision) return { type: 'ADDED', key, rev, value };
    const event: ChangeEvent = { type: 'MODIFIED', key, rev, value };
    if (prevValue !== undefined) {
      event.prevValue = prevValue;
      event.prevRev = Number(prev?.mod_revision);
    }
    return event;
  }

  /** Runs one client call on the open store; client failures become `Internal` StorageErrors. */
  private async call<T>(key: string, body: () => Promise<T>): Promise<T> {
    if (this.closed) throw StorageError.internal(key, 'storage closed');
    try {
      return await body();
    } catch (err) {
      if (isCompactedError(err) || isFutureRevisionError(err)) throw err;
      throw translateError(err, key, true);
    }
  }
}

/** The value as stored: JSON without `metadata.resourceVersion` (the revision is etcd's). */
function encode(value: JsonObject): string {
  const metadata = value['metadata'];
  if (typeof metadata === 'object' && metadata !== null && 'resourceVersion' in metadata) {
    const { resourceVersion: _, ...rest } = metadata as JsonObject;
    return JSON.stringify({ ...value, metadata: rest });
  }
  return JSON.stringify(value);
}

/** The exclusive end of etcd's range over keys starting with `prefix` (byte-wise, as etcd's GetPrefixRangeEnd). */
function rangeEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if ((bytes[i] as number) < 0xff) {
      bytes[i] = (bytes[i] as number) + 1;
      return bytes.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
