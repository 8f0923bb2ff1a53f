/**
 * The RBAC authorizer's cache, as the shared informers kube-apiserver's RBAC authorizer reads its
 * listers from: Roles, ClusterRoles, RoleBindings and ClusterRoleBindings are listed once through
 * the registry and kept current by watching the store from the list's revision, so authorizing a
 * request reads memory and never lists. A watch that ends (compacted past, store closed) lists
 * again after a short delay on the injected clock. Like an informer's lister, the cache is
 * eventually consistent: a binding written through another server is seen once its watch event
 * arrives.
 */
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../../clock.js';
import type { Registry } from '../../registry/rest.js';
import type { KubeObject } from '../../registry/object.js';
import type { ResourceType, ResourceTypes } from '../../registry/resource-type.js';
import type { Watcher } from '../../../storage/store.js';
import { LIST_EVERYTHING } from '../../registry/list-options.js';

/** The group the cached kinds belong to. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const KINDS = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] as const;
type Kind = (typeof KINDS)[number];
/** How long a failed list or an ended watch waits before listing again. */
export const RBAC_RELIST_DELAY_MS = 1000;

function keyOf(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** One kind's lister: its objects by `namespace/name`, listed and then watched. */
class KindCache {
  readonly objects = new Map<string, KubeObject>();
  private watcher: Watcher | undefined;
  private timer: ClockTimer | undefined;
  private stopped = false;

  constructor(
    private readonly type: ResourceType,
    private readonly deps: { registry: Registry; clock: Clock; log: Logger; onChange: () => void },
  ) {}

  /** List, then watch; resolves after the first successful list. */
  async start(): Promise<void> {
    for (;;) {
      try {
        await this.relist();
        return;
      } catch (err) {
        if (this.stopped) return;
        this.deps.log.warn({ err, resource: this.type.resource }, 'RBAC cache list failed; retrying');
        await new Promise<void>((resolve) => {
          this.timer = this.deps.clock.setTimeout(resolve, RBAC_RELIST_DELAY_MS);
        });
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    this.timer?.cancel();
  }

  private async relist(): Promise<void> {
    const { registry } = this.deps;
    const listed = await registry.list(this.type, '', LIST_EVERYTHING);
    if (this.stopped) return;
    this.objects.clear();
    for (const item of listed.items) this.objects.set(keyOf(item), item);
    this.deps.onChange();
    this.watcher?.stop();
    this.watcher = registry.watch(this.type, '', Number(listed.resourceVersion), {
      onEvent: (type, obj) => {
        if (type === 'DELETED') this.objects.delete(keyOf(obj));
        else this.objects.set(keyOf(obj), obj);
        this.deps.onChange();
      },
      onError: (err) => {
        if (this.stopped) return;
        this.deps.log.info({ err, resource: this.type.resource }, 'RBAC cache watch ended; listing again');
        this.timer = this.deps.clock.setTimeout(() => void this.start(), RBAC_RELIST_DELAY_MS);
      },
    });
  }
}

/** The four RBAC listers of one server. */
export class RbacCache {
  private readonly kinds = new Map<Kind, KindCache>();
  private generation = 0;

  constructor(registry: Registry, types: ResourceTypes, clock: Clock, log: Logger) {
    for (const kind of KINDS) {
      const type = types.lookup(RBAC_GROUP, 'v1', kind);
      if (!type) throw new Error(`RBAC needs ${kind}.${RBAC_GROUP}/v1, which this server does not serve`);
      this.kinds.set(kind, new KindCache(type, { registry, clock, log, onChange: () => this.generation++ }));
    }
  }

  /** Start every lister; resolves once each has listed once (the informers' WaitForCacheSync). */
  async start(): Promise<void> {
    await Promise.all([...this.kinds.values()].map((k) => k.start()));
  }

  stop(): void {
    for (const k of this.kinds.values()) k.stop();
  }

  /** A counter that changes whenever any cached object does. */
  get version(): number {
    return this.generation;
  }

  /** The ClusterRole `name`, if cached. */
  clusterRole(name: string): KubeObject | undefined {
    return this.kinds.get('clusterroles')!.objects.get(name);
  }

  /** The Role `namespace/name`, if cached. */
  role(namespace: string, name: string): KubeObject | undefined {
    return this.kinds.get('roles')!.objects.get(`${namespace}/${name}`);
  }

  /** Every ClusterRoleBinding. */
  clusterRoleBindings(): KubeObject[] {
    return [...this.kinds.get('clusterrolebindings')!.objects.values()];
  }

  /** The RoleBindings of `namespace`. */
  roleBindings(namespace: string): KubeObject[] {
    return [...this.kinds.get('rolebindings')!.objects.values()].filter((b) => b.metadata?.namespace === namespace);
  }
}
