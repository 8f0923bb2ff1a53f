/**
 * An informer over the controllers' client, as client-go's reflector and shared informer work: LIST
 * the collection (every namespace), hand each object to the handlers, then WATCH from the list's
 * resourceVersion. A watch that ends is started again from the last resourceVersion seen; a watch
 * that cannot start, or that reports an error (410 Gone), leads to a new LIST after a backoff
 * (800 ms doubling to 30 s, on the injected clock). A LIST replaces the local store: objects that
 * vanished are reported deleted, the others updated. `hasSynced` turns true after the first LIST
 * and stays true. A resync period, when set, reports every stored object as updated again.
 */
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import { isNotFound, type ApiClient, type ApiObject, type GVR, type WatchHandle } from './client.js';

/** Event handlers of an informer. */
export interface InformerHandlers {
  onAdd?(obj: ApiObject): void;
  onUpdate?(oldObj: ApiObject, newObj: ApiObject): void;
  onDelete?(obj: ApiObject): void;
}

/** Options of an informer. */
export interface InformerOptions {
  client: ApiClient;
  gvr: GVR;
  clock: Clock;
  log: Logger;
  handlers: InformerHandlers;
  /** Report every stored object as updated this often (0: never). */
  resyncMs?: number;
  /** The Accept header of LIST (e.g. PartialObjectMetadataList for metadata informers). */
  listAccept?: string;
}

/** Reflector backoff: initial and cap, in milliseconds (client-go's 800 ms and 30 s). */
export const REFLECTOR_BACKOFF_MS = 800;
export const REFLECTOR_MAX_BACKOFF_MS = 30_000;

function keyOf(obj: ApiObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** One informer. */
export class Informer {
  private readonly store = new Map<string, ApiObject>();
  private synced = false;
  private stopped = false;
  private resourceVersion = '';
  private watchHandle: WatchHandle | undefined;
  private timer: ClockTimer | undefined;
  private resyncTimer: ClockTimer | undefined;
  private backoffMs = REFLECTOR_BACKOFF_MS;
  /** The last LIST or WATCH error, for logs and tests. */
  lastError: Error | undefined;

  constructor(private readonly opts: InformerOptions) {}

  /** Start listing and watching. */
  start(): void {
    void this.relist();
    if (this.opts.resyncMs) {
      this.resyncTimer = this.opts.clock.setInterval(() => {
        if (!this.synced || this.stopped) return;
        for (const obj of this.store.values()) this.opts.handlers.onUpdate?.(obj, obj);
      }, this.opts.resyncMs);
    }
  }

  /** Stop watching; no handler is called afterwards. */
  stop(): void {
    this.stopped = true;
    this.watchHandle?.stop();
    this.timer?.cancel();
    this.resyncTimer?.cancel();
  }

  /** True once the first LIST has been delivered. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The stored object with key `namespace/name` (or `name`). */
  get(key: string): ApiObject | undefined {
    return this.store.get(key);
  }

  /** Every stored object. */
  list(): ApiObject[] {
    return [...this.store.values()];
  }

  private retryLater(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, REFLECTOR_MAX_BACKOFF_MS);
    // jitter factor 1.0, as the reflector's backoff manager
    this.timer = this.opts.clock.setTimeout(() => void this.relist(), delay * (1 + Math.random()));
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const { client, gvr } = this.opts;
    let list;
    try {
      list = await client.list(gvr, '', {}, this.opts.listAccept);
    } catch (err) {
      this.lastError = err as Error;
      if (!isNotFound(err)) this.opts.log.debug({ err, resource: gvr.resource }, 'informer list failed');
      this.retryLater();
      return;
    }
    if (this.stopped) return;
    this.lastError = undefined;
    this.backoffMs = REFLECTOR_BACKOFF_MS;
    const seen = new Set<string>();
    for (const obj of list.items ?? []) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.store.get(key);
      this.store.set(key, obj);
      if (old) this.opts.handlers.onUpdate?.(old, obj);
      else this.opts.handlers.onAdd?.(obj);
    }
    for (const [key, old] of [...this.store.entries()]) {
      if (seen.has(key)) continue;
      this.store.delete(key);
      this.opts.handlers.onDelete?.(old);
    }
    this.synced = true;
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.startWatch();
  }

  private startWatch(): void {
    if (this.stopped) return;
    // client-go picks a watch timeout between 5 and 10 minutes.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    let sawEvent = false;
    const startedAt = Date.now();
    this.watchHandle = this.opts.client.watch(this.opts.gvr, '', { resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds }, {
      onEvent: (type, obj) => {
        if (this.stopped) return;
        sawEvent = true;
        const rv = obj.metadata?.resourceVersion;
        if (type === 'ERROR') {
          // 410 Gone and friends: start over with a LIST.
          this.watchHandle?.stop();
          this.watchHandle = undefined;
          this.retryLater();
          return;
        }
        if (rv) this.resourceVersion = rv;
        if (type === 'BOOKMARK') return;
        const key = keyOf(obj);
        const old = this.store.get(key);
        if (type === 'DELETED') {
          this.store.delete(key);
          this.opts.handlers.onDelete?.(old ?? obj);
          return;
        }
        this.store.set(key, obj);
        if (old) this.opts.handlers.onUpdate?.(old, obj);
        else this.opts.handlers.onAdd?.(obj);
      },
      onEnd: (err) => {
        if (this.stopped) return;
        this.watchHandle = undefined;
        if (err) {
          this.lastError = err;
          this.retryLater();
          return;
        }
        // A watch the server closed: watch again from where we are.
        if (sawEvent || Date.now() - startedAt > 1000) this.startWatch();
        else this.retryLater();
      },
    });
  }
}
