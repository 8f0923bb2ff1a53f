/**
 * Namespace lifecycle: the system namespaces that exist at start, and the namespace controller that
 * empties a deleted namespace and then removes it, as kube-controller-manager's does. It discovers
 * what to delete from the server's own served resources, deletes each collection, reports upstream's
 * conditions while content remains, and finalizes the namespace (removing the `kubernetes`
 * finalizer) once it is empty.
 */
import type { Logger } from 'pino';
import type { Store, Watcher } from '../../storage/store.js';
import type { Clock } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import type { Registry } from '../registry/rest.js';
import type { KubeObject } from '../registry/object.js';
import { formatTime } from '../registry/object.js';
import { storagePrefixOf, type ResourceType, type ResourceTypes } from '../registry/resource-type.js';
import type { ListOptions } from '../registry/list-options.js';

/** The namespaces every cluster has from the start. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const ALL: ListOptions = { labelSelector: '', fieldSelector: '', watch: false, allowWatchBookmarks: false, resourceVersion: '', resourceVersionMatch: '', limit: 0, continue: '' };

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

/** What the controller needs. */
export interface NamespaceControllerDeps {
  registry: Registry;
  types: ResourceTypes;
  store: Store;
  clock: Clock;
  log: Logger;
  /** How often every terminating namespace is looked at again. */
  resyncMs: number;
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The namespace controller of one server. */
export class NamespaceController {
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly queue = new Set<string>();
  private running = false;
  private stopped = false;

  constructor(private readonly deps: NamespaceControllerDeps) {}

  private get namespaces(): ResourceType | undefined {
    return this.deps.types.lookup('', 'v1', 'namespaces');
  }

  /** Start watching namespaces; terminating ones are processed until they are gone. */
  async start(): Promise<void> {
    const type = this.namespaces;
    if (!type) return;
    const list = await this.deps.registry.list(type, '', ALL);
    for (const ns of list.items) if (ns.metadata?.deletionTimestamp) this.enqueue(ns.metadata.name ?? '');
    this.watcher = this.deps.store.watch(storagePrefixOf('', 'namespaces'), Number(list.resourceVersion), {
      onEvent: (event) => {
        const value = event.value as KubeObject;
        if (event.type !== 'DELETED' && value.metadata?.deletionTimestamp) this.enqueue(value.metadata.name ?? '');
      },
      onError: (err) => this.deps.log.warn({ err }, 'namespace watch ended'),
    });
    this.timer = this.deps.clock.setInterval(() => void this.resync(), this.deps.resyncMs);
  }

  /** Stop the controller. */
  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    if (this.timer) clearInterval(this.timer);
  }

  private async resync(): Promise<void> {
    const type = this.namespaces;
    if (!type || this.stopped) return;
    const list = await this.deps.registry.list(type, '', ALL);
    for (const ns of list.items) if (ns.metadata?.deletionTimestamp) this.enqueue(ns.metadata.name ?? '');
  }

  private enqueue(name: string): void {
    if (!name || this.stopped) return;
    this.queue.add(name);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.size > 0 && !this.stopped) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        try {
          const remaining = await this.sync(name);
          if (remaining) this.deps.clock.setTimeout(() => this.enqueue(name), 1000);
        } catch (err) {
          this.deps.log.warn({ err, namespace: name }, 'namespace deletion failed; retrying');
          this.deps.clock.setTimeout(() => this.enqueue(name), 1000);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Delete the content of one terminating namespace; returns true while content remains. */
  private async sync(name: string): Promise<boolean> {
    const nsType = this.namespaces!;
    let ns: KubeObject;
    try {
      ns = await this.deps.registry.get(nsType, '', name);
    } catch (err) {
      if (isStatusError(err) && err.code === 404) return false;
      throw err;
    }
    if (!ns.metadata?.deletionTimestamp) return false;
    const finalizers = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []);
    if (!finalizers.includes('kubernetes')) return false;

    const remaining = new Map<string, number>();
    const withFinalizers = new Map<string, number>();
    for (const type of this.contentTypes()) {
      await this.deps.registry.deleteCollection(type, name, ALL, {});
      const left = await this.deps.registry.list(type, name, ALL);
      if (left.items.length === 0) continue;
      // Upstream prints `<resource>.<group>`, so core resources end in a bare dot (`pods.`).
      remaining.set(`${type.resource}.${type.group}`, left.items.length);
      for (const item of left.items) for (const f of item.metadata?.finalizers ?? []) withFinalizers.set(f, (withFinalizers.get(f) ?? 0) + 1);
    }
    await this.writeConditions(name, remaining, withFinalizers);
    if (remaining.size > 0) return true;
    await this.deps.registry.update(nsType, '', name, { ...ns, spec: { ...(ns.spec as object), finalizers: finalizers.filter((f) => f !== 'kubernetes') } }, { subresource: 'finalize' });
    return false;
  }

  /** Every namespaced resource this server serves, once per group/resource (the preferred version). */
  private contentTypes(): ResourceType[] {
    const seen = new Set<string>();
    const out: ResourceType[] = [];
    for (const type of this.deps.types.all()) {
      if (!type.namespaced || !type.verbs.has('list') || !(type.verbs.has('deletecollection') || type.verbs.has('delete'))) continue;
      const key = type.storagePrefix;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(type);
    }
    return out;
  }

  private async writeConditions(name: string, remaining: Map<string, number>, finalizers: Map<string, number>): Promise<void> {
    const now = formatTime(this.deps.clock.now());
    // Sorted as upstream sorts them, for stable updates.
    const contentLeft = [...remaining.entries()].map(([r, n]) => `${r} has ${n} resource instances`).sort().join(', ');
    const finalizersLeft = [...finalizers.entries()].map(([f, n]) => `${f} in ${n} resource instances`).sort().join(', ');
    const conditions: Condition[] = [
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', lastTransitionTime: now, reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', lastTransitionTime: now, reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
      { type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: now, reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
      remaining.size > 0
        ? { type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${contentLeft}` }
        : { type: 'NamespaceContentRemaining', status: 'False', lastTransitionTime: now, reason: 'ContentRemoved', message: 'All content successfully removed' },
      finalizers.size > 0
        ? { type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizersLeft}` }
        : { type: 'NamespaceFinalizersRemaining', status: 'False', lastTransitionTime: now, reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ];
    await this.deps.registry.patch(this.namespaces!, '', name, (current) => {
      const status = (current.status ?? {}) as { conditions?: Condition[] };
      const previous = new Map((status.conditions ?? []).map((c) => [c.type, c]));
      const merged = conditions.map((c) => {
        const old = previous.get(c.type);
        return old && old.status === c.status && old.reason === c.reason && old.message === c.message ? old : c;
      });
      return { ...current, status: { ...status, phase: 'Terminating', conditions: merged } };
    }, { subresource: 'status' });
  }
}
