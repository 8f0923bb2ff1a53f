/**
 * The 1.36 GVExclusionManager: the exclusion set is the group/versions of every CRD (and aggregated
 * APIService) in the informer's store, plus those that left it less than the grace period (5 minutes)
 * ago. Two single workers: the active-GV tracker rebuilds the active set on every CRD or APIService event, stamps
 * the group/versions that left it, reaps stamps past the grace period and schedules itself again
 * after the grace period; the refilter turns the raw peer cache (written only by the lease worker)
 * into the filtered cache that routing and peer-aggregated discovery read. Until the first refilter
 * the filtered cache is empty, so nothing is routed to peers. Timings run on the injected clock.
 */
import type { Clock, ClockTimer } from '../clock.js';
import type { PeerDiscovery } from './discovery-router.js';
import { filterPeerCache, usedGroupVersions, type ExtensionSource, type PeerCacheFilter } from './peer-cache-filter.js';

/** What the manager needs. */
export interface GVExclusionManagerDeps {
  clock: Clock;
  /** `defaultExclusionGracePeriod`. */
  gracePeriodMs: number;
  /** The invalidation callback: called after every refilter of a non-empty raw cache. */
  onChange: () => void;
}

/** A single-key work queue: adds while a run is pending collapse into it; runs after the current handlers. */
class SyncQueue {
  private pending = false;

  constructor(private readonly run: () => void) {}

  add(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.run();
    });
  }
}

/** The 1.36 exclusion manager in front of the peer discovery cache. */
export class GVExclusionManager implements PeerCacheFilter {
  private active = new Set<string>();
  /** Group/version → clock time (ms) it left the active set. */
  private deleted = new Map<string, number>();
  private raw: ReadonlyMap<string, PeerDiscovery> = new Map();
  private filtered: ReadonlyMap<string, PeerDiscovery> = new Map();
  private sources: readonly ExtensionSource[] = [];
  private readonly timers = new Set<ClockTimer>();
  private stopped = false;
  private readonly activeQueue = new SyncQueue(() => this.reconcileActive());
  private readonly refilterQueue = new SyncQueue(() => this.refilter());

  constructor(private readonly deps: GVExclusionManagerDeps) {}

  /** The exclusion set: active ∪ recently deleted. */
  exclusionSet(): Set<string> {
    return new Set([...this.active, ...this.deleted.keys()]);
  }

  rebuilt(raw: ReadonlyMap<string, PeerDiscovery>): void {
    this.raw = raw;
    this.refilterQueue.add();
  }

  view(): ReadonlyMap<string, PeerDiscovery> {
    return this.filtered;
  }

  start(sources: readonly ExtensionSource[]): void {
    this.sources = sources;
    for (const { informer } of sources) informer.addHandlers({ onAdd: () => this.activeQueue.add(), onUpdate: () => this.activeQueue.add(), onDelete: () => this.activeQueue.add() });
    this.activeQueue.add();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
  }

  private reconcileActive(): void {
    if (this.stopped) return;
    const fresh = usedGroupVersions(this.sources);
    const gone = [...this.active].filter((gv) => !fresh.has(gv));
    const activeChanged = fresh.size !== this.active.size || gone.length > 0;
    const deletedChanged = this.updateDeleted(gone);
    if (activeChanged) this.active = fresh;
    if (activeChanged || deletedChanged) this.refilterQueue.add();
  }

  /** Stamp the group/versions that left, reap those past the grace period; true when the set changed. */
  private updateDeleted(gone: string[]): boolean {
    if (gone.length === 0 && this.deleted.size === 0) return false;
    const now = this.deps.clock.now().getTime();
    const next = new Map<string, number>();
    let changed = false;
    for (const [gv, since] of this.deleted) {
      if (now - since > this.deps.gracePeriodMs) changed = true;
      else next.set(gv, since);
    }
    if (gone.length > 0) {
      // AddAfter(grace): the delayed sync runs just past the grace period, when the stamps are older than it.
      const timer = this.deps.clock.setTimeout(() => {
        this.timers.delete(timer);
        this.activeQueue.add();
      }, this.deps.gracePeriodMs + 1);
      this.timers.add(timer);
    }
    for (const gv of gone) {
      next.set(gv, now);
      changed = true;
    }
    if (changed) this.deleted = next;
    return changed;
  }

  private refilter(): void {
    if (this.stopped) return;
    if (this.raw.size === 0) {
      this.filtered = new Map();
      return;
    }
    this.filtered = filterPeerCache(this.raw, this.exclusionSet()).cache;
    this.deps.onChange();
  }
}
