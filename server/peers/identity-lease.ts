/**
 * The kube-apiserver identity lease and its garbage collector, as upstream's
 * `start-kube-apiserver-identity-lease-controller` and `…-garbage-collector` hooks: a
 * `coordination.k8s.io/v1` Lease in kube-system named after the APIServerID, labelled
 * `apiserver.kubernetes.io/identity=kube-apiserver`, annotated with the peer advertise address when
 * the proxy gate is on, held by `<id>_<uuid>`, renewed every 10 s with a 3600 s duration. From 1.35
 * the lease is deleted when the server starts and when it stops gracefully. Every server deletes
 * leases that expired.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import type { Registry } from '../registry/rest.js';
import type { KubeObject } from '../registry/object.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { ListOptions } from '../registry/list-options.js';

/** The label every identity lease carries, and the selector peers list them by. */
export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
/** The label value of kube-apiserver's identity leases. */
export const IDENTITY_LABEL_VALUE = 'kube-apiserver';
/** The annotation with the address peers dial (`ip:port`). */
export const PEER_ADVERTISE_ANNOTATION = 'kubernetes.io/peer-advertise-address';
/** The namespace identity leases live in. */
export const LEASE_NAMESPACE = 'kube-system';

/** `metav1.MicroTime`: RFC 3339 with microseconds, in UTC. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** True when a lease is expired at `now` (no renewTime, no duration, or renewTime + duration < now). */
export function leaseExpired(lease: KubeObject, now: Date): boolean {
  const spec = (lease.spec ?? {}) as { renewTime?: string; leaseDurationSeconds?: number };
  if (!spec.renewTime || spec.leaseDurationSeconds === undefined || spec.leaseDurationSeconds === null) return true;
  return Date.parse(spec.renewTime) + spec.leaseDurationSeconds * 1000 < now.getTime();
}

/** List options that select kube-apiserver identity leases (peers list them by this label). */
export const IDENTITY_SELECTOR: ListOptions = {
  labelSelector: `${IDENTITY_LABEL}=${IDENTITY_LABEL_VALUE}`,
  fieldSelector: '',
  watch: false,
  allowWatchBookmarks: false,
  resourceVersion: '',
  resourceVersionMatch: '',
  limit: 0,
  continue: '',
};

/** What the identity lease controllers need. */
export interface IdentityLeaseDeps {
  registry: Registry;
  leases: ResourceType;
  clock: Clock;
  log: Logger;
  id: string;
  hostname: string;
  /** `ip:port` for the annotation, or '' to leave it off (the proxy gate is off). */
  peerAddress: () => string;
  durationSeconds: number;
  renewIntervalSeconds: number;
  gcPeriodSeconds: number;
  /** 1.35+: delete the lease on start and on graceful stop. */
  deleteOnStartAndStop: boolean;
}

/** The identity lease of one server and the GC of everyone's expired leases. */
export class IdentityLeaseController {
  private renewTimer: ClockTimer | undefined;
  private gcTimer: ClockTimer | undefined;
  private readonly holder: string;

  constructor(private readonly deps: IdentityLeaseDeps) {
    this.holder = `${deps.id}_${randomUUID()}`;
  }

  /** Write the lease now, then renew it and run the GC on their periods. */
  async start(): Promise<void> {
    if (this.deps.deleteOnStartAndStop) await this.deleteOwn();
    await this.sync();
    this.renewTimer = this.deps.clock.setInterval(() => void this.sync().catch((err) => this.deps.log.warn({ err }, 'identity lease renewal failed')), this.deps.renewIntervalSeconds * 1000);
    this.gcTimer = this.deps.clock.setInterval(() => void this.collect().catch((err) => this.deps.log.warn({ err }, 'identity lease GC failed')), this.deps.gcPeriodSeconds * 1000);
  }

  /** Stop renewing; from 1.35 also delete the lease (the pre-shutdown hook). */
  async stop(): Promise<void> {
    this.renewTimer?.cancel();
    this.gcTimer?.cancel();
    if (this.deps.deleteOnStartAndStop) await this.deleteOwn().catch((err) => this.deps.log.warn({ err }, 'identity lease delete failed'));
  }

  private async deleteOwn(): Promise<void> {
    try {
      await this.deps.registry.delete(this.deps.leases, LEASE_NAMESPACE, this.deps.id);
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
  }

  private labelsAndAnnotations(meta: NonNullable<KubeObject['metadata']>): void {
    meta.labels = { ...(meta.labels ?? {}), [IDENTITY_LABEL]: IDENTITY_LABEL_VALUE, 'kubernetes.io/hostname': this.deps.hostname };
    const address = this.deps.peerAddress();
    if (address) meta.annotations = { ...(meta.annotations ?? {}), [PEER_ADVERTISE_ANNOTATION]: address };
  }

  /** One renewal: create the lease when missing, else refresh renewTime, duration, labels and annotation. */
  async sync(): Promise<void> {
    const { registry, leases, id, clock } = this.deps;
    const renewTime = microTime(clock.now());
    try {
      await registry.patch(leases, LEASE_NAMESPACE, id, (current) => {
        const next: KubeObject = structuredClone(current);
        this.labelsAndAnnotations((next.metadata ??= {}));
        next.spec = { ...((next.spec as object) ?? {}), renewTime, leaseDurationSeconds: this.deps.durationSeconds };
        return next;
      });
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
      const lease: KubeObject = { metadata: { name: id, namespace: LEASE_NAMESPACE }, spec: { holderIdentity: this.holder, leaseDurationSeconds: this.deps.durationSeconds, renewTime } };
      this.labelsAndAnnotations(lease.metadata!);
      try {
        await registry.create(leases, LEASE_NAMESPACE, lease);
      } catch (createErr) {
        if (!(isStatusError(createErr) && createErr.code === 409)) throw createErr;
      }
    }
  }

  /** One GC pass: delete every expired identity lease (re-checked just before deleting). */
  async collect(): Promise<number> {
    const { registry, leases, clock } = this.deps;
    const list = await registry.list(leases, LEASE_NAMESPACE, IDENTITY_SELECTOR);
    let deleted = 0;
    for (const lease of list.items) {
      if (!leaseExpired(lease, clock.now())) continue;
      const name = lease.metadata?.name ?? '';
      try {
        const fresh = await registry.get(leases, LEASE_NAMESPACE, name);
        if (!leaseExpired(fresh, clock.now())) continue;
        await registry.delete(leases, LEASE_NAMESPACE, name, { preconditions: { resourceVersion: fresh.metadata?.resourceVersion ?? '' } });
        deleted++;
      } catch (err) {
        if (!(isStatusError(err) && (err.code === 404 || err.code === 409))) throw err;
      }
    }
    return deleted;
  }
}
