/**
 * A pass of upstream's IPAddress repair controller (pkg/registry/core/service/ipallocator/controller/
 * repairip.go), run where the IPAddress allocator is: every ClusterIP of a Service that lies in a
 * ServiceCIDR gets its IPAddress object if it has none (a Service allocated by a server of an older
 * minor, which only wrote the bitmap: the upgrade case), and an IPAddress of the allocator whose
 * Service is gone is deleted once it is older than 60 s (a create that failed after allocating).
 * Upstream runs it from informers with a 3-minute resync; kube-skew runs a pass at start, once the
 * default ServiceCIDR exists, and every 3 minutes of the server's clock. Its events are not written.
 */
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import { LIST_EVERYTHING } from '../registry/list-options.js';
import type { KubeObject } from '../registry/object.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { Registry } from '../registry/rest.js';
import { cidrContains, parseCidr, type Cidr } from '../registry/service/cidr.js';
import { IPALLOCATOR_MANAGER, LABEL_MANAGED_BY, ipAddressObject } from '../registry/service/ip-allocator.js';
import { isIPv6String } from '../registry/kinds/ip.js';

/** Upstream's resync interval of the repair loop. */
export const REPAIR_INTERVAL_MS = 3 * 60_000;
/** How old an IPAddress without its Service must be before it counts as leaked. */
const LEAK_GRACE_MS = 60_000;

/** What the repair needs. */
export interface RepairIPAddressesDeps {
  registry: Registry;
  services: ResourceType;
  ipAddresses: ResourceType;
  serviceCIDRs: ResourceType;
  clock: Clock;
  log: Logger;
}

/** Keeps Services and their IPAddress objects in step. */
export class RepairIPAddresses {
  private timer: ClockTimer | undefined;

  constructor(private readonly deps: RepairIPAddressesDeps) {}

  /** Runs a pass now and then every {@link REPAIR_INTERVAL_MS}. */
  async start(): Promise<void> {
    await this.pass().catch((err: Error) => this.deps.log.warn({ err: err.message }, 'unable to repair IPAddresses'));
    this.timer = this.deps.clock.setInterval(() => {
      this.pass().catch((err: Error) => this.deps.log.warn({ err: err.message }, 'unable to repair IPAddresses'));
    }, REPAIR_INTERVAL_MS);
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** One pass over every Service and every IPAddress. */
  async pass(): Promise<void> {
    const { registry } = this.deps;
    const cidrs: Cidr[] = (await registry.list(this.deps.serviceCIDRs, '', LIST_EVERYTHING)).items.flatMap((sc) =>
      (((sc.spec ?? {}) as { cidrs?: string[] }).cidrs ?? []).map((c) => parseCidr(c)).filter((c): c is Cidr => c !== undefined),
    );
    const services = (await registry.list(this.deps.services, '', LIST_EVERYTHING)).items;
    const addresses = new Map((await registry.list(this.deps.ipAddresses, '', LIST_EVERYTHING)).items.map((a) => [a.metadata?.name ?? '', a]));
    for (const svc of services) {
      const spec = (svc.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
      if (!spec.clusterIP || spec.clusterIP === 'None') continue;
      for (const ip of spec.clusterIPs ?? []) {
        if (addresses.has(ip) || !cidrs.some((c) => cidrContains(c, ip))) continue;
        this.deps.log.info({ ip, service: `${svc.metadata?.namespace}/${svc.metadata?.name}` }, 'the ClusterIP is not allocated; repairing');
        await this.create(ip, svc);
      }
    }
    const now = this.deps.clock.now().getTime();
    for (const [name, address] of addresses) {
      if (address.metadata?.labels?.[LABEL_MANAGED_BY] !== IPALLOCATOR_MANAGER) continue;
      const ref = ((address.spec ?? {}) as { parentRef?: { namespace?: string; name?: string } }).parentRef ?? {};
      const parentExists = services.some((s) => s.metadata?.namespace === ref.namespace && s.metadata?.name === ref.name);
      if (parentExists) continue;
      const created = Date.parse(address.metadata?.creationTimestamp ?? '');
      if (!(now - created > LEAK_GRACE_MS)) continue;
      this.deps.log.info({ ip: name }, 'IPAddress appears to have leaked: cleaning up');
      await registry.delete(this.deps.ipAddresses, '', name).catch(() => undefined);
    }
  }

  private async create(ip: string, svc: KubeObject): Promise<void> {
    try {
      await this.deps.registry.create(this.deps.ipAddresses, '', ipAddressObject(ip, isIPv6String(ip) ? 'IPv6' : 'IPv4', svc));
    } catch (err) {
      if (!(isStatusError(err) && err.code === 409)) throw err;
    }
  }
}
