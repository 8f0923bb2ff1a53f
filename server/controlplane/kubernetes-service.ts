/**
 * The `default/kubernetes` Service and its endpoints, as every kube-apiserver keeps them
 * (pkg/controlplane/controller/kubernetesservice): at start the server removes a record a previous
 * run of it may have left (a crash), waits until its own `/readyz` passes, then every
 * `--endpoint-reconciler-interval-seconds` (upstream's 10 s) creates the Service if it does not
 * exist — it is never corrected afterwards, as upstream's is not since 1.17 — and reconciles the
 * endpoints through the lease reconciler. A graceful stop removes the server's record and its
 * address at once; the removal waits at most two intervals, as upstream's Stop does.
 *
 * The Service is upstream's: ClusterIP the first address of `--service-cluster-ip-range`, port 443
 * named `https` targeting the secure port of the server that created it, labels
 * `component=apiserver` and `provider=kubernetes`, no selector, SingleStack, sessionAffinity None.
 * kube-skew has no Service defaulting, so the fields upstream's defaulting fills are written here.
 */
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import type { KubeObject } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import { KUBERNETES_SERVICE_NAME, KUBERNETES_SERVICE_NAMESPACE, type LeaseEndpointReconciler } from './endpoint-reconciler.js';
import type { MasterLease } from './master-leases.js';

/** How often the controller asks whether its server is ready before the first reconcile (upstream's 100 ms poll). */
export const READY_POLL_MS = 100;

/** What the controller needs. */
export interface KubernetesServiceDeps {
  registry: Registry;
  types: ResourceTypes;
  reconciler: LeaseEndpointReconciler;
  clock: Clock;
  log: Logger;
  /** The address and port this server advertises (upstream: PublicIP and the secure port). */
  self: () => MasterLease;
  /** The Service's ClusterIP. */
  serviceIP: string;
  intervalMs: number;
  /** True once the server's own `/readyz` would pass. */
  ready: () => boolean;
}

/** The Service object upstream's CreateOrUpdateMasterServiceIfNeeded writes, with its defaults. */
export function kubernetesService(serviceIP: string, targetPort: number): KubeObject {
  return {
    metadata: { name: KUBERNETES_SERVICE_NAME, namespace: KUBERNETES_SERVICE_NAMESPACE, labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      clusterIP: serviceIP,
      clusterIPs: [serviceIP],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: [isIPv6(serviceIP) ? 'IPv6' : 'IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  };
}

/** Keeps the `kubernetes` Service and its endpoints for one server. */
export class KubernetesServiceController {
  private timer: ClockTimer | undefined;
  private stopped = false;

  constructor(private readonly deps: KubernetesServiceDeps) {}

  /** Remove a stale record of this server, then start reconciling once the server is ready. */
  async start(): Promise<void> {
    const { reconciler, log } = this.deps;
    await reconciler.remove(this.deps.self()).catch((err: Error) => log.debug({ err: err.message }, 'no stale kubernetes endpoints removed'));
    this.waitReady();
  }

  private waitReady(): void {
    if (this.stopped) return;
    if (!this.deps.ready()) {
      this.timer = this.deps.clock.setTimeout(() => this.waitReady(), READY_POLL_MS);
      return;
    }
    void this.sync();
    // NonSlidingUntil: the period runs from each start, not from each end.
    this.timer = this.deps.clock.setInterval(() => void this.sync(), this.deps.intervalMs);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.ensureService();
      await this.deps.reconciler.reconcile(this.deps.self());
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'unable to sync kubernetes service');
    }
  }

  private async ensureService(): Promise<void> {
    const { registry, types } = this.deps;
    const type = types.lookup('', 'v1', 'services');
    if (!type) return;
    try {
      await registry.get(type, KUBERNETES_SERVICE_NAMESPACE, KUBERNETES_SERVICE_NAME);
      return;
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
    try {
      await registry.create(type, KUBERNETES_SERVICE_NAMESPACE, kubernetesService(this.deps.serviceIP, this.deps.self().port));
    } catch (err) {
      if (!(isStatusError(err) && err.code === 409)) throw err;
    }
  }

  /** Stop reconciling and remove this server's record and address, waiting at most two intervals. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    const { reconciler, clock, log } = this.deps;
    reconciler.stopReconciling();
    const removal = reconciler.remove(this.deps.self()).catch((err: Error) => log.warn({ err: err.message }, 'unable to remove endpoints from kubernetes service'));
    let timer: ClockTimer | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = clock.setTimeout(() => {
        log.warn('RemoveEndpoints() timed out');
        resolve();
      }, 2 * this.deps.intervalMs);
    });
    await Promise.race([removal, timeout]);
    timer?.cancel();
  }
}
