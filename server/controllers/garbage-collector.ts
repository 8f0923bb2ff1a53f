/**
 * The garbage collector, as kube-controller-manager's (pkg/controller/garbagecollector): monitors
 * (informers through the controllers' client) on every resource discovery lists with the delete,
 * list and watch verbs feed a dependency graph of ownerReferences; objects that may be garbage go to
 * the attemptToDelete queue, owners deleted with the `orphan` finalizer to attemptToOrphan.
 *
 * - An owner the graph has not observed is a "virtual" node. The collector asks the API for it — a
 *   GET through the client of the kind's resource from the RESTMapper. A NotFound (or another uid)
 *   turns into a virtual delete event: the owner is recorded as absent and its dependents are
 *   deleted when none of their owners is left. The collector trusts that 404: a false 404 for an
 *   owner deletes its dependents, as KEP-4020 warns. A kind discovery does not know is a
 *   restMappingError, retried, never a deletion.
 * - Background: a dependent whose owners are all absent is deleted (with the propagation its own
 *   finalizers ask for). Foreground: an owner being deleted with `foregroundDeletion` has its
 *   dependents with `blockOwnerDeletion` deleted first, then the finalizer removed. Orphan: an owner
 *   being deleted with `orphan` has its ownerReference removed from every dependent, then the
 *   finalizer removed.
 * - Every sync period discovery is read again; when the deletable resources changed, the
 *   RESTMapper is reset and monitors are added or stopped. What a monitor that cannot sync does to
 *   the workers is a per-minor fact (versions/minors.ts, `garbageCollector`): up to 1.31 the
 *   workers wait, paused, until every monitor has synced (at start and on every change); from 1.32
 *   they start after the initial sync timeout and are never paused again.
 */
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import type { GarbageCollectorFacts } from '../../versions/index.js';
import { gvString, isConflict, isNotFound, isUnsupportedMediaType, type ApiClient, type ApiObject, type GVR, type OwnerReference } from './client.js';
import { parseGroupVersion, serverPreferredResources, withVerbs, GroupDiscoveryFailedError } from './discovery.js';
import { Informer } from './informer.js';
import { RestMapper, RestMappingError } from './rest-mapper.js';
import { runWorkers, WorkQueue } from './workqueue.js';

/** Resources the collector never monitors (`DefaultIgnoredResources`). */
export const IGNORED_RESOURCES = new Set(['/events']);
/** `--concurrent-gc-syncs` default. */
export const GC_WORKERS = 20;
/** The size of the absent-owner cache (an LRU upstream). */
export const ABSENT_OWNER_CACHE_SIZE = 500;
const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** Where an object is: owner-reference coordinates plus namespace. */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  namespace: string;
}

function refKey(r: ObjectReference): string {
  return JSON.stringify([r.apiVersion, r.kind, r.name, r.uid, r.namespace]);
}

function sameRef(a: ObjectReference, b: ObjectReference): boolean {
  return refKey(a) === refKey(b);
}

function matchesCoordinates(ref: OwnerReference, id: { apiVersion: string; kind: string; name: string; uid: string }): boolean {
  return ref.uid === id.uid && ref.name === id.name && ref.kind === id.kind && ref.apiVersion === id.apiVersion;
}

/** One node of the dependency graph. */
export class GraphNode {
  dependents = new Set<GraphNode>();
  owners: OwnerReference[] = [];
  deletingDependents = false;
  beingDeleted = false;

  constructor(
    public identity: ObjectReference,
    public virtual: boolean,
  ) {}

  isObserved(): boolean {
    return !this.virtual;
  }

  clone(): GraphNode {
    const n = new GraphNode({ ...this.identity }, this.virtual);
    n.dependents = new Set(this.dependents);
    n.owners = this.owners;
    n.deletingDependents = this.deletingDependents;
    n.beingDeleted = this.beingDeleted;
    return n;
  }

  /** Dependents whose reference to this node has blockOwnerDeletion set. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) => d.owners.some((o) => o.uid === this.identity.uid && o.blockOwnerDeletion === true));
  }
}

interface GraphEvent {
  type: 'add' | 'update' | 'delete';
  obj: ApiObject;
  oldObj?: ApiObject;
  gvk: { apiVersion: string; kind: string };
  virtual?: boolean;
}

/** An LRU set of absent owners. */
class ReferenceCache {
  private readonly keys = new Map<string, true>();
  add(r: ObjectReference): void {
    const k = refKey(r);
    this.keys.delete(k);
    this.keys.set(k, true);
    if (this.keys.size > ABSENT_OWNER_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value as string);
  }
  has(r: ObjectReference): boolean {
    return this.keys.has(refKey(r));
  }
}

const VIRTUAL_DELETE_ENQUEUED = Symbol('enqueued virtual delete event');
const NAMESPACED_OWNER_OF_CLUSTER_SCOPED = Symbol('cluster-scoped objects cannot refer to namespaced owners');

/** What the collector needs. */
export interface GarbageCollectorDeps {
  client: ApiClient;
  mapper: RestMapper;
  clock: Clock;
  log: Logger;
  /** How often discovery is read again (`GarbageCollector.Sync` period). */
  syncPeriodMs: number;
  /** The minor's behaviour towards monitors that cannot sync. */
  facts: GarbageCollectorFacts;
  /**
   * When the workers start anyway if the monitors have not synced (1.32+ `initialSyncTimeout`);
   * one sync period by default.
   */
  initialSyncTimeoutMs?: number;
  workers?: number;
}

interface Monitor {
  informer: Informer;
  gvk: { apiVersion: string; kind: string };
}

function gvrKey(g: GVR): string {
  return `${g.group}/${g.version}/${g.resource}`;
}

function identityFromEvent(e: GraphEvent): ObjectReference {
  const m = e.obj.metadata ?? {};
  return { apiVersion: e.gvk.apiVersion, kind: e.gvk.kind, name: m.name ?? '', uid: m.uid ?? '', namespace: m.namespace ?? '' };
}

function beingDeleted(obj: ApiObject | undefined): boolean {
  return Boolean(obj?.metadata?.deletionTimestamp);
}

function hasFinalizer(obj: ApiObject | undefined, f: string): boolean {
  return (obj?.metadata?.finalizers ?? []).includes(f);
}

function deletionStartsWithFinalizer(oldObj: ApiObject | undefined, obj: ApiObject, f: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, f)) return false;
  if (!oldObj) return true;
  return !beingDeleted(oldObj) || !hasFinalizer(oldObj, f);
}

/** The garbage collector of one leader. */
export class GarbageCollector {
  private readonly uidToNode = new Map<string, GraphNode>();
  private readonly absentOwnerCache = new ReferenceCache();
  private readonly attemptToDelete: WorkQueue<GraphNode>;
  private readonly attemptToOrphan: WorkQueue<GraphNode>;
  private readonly monitors = new Map<string, Monitor>();
  private oldResources = new Map<string, GVR>();
  private stopped = false;
  private paused = true;
  private resume: Array<() => void> = [];
  private syncTimer: ClockTimer | undefined;
  private syncing: Promise<void> | undefined;

  constructor(private readonly deps: GarbageCollectorDeps) {
    this.attemptToDelete = new WorkQueue(deps.clock);
    this.attemptToOrphan = new WorkQueue(deps.clock);
  }

  /** Start: sync monitors from discovery, then run the workers once every monitor has synced. */
  start(): void {
    const tick = (): void => {
      if (this.stopped || this.syncing) return;
      // Upstream hands a failed sync to HandleError and tries again next period; a client closed by
      // stop() ends the sync the same way, never as an unhandled rejection.
      this.syncing = this.sync()
        .catch((err: unknown) => this.deps.log.debug({ err }, 'garbage collector sync failed'))
        .finally(() => (this.syncing = undefined));
    };
    tick();
    this.syncTimer = this.deps.clock.setInterval(tick, this.deps.syncPeriodMs);
    if (!this.deps.facts.workersWaitForMonitorSync) {
      // Run: wait for the monitors up to the initial sync timeout, then proceed anyway.
      void this.waitForSync(this.deps.initialSyncTimeoutMs ?? this.deps.syncPeriodMs).then((synced) => {
        if (this.stopped) return;
        if (!synced) this.deps.log.info('Garbage collector: not all resource monitors could be synced, proceeding anyways');
        this.setPaused(false);
      });
    }
    const workers = this.deps.workers ?? GC_WORKERS;
    void runWorkers(this.attemptToDelete, workers, (n) => this.gated(() => this.processAttemptToDelete(n)));
    void runWorkers(this.attemptToOrphan, workers, (n) => this.gated(() => this.processAttemptToOrphan(n)));
  }

  /** Stop the monitors, the sync loop and the workers. */
  stop(): void {
    this.stopped = true;
    this.syncTimer?.cancel();
    for (const m of this.monitors.values()) m.informer.stop();
    this.monitors.clear();
    this.attemptToDelete.shutdown();
    this.attemptToOrphan.shutdown();
    for (const r of this.resume.splice(0)) r();
  }

  /** True when monitors exist and every one has synced. */
  isSynced(): boolean {
    if (this.monitors.size === 0) return false;
    for (const m of this.monitors.values()) if (!m.informer.hasSynced()) return false;
    return true;
  }

  /** Whether the graph holds `uid` (for tests). */
  graphHasUID(uid: string): boolean {
    return this.uidToNode.has(uid);
  }

  private async gated(fn: () => Promise<void>): Promise<void> {
    while (this.paused && !this.stopped) await new Promise<void>((r) => this.resume.push(r));
    if (this.stopped) return;
    await fn();
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) for (const r of this.resume.splice(0)) r();
  }

  // ---- discovery and monitors ------------------------------------------------------------

  /** GetDeletableResources: preferred resources with delete, list and watch; and the failed group/versions. */
  private async deletableResources(): Promise<{ resources: Map<string, GVR>; failed: Set<string> }> {
    const resources = new Map<string, GVR>();
    const failed = new Set<string>();
    try {
      const { lists, error } = await serverPreferredResources(this.deps.client);
      if (error instanceof GroupDiscoveryFailedError) for (const gv of error.groups.keys()) failed.add(gv);
      for (const list of withVerbs(lists, ['delete', 'list', 'watch'])) {
        let gv;
        try {
          gv = parseGroupVersion(list.groupVersion);
        } catch {
          continue;
        }
        for (const r of list.resources) {
          const g = { group: gv.group, version: gv.version, resource: r.name };
          resources.set(gvrKey(g), g);
        }
      }
    } catch (err) {
      this.deps.log.debug({ err }, 'failed to discover deletable resources');
    }
    return { resources, failed };
  }

  private async sync(): Promise<void> {
    let { resources, failed } = await this.deletableResources();
    if (resources.size === 0) return;
    const keepFailed = (): void => {
      for (const [k, g] of this.oldResources) if (failed.has(gvString(g.group, g.version)) && this.monitors.get(k)?.informer.hasSynced()) resources.set(k, g);
    };
    keepFailed();
    if (resources.size === this.oldResources.size && [...resources.keys()].every((k) => this.oldResources.has(k))) return;
    if (!this.deps.facts.workersWaitForMonitorSync) return this.syncWithoutPause(resources);
    this.setPaused(true);
    try {
      for (let attempt = 1; !this.stopped; attempt++) {
        if (attempt > 1) {
          await new Promise((r) => this.deps.clock.setTimeout(() => r(undefined), 100));
          ({ resources, failed } = await this.deletableResources());
          if (resources.size === 0) continue;
          keepFailed();
        }
        this.deps.mapper.reset();
        if (!(await this.resyncMonitors(resources))) continue;
        // wait for the caches to fill for up to one sync period before trying again
        const deadline = this.deps.clock.now().getTime() + this.deps.syncPeriodMs;
        while (!this.stopped && !this.isSynced() && this.deps.clock.now().getTime() < deadline) await new Promise((r) => this.deps.clock.setTimeout(() => r(undefined), 100));
        if (this.isSynced()) break;
        this.deps.log.debug({ attempt }, 'timed out waiting for dependency graph builder sync during GC sync');
      }
      this.oldResources = resources;
    } finally {
      if (!this.stopped) this.setPaused(false);
    }
  }

  /** Up to `timeoutMs` for every monitor to sync; true when they did. */
  private async waitForSync(timeoutMs: number): Promise<boolean> {
    const deadline = this.deps.clock.now().getTime() + timeoutMs;
    while (!this.stopped && !this.isSynced() && this.deps.clock.now().getTime() < deadline) await new Promise((r) => this.deps.clock.setTimeout(() => r(undefined), 100));
    return this.isSynced();
  }

  /**
   * The 1.32+ sync: resync the monitors once with the workers running; a monitor that cannot be
   * made leaves the old resources in place (retried next period); a monitor that does not sync
   * within one period is only logged, and the new resources are recorded either way.
   */
  private async syncWithoutPause(resources: Map<string, GVR>): Promise<void> {
    this.deps.mapper.reset();
    if (!(await this.resyncMonitors(resources))) {
      this.deps.log.debug('failed to sync resource monitors');
      return;
    }
    if (!(await this.waitForSync(this.deps.syncPeriodMs))) this.deps.log.debug('timed out waiting for dependency graph builder sync during GC sync');
    this.oldResources = resources;
  }

  /** syncMonitors + startMonitors; false when some monitor could not be made. */
  private async resyncMonitors(resources: Map<string, GVR>): Promise<boolean> {
    let ok = true;
    const keep = new Set<string>();
    for (const [key, gvr] of resources) {
      if (IGNORED_RESOURCES.has(`${gvr.group}/${gvr.resource}`)) continue;
      keep.add(key);
      if (this.monitors.has(key)) continue;
      const kind = await this.deps.mapper.kindFor(gvr);
      if (!kind) {
        ok = false;
        continue;
      }
      const gvk = { apiVersion: gvString(gvr.group, gvr.version), kind };
      const informer = new Informer({
        client: this.deps.client,
        gvr,
        clock: this.deps.clock,
        log: this.deps.log,
        listAccept: METADATA_LIST_ACCEPT,
        handlers: {
          onAdd: (obj) => this.processGraphChange({ type: 'add', obj, gvk }),
          onUpdate: (oldObj, obj) => this.processGraphChange({ type: 'update', obj, oldObj, gvk }),
          onDelete: (obj) => this.processGraphChange({ type: 'delete', obj, gvk }),
        },
      });
      this.monitors.set(key, { informer, gvk });
      if (!this.stopped) informer.start();
    }
    for (const [key, m] of [...this.monitors]) {
      if (keep.has(key)) continue;
      m.informer.stop();
      this.monitors.delete(key);
    }
    return ok;
  }

  // ---- the graph ---------------------------------------------------------------------------

  private enqueueVirtualDeleteEvent(ref: ObjectReference): void {
    this.processGraphChange({
      type: 'delete',
      virtual: true,
      gvk: { apiVersion: ref.apiVersion, kind: ref.kind },
      obj: { metadata: { name: ref.name, namespace: ref.namespace, uid: ref.uid } },
    });
  }

  private addDependentToOwners(n: GraphNode, owners: OwnerReference[]): void {
    let potentiallyInvalid = false;
    for (const owner of owners) {
      let ownerNode = this.uidToNode.get(owner.uid);
      const found = ownerNode !== undefined;
      if (!ownerNode) {
        ownerNode = new GraphNode({ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, namespace: n.identity.namespace }, true);
        this.uidToNode.set(owner.uid, ownerNode);
      }
      ownerNode.dependents.add(n);
      if (!found) {
        // verify with the API whether the owner exists
        this.attemptToDelete.add(ownerNode);
      } else if (!potentiallyInvalid) {
        const ownerNamespaced = ownerNode.identity.namespace !== '';
        if (ownerNamespaced && ownerNode.identity.namespace !== n.identity.namespace) potentiallyInvalid = true;
        else if (!matchesCoordinates(owner, ownerNode.identity)) potentiallyInvalid = true;
        else if (!ownerNamespaced && ownerNode.identity.namespace !== n.identity.namespace && !ownerNode.isObserved()) potentiallyInvalid = true;
      }
    }
    if (potentiallyInvalid) this.attemptToDelete.add(n);
  }

  private insertNode(n: GraphNode): void {
    this.uidToNode.set(n.identity.uid, n);
    this.addDependentToOwners(n, n.owners);
  }

  private removeDependentFromOwners(n: GraphNode, owners: OwnerReference[]): void {
    for (const owner of owners) this.uidToNode.get(owner.uid)?.dependents.delete(n);
  }

  private removeNode(n: GraphNode): void {
    this.uidToNode.delete(n.identity.uid);
    this.removeDependentFromOwners(n, n.owners);
  }

  private processTransitions(oldObj: ApiObject | undefined, obj: ApiObject, n: GraphNode): void {
    if (deletionStartsWithFinalizer(oldObj, obj, 'orphan')) {
      this.attemptToOrphan.add(n);
      return;
    }
    if (deletionStartsWithFinalizer(oldObj, obj, 'foregroundDeletion')) {
      n.deletingDependents = true;
      for (const dep of n.dependents) this.attemptToDelete.add(dep);
      this.attemptToDelete.add(n);
    }
  }

  private partitionDependents(dependents: Iterable<GraphNode>, owner: ObjectReference): { matching: GraphNode[]; nonmatching: GraphNode[] } {
    const matching: GraphNode[] = [];
    const nonmatching: GraphNode[] = [];
    const ownerNamespaced = owner.namespace !== '';
    for (const dep of dependents) {
      let match = false;
      let mismatch = false;
      if (ownerNamespaced && owner.namespace !== dep.identity.namespace) mismatch = true;
      else {
        for (const ref of dep.owners) {
          if (ref.uid !== owner.uid) continue;
          if (matchesCoordinates(ref, owner)) match = true;
          else mismatch = true;
        }
      }
      if (match) matching.push(dep);
      if (mismatch) nonmatching.push(dep);
    }
    return { matching, nonmatching };
  }

  /** processGraphChanges for one event. */
  private processGraphChange(event: GraphEvent): void {
    if (this.stopped) return;
    const uid = event.obj.metadata?.uid ?? '';
    if (!uid) return;
    let existing = this.uidToNode.get(uid);
    if (existing && !event.virtual && !existing.isObserved()) {
      const observed = identityFromEvent(event);
      if (!sameRef(observed, existing.identity)) {
        const { nonmatching } = this.partitionDependents(existing.dependents, observed);
        for (const dep of nonmatching) this.attemptToDelete.add(dep);
        existing = existing.clone();
        existing.identity = observed;
        this.uidToNode.set(uid, existing);
      }
      existing.virtual = false;
    }
    const obj = event.obj;
    if ((event.type === 'add' || event.type === 'update') && !existing) {
      const n = new GraphNode(identityFromEvent(event), false);
      n.owners = obj.metadata?.ownerReferences ?? [];
      n.beingDeleted = beingDeleted(obj);
      n.deletingDependents = n.beingDeleted && hasFinalizer(obj, 'foregroundDeletion');
      this.insertNode(n);
      this.processTransitions(event.oldObj, obj, n);
      return;
    }
    if ((event.type === 'add' || event.type === 'update') && existing) {
      const next = obj.metadata?.ownerReferences ?? [];
      const { added, removed, changed } = referencesDiffs(existing.owners, next);
      if (added.length || removed.length || changed.length) {
        this.addUnblockedOwnersToDeleteQueue(removed, changed);
        existing.owners = next;
        this.addDependentToOwners(existing, added);
        this.removeDependentFromOwners(existing, removed);
      }
      if (beingDeleted(obj)) existing.beingDeleted = true;
      this.processTransitions(event.oldObj, obj, existing);
      return;
    }
    if (event.type !== 'delete' || !existing) return;
    let removeExisting = true;
    if (event.virtual) {
      const deleted = identityFromEvent(event);
      if (existing.virtual) {
        const { matching, nonmatching } = this.partitionDependents(existing.dependents, deleted);
        if (nonmatching.length > 0) {
          removeExisting = false;
          if (matching.length > 0) {
            this.absentOwnerCache.add(deleted);
            for (const dep of matching) this.attemptToDelete.add(dep);
          }
          if (sameRef(existing.identity, deleted)) {
            const alternate = nonmatching
              .flatMap((d) => d.owners.filter((o) => o.uid === deleted.uid).map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid, namespace: d.identity.namespace })))
              .filter((r) => !sameRef(r, deleted))
              .sort((a, b) => refKey(a).localeCompare(refKey(b)))[0];
            if (alternate) {
              const replacement = existing.clone();
              replacement.identity = alternate;
              this.uidToNode.set(uid, replacement);
              this.attemptToDelete.addRateLimited(replacement);
            }
          }
        }
      } else if (!sameRef(existing.identity, deleted)) {
        removeExisting = false;
        const { matching } = this.partitionDependents(existing.dependents, deleted);
        if (matching.length > 0) {
          this.absentOwnerCache.add(deleted);
          for (const dep of matching) this.attemptToDelete.add(dep);
        }
      }
    }
    if (!removeExisting) return;
    this.removeNode(existing);
    if (existing.dependents.size > 0) this.absentOwnerCache.add(identityFromEvent(event));
    for (const dep of existing.dependents) this.attemptToDelete.add(dep);
    for (const owner of existing.owners) {
      const ownerNode = this.uidToNode.get(owner.uid);
      if (ownerNode?.deletingDependents) this.attemptToDelete.add(ownerNode);
    }
  }

  private addUnblockedOwnersToDeleteQueue(removed: OwnerReference[], changed: Array<{ oldRef: OwnerReference; newRef: OwnerReference }>): void {
    for (const ref of removed) {
      if (ref.blockOwnerDeletion !== true) continue;
      const node = this.uidToNode.get(ref.uid);
      if (node) this.attemptToDelete.add(node);
    }
    for (const c of changed) {
      if (c.oldRef.blockOwnerDeletion === true && c.newRef.blockOwnerDeletion !== true) {
        const node = this.uidToNode.get(c.newRef.uid);
        if (node) this.attemptToDelete.add(node);
      }
    }
  }

  // ---- the workers -----------------------------------------------------------------------

  private async processAttemptToDelete(n: GraphNode): Promise<void> {
    if (!n.isObserved()) {
      const fromGraph = this.uidToNode.get(n.identity.uid);
      if (!fromGraph || fromGraph.isObserved()) {
        this.attemptToDelete.forget(n);
        return;
      }
    }
    let result: unknown;
    try {
      result = await this.attemptToDeleteItem(n);
    } catch (err) {
      if (!(err instanceof RestMappingError)) this.deps.log.debug({ err, item: n.identity }, 'error syncing item');
      this.attemptToDelete.addRateLimited(n);
      return;
    }
    if (result === VIRTUAL_DELETE_ENQUEUED || result === NAMESPACED_OWNER_OF_CLUSTER_SCOPED) {
      this.attemptToDelete.forget(n);
      return;
    }
    if (!n.isObserved()) {
      // not observed through a monitor yet: ask again later
      this.attemptToDelete.addRateLimited(n);
      return;
    }
    this.attemptToDelete.forget(n);
  }

  private async processAttemptToOrphan(owner: GraphNode): Promise<void> {
    try {
      await this.orphanDependents(owner.identity, [...owner.dependents]);
      await this.removeFinalizer(owner, 'orphan');
      this.attemptToOrphan.forget(owner);
    } catch (err) {
      this.deps.log.debug({ err, owner: owner.identity }, 'orphaning dependents failed');
      this.attemptToOrphan.addRateLimited(owner);
    }
  }

  /** The resource and scope of a kind; a RestMappingError when discovery does not know it. */
  private apiResource(apiVersion: string, kind: string): Promise<{ gvr: GVR; namespaced: boolean }> {
    return this.deps.mapper.mapping(apiVersion, kind);
  }

  private async getObject(id: ObjectReference): Promise<ApiObject> {
    const { gvr, namespaced } = await this.apiResource(id.apiVersion, id.kind);
    return this.deps.client.get(gvr, namespaced ? id.namespace : '', id.name, METADATA_ACCEPT);
  }

  private async deleteObject(id: ObjectReference, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    const { gvr, namespaced } = await this.apiResource(id.apiVersion, id.kind);
    await this.deps.client.delete(gvr, namespaced ? id.namespace : '', id.name, { preconditions: { uid: id.uid }, propagationPolicy: policy });
  }

  private async patchObject(id: ObjectReference, patch: unknown, contentType: string): Promise<ApiObject> {
    const { gvr, namespaced } = await this.apiResource(id.apiVersion, id.kind);
    return this.deps.client.patch(gvr, namespaced ? id.namespace : '', id.name, patch, contentType);
  }

  /** Remove the owner references with `ownerUIDs` from `item`: strategic merge patch, JSON merge patch where SMP is unsupported. */
  private async deleteOwnerRefs(item: GraphNode, ownerUIDs: string[]): Promise<void> {
    const smp = { metadata: { ownerReferences: ownerUIDs.map((uid) => ({ $patch: 'delete', uid })), uid: item.identity.uid } };
    try {
      await this.patchObject(item.identity, smp, 'application/strategic-merge-patch+json');
      return;
    } catch (err) {
      if (!isUnsupportedMediaType(err)) throw err;
    }
    const current = await this.getObject(item.identity);
    const refs = (current.metadata.ownerReferences ?? []).filter((r) => !ownerUIDs.includes(r.uid));
    await this.patchObject(item.identity, { metadata: { resourceVersion: current.metadata.resourceVersion, ownerReferences: refs, uid: item.identity.uid } }, 'application/merge-patch+json');
  }

  private async isDangling(reference: OwnerReference, item: GraphNode): Promise<{ dangling: boolean; owner?: ApiObject }> {
    const clusterKey: ObjectReference = { apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name, uid: reference.uid, namespace: '' };
    if (this.absentOwnerCache.has(clusterKey)) return { dangling: true };
    const nsKey = { ...clusterKey, namespace: item.identity.namespace };
    if (this.absentOwnerCache.has(nsKey)) return { dangling: true };
    const { gvr, namespaced } = await this.apiResource(reference.apiVersion, reference.kind);
    const key = namespaced ? nsKey : clusterKey;
    if (item.identity.namespace === '' && namespaced) throw NAMESPACED_OWNER_OF_CLUSTER_SCOPED;
    let owner: ApiObject;
    try {
      owner = await this.deps.client.get(gvr, namespaced ? item.identity.namespace : '', reference.name, METADATA_ACCEPT);
    } catch (err) {
      if (isNotFound(err)) {
        this.absentOwnerCache.add(key);
        return { dangling: true };
      }
      throw err;
    }
    if (owner.metadata.uid !== reference.uid) {
      this.absentOwnerCache.add(key);
      return { dangling: true };
    }
    return { dangling: false, owner };
  }

  /** attemptToDeleteItem: delete `item` when all its owners are absent; see the module comment. */
  private async attemptToDeleteItem(item: GraphNode): Promise<unknown> {
    if (item.beingDeleted && !item.deletingDependents) return undefined;
    let latest: ApiObject;
    try {
      latest = await this.getObject(item.identity);
    } catch (err) {
      if (isNotFound(err)) {
        this.enqueueVirtualDeleteEvent(item.identity);
        return VIRTUAL_DELETE_ENQUEUED;
      }
      throw err;
    }
    if (latest.metadata.uid !== item.identity.uid) {
      this.enqueueVirtualDeleteEvent(item.identity);
      return VIRTUAL_DELETE_ENQUEUED;
    }
    if (item.deletingDependents) return this.processDeletingDependentsItem(item);
    const ownerReferences = latest.metadata.ownerReferences ?? [];
    if (ownerReferences.length === 0) return undefined;

    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of ownerReferences) {
      let verdict;
      try {
        verdict = await this.isDangling(ref, item);
      } catch (err) {
        if (err === NAMESPACED_OWNER_OF_CLUSTER_SCOPED) return NAMESPACED_OWNER_OF_CLUSTER_SCOPED;
        throw err;
      }
      if (verdict.dangling) dangling.push(ref);
      else if (beingDeleted(verdict.owner) && hasFinalizer(verdict.owner, 'foregroundDeletion')) waiting.push(ref);
      else solid.push(ref);
    }

    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return undefined;
      // remove the dangling and waiting references; the item keeps its solid owners
      await this.deleteOwnerRefs(item, [...dangling, ...waiting].map((r) => r.uid));
      return undefined;
    }
    if (waiting.length > 0 && item.dependents.size > 0) {
      for (const dep of item.dependents) {
        if (!dep.deletingDependents) continue;
        // break a possible cycle: make the item's references non-blocking before foreground deletion
        const refs = ownerReferences.map((r) => ({ ...r, blockOwnerDeletion: false }));
        await this.patchObject(item.identity, { metadata: { ownerReferences: refs, uid: item.identity.uid } }, 'application/merge-patch+json');
        break;
      }
      await this.deleteObject(item.identity, 'Foreground');
      return undefined;
    }
    const policy = hasFinalizer(latest, 'orphan') ? 'Orphan' : hasFinalizer(latest, 'foregroundDeletion') ? 'Foreground' : 'Background';
    this.deps.log.info({ item: item.identity, propagationPolicy: policy }, 'Deleting item');
    await this.deleteObject(item.identity, policy);
    return undefined;
  }

  private async processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item, 'foregroundDeletion');
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.attemptToDelete.add(dep);
  }

  private async orphanDependents(owner: ObjectReference, dependents: GraphNode[]): Promise<void> {
    const errors: string[] = [];
    await Promise.all(
      dependents.map(async (dep) => {
        try {
          await this.deleteOwnerRefs(dep, [owner.uid]);
        } catch (err) {
          if (!isNotFound(err)) errors.push(`orphaning ${dep.identity.kind}/${dep.identity.name} failed, ${(err as Error).message}`);
        }
      }),
    );
    if (errors.length > 0) throw new Error(`failed to orphan dependents of owner ${owner.kind}/${owner.name}, got errors: ${errors.join(', ')}`);
  }

  /** Remove `finalizer` from the owner with a JSON merge patch carrying the resourceVersion; retried on conflict. */
  private async removeFinalizer(owner: GraphNode, finalizer: string): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      let current: ApiObject;
      try {
        current = await this.getObject(owner.identity);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const finalizers = current.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const next = finalizers.filter((f) => f !== finalizer);
      try {
        await this.patchObject(owner.identity, { metadata: { resourceVersion: current.metadata.resourceVersion, finalizers: next.length ? next : null } }, 'application/merge-patch+json');
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      await new Promise((r) => this.deps.clock.setTimeout(() => r(undefined), 10 * 5 ** attempt));
    }
    throw new Error(`updateMaxRetries(4) has reached. The garbage collector will retry later for owner ${owner.identity.kind}/${owner.identity.name}`);
  }
}

/** referencesDiffs: references added, removed, and changed (same uid, other fields). */
export function referencesDiffs(old: OwnerReference[], next: OwnerReference[]): { added: OwnerReference[]; removed: OwnerReference[]; changed: Array<{ oldRef: OwnerReference; newRef: OwnerReference }> } {
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: Array<{ oldRef: OwnerReference; newRef: OwnerReference }> = [];
  const remaining = new Set(oldByUid.keys());
  for (const r of next) {
    const o = oldByUid.get(r.uid);
    if (o) {
      if (JSON.stringify(o) !== JSON.stringify(r)) changed.push({ oldRef: o, newRef: r });
      remaining.delete(r.uid);
    } else added.push(r);
  }
  return { added, removed: [...remaining].map((u) => oldByUid.get(u)!), changed };
}
