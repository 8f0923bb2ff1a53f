/**
 * The Service write hooks of one server: its ClusterIP allocators, chosen by the minor's gates
 * (the bitmap, or IPAddress objects when MultiCIDRServiceAllocator is on and networking.k8s.io
 * serves them, dual-writing the bitmap while DisableAllocatorDualWrite is off), its NodePort
 * allocator, and the hooks the registry calls on Service creates, updates and deletes.
 */
import type { Store } from '../../../storage/store.js';
import { featureEnabled } from '../../../versions/features.js';
import type { KubeObject } from '../object.js';
import type { ResourceType, ResourceTypes } from '../resource-type.js';
import type { Registry } from '../rest.js';
import type { KindWriteHooks, WriteHooks } from '../write-hooks.js';
import { ServiceAllocators } from './alloc.js';
import type { Cidr } from './cidr.js';
import { BitmapIPAllocator, IPAddressAllocator, SECONDARY_SERVICE_IPS_KEY, type ServiceIPAllocator } from './ip-allocator.js';
import { PortAllocator, type PortRange } from './port-allocator.js';

/** What the Service hooks are built from. */
export interface ServiceHooksDeps {
  store: Store;
  registry: Registry;
  types: ResourceTypes;
  minor: string;
  featureGates: ReadonlyMap<string, boolean>;
  /** The parsed `--service-cluster-ip-range`: primary first, then an optional secondary of the other family. */
  serviceCIDRs: readonly Cidr[];
  nodePortRange: PortRange;
  random: () => number;
  now: () => Date;
}

/** Which ClusterIP allocator a server runs. */
export type IPAllocatorMode = 'bitmap' | 'ipaddress' | 'ipaddress+bitmap';

/** The hooks and what they were built with. */
export interface ServiceHooks extends WriteHooks {
  mode: IPAllocatorMode;
  allocators: ServiceAllocators;
}

/** Builds the Service write hooks of a server. */
export function serviceWriteHooks(deps: ServiceHooksDeps): ServiceHooks {
  const { store, registry, types, minor, featureGates, random, now } = deps;
  const ipAddresses = types.preferred('networking.k8s.io', 'ipaddresses');
  const serviceCIDRs = types.preferred('networking.k8s.io', 'servicecidrs');
  const multiCIDR = featureEnabled(featureGates, 'MultiCIDRServiceAllocator', minor) && ipAddresses !== undefined && serviceCIDRs !== undefined;
  const dualWrite = multiCIDR && !featureEnabled(featureGates, 'DisableAllocatorDualWrite', minor);
  const staticIPSubrange = featureEnabled(featureGates, 'ServiceIPStaticSubrange', minor);
  const ipAllocators = new Map<Cidr['family'], ServiceIPAllocator>();
  deps.serviceCIDRs.forEach((cidr, i) => {
    const key = i === 0 ? undefined : SECONDARY_SERVICE_IPS_KEY;
    const bitmap = new BitmapIPAllocator(store, cidr, random, now, key, staticIPSubrange);
    if (!multiCIDR) ipAllocators.set(cidr.family, bitmap);
    else ipAllocators.set(cidr.family, new IPAddressAllocator(cidr.family, registry, { ipAddresses: ipAddresses!, serviceCIDRs: serviceCIDRs! }, random, dualWrite ? bitmap : undefined));
  });
  const ports = new PortAllocator(store, deps.nodePortRange, featureEnabled(featureGates, 'ServiceNodePortStaticSubrange', minor), random, now);
  const allocators = new ServiceAllocators({ ipAllocators, defaultFamily: deps.serviceCIDRs[0]!.family, ports });
  const endpoints = types.lookup('', 'v1', 'endpoints');
  const services: KindWriteHooks = {
    beginCreate: (obj, dryRun) => allocators.allocateCreate(obj, dryRun),
    beginUpdate: (obj, old, dryRun) => allocators.allocateUpdate(obj, old, dryRun),
    async afterDelete(obj: KubeObject) {
      // Upstream's afterDelete removes the Service's Endpoints too, lest a new Service of the name
      // find stale ones, then frees the allocations.
      if (endpoints) await deleteQuietly(registry, endpoints, obj);
      await allocators.releaseAllocated(obj).catch(() => undefined);
    },
  };
  return {
    mode: !multiCIDR ? 'bitmap' : dualWrite ? 'ipaddress+bitmap' : 'ipaddress',
    allocators,
    forType: (type) => (type.group === '' && type.resource === 'services' ? services : undefined),
  };
}

async function deleteQuietly(registry: Registry, type: ResourceType, svc: KubeObject): Promise<void> {
  try {
    await registry.delete(type, svc.metadata?.namespace ?? '', svc.metadata?.name ?? '');
  } catch {
    // NotFound is the common case; upstream only logs the others.
  }
}
