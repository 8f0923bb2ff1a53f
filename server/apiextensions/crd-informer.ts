/**
 * The server's own CRD informer, as apiextensions-apiserver's shared informer over its loopback
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

/** Event handlers of the informer. */
export interface CrdHandlers {
  onAdd?(crd: Crd): void;
  onUpdate?(oldCrd: Crd, newCrd: Crd): void;
  onDelete?(crd: Crd): void;
}

/** Backoff before a new LIST after the watch failed, in milliseconds (client-go's reflector start). */
export const CRD_RELIST_BACKOFF_MS = 800;

/** The CRD informer of one server. */
export class CrdInformer {
  private readonly store = new Map<string, Crd>();
  private readonly handlers: CrdHandlers[] = [];
  private watcher: Watcher | undefined;
  private timer: ClockTimer | undefined;
  private synced = false;
  private stopped = false;

  constructor(
    private readonly deps: { registry: Registry; crds: ResourceType; clock: Clock; log: Logger },
  ) {}

  /** Register handlers; call before {@link start}. */
  addHandlers(handlers: CrdHandlers): void {
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

  /** The CRD named `name`, as this server last saw it. */
  get(name: string): Crd | undefined {
    return this.store.get(name);
  }

  /** Every CRD this server sees. */
  list(): Crd[] {
    return [...this.store.values()];
  }

  private emit(fn: (h: CrdHandlers) => void): void {
    for (const h of this.handlers) {
      try {
        fn(h);
      } catch (err) {
        this.deps.log.warn({ err }, 'CRD informer handler failed');
      }
    }
  }

  private set(crd: Crd): void {
    const name = crd.metadata?.name ?? '';
    const old = this.store.get(name);
    this.store.set(name, crd);
    if (old) this.emit((h) => h.onUpdate?.(old, crd));
    else this.emit((h) => h.onAdd?.(crd));
  }

  private remove(name: string): void {
    const old = this.store.get(name);
    if (!old) return;
    this.store.delete(name);
    this.emit((h) => h.onDelete?.(old));
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const { registry, crds, clock, log } = this.deps;
    let list;
    try {
      list = await registry.list(crds, '', LIST_EVERYTHING);
    } catch (err) {
      log.warn({ err }, 'CRD informer list failed');
      this.timer = clock.setTimeout(() => void this.relist(), CRD_RELIST_BACKOFF_MS);
      return;
    }
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of list.items) {
      const crd = { kind: crds.kind, apiVersion: crds.groupVersion, ...item } as Crd;
      seen.add(crd.metadata?.name ?? '');
      this.set(crd);
    }
    for (const name of [...this.store.keys()]) if (!seen.has(name)) this.remove(name);
    this.synced = true;
    this.watcher = registry.watch(crds, '', Number(list.resourceVersion), {
      onEvent: (type, obj: KubeObject) => {
        if (this.stopped) return;
        if (type === 'DELETED') this.remove(obj.metadata?.name ?? '');
        else this.set(obj as Crd);
      },
      onError: (err) => {
        if (this.stopped) return;
        log.info({ err: err.message }, 'CRD watch ended; listing again');
        this.timer = clock.setTimeout(() => void this.relist(), CRD_RELIST_BACKOFF_MS);
      },
    });
  }
}
