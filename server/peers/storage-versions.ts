/**
 * Generation A (1.28–1.32): StorageVersion objects (`internal.apiserver.k8s.io/v1alpha1`) and the
 * routing built from them. Each server with the StorageVersionAPI and APIServerIdentity gates records,
 * for every resource it persists, its entry (encodingVersion, decodableVersions, servedVersions);
 * the common encoding version and the `AllEncodingVersionsEqual` condition are recomputed on each
 * write. The router keeps a map GVR → server IDs from those objects, and the GC removes the entries
 * of servers whose identity lease is gone, deleting objects left empty.
 */
import type { Logger } from 'pino';
import type { ChangeEvent, Store, Watcher } from '../../storage/store.js';
import type { Clock, ClockTimer } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import type { Registry } from '../registry/rest.js';
import type { KubeObject } from '../registry/object.js';
import { formatTime } from '../registry/object.js';
import type { ResourceType, ResourceTypes } from '../registry/resource-type.js';
import type { ListOptions } from '../registry/list-options.js';
import { IDENTITY_LABEL, IDENTITY_LABEL_VALUE, LEASE_NAMESPACE } from './identity-lease.js';
import { gvrKey, resolvePeers, type GVR, type PeerRouter, type RouteDecision } from './routing.js';

/** One server's entry in a StorageVersion. */
export interface ServerStorageVersion {
  apiServerID: string;
  encodingVersion: string;
  decodableVersions: string[];
  servedVersions: string[];
}

/** How long after a watch ends the informer lists again. */
const RELIST_DELAY_MS = 1000;

const ALL: ListOptions = { labelSelector: '', fieldSelector: '', watch: false, allowWatchBookmarks: false, resourceVersion: '', resourceVersionMatch: '', limit: 0, continue: '' };

/** The StorageVersion name of a group/resource: `apps.deployments`, `core.pods`. */
export function storageVersionName(group: string, resource: string): string {
  return `${group === '' ? 'core' : group}.${resource}`;
}

/** This server's entries: one per persisted built-in group/resource it serves (custom resources have none). */
export function localStorageVersions(id: string, types: ResourceTypes): Map<string, ServerStorageVersion> {
  const out = new Map<string, ServerStorageVersion>();
  for (const t of types.builtIn()) {
    if (!t.verbs.has('create') || !t.verbs.has('list')) continue;
    const name = storageVersionName(t.group, t.resource);
    const gv = t.groupVersion;
    const entry = out.get(name);
    if (entry) {
      entry.servedVersions.push(gv);
      entry.decodableVersions.push(gv);
    } else {
      out.set(name, { apiServerID: id, encodingVersion: gv, decodableVersions: [gv], servedVersions: [gv] });
    }
  }
  return out;
}

/** Recompute `commonEncodingVersion` and the condition after the entries changed. */
export function withCommonVersion(sv: KubeObject, now: Date): KubeObject {
  const status = (sv.status ?? {}) as { storageVersions?: ServerStorageVersion[]; commonEncodingVersion?: string; conditions?: Array<Record<string, unknown>> };
  const entries = status.storageVersions ?? [];
  const versions = new Set(entries.map((e) => e.encodingVersion));
  const common = entries.length > 0 && versions.size === 1 ? entries[0]!.encodingVersion : undefined;
  const previous = status.conditions?.find((c) => c.type === 'AllEncodingVersionsEqual');
  const wanted = common
    ? { status: 'True', reason: 'CommonEncodingVersionSet', message: 'Common encoding version set' }
    : { status: 'False', reason: 'CommonEncodingVersionUnset', message: 'Common encoding version unset' };
  const changed = !previous || previous.status !== wanted.status || status.commonEncodingVersion !== common;
  const condition = {
    type: 'AllEncodingVersionsEqual',
    ...wanted,
    observedGeneration: sv.metadata?.generation ?? 1,
    lastTransitionTime: changed ? formatTime(now) : (previous?.lastTransitionTime as string),
  };
  const next: Record<string, unknown> = { storageVersions: entries };
  if (common) next.commonEncodingVersion = common;
  next.conditions = [condition];
  return { ...sv, status: next };
}

/** What the Gen A parts need. */
export interface StorageVersionDeps {
  id: string;
  store: Store;
  registry: Registry;
  types: ResourceTypes;
  /** internal.apiserver.k8s.io/v1alpha1 storageversions, as this server serves it. */
  storageVersions: ResourceType;
  leases: ResourceType;
  clock: Clock;
  log: Logger;
  updateSeconds: number;
  /** 1.28–1.31: any unresolvable peer gives the 503; 1.32 only when none resolves. */
  allMustResolve: boolean;
}

/** The StorageVersion updater, GC and router of one server. */
export class StorageVersionRouter implements PeerRouter {
  private map = new Map<string, Set<string>>();
  private completed = false;
  private readonly watchers = new Map<string, Watcher>();
  private readonly relistTimers = new Map<string, ClockTimer>();
  private stopped = false;
  private timer: ClockTimer | undefined;

  constructor(private readonly deps: StorageVersionDeps) {}

  hasFinishedSync(): boolean {
    return this.completed;
  }

  /** Start the informer, write this server's entries, and keep both up to date. */
  async start(): Promise<void> {
    await this.watchStorageVersions();
    await this.watchLeases();
    await this.update();
    await this.collect();
    this.completed = true;
    this.timer = this.deps.clock.setInterval(() => void this.update().catch((err) => this.deps.log.warn({ err }, 'storage version update failed')), this.deps.updateSeconds * 1000);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers.values()) w.stop();
    for (const t of this.relistTimers.values()) t.cancel();
    this.timer?.cancel();
  }

  /** List StorageVersions into the map, then watch them. */
  private async watchStorageVersions(): Promise<void> {
    const { registry, storageVersions } = this.deps;
    const list = await registry.list(storageVersions, '', ALL);
    this.rebuild(list.items);
    this.watch('storage versions', storageVersions, '', Number(list.resourceVersion), () => void this.reload(), () => this.watchStorageVersions());
  }

  /** Watch identity leases, so that a departed server's entries are collected. */
  private async watchLeases(): Promise<void> {
    const { registry, leases } = this.deps;
    const list = await registry.list(leases, LEASE_NAMESPACE, ALL);
    this.watch('identity leases', leases, LEASE_NAMESPACE, Number(list.resourceVersion), (event) => {
      const lease = event.value as KubeObject;
      if (event.type === 'DELETED' && lease.metadata?.labels?.[IDENTITY_LABEL] === IDENTITY_LABEL_VALUE) void this.collect();
    }, () => this.watchLeases().then(() => this.collect()));
  }

  /**
   * One registry watch. When it ends (a process paused while the store was compacted past it), list
   * again after a second, as an informer does.
   */
  private watch(what: string, type: ResourceType, namespace: string, afterRev: number, onEvent: (event: ChangeEvent) => void, relist: () => Promise<void>): void {
    if (this.stopped) return;
    this.watchers.set(what, this.deps.registry.watchChanges(type, namespace, '', afterRev, {
      onEvent,
      onError: (err) => {
        if (this.stopped) return;
        this.deps.log.warn({ err }, `${what} watch ended; listing again`);
        this.relistTimers.set(what, this.deps.clock.setTimeout(() => void relist().catch((e: unknown) => this.deps.log.warn({ err: e }, `${what} list failed`)), RELIST_DELAY_MS));
      },
    }));
  }

  private async reload(): Promise<void> {
    const list = await this.deps.registry.list(this.deps.storageVersions, '', ALL);
    this.rebuild(list.items);
  }

  private rebuild(items: KubeObject[]): void {
    const map = new Map<string, Set<string>>();
    for (const sv of items) {
      const name = sv.metadata?.name ?? '';
      const dot = name.lastIndexOf('.');
      if (dot < 0) continue;
      const group = name.slice(0, dot);
      const resource = name.slice(dot + 1);
      for (const entry of ((sv.status as { storageVersions?: ServerStorageVersion[] } | undefined)?.storageVersions ?? [])) {
        for (const served of entry.servedVersions ?? []) {
          const version = served.includes('/') ? served.slice(served.lastIndexOf('/') + 1) : served;
          const key = gvrKey({ group, version, resource });
          const ids = map.get(key) ?? new Set<string>();
          ids.add(entry.apiServerID);
          map.set(key, ids);
        }
      }
    }
    this.map = map;
  }

  async route(gvr: GVR): Promise<RouteDecision> {
    const key = gvrKey({ group: gvr.group === '' ? 'core' : gvr.group, version: gvr.version, resource: gvr.resource });
    const ids = this.map.get(key);
    if (!ids) return { kind: 'local', reason: 'no-storage-version' };
    if (ids.size === 0) return { kind: 'local', reason: 'no-peer' };
    if (ids.has(this.deps.id)) return { kind: 'local' };
    return resolvePeers(this.deps.store, [...ids], this.deps.allMustResolve);
  }

  /** Write this server's entry into every StorageVersion it persists. */
  async update(): Promise<void> {
    const { registry, storageVersions, clock } = this.deps;
    for (const [name, entry] of localStorageVersions(this.deps.id, this.deps.types)) {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await registry.patch(
            storageVersions,
            '',
            name,
            (current) => {
              const status = (current.status ?? {}) as { storageVersions?: ServerStorageVersion[] };
              const others = (status.storageVersions ?? []).filter((e) => e.apiServerID !== entry.apiServerID);
              return withCommonVersion({ ...current, status: { ...status, storageVersions: [...others, entry] } }, clock.now());
            },
            { subresource: 'status' },
          );
          break;
        } catch (err) {
          if (!(isStatusError(err) && err.code === 404)) throw err;
          try {
            await registry.create(storageVersions, '', { metadata: { name }, spec: {} });
          } catch (createErr) {
            if (!(isStatusError(createErr) && createErr.code === 409)) throw createErr;
          }
        }
      }
    }
  }

  /** Remove entries of servers without an identity lease; delete StorageVersions left empty. */
  async collect(): Promise<void> {
    const { registry, storageVersions, leases, clock } = this.deps;
    const live = new Set(
      (await registry.list(leases, LEASE_NAMESPACE, { ...ALL, labelSelector: `${IDENTITY_LABEL}=${IDENTITY_LABEL_VALUE}` })).items.map((l) => l.metadata?.name ?? ''),
    );
    const list = await registry.list(storageVersions, '', ALL);
    for (const sv of list.items) {
      const entries = ((sv.status as { storageVersions?: ServerStorageVersion[] } | undefined)?.storageVersions ?? []);
      const kept = entries.filter((e) => live.has(e.apiServerID));
      if (kept.length === entries.length) continue;
      const name = sv.metadata?.name ?? '';
      try {
        if (kept.length === 0) await registry.delete(storageVersions, '', name, { preconditions: { resourceVersion: sv.metadata?.resourceVersion ?? '' } });
        else await registry.patch(storageVersions, '', name, (current) => withCommonVersion({ ...current, status: { ...(current.status as object), storageVersions: kept } }, clock.now()), { subresource: 'status' });
      } catch (err) {
        if (!(isStatusError(err) && (err.code === 404 || err.code === 409))) throw err;
      }
    }
  }
}
