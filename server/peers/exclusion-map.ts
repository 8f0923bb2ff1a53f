/**
 * The 1.35 exclusion of CRD (and aggregated API) group/versions from peer data: one map, group/version
 * → active or the time it stopped being used. A CRD added or updated marks its group/versions active
 * and filters the live peer cache at once; a deleted CRD's group/versions go through a deletion queue
 * that stamps them only when no other CRD or APIService still uses them; a reaper every minute drops stamps older
 * than the grace period (5 minutes). Each peer cache rebuild is filtered with the map as it is. A
 * reaped group/version comes back into peer data only with the next rebuild, which only a peer lease
 * event starts. Timings run on the injected clock.
 */
import type { Clock, ClockTimer } from '../clock.js';
import type { PeerDiscovery } from './discovery-router.js';
import { filterPeerCache, usedGroupVersions, type ExtensionSource, type PeerCacheFilter } from './peer-cache-filter.js';

/** What the exclusion map needs. */
export interface ExclusionMapDeps {
  clock: Clock;
  /** `defaultExclusionGracePeriod`. */
  gracePeriodMs: number;
  /** `defaultExclusionReaperInterval`. */
  reaperIntervalMs: number;
  /** Called whenever the cache routing reads changed (peer-aggregated discovery drops its cache). */
  onChange: () => void;
}

/** The 1.35 exclusion map in front of the peer discovery cache. */
export class ExclusionMap implements PeerCacheFilter {
  /** Group/version → undefined while used, else the clock time (ms) it stopped being used. */
  private readonly excluded = new Map<string, number | undefined>();
  private cache: ReadonlyMap<string, PeerDiscovery> = new Map();
  private sources: readonly ExtensionSource[] = [];
  private reaper: ClockTimer | undefined;
  private stopped = false;

  constructor(private readonly deps: ExclusionMapDeps) {}

  /** The group/versions now excluded (active or in their grace period). */
  excludedGroupVersions(): Set<string> {
    return new Set(this.excluded.keys());
  }

  rebuilt(raw: ReadonlyMap<string, PeerDiscovery>): void {
    this.cache = filterPeerCache(raw, this.excludedGroupVersions()).cache;
    // Invalidated after every rebuild, an empty one too, as 1.35's syncPeerDiscoveryCache does
    // (storePeerDiscoveryCacheAndInvalidate, beside the exclusion filter). A stored copy from
    // earlier in the 1.35 cycle, before the exclusion existed, invalidated only for a non-empty
    // cache, so the last peer's groups outlived it in merged discovery.
    this.deps.onChange();
  }

  view(): ReadonlyMap<string, PeerDiscovery> {
    return this.cache;
  }

  start(sources: readonly ExtensionSource[]): void {
    this.sources = sources;
    this.reaper = this.deps.clock.setInterval(() => this.reap(), this.deps.reaperIntervalMs);
    for (const { informer, groupVersions } of sources) {
      informer.addHandlers({
        onAdd: (obj) => this.markActive(groupVersions(obj)),
        onUpdate: (_old, obj) => this.markActive(groupVersions(obj)),
        // The deletion queue: its worker runs after the informer's handlers.
        onDelete: (obj) => {
          for (const gv of groupVersions(obj)) setImmediate(() => this.markDeletedIfUnused(gv));
        },
      });
      // AddEventHandler replays the informer's store as adds.
      for (const obj of informer.list()) this.markActive(groupVersions(obj));
    }
  }

  stop(): void {
    this.stopped = true;
    this.reaper?.cancel();
  }

  private markActive(gvs: string[]): void {
    if (gvs.length === 0 || this.stopped) return;
    for (const gv of gvs) this.excluded.set(gv, undefined);
    const { cache, changed } = filterPeerCache(this.cache, this.excludedGroupVersions());
    if (changed) {
      this.cache = cache;
      this.deps.onChange();
    }
  }

  private markDeletedIfUnused(gv: string): void {
    if (this.stopped) return;
    if (usedGroupVersions(this.sources).has(gv)) return;
    if (this.excluded.has(gv) && this.excluded.get(gv) === undefined) this.excluded.set(gv, this.deps.clock.now().getTime());
  }

  private reap(): void {
    const now = this.deps.clock.now().getTime();
    for (const [gv, since] of this.excluded) if (since !== undefined && now - since > this.deps.gracePeriodMs) this.excluded.delete(gv);
  }
}
