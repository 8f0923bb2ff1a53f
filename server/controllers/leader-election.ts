/**
 * Leader election through a coordination.k8s.io/v1 Lease, as client-go's `leaderelection` package
 * runs it for kube-controller-manager: the lock is the Lease `kube-controller-manager` in
 * `kube-system`; a candidate's identity is `<host>_<uuid>`. A candidate tries to acquire every retry
 * period (jittered by 1.2); it may take the lease only when nobody holds it or when the record it
 * observed has not changed for a whole lease duration (measured on its own clock from when it saw the
 * change, not from `renewTime`). The leader renews every retry period and gives up when it could not
 * renew within the renew deadline. Upstream's process exits then; here the leader stops its
 * controllers and becomes a candidate again. The lease is not released on shutdown
 * (`ReleaseOnCancel` is off in kube-controller-manager), so a successor waits for it to expire.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import { isNotFound, type ApiClient, type ApiObject, type GVR } from './client.js';

/** The Lease resource. */
export const LEASES: GVR = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
/** kube-controller-manager's lock. */
export const CONTROLLER_MANAGER_LEASE = { namespace: 'kube-system', name: 'kube-controller-manager' };
/** wait.JitterUntil's factor in `acquire`. */
export const JITTER_FACTOR = 1.2;

/** The record kept in the Lease spec. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** Options of an elector. */
export interface LeaderElectorOptions {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  /** `<host>` of `<host>_<uuid>`. */
  host: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** Called when the observed holder changes. */
  onNewLeader?(identity: string): void;
  lease?: { namespace: string; name: string };
  random?: () => number;
}

/** metav1.MicroTime: RFC 3339 with six fractional digits. */
export function microTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

function recordOf(lease: ApiObject): LeaderElectionRecord {
  const spec = (lease.spec ?? {}) as Partial<LeaderElectionRecord>;
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? '',
    renewTime: spec.renewTime ?? '',
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** One candidate. */
export class LeaderElector {
  /** `<host>_<uuid>` */
  readonly identity: string;
  private observed: LeaderElectionRecord | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private lease: ApiObject | undefined;
  private leading = false;
  private stopped = false;
  private timer: ClockTimer | undefined;
  private reportedLeader = '';
  private readonly lock: { namespace: string; name: string };
  private readonly random: () => number;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.identity = `${opts.host}_${randomUUID()}`;
    this.lock = opts.lease ?? CONTROLLER_MANAGER_LEASE;
    this.random = opts.random ?? Math.random;
  }

  /** True while this candidate holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed. */
  leader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  /** Start campaigning. */
  start(): void {
    this.acquireLoop(0);
  }

  /** Stop campaigning (and leading, without releasing the lease). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    if (this.leading) {
      this.leading = false;
      this.opts.onStoppedLeading();
    }
  }

  private get now(): Date {
    return this.opts.clock.now();
  }

  private acquireLoop(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(async () => {
      if (this.stopped) return;
      const ok = await this.tryAcquireOrRenew();
      this.maybeReportTransition();
      if (this.stopped) return;
      if (!ok) {
        const period = this.opts.retryPeriodSeconds * 1000;
        this.acquireLoop(period + this.random() * JITTER_FACTOR * period);
        return;
      }
      this.opts.log.info({ lease: `${this.lock.namespace}/${this.lock.name}`, identity: this.identity }, 'successfully acquired lease');
      this.leading = true;
      this.opts.onStartedLeading();
      this.renewLoop();
    }, delayMs);
  }

  /** Renew every retry period; give up after the renew deadline without a successful renewal. */
  private renewLoop(): void {
    const period = this.opts.retryPeriodSeconds * 1000;
    const deadlineMs = this.opts.renewDeadlineSeconds * 1000;
    const attempt = (startedAt: number): void => {
      this.timer = this.opts.clock.setTimeout(async () => {
        if (this.stopped) return;
        const ok = await this.tryAcquireOrRenew();
        this.maybeReportTransition();
        if (this.stopped) return;
        if (ok) {
          attempt(this.now.getTime());
          return;
        }
        if (this.now.getTime() - startedAt + period < deadlineMs) {
          // wait.PollImmediateUntil: try again within the renew deadline
          attempt(startedAt);
          return;
        }
        this.opts.log.warn({ lease: `${this.lock.namespace}/${this.lock.name}`, identity: this.identity }, 'failed to renew lease: leaderelection lost');
        this.leading = false;
        this.opts.onStoppedLeading();
        this.acquireLoop(period);
      }, period);
    };
    attempt(this.now.getTime());
  }

  private isLeaseValid(nowMs: number): boolean {
    return this.observed !== undefined && this.observedTime + this.observed.leaseDurationSeconds * 1000 > nowMs;
  }

  private setObserved(record: LeaderElectionRecord): void {
    this.observed = record;
    this.observedTime = this.now.getTime();
  }

  /** client-go's tryAcquireOrRenew: true when this candidate holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { client } = this.opts;
    const now = this.now;
    const record: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.opts.leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    // 1. fast path: the leader updates the lease it holds
    if (this.observed?.holderIdentity === this.identity && this.isLeaseValid(now.getTime()) && this.lease) {
      record.acquireTime = this.observed.acquireTime;
      record.leaseTransitions = this.observed.leaseTransitions;
      try {
        this.lease = await client.update(LEASES, this.lock.namespace, this.lock.name, { ...this.lease, spec: { ...(this.lease.spec ?? {}), ...record } });
        this.setObserved(record);
        return true;
      } catch (err) {
        this.opts.log.debug({ err }, 'Failed to update lock optimistically, falling back to slow path');
      }
    }
    // 2. obtain or create the record
    let current: ApiObject;
    try {
      current = await client.get(LEASES, this.lock.namespace, this.lock.name);
    } catch (err) {
      if (!isNotFound(err)) {
        this.opts.log.debug({ err }, 'error retrieving resource lock');
        return false;
      }
      try {
        this.lease = await client.create(LEASES, this.lock.namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.lock.name, namespace: this.lock.namespace },
          spec: record,
        });
        this.setObserved(record);
        return true;
      } catch (createErr) {
        this.opts.log.debug({ err: createErr }, 'error initially creating leader election record');
        return false;
      }
    }
    // 3. record obtained: check the identity and the time
    const old = recordOf(current);
    const raw = JSON.stringify(current.spec ?? {});
    if (raw !== this.observedRaw) {
      this.setObserved(old);
      this.observedRaw = raw;
    }
    this.lease = current;
    if (old.holderIdentity !== '' && this.isLeaseValid(now.getTime()) && old.holderIdentity !== this.identity) return false;
    // 4. update: keep acquireTime and transitions when we already lead
    if (old.holderIdentity === this.identity) {
      record.acquireTime = old.acquireTime;
      record.leaseTransitions = old.leaseTransitions;
    } else {
      record.leaseTransitions = old.leaseTransitions + 1;
    }
    try {
      this.lease = await client.update(LEASES, this.lock.namespace, this.lock.name, { ...current, spec: { ...(current.spec ?? {}), ...record } });
    } catch (err) {
      this.opts.log.debug({ err }, 'Failed to update lock');
      return false;
    }
    this.setObserved(record);
    return true;
  }

  private maybeReportTransition(): void {
    const holder = this.observed?.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.opts.onNewLeader?.(holder);
  }
}
