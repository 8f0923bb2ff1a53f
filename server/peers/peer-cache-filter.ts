/**
 * What stands between the peer discovery cache the lease worker rebuilds and the cache that routing
 * and peer-aggregated discovery read: nothing in 1.33–1.34, the CRD/APIService exclusion of 1.35 and
 * 1.36 (exclusion-map.ts, gv-exclusion-manager.ts). Also the pieces both exclusions share: the
 * extension sources (CRDs, aggregated APIServices) with the group/versions each object contributes,
 * and upstream's filter of one peer's entry.
 */
import type { APIGroupDiscovery } from '../endpoints/discovery-docs.js';
import type { Crd } from '../registry/custom/crd.js';
import type { APIService } from '../aggregator/apiservice.js';
import type { PeerDiscovery } from './discovery-router.js';

/** An informer's store and events, as the exclusions read them. */
export interface InformerSource<T> {
  list(): T[];
  addHandlers(handlers: { onAdd?(obj: T): void; onUpdate?(oldObj: T, newObj: T): void; onDelete?(obj: T): void }): void;
}

/** A source of CRDs and their events (the server's CRD informer). */
export type CrdSource = InformerSource<Crd>;

/**
 * One kind of extension the exclusions follow, as kube-apiserver wires them: an informer (CRDs,
 * APIServices) and its extractor, the group/versions one object contributes.
 */
export interface ExtensionSource {
  informer: InformerSource<unknown>;
  groupVersions(obj: unknown): string[];
}

/** The CRD informer as an extension source. */
export function crdExtensions(crds: CrdSource): ExtensionSource {
  return { informer: crds as InformerSource<unknown>, groupVersions: (obj) => crdGroupVersions(obj as Crd) };
}

/**
 * The APIService informer as an extension source: only aggregated APIServices (with a
 * `spec.service`) contribute; a Local APIService names a built-in group/version, which the proxy
 * must go on routing.
 */
export function apiServiceExtensions(apiServices: InformerSource<APIService>): ExtensionSource {
  return { informer: apiServices as InformerSource<unknown>, groupVersions: (obj) => aggregatedGroupVersions(obj as APIService) };
}

/** The group/versions every extension in the sources uses now. */
export function usedGroupVersions(sources: readonly ExtensionSource[]): Set<string> {
  return new Set(sources.flatMap((s) => s.informer.list().flatMap((obj) => s.groupVersions(obj))));
}

/** The peer cache as routing sees it. */
export interface PeerCacheFilter {
  /** The lease worker rebuilt the whole raw cache. */
  rebuilt(raw: ReadonlyMap<string, PeerDiscovery>): void;
  /** The cache routing and peer-aggregated discovery read. */
  view(): ReadonlyMap<string, PeerDiscovery>;
  /** Start following CRDs and aggregated APIServices (the exclusions need them; the pass-through ignores them). */
  start(sources: readonly ExtensionSource[]): void;
  /** Stop timers and queues. */
  stop(): void;
}

/** 1.33–1.34: no exclusion, the raw cache is what routing reads. */
export class PassThroughPeerCache implements PeerCacheFilter {
  private cache: ReadonlyMap<string, PeerDiscovery> = new Map();

  /** `onChange` runs after every rebuild (peer-aggregated discovery drops its cache). */
  constructor(private readonly onChange: () => void = () => undefined) {}

  rebuilt(raw: ReadonlyMap<string, PeerDiscovery>): void {
    this.cache = raw;
    this.onChange();
  }

  view(): ReadonlyMap<string, PeerDiscovery> {
    return this.cache;
  }

  start(): void {}

  stop(): void {}
}

/** A group/version as the exclusions key it: `group/version`. */
export function gvKey(group: string, version: string): string {
  return `${group}/${version}`;
}

/**
 * The group/versions a CRD contributes to the exclusion: one per entry of `spec.versions` (whether
 * the kube-apiserver extractor keeps only served versions could not be confirmed).
 */
export function crdGroupVersions(crd: Crd): string[] {
  return (crd.spec?.versions ?? []).map((v) => gvKey(crd.spec.group, v.name));
}

/** The group/version an aggregated APIService contributes (none for a Local one). */
export function aggregatedGroupVersions(svc: APIService): string[] {
  return svc.spec?.service && svc.spec.group !== undefined && svc.spec.version ? [gvKey(svc.spec.group, svc.spec.version)] : [];
}

/** The group/version of a routing key (`group/version/resource`; 1.35+ spell core `""`). */
function gvOfRouteKey(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}

/**
 * Upstream's filterPeerCacheEntry: drop the GVRs of excluded group/versions and, only when something
 * was dropped, the excluded versions of the group documents (a group left without versions goes).
 * Returns the entry itself when nothing in it is excluded.
 */
export function filterPeerEntry(entry: PeerDiscovery, excluded: ReadonlySet<string>): PeerDiscovery {
  const gvrs = new Set<string>();
  let dropped = false;
  for (const key of entry.gvrs) {
    if (excluded.has(gvOfRouteKey(key))) dropped = true;
    else gvrs.add(key);
  }
  if (!dropped) return entry;
  const groups: APIGroupDiscovery[] = [];
  for (const group of entry.groups) {
    const name = group.metadata?.name ?? '';
    const versions = (group.versions ?? []).filter((v) => !excluded.has(gvKey(name, v.version)));
    if (versions.length > 0) groups.push({ ...group, versions });
  }
  return { gvrs, groups };
}

/** Filter every peer's entry; `changed` is false when no entry lost anything. */
export function filterPeerCache(cache: ReadonlyMap<string, PeerDiscovery>, excluded: ReadonlySet<string>): { cache: Map<string, PeerDiscovery>; changed: boolean } {
  const out = new Map<string, PeerDiscovery>();
  let changed = false;
  for (const [id, entry] of cache) {
    const filtered = excluded.size === 0 ? entry : filterPeerEntry(entry, excluded);
    if (filtered !== entry) changed = true;
    out.set(id, filtered);
  }
  return { cache: out, changed };
}
