/**
 * kube-controller-manager's clusterrole-aggregation controller (pkg/controller/clusterroleaggregation):
 * a ClusterRole with an `aggregationRule` gets as its rules the union of the rules of every other
 * ClusterRole matching one of its `clusterRoleSelectors`, taken in name order, each distinct rule
 * once. Any change to any ClusterRole queues every aggregated ClusterRole again, so the union stays
 * current as roles are added, changed or deleted. A role whose rules already equal the union (as a
 * multiset) is not written. kube-skew writes the rules with an update (PUT); upstream applies them
 * server-side as the `clusterrole-aggregation-controller` field manager where it can, which only
 * changes the managed fields recorded.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { labelSelectorFromObject, matchesLabels } from '../registry/selectors.js';
import { isConflict, isNotFound, type ApiClient, type ApiObject, type GVR } from './client.js';
import { Informer } from './informer.js';
import { runWorkers, WorkQueue } from './workqueue.js';

const CLUSTER_ROLES: GVR = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' };
/** The controller's workers (upstream runs 5). */
export const CLUSTERROLE_AGGREGATION_WORKERS = 5;

type Selector = Parameters<typeof labelSelectorFromObject>[0];

/** What the controller needs. */
export interface ClusterRoleAggregationDeps {
  client: ApiClient;
  clock: Clock;
  log: Logger;
}

function selectorsOf(role: ApiObject): Selector[] {
  const rule = role.aggregationRule as { clusterRoleSelectors?: Selector[] } | undefined | null;
  return rule?.clusterRoleSelectors ?? [];
}

function rulesOf(role: ApiObject): unknown[] {
  return Array.isArray(role.rules) ? (role.rules as unknown[]) : [];
}

/** Order-insensitive equality of two rule lists as multisets (upstream's `equivalentRules`). */
function equivalent(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  const left = a.map((r) => JSON.stringify(r)).sort();
  const right = b.map((r) => JSON.stringify(r)).sort();
  return left.every((r, i) => r === right[i]);
}

/** The controller. */
export class ClusterRoleAggregationController {
  private readonly queue: WorkQueue<string>;
  private readonly informer: Informer;

  constructor(private readonly deps: ClusterRoleAggregationDeps) {
    this.queue = new WorkQueue<string>(deps.clock);
    const enqueueAll = (): void => {
      for (const role of this.informer.list()) if (role.aggregationRule) this.queue.add(role.metadata?.name ?? '');
    };
    this.informer = new Informer({ client: deps.client, gvr: CLUSTER_ROLES, clock: deps.clock, log: deps.log, handlers: { onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll } });
  }

  start(): void {
    this.informer.start();
    void runWorkers(this.queue, CLUSTERROLE_AGGREGATION_WORKERS, (name) => this.work(name));
  }

  stop(): void {
    this.informer.stop();
    this.queue.shutdown();
  }

  /** The rules `role` should have: the union of its selected roles' rules, in name order. */
  aggregatedRules(role: ApiObject): unknown[] {
    const all = this.informer.list().sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    const rules: unknown[] = [];
    const seen = new Set<string>();
    for (const selector of selectorsOf(role)) {
      const matcher = labelSelectorFromObject(selector);
      for (const other of all) {
        if (other.metadata?.name === role.metadata?.name || !matchesLabels(matcher, other.metadata?.labels)) continue;
        for (const r of rulesOf(other)) {
          const key = JSON.stringify(r);
          if (seen.has(key)) continue;
          seen.add(key);
          rules.push(r);
        }
      }
    }
    return rules;
  }

  private async work(name: string): Promise<void> {
    try {
      const role = this.informer.get(name);
      if (!role || !role.aggregationRule) return;
      const rules = this.aggregatedRules(role);
      if (equivalent(rules, rulesOf(role))) return;
      await this.deps.client.update(CLUSTER_ROLES, '', name, { ...role, rules });
      this.queue.forget(name);
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) this.deps.log.info({ err, clusterrole: name }, 'clusterrole aggregation failed');
      this.queue.addRateLimited(name);
    }
  }
}
