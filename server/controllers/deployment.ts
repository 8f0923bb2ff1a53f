/**
 * A deployment status controller, so that `kubectl rollout status deployment/x` completes. It writes
 * what kube-controller-manager's deployment controller (pkg/controller/deployment, sync.go and
 * util/deployment_util.go) writes into `status` — observedGeneration, replicas, updatedReplicas,
 * readyReplicas, availableReplicas, unavailableReplicas and the Available and Progressing conditions
 * with upstream's reasons and messages — but it simulates the ReplicaSets and Pods instead of creating
 * them: no ReplicaSet or Pod object is written. A rollout of a new pod template takes two status
 * writes, as upstream's does: first the new ReplicaSet "exists" (`NewReplicaSetCreated`, `Created new
 * replica set "<name>-<hash>"`) with its pods not yet available, then, once `minReadySeconds` has
 * passed, every pod of it is available (`NewReplicaSetAvailable`, `ReplicaSet "<name>-<hash>" has
 * successfully progressed.`). A template changed again before that rollout finished makes another
 * ReplicaSet; upstream's SetDeploymentCondition then keeps the first `NewReplicaSetCreated`
 * condition (same status, same reason), and its progress check names the newest one instead
 * (`ReplicaSetUpdated`, `ReplicaSet "<name>-<hash>" is progressing.`, lastTransitionTime kept), as
 * here. The Progressing condition's message is how the simulation knows which ReplicaSet exists. A
 * paused deployment keeps its counts and gets the Progressing condition
 * `DeploymentPaused`. The hash suffix is an FNV-32a hash of the template's JSON, encoded as upstream
 * encodes pod-template-hash; upstream hashes a different serialisation, so the suffix differs.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { isConflict, isNotFound, type ApiClient, type ApiObject, type GVR } from './client.js';
import { Informer } from './informer.js';
import { runWorkers, WorkQueue } from './workqueue.js';

const DEPLOYMENTS: GVR = { group: 'apps', version: 'v1', resource: 'deployments' };
/** `--concurrent-deployment-syncs` default. */
export const DEPLOYMENT_WORKERS = 5;

/** Condition reasons and messages of pkg/controller/deployment/util. */
export const DEPLOYMENT_REASONS = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
} as const;

/** apps/v1 DeploymentCondition */
export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: DeploymentCondition[];
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString */
export function safeEncode(s: string): string {
  return [...s].map((c) => SAFE_ALPHANUMS[c.charCodeAt(0) % SAFE_ALPHANUMS.length]).join('');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The pod-template-hash of a template (FNV-32a of its JSON, plus the collision count). */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const text = stableJson(template ?? {}) + (collisionCount !== undefined ? String(collisionCount) : '');
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return safeEncode(String(h >>> 0));
}

/** An int-or-percent value scaled to `total` (rounded down for maxUnavailable). */
function intOrPercent(value: unknown, total: number, fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (m) return Math.floor((Number(m[1]) * total) / 100);
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** deploymentutil.MaxUnavailable */
function maxUnavailable(d: ApiObject, desired: number): number {
  const strategy = (d.spec?.strategy ?? {}) as { type?: string; rollingUpdate?: { maxUnavailable?: unknown } };
  if (strategy.type === 'Recreate' || desired === 0) return 0;
  const n = intOrPercent(strategy.rollingUpdate?.maxUnavailable, desired, '25%');
  return Math.min(n, desired);
}

function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** deploymentutil.SetDeploymentCondition: keep a condition whose status and reason did not change. */
function setCondition(conditions: DeploymentCondition[], next: DeploymentCondition): DeploymentCondition[] {
  const current = conditions.find((c) => c.type === next.type);
  if (current && current.status === next.status && current.reason === next.reason) return conditions;
  const merged = current && current.status === next.status ? { ...next, lastTransitionTime: current.lastTransitionTime } : next;
  return [...conditions.filter((c) => c.type !== next.type), merged];
}

/** What the controller needs. */
export interface DeploymentControllerDeps {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  workers?: number;
}

/** The deployment status controller. */
export class DeploymentController {
  private readonly queue: WorkQueue<string>;
  private readonly informer: Informer;

  constructor(private readonly deps: DeploymentControllerDeps) {
    this.queue = new WorkQueue<string>(deps.clock);
    const enqueue = (obj: ApiObject): void => {
      const m = obj.metadata ?? {};
      if (m.name) this.queue.add(`${m.namespace ?? ''}/${m.name}`);
    };
    this.informer = new Informer({ client: deps.client, gvr: DEPLOYMENTS, clock: deps.clock, log: deps.log, handlers: { onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) } });
  }

  /** Start the informer and the workers. */
  start(): void {
    this.informer.start();
    void runWorkers(this.queue, this.deps.workers ?? DEPLOYMENT_WORKERS, (key) => this.work(key));
  }

  /** Stop. */
  stop(): void {
    this.informer.stop();
    this.queue.shutdown();
  }

  private async work(key: string): Promise<void> {
    try {
      const { wrote, retryAfterMs } = await this.sync(key);
      // Backoff is reset by progress only: a deployment that asks to be looked at again without a
      // change keeps backing off.
      if (wrote || retryAfterMs === undefined) this.queue.forget(key);
      if (retryAfterMs !== undefined) this.queue.addAfter(key, retryAfterMs);
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) this.deps.log.debug({ err, deployment: key }, 'deployment sync failed');
      if (!isNotFound(err)) this.queue.addRateLimited(key);
    }
  }

  /** The status this controller wants for `d`, and when to look again (ms), if it must. */
  computeStatus(d: ApiObject): { status: DeploymentStatus; retryAfterMs?: number } {
    const now = this.deps.clock.now();
    const spec = (d.spec ?? {}) as { replicas?: number; paused?: boolean; template?: unknown; minReadySeconds?: number };
    const old = (d.status ?? {}) as DeploymentStatus;
    const desired = spec.replicas ?? 1;
    const rsName = `${d.metadata.name ?? ''}-${podTemplateHash(spec.template, old.collisionCount)}`;
    let conditions = [...(old.conditions ?? [])];
    const progressing = conditions.find((c) => c.type === 'Progressing');
    const cond = (type: string, status: DeploymentCondition['status'], reason: string, message: string): DeploymentCondition => ({ type, status, lastUpdateTime: rfc3339(now), lastTransitionTime: rfc3339(now), reason, message });
    const counts = (available: number, ready: number): DeploymentStatus => ({
      observedGeneration: d.metadata.generation ?? 1,
      replicas: desired,
      updatedReplicas: desired,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
    });
    let status: DeploymentStatus;
    let retryAfterMs: number | undefined;
    if (spec.paused) {
      status = { ...old, observedGeneration: d.metadata.generation ?? 1 };
      if (progressing?.reason !== DEPLOYMENT_REASONS.DeploymentPaused) conditions = setCondition(conditions, cond('Progressing', 'Unknown', DEPLOYMENT_REASONS.DeploymentPaused, 'Deployment is paused'));
    } else {
      if (progressing?.reason === DEPLOYMENT_REASONS.DeploymentPaused) conditions = setCondition(conditions, cond('Progressing', 'Unknown', DEPLOYMENT_REASONS.DeploymentResumed, 'Deployment is resumed'));
      const current = conditions.find((c) => c.type === 'Progressing');
      const rsExists = current !== undefined && current.message.includes(`"${rsName}"`);
      const rollingOut = current?.reason === DEPLOYMENT_REASONS.NewReplicaSetCreated || current?.reason === DEPLOYMENT_REASONS.ReplicaSetUpdated;
      const minReadyMs = (spec.minReadySeconds ?? 0) * 1000;
      if (!rsExists) {
        // the new ReplicaSet is created; its pods are not available yet
        status = counts(0, 0);
        if (rollingOut) {
          const progress = cond('Progressing', 'True', DEPLOYMENT_REASONS.ReplicaSetUpdated, `ReplicaSet "${rsName}" is progressing.`);
          if (current.status === 'True') progress.lastTransitionTime = current.lastTransitionTime;
          conditions = [...conditions.filter((c) => c.type !== 'Progressing'), progress];
        } else {
          conditions = setCondition(conditions, cond('Progressing', 'True', DEPLOYMENT_REASONS.NewReplicaSetCreated, `Created new replica set "${rsName}"`));
        }
        retryAfterMs = minReadyMs;
      } else {
        const since = Date.parse(current.lastUpdateTime);
        if (rollingOut && now.getTime() - since < minReadyMs) {
          status = counts(0, desired);
          retryAfterMs = minReadyMs - (now.getTime() - since);
        } else {
          status = counts(desired, desired);
          conditions = setCondition(conditions, cond('Progressing', 'True', DEPLOYMENT_REASONS.NewReplicaSetAvailable, `ReplicaSet "${rsName}" has successfully progressed.`));
        }
      }
      const available = status.availableReplicas ?? 0;
      conditions = setCondition(
        conditions,
        available >= desired - maxUnavailable(d, desired)
          ? cond('Available', 'True', DEPLOYMENT_REASONS.MinimumReplicasAvailable, 'Deployment has minimum availability.')
          : cond('Available', 'False', DEPLOYMENT_REASONS.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.'),
      );
    }
    if (old.collisionCount !== undefined) status.collisionCount = old.collisionCount;
    if (!status.unavailableReplicas) delete status.unavailableReplicas;
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const) if (!status[k]) delete status[k];
    // Available before Progressing, as a new deployment gets them
    status.conditions = [...conditions].sort((a, b) => (a.type === b.type ? 0 : a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));
    return retryAfterMs !== undefined ? { status, retryAfterMs } : { status };
  }

  /** Write the status `key` should have; whether it wrote, and when to look again (ms), if it must. */
  private async sync(key: string): Promise<{ wrote: boolean; retryAfterMs?: number | undefined }> {
    const d = this.informer.get(key);
    if (!d) return { wrote: false };
    const { status, retryAfterMs } = this.computeStatus(d);
    if (stableJson(status) === stableJson(d.status ?? {})) return { wrote: false, retryAfterMs };
    const slash = key.indexOf('/');
    await this.deps.client.update(DEPLOYMENTS, key.slice(0, slash), key.slice(slash + 1), { ...d, status }, 'status');
    return { wrote: true, retryAfterMs };
  }
}
