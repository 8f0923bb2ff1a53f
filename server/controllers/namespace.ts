/**
 * Namespace lifecycle: the system namespaces that exist at start, and kube-controller-manager's
 * namespace controller, talking to the API through the controllers' client exactly as
 * pkg/controller/namespace/deletion/namespaced_resources_deleter.go does:
 *
 * - a terminating namespace is processed 5 s after each event (`namespaceDeletionGracePeriod`);
 * - the phase is set to Terminating, then every namespaced resource that discovery
 *   (`ServerPreferredNamespacedResources`) lists with the `delete` verb is emptied with a
 *   DeleteCollection, falling back to list + delete when the server answers MethodNotSupported or
 *   NotFound — and a NotFound on the list is taken as "not supported" too, so a false 404 makes the
 *   controller believe the collection is empty;
 * - discovery failures, group/version parsing failures and deletion errors do not stop the other
 *   resources, but they are reported as the conditions NamespaceDeletionDiscoveryFailure,
 *   NamespaceDeletionGroupVersionParsingFailure and NamespaceDeletionContentFailure, and the
 *   namespace is not finalized while any error remains (it stays Terminating);
 * - remaining content and finalizers are reported as NamespaceContentRemaining and
 *   NamespaceFinalizersRemaining, and the namespace is looked at again after estimate/2 + 1 s;
 * - any other failure retries the namespace with a backoff of 5 ms doubling up to 60 s, so a
 *   namespace held by a failing API is finished within a minute of its recovery;
 * - once empty, the `kubernetes` finalizer is removed with PUT …/finalize.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import { isConflict, isMethodNotSupported, isNotFound, type ApiClient, type ApiList, type ApiObject, type GVR } from './client.js';
import { GroupDiscoveryFailedError, parseGroupVersion, serverPreferredNamespacedResources, withVerbs, type APIResourceList } from './discovery.js';
import { Informer } from './informer.js';
import { runWorkers, WorkQueue } from './workqueue.js';

/** The namespaces every cluster has from the start. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Create the system namespaces that do not exist yet. */
export async function bootstrapNamespaces(registry: Registry, types: ResourceTypes): Promise<void> {
  const namespaces = types.lookup('', 'v1', 'namespaces');
  if (!namespaces) return;
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await registry.create(namespaces, '', { metadata: { name } });
    } catch (err) {
      if (!(isStatusError(err) && err.code === 409)) throw err;
    }
  }
}

const NAMESPACES: GVR = { group: '', version: 'v1', resource: 'namespaces' };
const PODS: GVR = { group: '', version: 'v1', resource: 'pods' };
/** The finalizer this controller owns. */
export const FINALIZER_KUBERNETES = 'kubernetes';
/** Seconds assumed for finalizers to finish when items with finalizers remain (`finalizerEstimateSeconds`). */
export const FINALIZER_ESTIMATE_SECONDS = 15;
/** kube-controller-manager's `--concurrent-namespace-syncs` default. */
export const NAMESPACE_WORKERS = 10;
/**
 * The cap of a failing namespace's backoff (`nsControllerRateLimiter`): a deletion that keeps failing,
 * say while an aggregated API is down, is retried at least once a minute, never less often.
 */
export const NAMESPACE_MAX_BACKOFF_MS = 60_000;
const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** The condition types the deleter maintains, in upstream's order. */
export const CONDITION_TYPES = ['NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure', 'NamespaceContentRemaining', 'NamespaceFinalizersRemaining'] as const;
type ConditionType = (typeof CONDITION_TYPES)[number];

const OK_MESSAGES: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'All resources successfully discovered',
  NamespaceDeletionGroupVersionParsingFailure: 'All legacy kube types successfully parsed',
  NamespaceDeletionContentFailure: 'All content successfully deleted, may be waiting on finalization',
  NamespaceContentRemaining: 'All content successfully removed',
  NamespaceFinalizersRemaining: 'All content-preserving finalizers finished',
};
const OK_REASONS: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'ResourcesDiscovered',
  NamespaceDeletionGroupVersionParsingFailure: 'ParsedGroupVersions',
  NamespaceDeletionContentFailure: 'ContentDeleted',
  NamespaceContentRemaining: 'ContentRemoved',
  NamespaceFinalizersRemaining: 'ContentHasNoFinalizers',
};

/** v1.NamespaceCondition */
export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** `ResourcesRemainingError`: content remains; look again after estimate/2 + 1 seconds. */
export class ResourcesRemainingError extends Error {
  constructor(readonly estimate: number) {
    super(`some content remains in the namespace, estimate ${estimate} seconds before it is removed`);
  }
}

/** An aggregate of errors, printed as utilerrors.NewAggregate prints one. */
class AggregateError2 extends Error {
  constructor(readonly errors: Error[]) {
    super(errors.length === 1 ? errors[0]!.message : `[${errors.map((e) => e.message).join(', ')}]`);
  }
}

function gvrString(gvr: GVR): string {
  // schema.GroupVersionResource's %v: {group version resource}
  return `${gvr.group}/${gvr.version}, Resource=${gvr.resource}`;
}

function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** Collects the deleter's errors and totals and turns them into status conditions. */
class ConditionUpdater {
  private readonly newConditions: NamespaceCondition[] = [];
  private readonly deleteContentErrors: Error[] = [];

  constructor(private readonly now: () => Date) {}

  private condition(type: ConditionType, reason: string, message: string): NamespaceCondition {
    return { type, status: 'True', lastTransitionTime: rfc3339(this.now()), reason, message };
  }

  processDiscoverResourcesErr(err: Error): void {
    const msg = err instanceof GroupDiscoveryFailedError ? `Discovery failed for some groups, ${err.groups.size} failing: ${err.message}` : err.message;
    this.newConditions.push(this.condition('NamespaceDeletionDiscoveryFailure', 'DiscoveryFailed', msg));
  }

  processGroupVersionErr(err: Error): void {
    this.newConditions.push(this.condition('NamespaceDeletionGroupVersionParsingFailure', 'GroupVersionParsingFailed', err.message));
  }

  processDeleteContentErr(err: Error): void {
    this.deleteContentErrors.push(err);
  }

  processContentTotals(gvrRemaining: Map<GVR, number>, finalizersRemaining: Map<string, number>): void {
    if (gvrRemaining.size > 0) {
      const remaining = [...gvrRemaining.entries()].filter(([, n]) => n > 0).map(([gvr, n]) => `${gvr.resource}.${gvr.group} has ${n} resource instances`).sort();
      this.newConditions.push(this.condition('NamespaceContentRemaining', 'SomeResourcesRemain', `Some resources are remaining: ${remaining.join(', ')}`));
    }
    if (finalizersRemaining.size > 0) {
      const remaining = [...finalizersRemaining.entries()].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
      this.newConditions.push(this.condition('NamespaceFinalizersRemaining', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${remaining.join(', ')}`));
    }
  }

  /** Apply the conditions to `status`; true when something changed. */
  update(status: { conditions?: NamespaceCondition[] }): boolean {
    if (!this.newConditions.some((c) => c.type === 'NamespaceDeletionContentFailure') && this.deleteContentErrors.length > 0) {
      const msgs = this.deleteContentErrors.map((e) => e.message).sort();
      this.newConditions.push(this.condition('NamespaceDeletionContentFailure', 'ContentDeletionFailed', `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`));
    }
    let changed = false;
    const conditions = (status.conditions ??= []);
    for (const type of CONDITION_TYPES) {
      const next = this.newConditions.find((c) => c.type === type) ?? { type, status: 'False' as const, lastTransitionTime: rfc3339(this.now()), reason: OK_REASONS[type], message: OK_MESSAGES[type] };
      const old = conditions.find((c) => c.type === type);
      if (!old) {
        conditions.push(next);
        changed = true;
      } else if (old.status !== next.status || old.message !== next.message || old.reason !== next.reason) {
        if (old.status !== next.status) old.lastTransitionTime = rfc3339(this.now());
        old.status = next.status;
        old.reason = next.reason;
        old.message = next.message;
        changed = true;
      }
    }
    return changed;
  }
}

/** What the controller needs. */
export interface NamespaceControllerDeps {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  /** Resync of the namespace informer (`--namespace-sync-period`). */
  resyncMs: number;
  /** Delay before a namespace event is processed (`namespaceDeletionGracePeriod`). */
  gracePeriodMs: number;
  /** Workers (`--concurrent-namespace-syncs`). */
  workers?: number;
}

interface GvrDeletionMetadata {
  finalizerEstimateSeconds: number;
  numRemaining: number;
  finalizersToNumRemaining: Map<string, number>;
}

/** The namespace controller: an informer on namespaces, a queue, and the deleter. */
export class NamespaceController {
  private readonly queue: WorkQueue<string>;
  private readonly informer: Informer;
  /** Operations a resource does not support: `list` or `deletecollection`, keyed `op group/version/resource`. */
  private opCache: Set<string> | undefined;

  constructor(private readonly deps: NamespaceControllerDeps) {
    this.queue = new WorkQueue<string>(deps.clock, NAMESPACE_MAX_BACKOFF_MS);
    const enqueue = (obj: ApiObject): void => {
      if (!obj.metadata?.deletionTimestamp || !obj.metadata.name) return;
      // delay so that every HA apiserver sees the deletion before content is removed
      this.queue.addAfter(obj.metadata.name, deps.gracePeriodMs);
    };
    this.informer = new Informer({
      client: deps.client,
      gvr: NAMESPACES,
      clock: deps.clock,
      log: deps.log,
      resyncMs: deps.resyncMs,
      handlers: { onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj) },
    });
  }

  /** Start the informer and the workers. */
  start(): void {
    this.informer.start();
    void runWorkers(this.queue, this.deps.workers ?? NAMESPACE_WORKERS, (name) => this.work(name));
  }

  /** Stop the informer and the workers. */
  stop(): void {
    this.informer.stop();
    this.queue.shutdown();
  }

  private async work(name: string): Promise<void> {
    try {
      await this.syncNamespace(name);
      this.queue.forget(name);
    } catch (err) {
      if (err instanceof ResourcesRemainingError) {
        this.queue.addAfter(name, (Math.floor(err.estimate / 2) + 1) * 1000);
        return;
      }
      this.deps.log.debug({ err, namespace: name }, 'namespace deletion failed; retrying');
      this.queue.addRateLimited(name);
    }
  }

  /** syncNamespaceFromKey: nothing to do for a namespace the informer no longer has. */
  private async syncNamespace(name: string): Promise<void> {
    if (!this.informer.get(name)) return;
    await this.delete(name);
  }

  private get now(): Date {
    return this.deps.clock.now();
  }

  /** namespacedResourcesDeleter.Delete */
  async delete(name: string): Promise<void> {
    const { client } = this.deps;
    let ns: ApiObject;
    try {
      ns = await client.get(NAMESPACES, '', name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    try {
      ns = await this.retryOnConflict(ns, (n) => this.updateNamespaceStatus(n));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    const finalizers = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []);
    if (finalizers.length === 0) return;
    const estimate = await this.deleteAllContent(ns);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    try {
      await this.retryOnConflict(ns, (n) => this.finalizeNamespace(n));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  private async retryOnConflict(ns: ApiObject, fn: (ns: ApiObject) => Promise<ApiObject>): Promise<ApiObject> {
    let latest = ns;
    for (;;) {
      try {
        return await fn(latest);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      const previous = latest;
      latest = await this.deps.client.get(NAMESPACES, '', ns.metadata.name ?? '');
      if (previous.metadata.uid !== latest.metadata.uid) throw new Error('namespace uid has changed across retries');
    }
  }

  private async updateNamespaceStatus(ns: ApiObject): Promise<ApiObject> {
    if (!ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return ns;
    const copy = structuredClone(ns);
    copy.status = { ...(copy.status ?? {}), phase: 'Terminating' };
    return this.deps.client.update(NAMESPACES, '', ns.metadata.name ?? '', copy, 'status');
  }

  private async finalizeNamespace(ns: ApiObject): Promise<ApiObject> {
    const finalizers = [...new Set(((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES))].sort();
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: ns.metadata, spec: { ...(ns.spec ?? {}), finalizers } };
    try {
      return await this.deps.client.update(NAMESPACES, '', ns.metadata.name ?? '', body, 'finalize');
    } catch (err) {
      if (isNotFound(err)) return ns;
      throw err;
    }
  }

  /** Fill the cache of unsupported operations from discovery, once. */
  private async ensureOpCache(): Promise<Set<string>> {
    if (this.opCache) return this.opCache;
    const cache = new Set<string>();
    let lists: APIResourceList[] = [];
    try {
      const found = await this.discover();
      lists = found.lists;
      if (found.error) this.deps.log.warn({ err: found.error }, 'unable to get all supported resources from server');
    } catch (err) {
      this.deps.log.warn({ err }, 'unable to get all supported resources from server');
    }
    if (lists.length === 0) throw new Error('Unable to get any supported resources from server');
    for (const list of lists) {
      let gv;
      try {
        gv = parseGroupVersion(list.groupVersion);
      } catch {
        continue;
      }
      for (const r of list.resources) {
        for (const op of ['list', 'deletecollection']) if (!r.verbs.includes(op)) cache.add(`${op} ${gv.group}/${gv.version}/${r.name}`);
      }
    }
    this.opCache = cache;
    return cache;
  }

  private async isSupported(op: 'list' | 'deletecollection', gvr: GVR): Promise<boolean> {
    const cache = await this.ensureOpCache();
    return !cache.has(`${op} ${gvr.group}/${gvr.version}/${gvr.resource}`);
  }

  /** The discovery function: `ServerPreferredNamespacedResources`, read fresh on every call. */
  private discover(): Promise<{ lists: APIResourceList[]; error?: Error }> {
    return serverPreferredNamespacedResources(this.deps.client);
  }

  /** deleteCollection: true when supported; throws when supported but failed. */
  private async deleteCollection(gvr: GVR, namespace: string): Promise<boolean> {
    if (!(await this.isSupported('deletecollection', gvr))) return false;
    try {
      await this.deps.client.deleteCollection(gvr, namespace, { propagationPolicy: 'Background' });
      return true;
    } catch (err) {
      // MethodNotSupported and NotFound both mean "not supported here".
      if (isMethodNotSupported(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  /** listCollection: the items, or undefined when listing is not supported (or answered NotFound). */
  private async listCollection(gvr: GVR, namespace: string): Promise<ApiList | undefined> {
    if (!(await this.isSupported('list', gvr))) return undefined;
    try {
      return await this.deps.client.list(gvr, namespace, {}, METADATA_LIST_ACCEPT);
    } catch (err) {
      if (isMethodNotSupported(err) || isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async deleteEachItem(gvr: GVR, namespace: string): Promise<void> {
    const list = await this.listCollection(gvr, namespace);
    if (!list) return;
    for (const item of list.items) {
      try {
        await this.deps.client.delete(gvr, namespace, item.metadata?.name ?? '', { propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err) && !isMethodNotSupported(err)) throw err;
      }
    }
  }

  private async estimateGracefulTermination(gvr: GVR, namespace: string, deletedAt: Date): Promise<number> {
    let estimate = 0;
    if (gvr.group === '' && gvr.resource === 'pods') {
      const pods = await this.deps.client.list(PODS, namespace);
      for (const pod of pods.items) {
        const phase = (pod.status as { phase?: string } | undefined)?.phase;
        if (phase === 'Succeeded' || phase === 'Failed') continue;
        const grace = (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
        if (grace !== undefined && grace > estimate) estimate = grace;
      }
    }
    const elapsed = this.now.getTime() - deletedAt.getTime();
    return elapsed >= estimate * 1000 ? 0 : estimate;
  }

  private async deleteAllContentForGroupVersionResource(gvr: GVR, namespace: string, deletedAt: Date): Promise<GvrDeletionMetadata> {
    const none = (estimate: number): GvrDeletionMetadata => ({ finalizerEstimateSeconds: estimate, numRemaining: 0, finalizersToNumRemaining: new Map() });
    const estimate = await this.estimateGracefulTermination(gvr, namespace, deletedAt);
    let supported: boolean;
    try {
      supported = await this.deleteCollection(gvr, namespace);
    } catch (err) {
      throw Object.assign(err as Error, { metadata: none(estimate) });
    }
    if (!supported) {
      try {
        await this.deleteEachItem(gvr, namespace);
      } catch (err) {
        throw Object.assign(err as Error, { metadata: none(estimate) });
      }
    }
    let list: ApiList | undefined;
    try {
      list = await this.listCollection(gvr, namespace);
    } catch (err) {
      throw Object.assign(err as Error, { metadata: none(estimate) });
    }
    if (!list || list.items.length === 0) return none(list ? 0 : estimate);
    const finalizers = new Map<string, number>();
    for (const item of list.items) for (const f of item.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimate !== 0) return { finalizerEstimateSeconds: estimate, numRemaining: list.items.length, finalizersToNumRemaining: finalizers };
    if (finalizers.size > 0) return { finalizerEstimateSeconds: FINALIZER_ESTIMATE_SECONDS, numRemaining: list.items.length, finalizersToNumRemaining: finalizers };
    throw Object.assign(new Error(`unexpected items still remain in namespace: ${namespace} for gvr: {${gvrString(gvr)}}`), {
      metadata: { finalizerEstimateSeconds: estimate, numRemaining: list.items.length, finalizersToNumRemaining: new Map() },
    });
  }

  /** deleteAllContent: returns the estimate; throws the aggregate of the errors after updating the conditions. */
  private async deleteAllContent(ns: ApiObject): Promise<number> {
    const namespace = ns.metadata.name ?? '';
    const deletedAt = new Date(ns.metadata.deletionTimestamp ?? 0);
    const errs: Error[] = [];
    const updater = new ConditionUpdater(() => this.now);
    let estimate = 0;

    let lists: APIResourceList[] = [];
    try {
      const found = await this.discover();
      lists = found.lists;
      if (found.error) {
        // discovery errors are not fatal: operate on what was found
        errs.push(found.error);
        updater.processDiscoverResourcesErr(found.error);
      }
    } catch (err) {
      errs.push(err as Error);
      updater.processDiscoverResourcesErr(err as Error);
    }
    const gvrs: GVR[] = [];
    const parseErrs: string[] = [];
    for (const list of withVerbs(lists, ['delete'])) {
      let gv;
      try {
        gv = parseGroupVersion(list.groupVersion);
      } catch (err) {
        parseErrs.push((err as Error).message);
        continue;
      }
      for (const r of list.resources) gvrs.push({ group: gv.group, version: gv.version, resource: r.name });
    }
    if (parseErrs.length > 0) {
      const err = new AggregateError2(parseErrs.map((m) => new Error(m)));
      errs.push(err);
      updater.processGroupVersionErr(err);
    }

    const gvrRemaining = new Map<GVR, number>();
    const finalizersRemaining = new Map<string, number>();
    for (const gvr of gvrs) {
      let meta: GvrDeletionMetadata;
      try {
        meta = await this.deleteAllContentForGroupVersionResource(gvr, namespace, deletedAt);
      } catch (err) {
        errs.push(err as Error);
        updater.processDeleteContentErr(err as Error);
        meta = ((err as { metadata?: GvrDeletionMetadata }).metadata ?? { finalizerEstimateSeconds: 0, numRemaining: 0, finalizersToNumRemaining: new Map() });
      }
      if (meta.finalizerEstimateSeconds > estimate) estimate = meta.finalizerEstimateSeconds;
      if (meta.numRemaining > 0) {
        gvrRemaining.set(gvr, meta.numRemaining);
        for (const [f, n] of meta.finalizersToNumRemaining) if (n > 0) finalizersRemaining.set(f, (finalizersRemaining.get(f) ?? 0) + n);
      }
    }
    updater.processContentTotals(gvrRemaining, finalizersRemaining);

    // Always write the conditions when they changed: a condition that cleared must show it.
    const status = (ns.status ??= {}) as { conditions?: NamespaceCondition[] };
    if (updater.update(status)) {
      try {
        await this.deps.client.update(NAMESPACES, '', namespace, ns, 'status');
      } catch (err) {
        this.deps.log.debug({ err, namespace }, "couldn't update status condition for namespace");
      }
    }
    if (errs.length > 0) throw new AggregateError2(errs);
    return estimate;
  }
}
