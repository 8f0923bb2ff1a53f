/**
 * The exclusion of CRD group/versions from peer data (MVP reference §9), on an injected clock: the
 * 1.35 exclusion map (immediate filtering on add, the deletion queue that spares a group/version
 * another CRD still uses, the reaper after the grace period, and a reaped group/version back only
 * with the next rebuild) and the 1.36 GVExclusionManager (nothing routed before the first refilter,
 * active ∪ recently deleted, the delayed resync that reaps and refilters from the raw cache).
 */
import t from 'tap';
import type { Clock, ClockTimer } from '../../server/clock.js';
import type { Crd } from '../../server/registry/custom/crd.js';
import type { PeerDiscovery } from '../../server/peers/discovery-router.js';
import { ExclusionMap } from '../../server/peers/exclusion-map.js';
import { GVExclusionManager } from '../../server/peers/gv-exclusion-manager.js';
import type { APIService } from '../../server/aggregator/apiservice.js';
import { apiServiceExtensions, crdExtensions, filterPeerEntry, type InformerSource } from '../../server/peers/peer-cache-filter.js';

/** A clock that moves only when told to. */
class ManualClock implements Clock {
  private ms = Date.parse('2026-01-01T00:00:00Z');
  private timers: Array<{ due: number; fn: () => void; period?: number; cancelled: boolean }> = [];
  now(): Date {
    return new Date(this.ms);
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer = { due: this.ms + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }
  setInterval(fn: () => void, ms: number): ClockTimer {
    const timer = { due: this.ms + ms, fn, period: ms, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }
  advance(ms: number): void {
    const end = this.ms + ms;
    for (;;) {
      const next = this.timers.filter((x) => !x.cancelled && x.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.ms = next.due;
      if (next.period) next.due += next.period;
      else next.cancelled = true;
      next.fn();
    }
    this.ms = end;
  }
}

/** An informer stand-in (CRDs, APIServices). */
class Informer<T extends { metadata?: { name?: string } }> implements InformerSource<T> {
  items: T[] = [];
  private handlers: Array<Parameters<InformerSource<T>['addHandlers']>[0]> = [];
  list(): T[] {
    return [...this.items];
  }
  addHandlers(h: Parameters<InformerSource<T>['addHandlers']>[0]): void {
    this.handlers.push(h);
  }
  add(obj: T): void {
    this.items.push(obj);
    for (const h of this.handlers) h.onAdd?.(obj);
  }
  remove(name: string): void {
    const obj = this.items.find((c) => c.metadata?.name === name)!;
    this.items = this.items.filter((c) => c !== obj);
    for (const h of this.handlers) h.onDelete?.(obj);
  }
}
class Crds extends Informer<Crd> {}
class ApiServices extends Informer<APIService> {}

/** An aggregated APIService (with a Service), or a Local one. */
const apiService = (group: string, version: string, aggregated = true): APIService => ({
  metadata: { name: `${version}.${group}` },
  spec: { group, version, groupPriorityMinimum: 1000, versionPriority: 15, ...(aggregated ? { service: { namespace: 'wardle', name: 'api', port: 443 } } : {}) },
});

const crd = (plural: string, group = 'example.com', versions = ['v1']): Crd => ({
  metadata: { name: `${plural}.${group}` },
  spec: { group, names: { plural, kind: plural }, scope: 'Namespaced', versions: versions.map((name, i) => ({ name, served: true, storage: i === 0 })) },
});

const group = (name: string, versions: string[]) => ({ metadata: { name }, versions: versions.map((version) => ({ version, resources: [] })) }) as unknown as PeerDiscovery['groups'][number];

/** A peer serving pods, widgets and gadgets in example.com/v1 and things in other.io/v1. */
const raw = (): Map<string, PeerDiscovery> =>
  new Map([['peer-1', { gvrs: new Set(['/v1/pods', 'example.com/v1/widgets', 'example.com/v1/gadgets', 'other.io/v1/things']), groups: [group('example.com', ['v1']), group('other.io', ['v1'])] }]]);

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

const gvrsOf = (view: ReadonlyMap<string, PeerDiscovery>): string[] => [...(view.get('peer-1')?.gvrs ?? [])].sort();
const groupsOf = (view: ReadonlyMap<string, PeerDiscovery>): string[] => (view.get('peer-1')?.groups ?? []).map((g) => g.metadata.name);

t.test('filterPeerEntry', async (t) => {
  const entry = raw().get('peer-1')!;
  t.equal(filterPeerEntry(entry, new Set(['nothing/v1'])), entry, 'an entry without excluded group/versions is kept as is');
  const withTwo = { gvrs: new Set(['example.com/v1/widgets', 'example.com/v2/widgets']), groups: [group('example.com', ['v2', 'v1'])] };
  const partial = filterPeerEntry(withTwo, new Set(['example.com/v1']));
  t.same([...partial.gvrs], ['example.com/v2/widgets']);
  t.same(partial.groups.map((g) => g.versions.map((v) => v.version)), [['v2']], 'excluding one version keeps the group');
  t.same(filterPeerEntry(withTwo, new Set(['example.com/v1', 'example.com/v2'])).groups, [], 'excluding every version drops the group');
});

t.test('1.35 exclusion map', async (t) => {
  const clock = new ManualClock();
  const crds = new Crds();
  crds.items.push(crd('widgets'));
  let changes = 0;
  const map = new ExclusionMap({ clock, gracePeriodMs: 300_000, reaperIntervalMs: 60_000, onChange: () => changes++ });
  map.start([crdExtensions(crds)]);
  map.rebuilt(raw());
  t.same(gvrsOf(map.view()), ['/v1/pods', 'other.io/v1/things'], 'a CRD in the informer excludes its group/version from the rebuilt cache');
  t.same(groupsOf(map.view()), ['other.io']);

  crds.add(crd('things', 'other.io'));
  t.same(gvrsOf(map.view()), ['/v1/pods'], 'an added CRD filters the live cache at once');
  t.ok(changes >= 2, 'and invalidates peer-aggregated discovery');

  crds.add(crd('gadgets'));
  crds.remove('widgets.example.com');
  await settle();
  t.ok(map.excludedGroupVersions().has('example.com/v1'), 'a group/version another CRD still uses is not stamped');
  crds.remove('gadgets.example.com');
  await settle();
  clock.advance(299_000);
  t.ok(map.excludedGroupVersions().has('example.com/v1'), 'within the grace period it stays excluded');
  map.rebuilt(raw());
  t.same(gvrsOf(map.view()), ['/v1/pods'], 'and a rebuild still filters it');
  clock.advance(62_000);
  t.notOk(map.excludedGroupVersions().has('example.com/v1'), 'the reaper drops it after the grace period');
  t.same(gvrsOf(map.view()), ['/v1/pods'], 'the live cache stays filtered until the next rebuild');
  map.rebuilt(raw());
  t.same(gvrsOf(map.view()), ['/v1/pods', 'example.com/v1/gadgets', 'example.com/v1/widgets'], 'which brings the peer data back');
  map.stop();
});

t.test('1.36 GVExclusionManager', async (t) => {
  const clock = new ManualClock();
  const crds = new Crds();
  crds.items.push(crd('widgets'));
  let changes = 0;
  const mgr = new GVExclusionManager({ clock, gracePeriodMs: 300_000, onChange: () => changes++ });
  mgr.start([crdExtensions(crds)]);
  mgr.rebuilt(raw());
  t.same(gvrsOf(mgr.view()), [], 'nothing is routed to peers before the first refilter');
  await settle();
  t.same(gvrsOf(mgr.view()), ['/v1/pods', 'other.io/v1/things'], 'the filtered cache leaves out the active CRD group/version');
  t.same(groupsOf(mgr.view()), ['other.io']);
  t.ok(changes >= 1);

  crds.remove('widgets.example.com');
  await settle();
  t.same([...mgr.exclusionSet()], ['example.com/v1'], 'a deleted CRD group/version is recently deleted');
  t.same(gvrsOf(mgr.view()), ['/v1/pods', 'other.io/v1/things'], 'and still filtered');
  clock.advance(300_000);
  await settle();
  t.same([...mgr.exclusionSet()], ['example.com/v1'], 'not reaped at the grace period exactly');
  clock.advance(5);
  await settle();
  t.same([...mgr.exclusionSet()], [], 'the delayed resync reaps it');
  t.same(gvrsOf(mgr.view()), ['/v1/pods', 'example.com/v1/gadgets', 'example.com/v1/widgets', 'other.io/v1/things'], 'and the refilter brings the raw peer data back without a rebuild');

  const before = changes;
  mgr.rebuilt(new Map());
  await settle();
  t.same(mgr.view().size, 0, 'an empty raw cache empties the filtered one');
  t.equal(changes, before, 'without the invalidation callback');
  mgr.stop();
});

t.test('aggregated APIServices are excluded too; Local ones are not', async (t) => {
  const clock = new ManualClock();
  const crds = new Crds();
  const apiServices = new ApiServices();
  apiServices.items.push(apiService('other.io', 'v1'), apiService('', 'v1', false));

  const map = new ExclusionMap({ clock, gracePeriodMs: 300_000, reaperIntervalMs: 60_000, onChange: () => undefined });
  map.start([crdExtensions(crds), apiServiceExtensions(apiServices)]);
  map.rebuilt(raw());
  t.same(gvrsOf(map.view()), ['/v1/pods', 'example.com/v1/gadgets', 'example.com/v1/widgets'], '1.35: the aggregated group/version is left out, the Local core/v1 is not');
  apiServices.add(apiService('example.com', 'v1'));
  crds.add(crd('widgets'));
  crds.remove('widgets.example.com');
  await settle();
  t.same([...map.excludedGroupVersions()].sort(), ['example.com/v1', 'other.io/v1'], '1.35: a group/version an APIService still uses is not stamped when its CRD goes');
  apiServices.remove('v1.example.com');
  await settle();
  clock.advance(361_000);
  t.same([...map.excludedGroupVersions()], ['other.io/v1'], '1.35: once no APIService uses it either, it is stamped and reaped');
  map.stop();

  const apiServices36 = new ApiServices();
  apiServices36.items.push(apiService('other.io', 'v1'), apiService('', 'v1', false));
  const mgr = new GVExclusionManager({ clock, gracePeriodMs: 300_000, onChange: () => undefined });
  mgr.start([crdExtensions(new Crds()), apiServiceExtensions(apiServices36)]);
  mgr.rebuilt(raw());
  await settle();
  t.same(gvrsOf(mgr.view()), ['/v1/pods', 'example.com/v1/gadgets', 'example.com/v1/widgets'], '1.36: the aggregated group/version is active, the Local one is not');
  apiServices36.remove('v1.other.io');
  await settle();
  t.same([...mgr.exclusionSet()], ['other.io/v1'], '1.36: a deleted APIService group/version is recently deleted');
  clock.advance(300_001);
  await settle();
  t.same([...mgr.exclusionSet()], [], '1.36: and reaped after the grace period');
  mgr.stop();
});
