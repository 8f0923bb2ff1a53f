/**
 * Generation B routing (1.33+): a local discovery cache (what this server serves, refreshed every
 * 30 minutes) and a peer discovery cache rebuilt, whole, only when an identity lease is added, deleted
 * or changes holderIdentity — never on renewals. Each rebuild lists the identity leases, resolves
 * each peer's endpoint and fetches its aggregated `/api` and `/apis` (v2) through the proxy
 * transport. A failed rebuild is retried with exponential backoff up to upstream's retry limit.
 * Routing reads the rebuilt cache through a filter: the 1.35+ exclusion of CRD group/versions.
 */
import type { Logger } from 'pino';
import type { Store, Watcher } from '../../storage/store.js';
import type { Clock, ClockTimer } from '../clock.js';
import type { Registry } from '../registry/rest.js';
import type { KubeObject } from '../registry/object.js';
import type { ResourceType, ResourceTypes } from '../registry/resource-type.js';
import type { APIGroupDiscovery } from '../endpoints/discovery-docs.js';
import { getPeerEndpoint, splitHostPort } from './endpoint-lease.js';
import { IDENTITY_LABEL, IDENTITY_LABEL_VALUE, IDENTITY_SELECTOR, LEASE_NAMESPACE } from './identity-lease.js';
import { gvrKey, resolvePeers, type GVR, type PeerRouter, type RouteDecision } from './routing.js';
import type { PeerTransport } from './transport.js';
import { PassThroughPeerCache, type PeerCacheFilter } from './peer-cache-filter.js';

/** How long after a lease watch ends the router lists again. */
const RELIST_DELAY_MS = 1000;

/** One peer's entry in the peer discovery cache. */
export interface PeerDiscovery {
  gvrs: Set<string>;
  /** Named groups (never core) for peer-aggregated discovery (1.35+). */
  groups: APIGroupDiscovery[];
}

/** The behaviour that differs between 1.33–1.34 and 1.35+. */
export interface DiscoveryRouterOptions {
  /** 1.33–1.34 key the core group as "core"; 1.35+ keep "". */
  coreKey: string;
  /** Retries of a failed rebuild: 5 in 1.33–1.34, 20 in 1.35+. */
  maxRetries: number;
  /** The Accept header of peer discovery fetches. */
  accept: string;
  /** 1.35+: keep only peers that yielded something, and keep their group documents. */
  keepGroups: boolean;
}

/** What the router needs. */
export interface DiscoveryRouterDeps {
  id: string;
  store: Store;
  registry: Registry;
  types: ResourceTypes;
  leases: ResourceType;
  transport: PeerTransport;
  clock: Clock;
  log: Logger;
  localRefreshSeconds: number;
  options: DiscoveryRouterOptions;
  /** Called after every rebuild (peer-aggregated discovery drops its cache); used without a filter. */
  onChange?: () => void;
  /** What stands between the rebuilt cache and routing (1.35+ exclusion); a pass-through by default. */
  filter?: PeerCacheFilter;
  /** Counts each peer discovery fetch by status (they count as rerouted requests upstream). */
  onFetch?: (code: number) => void;
  /** Counts sync errors by type (1.36 metric). */
  onSyncError?: (type: 'lease_list' | 'hostport_resolution' | 'fetch_discovery') => void;
}


/** The Gen B router. */
export class DiscoveryRouter implements PeerRouter {
  private local = new Set<string>();
  private readonly filter: PeerCacheFilter;
  private synced = false;
  private watcher: Watcher | undefined;
  private localTimer: ClockTimer | undefined;
  private relistTimer: ClockTimer | undefined;
  private queued = false;
  private running = false;
  private retries = 0;
  private stopped = false;
  private readonly holders = new Map<string, string>();

  constructor(private readonly deps: DiscoveryRouterDeps) {
    this.filter = deps.filter ?? new PassThroughPeerCache(deps.onChange);
  }

  private key(group: string, version: string, resource: string): string {
    return gvrKey({ group: group === '' ? this.deps.options.coreKey : group, version, resource });
  }

  private refreshLocal(): void {
    const local = new Set<string>();
    for (const t of this.deps.types.all()) local.add(this.key(t.group, t.version, t.resource));
    this.local = local;
  }

  /** Start both caches; sync is finished once the local cache is filled and the lease watch runs. */
  async start(): Promise<void> {
    this.refreshLocal();
    this.localTimer = this.deps.clock.setInterval(() => this.refreshLocal(), this.deps.localRefreshSeconds * 1000);
    await this.watchLeases();
    this.synced = true;
  }

  /**
   * List the identity leases, then watch them. A watch that ends (a process paused while the
   * store was compacted past it) lists again after a second, as an informer does.
   */
  private async watchLeases(): Promise<void> {
    const list = await this.deps.registry.list(this.deps.leases, LEASE_NAMESPACE, IDENTITY_SELECTOR);
    if (this.stopped) return;
    this.holders.clear();
    for (const lease of list.items) this.holders.set(lease.metadata?.name ?? '', holderOf(lease));
    this.watcher = this.deps.registry.watchChanges(this.deps.leases, LEASE_NAMESPACE, '', Number(list.resourceVersion), {
      onEvent: (event) => {
        const lease = event.value as KubeObject;
        const name = lease.metadata?.name ?? '';
        if (lease.metadata?.labels?.[IDENTITY_LABEL] !== IDENTITY_LABEL_VALUE || name === this.deps.id) return;
        if (event.type === 'DELETED') {
          this.holders.delete(name);
          this.enqueue();
        } else {
          const holder = holderOf(lease);
          const changed = this.holders.get(name) !== holder;
          this.holders.set(name, holder);
          if (event.type === 'ADDED' || changed) this.enqueue();
        }
      },
      onError: (err) => {
        if (this.stopped) return;
        this.deps.log.warn({ err }, 'identity lease watch ended; listing again');
        this.relistTimer = this.deps.clock.setTimeout(() => void this.watchLeases().catch((e: unknown) => this.deps.log.warn({ err: e }, 'identity lease list failed')), RELIST_DELAY_MS);
      },
    });
    if (list.items.length > 0) this.enqueue();
  }

  /** Stop the caches. */
  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    this.localTimer?.cancel();
    this.relistTimer?.cancel();
  }

  hasFinishedSync(): boolean {
    return this.synced;
  }

  /** The filtered peer cache (peer-aggregated discovery reads it). */
  peerDiscovery(): ReadonlyMap<string, PeerDiscovery> {
    return this.filter.view();
  }

  async route(gvr: GVR): Promise<RouteDecision> {
    const key = this.key(gvr.group, gvr.version, gvr.resource);
    if (this.local.has(key)) return { kind: 'local' };
    const peers: string[] = [];
    for (const [id, entry] of this.filter.view()) if (id !== this.deps.id && entry.gvrs.has(key)) peers.push(id);
    if (peers.length === 0) return { kind: 'local', reason: 'no-peer' };
    return resolvePeers(this.deps.store, peers, false);
  }

  private enqueue(): void {
    if (this.stopped) return;
    this.queued = true;
    if (!this.running) void this.work();
  }

  private async work(): Promise<void> {
    this.running = true;
    while (this.queued && !this.stopped) {
      this.queued = false;
      try {
        await this.rebuild();
        this.retries = 0;
      } catch (err) {
        if (this.retries < this.deps.options.maxRetries) {
          const delay = Math.min(5 * 2 ** this.retries, 1_000_000);
          this.retries++;
          this.deps.log.info({ err: (err as Error).message, retry: this.retries, delay }, 'peer discovery sync failed; retrying');
          setTimeout(() => this.enqueue(), delay);
        } else {
          this.deps.log.warn({ err: (err as Error).message }, 'peer discovery sync failed; giving up until the next lease event');
          this.retries = 0;
        }
      }
    }
    this.running = false;
  }

  /** Rebuild the whole peer cache; throws when any peer failed (the rest are kept). */
  private async rebuild(): Promise<void> {
    const { registry, leases, transport, options } = this.deps;
    let list;
    try {
      list = await registry.list(leases, LEASE_NAMESPACE, IDENTITY_SELECTOR);
    } catch (err) {
      this.deps.onSyncError?.('lease_list');
      throw err;
    }
    const next = new Map<string, PeerDiscovery>();
    const errors: string[] = [];
    for (const lease of list.items) {
      const id = lease.metadata?.name ?? '';
      if (id === this.deps.id || !holderOf(lease)) continue;
      let address: string;
      try {
        address = await getPeerEndpoint(this.deps.store, id);
        splitHostPort(address);
      } catch (err) {
        this.deps.onSyncError?.('hostport_resolution');
        errors.push(`${id}: ${(err as Error).message}`);
        continue;
      }
      const entry: PeerDiscovery = { gvrs: new Set(), groups: [] };
      for (const path of ['/api', '/apis']) {
        try {
          const res = await transport.discovery(address, path, options.accept);
          this.deps.onFetch?.(res.status);
          const doc = res.body as { items?: APIGroupDiscovery[] } | undefined;
          if (res.status !== 200 || !doc || !Array.isArray(doc.items)) throw new Error(`GET ${path}: status ${res.status}`);
          for (const group of doc.items) {
            const name = group.metadata?.name ?? '';
            for (const v of group.versions ?? []) for (const r of v.resources ?? []) entry.gvrs.add(this.key(name, v.version, r.resource));
            if (options.keepGroups && name !== '' && !entry.groups.some((g) => g.metadata.name === name)) entry.groups.push(group);
          }
        } catch (err) {
          this.deps.onSyncError?.('fetch_discovery');
          errors.push(`${id} ${path}: ${(err as Error).message}`);
        }
      }
      if (!options.keepGroups || entry.gvrs.size > 0) next.set(id, entry);
    }
    this.filter.rebuilt(next);
    if (errors.length > 0) throw new Error(errors.join('; '));
  }
}

function holderOf(lease: KubeObject): string {
  return ((lease.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '') as string;
}
