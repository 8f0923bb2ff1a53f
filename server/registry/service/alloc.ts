/**
 * What a Service write allocates and frees, as upstream's Service REST storage
 * (pkg/registry/core/service/storage/alloc.go and storage.go's begin/after hooks): before a create
 * is validated, the IP family fields are initialised from the cluster's ranges, ClusterIPs are
 * allocated (requested ones reserved, missing ones picked), and NodePorts and the
 * healthCheckNodePort are allocated for the types that need them; an update first patches back
 * the allocated values a client left out, then allocates what the new type needs and frees, once
 * the write succeeded, what it no longer needs; a deletion frees everything (and removes the
 * Service's Endpoints, as upstream's afterDelete does). A write that fails after allocating gives
 * the allocations back.
 *
 * Upstream's error texts: `spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate
 * IP 10.0.0.5: provided IP is already allocated`, `spec.ports[0].nodePort: Invalid value: 30000:
 * provided port is already allocated`, and the 500 `failed to allocate a serviceIP: range is full`.
 */
import { internalError, invalid as invalidStatus, isStatusError } from '../../errors/status.js';
import { arr, invalid, obj, str } from '../kinds/field.js';
import { isIPv6String } from '../kinds/ip.js';
import { validateClusterIPsRelatedFields } from '../kinds/services.js';
import type { KubeObject } from '../object.js';
import type { IPAllocationError, ServiceIPAllocator } from './ip-allocator.js';
import type { PortAllocator, PortOperation } from './port-allocator.js';

type Spec = Record<string, unknown>;
type Family = 'IPv4' | 'IPv6';

const SERVICE_KIND = { group: '', kind: 'Service' };

/** One write's allocations: commit when the object was stored, revert when it was not. */
export interface AllocationTransaction {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

/** The cluster's allocators. */
export interface ServiceAllocatorsConfig {
  /** One ClusterIP allocator per configured family, the primary range's first. */
  ipAllocators: ReadonlyMap<Family, ServiceIPAllocator>;
  defaultFamily: Family;
  ports: PortAllocator;
}

function specOf(svc: KubeObject): Spec {
  if (svc.spec === undefined || svc.spec === null) svc.spec = {};
  return svc.spec as Spec;
}

function nameOf(svc: KubeObject): string {
  return svc.metadata?.name ?? '';
}

function ipsOf(spec: Spec): string[] {
  return arr(spec['clusterIPs']).map(str);
}

function familiesOf(spec: Spec): Family[] {
  return arr(spec['ipFamilies']).map(str) as Family[];
}

function familyOf(ip: string): Family {
  return isIPv6String(ip) ? 'IPv6' : 'IPv4';
}

function isHeadless(spec: Spec): boolean {
  const ips = ipsOf(spec);
  return ips.length > 0 && ips[0] === 'None';
}

function needsClusterIP(spec: Spec): boolean {
  return spec['type'] !== 'ExternalName';
}

function needsNodePort(spec: Spec): boolean {
  return spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer';
}

/** `NeedsHealthCheck`: a LoadBalancer with externalTrafficPolicy Local. */
export function needsHealthCheck(spec: Spec): boolean {
  return spec['type'] === 'LoadBalancer' && spec['externalTrafficPolicy'] === 'Local';
}

function shouldAllocateNodePorts(spec: Spec): boolean {
  if (spec['type'] === 'NodePort') return true;
  if (spec['type'] === 'LoadBalancer') return spec['allocateLoadBalancerNodePorts'] !== false;
  return false;
}

function portsOf(spec: Spec): Array<Record<string, unknown>> {
  return arr(spec['ports']).map((p) => obj(p));
}

function nodePortOf(port: Record<string, unknown>): number {
  return typeof port['nodePort'] === 'number' ? port['nodePort'] : 0;
}

function collectNodePorts(spec: Spec): number[] {
  return portsOf(spec).map(nodePortOf).filter((n) => n !== 0);
}

function hcnpOf(spec: Spec): number {
  return typeof spec['healthCheckNodePort'] === 'number' ? spec['healthCheckNodePort'] : 0;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

/** Throws upstream's 422 for `errors` on the Service. */
function refuse(svc: KubeObject, errors: ReturnType<typeof invalid>[]): never {
  throw invalidStatus(SERVICE_KIND, nameOf(svc), errors);
}

/**
 * `patchAllocatedValues`: an update that leaves out the ClusterIPs, NodePorts or
 * healthCheckNodePort the Service already holds (a PUT of a manifest, `kubectl apply`) keeps them.
 */
export function patchAllocatedValues(spec: Spec, oldSpec: Spec): void {
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!str(spec['clusterIP']) && oldSpec['clusterIP'] !== undefined) spec['clusterIP'] = oldSpec['clusterIP'];
    if (ipsOf(spec).length === 0 && ipsOf(oldSpec).length > 0) spec['clusterIPs'] = [...ipsOf(oldSpec)];
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const newPorts = new Set(collectNodePorts(spec));
    const used = new Set(collectNodePorts(oldSpec).filter((p) => newPorts.has(p)));
    const byName = new Map(portsOf(oldSpec).map((p) => [str(p['name']), nodePortOf(p)]));
    for (const p of portsOf(spec)) {
      if (nodePortOf(p) !== 0) continue;
      const old = byName.get(str(p['name'])) ?? 0;
      if (old !== 0 && !used.has(old)) p['nodePort'] = old;
    }
  }
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && hcnpOf(spec) === 0 && hcnpOf(oldSpec) !== 0) spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
}

/**
 * The strategy's `dropTypeDependentFields`: an update that changes the type away from one that
 * needed a field, and left the field as it was, loses it.
 */
export function dropTypeDependentFields(spec: Spec, oldSpec: Spec): void {
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (same(spec['clusterIPs'], oldSpec['clusterIPs'])) {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
    }
    if (same(spec['ipFamilies'], oldSpec['ipFamilies'])) delete spec['ipFamilies'];
    if ((spec['ipFamilyPolicy'] ?? null) === (oldSpec['ipFamilyPolicy'] ?? null)) delete spec['ipFamilyPolicy'];
  }
  if (needsNodePort(oldSpec) && !needsNodePort(spec) && same(collectNodePorts(spec), collectNodePorts(oldSpec))) {
    for (const p of portsOf(spec)) delete p['nodePort'];
  }
  if (needsHealthCheck(oldSpec) && !needsHealthCheck(spec) && hcnpOf(spec) === hcnpOf(oldSpec)) delete spec['healthCheckNodePort'];
  if (oldSpec['type'] === 'LoadBalancer' && spec['type'] !== 'LoadBalancer') {
    if (spec['allocateLoadBalancerNodePorts'] !== undefined && spec['allocateLoadBalancerNodePorts'] === oldSpec['allocateLoadBalancerNodePorts']) delete spec['allocateLoadBalancerNodePorts'];
    if (spec['loadBalancerClass'] !== undefined && spec['loadBalancerClass'] === oldSpec['loadBalancerClass']) delete spec['loadBalancerClass'];
  }
  const externallyAccessible = (s: Spec) => s['type'] === 'LoadBalancer' || s['type'] === 'NodePort' || (s['type'] === 'ClusterIP' && arr(s['externalIPs']).length > 0);
  if (externallyAccessible(oldSpec) && !externallyAccessible(spec) && spec['externalTrafficPolicy'] === oldSpec['externalTrafficPolicy']) delete spec['externalTrafficPolicy'];
}

function all(txns: AllocationTransaction[]): AllocationTransaction {
  return {
    commit: async () => {
      for (const t of txns) await t.commit();
    },
    revert: async () => {
      for (const t of txns) await t.revert();
    },
  };
}

/** The Service allocators of one server (upstream's `Allocators`). */
export class ServiceAllocators {
  constructor(private readonly config: ServiceAllocatorsConfig) {}

  /** `allocateCreate`: fills the IP family fields, ClusterIPs and NodePorts of a new Service. */
  async allocateCreate(svc: KubeObject, dryRun: boolean): Promise<AllocationTransaction> {
    this.initIPFamilyFields(svc, undefined);
    const ips = await this.txnAllocClusterIPs(svc, dryRun);
    try {
      const ports = await this.txnAllocNodePorts(svc, dryRun);
      return all([ips, ports]);
    } catch (err) {
      await ips.revert();
      throw err;
    }
  }

  /** `beginUpdate`: patches back the allocated values, then allocates and frees what the change needs. */
  async allocateUpdate(svc: KubeObject, old: KubeObject, dryRun: boolean): Promise<AllocationTransaction> {
    const spec = specOf(svc);
    const oldSpec = specOf(old);
    patchAllocatedValues(spec, oldSpec);
    this.initIPFamilyFields(svc, old);
    const ips = await this.txnUpdateClusterIPs(svc, old, dryRun);
    try {
      const ports = await this.txnUpdateNodePorts(svc, old, dryRun);
      dropTypeDependentFields(spec, oldSpec);
      return all([ips, ports]);
    } catch (err) {
      await ips.revert();
      throw err;
    }
  }

  /** `releaseAllocatedResources`: frees a deleted Service's ClusterIPs, NodePorts and healthCheckNodePort. */
  async releaseAllocated(svc: KubeObject): Promise<void> {
    const spec = specOf(svc);
    await this.releaseClusterIPs(spec);
    for (const port of collectNodePorts(spec)) await this.config.ports.release(port).catch(() => undefined);
    if (needsHealthCheck(spec) && hcnpOf(spec) > 0) await this.config.ports.release(hcnpOf(spec)).catch(() => undefined);
  }

  /** `initIPFamilyFields`: ipFamilyPolicy and ipFamilies from the request, the old object and the cluster's ranges. */
  private initIPFamilyFields(svc: KubeObject, old: KubeObject | undefined): void {
    const spec = specOf(svc);
    if (spec['type'] === 'ExternalName') return;
    const oldSpec = old ? specOf(old) : undefined;
    if (oldSpec && this.matchingPreferDualStack(spec, oldSpec)) return;
    if (spec['ipFamilyPolicy'] === undefined || spec['ipFamilyPolicy'] === null) {
      if (oldSpec && oldSpec['ipFamilyPolicy'] !== undefined && oldSpec['ipFamilyPolicy'] !== null) spec['ipFamilyPolicy'] = oldSpec['ipFamilyPolicy'];
      else if (spec['clusterIP'] === 'None' && Object.keys(obj(spec['selector'])).length === 0) spec['ipFamilyPolicy'] = 'RequireDualStack';
      else spec['ipFamilyPolicy'] = 'SingleStack';
    }
    const pre = validateClusterIPsRelatedFields(spec);
    if (pre.length > 0) refuse(svc, pre);
    const errs: ReturnType<typeof invalid>[] = [];
    const policy = str(spec['ipFamilyPolicy']);
    if (oldSpec) {
      if (policy === 'SingleStack') {
        if (same(ipsOf(spec), ipsOf(oldSpec)) && ipsOf(spec).length > 1) spec['clusterIPs'] = ipsOf(spec).slice(0, 1);
        if (same(familiesOf(spec), familiesOf(oldSpec)) && familiesOf(spec).length > 1) spec['ipFamilies'] = familiesOf(spec).slice(0, 1);
      } else {
        if (ipsOf(spec).length > 0 && ipsOf(spec).length < ipsOf(oldSpec).length) errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary cluster IP"));
        if (familiesOf(spec).length > 0 && familiesOf(spec).length < familiesOf(oldSpec).length) errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary IP family"));
      }
    }
    if (policy === 'SingleStack') {
      if (ipsOf(spec).length === 2) errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
      if (familiesOf(spec).length === 2) errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
    const ips = ipsOf(spec);
    for (let i = 0; i < ips.length; i++) {
      const ip = ips[i]!;
      if (ip === 'None') break;
      if (i < familiesOf(spec).length) continue;
      const fam = familyOf(ip);
      if (!this.config.ipAllocators.has(fam)) errs.push(invalid(`spec.clusterIPs[${i}]`, ips, `${fam} is not configured on this cluster`));
      else spec['ipFamilies'] = [...familiesOf(spec), fam];
    }
    if (errs.length > 0) refuse(svc, errs);
    if (spec['clusterIP'] === 'None' && Object.keys(obj(spec['selector'])).length === 0) {
      if (familiesOf(spec).length === 0) spec['ipFamilies'] = [this.config.defaultFamily];
      if (familiesOf(spec).length < 2 && spec['ipFamilyPolicy'] !== 'SingleStack') spec['ipFamilies'] = [...familiesOf(spec), familiesOf(spec)[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
      return;
    }
    if (spec['ipFamilyPolicy'] === 'RequireDualStack' && this.config.ipAllocators.size < 2) {
      errs.push(invalid('spec.ipFamilyPolicy', spec['ipFamilyPolicy'], 'this cluster is not configured for dual-stack services'));
    }
    familiesOf(spec).forEach((fam, i) => {
      if (!this.config.ipAllocators.has(fam)) errs.push(invalid(`spec.ipFamilies[${i}]`, fam, 'not configured on this cluster'));
    });
    if (errs.length > 0) refuse(svc, errs);
    if (familiesOf(spec).length === 0) spec['ipFamilies'] = [this.config.defaultFamily];
    if (spec['ipFamilyPolicy'] !== 'SingleStack' && familiesOf(spec).length === 1 && this.config.ipAllocators.size === 2) {
      spec['ipFamilies'] = [...familiesOf(spec), familiesOf(spec)[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
    }
  }

  /** `isMatchingPreferDualStackClusterIPFields`. */
  private matchingPreferDualStack(spec: Spec, oldSpec: Spec): boolean {
    if (spec['ipFamilyPolicy'] === undefined || spec['ipFamilyPolicy'] === null) return false;
    if (oldSpec['type'] !== spec['type']) return false;
    if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(str(spec['type']))) return false;
    if (spec['ipFamilyPolicy'] !== 'PreferDualStack' || (oldSpec['ipFamilyPolicy'] !== undefined && oldSpec['ipFamilyPolicy'] !== 'PreferDualStack')) return false;
    return same(ipsOf(spec), ipsOf(oldSpec)) && same(familiesOf(spec), familiesOf(oldSpec));
  }

  /** `allocIPs`: reserves the requested addresses and picks the missing ones, by family. */
  private async allocIPs(svc: KubeObject, toAlloc: Map<Family, string>, dryRun: boolean): Promise<Map<Family, string>> {
    const allocated = new Map<Family, string>();
    try {
      for (const [family, ip] of toAlloc) {
        const allocator = this.config.ipAllocators.get(family)!;
        if (ip === '') {
          try {
            allocated.set(family, await allocator.allocateNext(svc, dryRun));
          } catch (err) {
            throw internalError(`failed to allocate a serviceIP: ${(err as IPAllocationError).message}`);
          }
        } else {
          try {
            await allocator.allocate(ip, svc, dryRun);
          } catch (err) {
            if (isStatusError(err)) throw err;
            refuse(svc, [invalid('spec.clusterIPs', ipsOf(specOf(svc)), `failed to allocate IP ${ip}: ${(err as Error).message}`)]);
          }
          allocated.set(family, ip);
        }
      }
    } catch (err) {
      if (!dryRun) await this.releaseIPs(allocated);
      throw err;
    }
    return allocated;
  }

  private async releaseIPs(ips: Map<Family, string>): Promise<void> {
    for (const [family, ip] of ips) await this.config.ipAllocators.get(family)?.release(ip).catch(() => undefined);
  }

  /** `allocClusterIPs`: every family of ipFamilies gets its address, into clusterIPs (and clusterIP). */
  private async allocClusterIPs(svc: KubeObject, dryRun: boolean): Promise<Map<Family, string>> {
    const spec = specOf(svc);
    if (spec['type'] === 'ExternalName' || isHeadless(spec)) return new Map();
    const ips = ipsOf(spec);
    const toAlloc = new Map<Family, string>();
    familiesOf(spec).forEach((family, i) => {
      if (i >= ips.length) ips.push('');
      toAlloc.set(family, ips[i]!);
    });
    spec['clusterIPs'] = ips;
    const allocated = await this.allocIPs(svc, toAlloc, dryRun);
    familiesOf(spec).forEach((family, i) => {
      const ip = allocated.get(family);
      if (ip === undefined) return;
      ips[i] = ip;
      if (i === 0) spec['clusterIP'] = ip;
    });
    return allocated;
  }

  private async txnAllocClusterIPs(svc: KubeObject, dryRun: boolean): Promise<AllocationTransaction> {
    const allocated = await this.allocClusterIPs(svc, dryRun);
    return { commit: async () => undefined, revert: async () => (dryRun ? undefined : this.releaseIPs(allocated)) };
  }

  private async txnUpdateClusterIPs(svc: KubeObject, old: KubeObject, dryRun: boolean): Promise<AllocationTransaction> {
    const { allocated, toRelease } = await this.updateClusterIPs(svc, old, dryRun);
    return {
      commit: async () => (dryRun ? undefined : this.releaseIPs(toRelease)),
      revert: async () => (dryRun ? undefined : this.releaseIPs(allocated)),
    };
  }

  /** `updateClusterIPs`: type changes to and from ExternalName, dual-stack upgrades and downgrades. */
  private async updateClusterIPs(svc: KubeObject, old: KubeObject, dryRun: boolean): Promise<{ allocated: Map<Family, string>; toRelease: Map<Family, string> }> {
    const spec = specOf(svc);
    const oldSpec = specOf(old);
    const none = { allocated: new Map<Family, string>(), toRelease: new Map<Family, string>() };
    if (this.matchingPreferDualStack(spec, oldSpec)) return none;
    if (oldSpec['type'] === 'ExternalName' && spec['type'] !== 'ExternalName') return { allocated: await this.allocClusterIPs(svc, dryRun), toRelease: new Map() };
    if (isHeadless(oldSpec)) return none;
    if (oldSpec['type'] !== 'ExternalName' && spec['type'] === 'ExternalName') {
      const toRelease = new Map<Family, string>();
      familiesOf(oldSpec).forEach((family, i) => {
        const ip = ipsOf(oldSpec)[i];
        if (ip) toRelease.set(family, ip);
      });
      return { allocated: new Map(), toRelease };
    }
    const oldFamilies = familiesOf(oldSpec);
    const families = familiesOf(spec);
    if (oldFamilies.length === 1 && families.length === 2) {
      const ips = ipsOf(spec);
      if (ips.length < 2) ips.push('');
      spec['clusterIPs'] = ips;
      const allocated = await this.allocIPs(svc, new Map([[families[1]!, ips[1]!]]), dryRun);
      ips[1] = allocated.get(families[1]!)!;
      return { allocated, toRelease: new Map() };
    }
    if (oldFamilies.length === 2 && families.length === 1) {
      return { allocated: new Map(), toRelease: new Map([[oldFamilies[1]!, ipsOf(oldSpec)[1]!]]) };
    }
    return none;
  }

  private async releaseClusterIPs(spec: Spec): Promise<void> {
    if (spec['type'] === 'ExternalName' || isHeadless(spec)) return;
    const toRelease = new Map<Family, string>();
    for (const ip of ipsOf(spec)) if (ip) toRelease.set(familyOf(ip), ip);
    await this.releaseIPs(toRelease);
  }

  /** `txnAllocNodePorts`: NodePorts for NodePort and LoadBalancer Services, and the healthCheckNodePort. */
  private async txnAllocNodePorts(svc: KubeObject, dryRun: boolean): Promise<AllocationTransaction> {
    const op = this.config.ports.operation(dryRun);
    const spec = specOf(svc);
    try {
      if (needsNodePort(spec)) await this.initNodePorts(svc, op);
      if (needsHealthCheck(spec)) await this.allocHealthCheckNodePort(spec, op);
    } catch (err) {
      await op.revert();
      throw err;
    }
    return { commit: () => op.commit(), revert: () => op.revert() };
  }

  /** `initNodePorts`: one NodePort per service port number, requested ones reserved. */
  private async initNodePorts(svc: KubeObject, op: PortOperation): Promise<void> {
    const spec = specOf(svc);
    const ports = portsOf(spec);
    const byServicePort = new Map<number, number>();
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]!;
      const servicePort = typeof port['port'] === 'number' ? port['port'] : 0;
      if (nodePortOf(port) === 0 && !shouldAllocateNodePorts(spec)) continue;
      const already = byServicePort.get(servicePort) ?? 0;
      if (already === 0) {
        const requested = ports.find((p) => p['port'] === servicePort && nodePortOf(p) !== 0);
        const np = requested ? nodePortOf(requested) : 0;
        if (np !== 0) {
          await this.reserve(svc, op, np, i);
          port['nodePort'] = np;
          byServicePort.set(servicePort, np);
        } else {
          port['nodePort'] = await this.nextPort(op);
          byServicePort.set(servicePort, nodePortOf(port));
        }
      } else if (nodePortOf(port) !== already) {
        if (nodePortOf(port) === 0) port['nodePort'] = already;
        else await this.reserve(svc, op, nodePortOf(port), i);
      }
    }
  }

  private async reserve(svc: KubeObject, op: PortOperation, port: number, index: number): Promise<void> {
    try {
      await op.allocate(port);
    } catch (err) {
      if (isStatusError(err)) throw err;
      refuse(svc, [invalid(`spec.ports[${index}].nodePort`, port, (err as Error).message)]);
    }
  }

  private async nextPort(op: PortOperation): Promise<number> {
    try {
      return await op.allocateNext();
    } catch (err) {
      throw internalError(`failed to allocate a nodePort: ${(err as Error).message}`);
    }
  }

  /** `allocHealthCheckNodePort`: the requested port reserved, or one picked. */
  private async allocHealthCheckNodePort(spec: Spec, op: PortOperation): Promise<void> {
    const requested = hcnpOf(spec);
    if (requested !== 0) {
      try {
        await op.allocate(requested);
      } catch (err) {
        throw internalError(`failed to allocate requested HealthCheck NodePort ${requested}: ${(err as Error).message}`);
      }
      return;
    }
    try {
      spec['healthCheckNodePort'] = await op.allocateNext();
    } catch (err) {
      throw internalError(`failed to allocate a HealthCheck NodePort 0: ${(err as Error).message}`);
    }
  }

  /** `txnUpdateNodePorts`. */
  private async txnUpdateNodePorts(svc: KubeObject, old: KubeObject, dryRun: boolean): Promise<AllocationTransaction> {
    const op = this.config.ports.operation(dryRun);
    const spec = specOf(svc);
    const oldSpec = specOf(old);
    try {
      if (needsNodePort(oldSpec) && (spec['type'] === 'ExternalName' || spec['type'] === 'ClusterIP')) {
        for (const port of collectNodePorts(oldSpec)) op.releaseDeferred(port);
      }
      if (needsNodePort(spec)) await this.updateNodePorts(svc, oldSpec, op);
      const needed = needsHealthCheck(oldSpec);
      const needs = needsHealthCheck(spec);
      if (!needed && needs) await this.allocHealthCheckNodePort(spec, op);
      else if (needed && !needs) op.releaseDeferred(hcnpOf(oldSpec));
    } catch (err) {
      await op.revert();
      throw err;
    }
    return { commit: () => op.commit(), revert: () => op.revert() };
  }

  /** `updateNodePorts`: new ports allocated, dropped ones freed on commit. */
  private async updateNodePorts(svc: KubeObject, oldSpec: Spec, op: PortOperation): Promise<void> {
    const spec = specOf(svc);
    const oldNumbers = collectNodePorts(oldSpec);
    const taken = new Set<number>();
    const seen = new Set<string>();
    const ports = portsOf(spec);
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]!;
      if (nodePortOf(port) === 0 && !shouldAllocateNodePorts(spec)) continue;
      let np = nodePortOf(port);
      if (np !== 0) {
        if (!oldNumbers.includes(np) && !taken.has(np)) {
          await this.reserve(svc, op, np, i);
          taken.add(np);
        }
      } else {
        np = await this.nextPort(op);
        port['nodePort'] = np;
      }
      const key = `${str(port['protocol'])}/${np}`;
      if (seen.has(key)) throw internalError(`duplicate nodePort: {${str(port['protocol'])} ${np}}`);
      seen.add(key);
    }
    const now = collectNodePorts(spec);
    for (const old of oldNumbers) if (!now.includes(old)) op.releaseDeferred(old);
  }
}

