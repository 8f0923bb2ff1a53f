/**
 * The default ServiceCIDR, as kube-apiserver's `kubernetes-service-cidr-controller`
 * (pkg/controlplane/controller/defaultservicecidr) keeps it where MultiCIDRServiceAllocator is on:
 * the cluster-scoped ServiceCIDR `kubernetes` holding the `--service-cluster-ip-range` CIDRs,
 * created when missing (never corrected, like the `kubernetes` Service), upgraded from one CIDR to
 * two when the flag gained a secondary range, and marked `Ready=True` (message `Kubernetes default
 * Service CIDR is ready`) when its CIDRs are the flag's and no Ready condition says otherwise. The
 * first sync blocks the server's start (the IPAddress allocator needs a ServiceCIDR), retried every
 * 100 ms; afterwards it runs every 10 s on the server's clock.
 */
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import { formatTime, type KubeObject } from '../registry/object.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { Registry } from '../registry/rest.js';

/** The name of the default ServiceCIDR. */
export const DEFAULT_SERVICE_CIDR_NAME = 'kubernetes';
/** The controller's name, its field manager. */
export const DEFAULT_SERVICE_CIDR_CONTROLLER = 'kubernetes-service-cidr-controller';
/** Upstream's sync period ("same as DefaultEndpointReconcilerInterval"). */
export const DEFAULT_SERVICE_CIDR_INTERVAL_MS = 10_000;
const FIRST_SYNC_POLL_MS = 100;

/** What the controller needs. */
export interface DefaultServiceCIDRDeps {
  registry: Registry;
  type: ResourceType;
  /** The flag's CIDRs, primary first. */
  cidrs: string[];
  clock: Clock;
  log: Logger;
}

/** Creates and keeps the `kubernetes` ServiceCIDR. */
export class DefaultServiceCIDRController {
  private timer: ClockTimer | undefined;
  private stopped = false;

  constructor(private readonly deps: DefaultServiceCIDRDeps) {}

  /** Syncs until the first sync succeeds, then keeps syncing in the background. */
  async start(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      try {
        await this.sync();
        break;
      } catch (err) {
        this.deps.log.info({ err: (err as Error).message }, 'error initializing the default ServiceCIDR');
        await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, FIRST_SYNC_POLL_MS));
      }
    }
    this.timer = this.deps.clock.setInterval(() => {
      this.sync().catch((err: Error) => this.deps.log.info({ err: err.message }, 'error trying to sync the default ServiceCIDR'));
    }, DEFAULT_SERVICE_CIDR_INTERVAL_MS);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private async sync(): Promise<void> {
    const { registry, type, cidrs } = this.deps;
    let current: KubeObject | undefined;
    try {
      current = await registry.get(type, '', DEFAULT_SERVICE_CIDR_NAME);
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
    if (current) {
      const have = ((current.spec ?? {}) as { cidrs?: string[] }).cidrs ?? [];
      if (cidrs.length === 2 && have.length === 1 && have[0] === cidrs[0]) {
        await registry.update(type, '', DEFAULT_SERVICE_CIDR_NAME, { ...current, spec: { ...(current.spec as object), cidrs } }).catch((err: Error) => {
          this.deps.log.info({ err: err.message }, 'the default ServiceCIDR can not be updated to dual stack');
        });
        return;
      }
      await this.syncStatus(current);
      return;
    }
    try {
      current = await registry.create(type, '', { metadata: { name: DEFAULT_SERVICE_CIDR_NAME }, spec: { cidrs } });
    } catch (err) {
      if (!(isStatusError(err) && err.code === 409)) throw err;
      current = await registry.get(type, '', DEFAULT_SERVICE_CIDR_NAME);
    }
    await this.syncStatus(current);
  }

  /** Sets Ready=True when the CIDRs match the flag and no Ready condition (or an Unknown one) is set. */
  private async syncStatus(serviceCIDR: KubeObject): Promise<void> {
    if (serviceCIDR.metadata?.deletionTimestamp) return;
    const have = ((serviceCIDR.spec ?? {}) as { cidrs?: string[] }).cidrs ?? [];
    if (JSON.stringify(have) !== JSON.stringify(this.deps.cidrs)) return;
    const conditions = ((serviceCIDR.status ?? {}) as { conditions?: Array<{ type?: string; status?: string }> }).conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'Unknown') return;
    const condition = { type: 'Ready', status: 'True', lastTransitionTime: formatTime(this.deps.clock.now()), reason: '', message: 'Kubernetes default Service CIDR is ready' };
    await this.deps.registry.update(
      this.deps.type,
      '',
      DEFAULT_SERVICE_CIDR_NAME,
      { ...serviceCIDR, status: { conditions: [...conditions.filter((c) => c.type !== 'Ready'), condition] } },
      { subresource: 'status', fieldManager: { manager: DEFAULT_SERVICE_CIDR_CONTROLLER, operation: 'Apply' } },
    );
  }
}
