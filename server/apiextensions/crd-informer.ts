/**
 * An informer over the registry (the server's own informer over its loopback client, as
 * apiextensions-apiserver's and kube-aggregator's are), and the CRD informer built on it: the
 * server's own CRD informer, as apiextensions-apiserver's shared informer over its loopback
 * client: LIST every CustomResourceDefinition through the registry, hand each to the handlers, then
 * WATCH from the list's resourceVersion; a watch that ends (compaction) leads to a new LIST after a
 * backoff on the injected clock, whose differences are reported as adds, updates and deletes. Each
 * server runs its own, so each serves a CRD only once its own view has it.
 */
import type { Logger } from 'pino';
import type { Watcher } from '../../storage/store.js';
import type { Clock, ClockTimer } from '../clock.js';
import { LIST_EVERYTHING } from '../registry/list-options.js';
import type { KubeObject } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { Crd } from '../registry/custom/crd.js';


/** Event handlers of a registry informer. */
export interface RegistryHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** Event handlers of the CRD informer. */
export type CrdHandlers = RegistryHandlers<Crd>;

/** Backoff before a new LIST after the watch failed, in milliseconds (client-go's reflector start). */
export const CRD_RELIST_BACKOFF_MS = 800;

/** An informer of one cluster-scoped resource of one server, over its registry. */
export class RegistryInformer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly handlers: Array<RegistryHandlers<T>> = [];
  private watcher: Watcher | undefined;
  private timer: ClockTimer | undefined;
  private synced = false;
  private stopped = false;

  constructor(
    private readonly deps: { registry: Registry; type: ResourceType; clock: Clock; log: Logger },
  ) {}

  /** Register handlers; call before {@link start}. */
  addHandlers(handlers: RegistryHandlers<T>): void {
    this.handlers.push(handlers);
  }

  /** LIST and start watching; resolves once the first LIST was delivered (or failed and was rescheduled). */
  async start(): Promise<void> {
    await this.relist();
  }

  /** Stop watching; no handler is called afterwards. */
  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    this.timer?.cancel();
  }

  /** True once the first LIST has been delivered. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The object named `name`, as this server last saw it. */
  get(name: string): T | undefined {
    return this.store.get(name);
  }

  /** Every object this server sees. */
  list(): T[] {
    return [...this.store.values()];
  }

  private emit(fn: (h: RegistryHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        fn(h);
      } catch (err) {
        this.deps.log.warn({ err }, 'informer handler failed');
      }
    }
  }

  private set(obj: T): void {
    const name = obj.metadata?.name ?? '';
    const old = this.store.get(name);
    this.store.set(name, obj);
    if (old) this.emit((h) => h.onUpdate?.(old, obj));
    else this.emit((h) => h.onAdd?.(obj));
  }

  private remove(name: string): void {
    const old = this.store.get(name);
    if (!old) return;
    this.store.delete(name);
    this.emit((h) => h.onDelete?.(old));
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const { registry, type, clock, log } = this.deps;
    let list;
    try {
      list = await registry.list(type, '', LIST_EVERYTHING);
    } catch (err) {
      log.warn({ err, resource: type.resource }, 'informer list failed');
      this.timer = clock.setTimeout(() => void this.relist(), CRD_RELIST_BACKOFF_MS);
      return;
    }
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of list.items) {
      const obj = { kind: type.kind, apiVersion: type.groupVersion, ...item } as T;
      seen.add(obj.metadata?.name ?? '');
      this.set(obj);
    }
    for (const name of [...this.store.keys()]) if (!seen.has(name)) this.remove(name);
    this.synced = true;
    this.watcher = registry.watch(type, '', Number(list.resourceVersion), {
      onEvent: (event, obj: KubeObject) => {
        if (this.stopped) return;
        if (event === 'DELETED') this.remove(obj.metadata?.name ?? '');
        else this.set(obj as T);
      },
      onError: (err) => {
        if (this.stopped) return;
        log.info({ err: err.message, resource: type.resource }, 'watch ended; listing again');
        this.timer = clock.setTimeout(() => void this.relist(), CRD_RELIST_BACKOFF_MS);
      },
    });
  }
}

/** The CRD informer of one server. */
export class CrdInformer extends RegistryInformer<Crd> {
  constructor(deps: { registry: Registry; crds: ResourceType; clock: Clock; log: Logger }) {
    super({ registry: deps.registry, type: deps.crds, clock: deps.clock, log: deps.log });
  }
}
