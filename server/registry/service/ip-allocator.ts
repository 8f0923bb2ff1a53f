/**
 * ClusterIP allocators (pkg/registry/core/service/ipallocator), one per IP family:
 *
 * - {@link BitmapIPAllocator}: the `Range` of the primary `--service-cluster-ip-range` over the
 *   shared `/registry/ranges/serviceips` bitmap, as every release before MultiCIDRServiceAllocator.
 *   The network address and (IPv4) the broadcast address are never handed out; IPv6 ranges are
 *   capped at 65536 addresses as upstream's bitmap is.
 * - {@link IPAddressAllocator}: the MetaAllocator of MultiCIDRServiceAllocator, which takes an
 *   address by creating the `IPAddress` object named after it (the store refuses a second create,
 *   so two servers never get the same one) within a Ready ServiceCIDR, and frees it by deleting
 *   the object. While DisableAllocatorDualWrite is off it writes the primary range's bitmap too,
 *   the bitmap first (a requested address is reserved there, a dynamic one picked there), so
 *   servers of a minor without the gate, which only read the bitmap, see its allocations and it
 *   sees theirs.
 *
 * Both prefer the addresses above the static subrange (KEP-3070) for dynamic allocation.
 */
import type { Store } from '../../../storage/store.js';
import { isStatusError } from '../../errors/status.js';
import { LIST_EVERYTHING } from '../list-options.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import type { Registry } from '../rest.js';
import { cidrContains, intToIP, ipRangeOffset, ipToInt, parseCidr, rangeSize, type Cidr } from './cidr.js';
import { RangeRecord } from './range-record.js';

/** The store key of the ClusterIP bitmap of the primary range (upstream's `/ranges/serviceips`). */
export const SERVICE_IPS_KEY = '/registry/ranges/serviceips';
/** The store key of the secondary (dual-stack) range's bitmap (upstream's `/ranges/secondaryserviceips`). */
export const SECONDARY_SERVICE_IPS_KEY = '/registry/ranges/secondaryserviceips';
/** `ipallocator.ControllerName`, the `managed-by` label of the IPAddress objects it creates. */
export const IPALLOCATOR_MANAGER = 'ipallocator.k8s.io';
/** networking/v1 `LabelManagedBy`. */
export const LABEL_MANAGED_BY = 'ipaddress.kubernetes.io/managed-by';
/** networking/v1 `LabelIPAddressFamily`. */
export const LABEL_IP_FAMILY = 'ipaddress.kubernetes.io/ip-family';

/** ipallocator's errors, with upstream's texts. */
export const IP_ERRORS = {
  full: 'range is full',
  allocated: 'provided IP is already allocated',
  mismatchedNetwork: 'the provided network does not match the current range',
  notInRange: (ip: string, range: string) => `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${range}`,
} as const;

/** An IP allocation failure with upstream's text. */
export class IPAllocationError extends Error {
  constructor(
    message: string,
    readonly full = false,
  ) {
    super(message);
  }
}

/** What the Service allocation logic needs of an allocator of one family. */
export interface ServiceIPAllocator {
  readonly family: Cidr['family'];
  /** Reserves `ip` for `service`; a dry run only checks the range. */
  allocate(ip: string, service: KubeObject, dryRun: boolean): Promise<void>;
  /** Reserves a free address for `service`; a dry run answers the range's network address, as upstream. */
  allocateNext(service: KubeObject, dryRun: boolean): Promise<string>;
  /** Frees `ip`; freeing a free or foreign address does nothing. */
  release(ip: string): Promise<void>;
}

/** The usable addresses of a CIDR as the allocators number them: index 0 is the network address plus one. */
interface Usable {
  first: bigint;
  /** How many addresses from `first` can be handed out. */
  size: bigint;
}

function usable(cidr: Cidr, capped: boolean): Usable {
  let size = rangeSize(cidr) - 1n;
  if (cidr.family === 'IPv4') size -= 1n;
  if (capped && cidr.family === 'IPv6' && size > 65535n) size = 65535n;
  if (size < 0n) size = 0n;
  return { first: cidr.base + 1n, size };
}

/** The primary range as the bitmap allocator has it. */
export class BitmapIPAllocator implements ServiceIPAllocator {
  readonly family: Cidr['family'];
  private readonly record: RangeRecord;
  private readonly usable: Usable;

  constructor(
    store: Store,
    readonly cidr: Cidr,
    random: () => number,
    now: () => Date,
    key: string | undefined = SERVICE_IPS_KEY,
    /** ServiceIPStaticSubrange: dynamic allocation prefers the addresses above the static subrange. */
    staticSubrange = true,
  ) {
    this.family = cidr.family;
    this.usable = usable(cidr, true);
    this.record = new RangeRecord(store, { key: key ?? SERVICE_IPS_KEY, range: cidr.text, max: Number(this.usable.size), offset: staticSubrange ? ipRangeOffset(cidr) : 0 }, random, now);
  }

  /** The bitmap index of `ip`, undefined when the range does not hold it. */
  indexOf(ip: string): number | undefined {
    if (!cidrContains(this.cidr, ip)) return undefined;
    const n = ipToInt(ip, this.family)! - this.usable.first;
    return n < 0n || n >= this.usable.size ? undefined : Number(n);
  }

  /** True when `ip` lies in the CIDR (network and broadcast addresses included), `CIDR().Contains`. */
  contains(ip: string): boolean {
    return cidrContains(this.cidr, ip);
  }

  async allocate(ip: string, _service: KubeObject, dryRun: boolean): Promise<void> {
    const index = this.indexOf(ip);
    if (index === undefined) throw new IPAllocationError(IP_ERRORS.notInRange(ip, this.cidr.text));
    if (dryRun) return;
    if (!(await this.record.allocate(index))) throw new IPAllocationError(IP_ERRORS.allocated);
  }

  async allocateNext(_service: KubeObject, dryRun: boolean): Promise<string> {
    if (dryRun) return intToIP(this.cidr.base, this.family);
    const index = await this.record.allocateNext();
    if (index === undefined) throw new IPAllocationError(IP_ERRORS.full, true);
    return intToIP(this.usable.first + BigInt(index), this.family);
  }

  async release(ip: string): Promise<void> {
    const index = this.indexOf(ip);
    if (index !== undefined) await this.record.release(index);
  }
}

/** What the IPAddress allocator reads and writes through the registry. */
export interface IPAddressTypes {
  ipAddresses: ResourceType;
  serviceCIDRs: ResourceType;
}

/** The IPAddress object that holds `ip` for `service` (ipallocator's createIPAddress). */
export function ipAddressObject(ip: string, family: Cidr['family'], service: KubeObject): KubeObject {
  const meta = service.metadata ?? {};
  return {
    metadata: { name: ip, labels: { [LABEL_IP_FAMILY]: family, [LABEL_MANAGED_BY]: IPALLOCATOR_MANAGER } },
    spec: { parentRef: { resource: 'services', namespace: meta.namespace ?? '', name: meta.name ?? '' } },
  };
}

/** A ServiceCIDR's CIDRs of one family, and whether it may hand out addresses (Ready and not being deleted). */
function cidrsOf(serviceCIDR: KubeObject, family: Cidr['family']): { cidrs: Cidr[]; ready: boolean } {
  const spec = (serviceCIDR.spec ?? {}) as { cidrs?: unknown };
  const cidrs = (Array.isArray(spec.cidrs) ? spec.cidrs : [])
    .map((c) => (typeof c === 'string' ? parseCidr(c) : undefined))
    .filter((c): c is Cidr => c !== undefined && c.family === family);
  const conditions = ((serviceCIDR.status ?? {}) as { conditions?: Array<{ type?: string; status?: string }> }).conditions ?? [];
  const readyCondition = conditions.find((c) => c.type === 'Ready');
  // Upstream's isReady: no Ready condition counts as ready (a cluster without kube-controller-manager).
  const ready = (readyCondition === undefined || readyCondition.status === 'True') && !serviceCIDR.metadata?.deletionTimestamp;
  return { cidrs, ready };
}

/** The MultiCIDRServiceAllocator allocator of one family, optionally dual-writing the bitmap. */
export class IPAddressAllocator implements ServiceIPAllocator {
  constructor(
    readonly family: Cidr['family'],
    private readonly registry: Registry,
    private readonly types: IPAddressTypes,
    private readonly random: () => number,
    /** The bitmap of the primary range while DisableAllocatorDualWrite is off. */
    private readonly bitmap: BitmapIPAllocator | undefined,
  ) {}

  /** The CIDRs of this family in the ServiceCIDRs, with their readiness. */
  private async serviceCIDRs(): Promise<Array<{ cidr: Cidr; ready: boolean }>> {
    const list = await this.registry.list(this.types.serviceCIDRs, '', LIST_EVERYTHING);
    const out: Array<{ cidr: Cidr; ready: boolean }> = [];
    for (const item of list.items) {
      const { cidrs, ready } = cidrsOf(item, this.family);
      for (const cidr of cidrs) {
        const known = out.find((o) => o.cidr.text === cidr.text);
        if (known) known.ready ||= ready;
        else out.push({ cidr, ready });
      }
    }
    return out;
  }

  /** Creates the IPAddress object for `ip`; false when it exists already. */
  private async create(ip: string, service: KubeObject): Promise<boolean> {
    try {
      await this.registry.create(this.types.ipAddresses, '', ipAddressObject(ip, this.family, service));
      return true;
    } catch (err) {
      if (isStatusError(err) && err.code === 409) return false;
      throw err;
    }
  }

  async allocate(ip: string, service: KubeObject, dryRun: boolean): Promise<void> {
    // MetaAllocator.getAllocator: the first Ready ServiceCIDR holding the address.
    const holder = (await this.serviceCIDRs()).find((c) => c.ready && cidrContains(c.cidr, ip));
    if (!holder) throw new IPAllocationError(IP_ERRORS.mismatchedNetwork);
    if (!dryRun && this.bitmap?.contains(ip)) await this.bitmap.allocate(ip, service, false);
    const range = usable(holder.cidr, false);
    const n = ipToInt(ip, this.family)!;
    if (n < range.first || n >= range.first + range.size) throw new IPAllocationError(IP_ERRORS.notInRange(ip, holder.cidr.text));
    if (dryRun) return;
    if (!(await this.create(ip, service))) throw new IPAllocationError(IP_ERRORS.allocated);
  }

  async allocateNext(service: KubeObject, dryRun: boolean): Promise<string> {
    const cidrs = await this.serviceCIDRs();
    if (this.bitmap && !dryRun) {
      // Dual write picks in the bitmap first and confirms with the IPAddress (kubernetes#129798,
      // before 1.33.0): an address only the IPAddress objects know of stays marked and the next is
      // tried, so both allocators agree on every address handed out.
      for (;;) {
        let ip: string;
        try {
          ip = await this.bitmap.allocateNext(service, false);
        } catch {
          break;
        }
        if (await this.create(ip, service)) return ip;
      }
    }
    const taken = new Set((await this.registry.list(this.types.ipAddresses, '', LIST_EVERYTHING)).items.map((i) => i.metadata?.name ?? ''));
    for (const { cidr, ready } of cidrs) {
      if (!ready || (this.bitmap && !dryRun && cidr.text === this.bitmap.cidr.text)) continue;
      if (dryRun) return intToIP(cidr.base, this.family);
      const ip = await this.allocateFrom(cidr, taken, service);
      if (ip !== undefined) return ip;
    }
    throw new IPAllocationError(IP_ERRORS.full, true);
  }

  /** ipallocator's allocateNextService on one CIDR: a random start in the upper subrange, then the lower one. */
  private async allocateFrom(cidr: Cidr, taken: Set<string>, service: KubeObject): Promise<string | undefined> {
    const { first, size } = usable(cidr, false);
    const offset = BigInt(ipRangeOffset(cidr));
    const scan = async (from: bigint, count: bigint): Promise<string | undefined> => {
      if (count <= 0n) return undefined;
      const limit = count > 65536n ? 65536n : count;
      const start = BigInt(Math.floor(this.random() * Number(count)));
      for (let i = 0n; i < limit; i++) {
        const ip = intToIP(first + from + ((start + i) % count), this.family);
        if (taken.has(ip)) continue;
        // Another server may have taken it since the list: try the next one (a mid-air collision).
        if (await this.create(ip, service)) return ip;
        taken.add(ip);
      }
      return undefined;
    };
    return (await scan(offset, size - offset)) ?? (await scan(0n, offset));
  }

  async release(ip: string): Promise<void> {
    if (this.bitmap?.contains(ip)) await this.bitmap.release(ip).catch(() => undefined);
    try {
      await this.registry.delete(this.types.ipAddresses, '', ip);
    } catch {
      // Upstream ignores the error "for compatibility reasons".
    }
  }
}
