/**
 * Where an APIService's Service is reached, as kube-apiserver's endpoint service resolver
 * (`--enable-aggregator-routing=true`): there is no Service IP on one machine, so the Service's
 * port is looked up and the first ready address of its Endpoints (or, when there are none, its
 * EndpointSlices) with that port's target is dialled.
 */
import type { Registry } from '../registry/rest.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import { LIST_EVERYTHING } from '../registry/list-options.js';
import type { KubeObject } from '../registry/object.js';
import { isStatusError } from '../errors/status.js';
import type { ServiceReference } from './apiservice.js';

/** Why a Service could not be resolved, with the reason the availability controller reports. */
export class ResolveError extends Error {
  constructor(
    readonly reason: 'ServiceNotFound' | 'ServiceAccessError' | 'ServicePortError' | 'EndpointsNotFound' | 'MissingEndpoints',
    message: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Resolves Services through the registry. */
export class ServiceResolver {
  constructor(
    private readonly registry: Registry,
    private readonly types: ResourceTypes,
  ) {}

  private async get(group: string, resource: string, ns: string, name: string): Promise<KubeObject | undefined> {
    const type = this.types.lookup(group, 'v1', resource)!;
    try {
      return await this.registry.get(type, ns, name);
    } catch (err) {
      if (isStatusError(err) && err.code === 404) return undefined;
      throw err;
    }
  }

  /** `host:port` of a ready endpoint of `ref`; throws a {@link ResolveError}. */
  async resolve(ref: ServiceReference): Promise<string> {
    const { namespace: ns, name } = ref;
    const port = ref.port ?? 443;
    let service: Obj | undefined;
    try {
      service = (await this.get('', 'services', ns, name)) as Obj | undefined;
    } catch (err) {
      throw new ResolveError('ServiceAccessError', `service/${name} in "${ns}" cannot be checked due to: ${(err as Error).message}`);
    }
    if (!service) throw new ResolveError('ServiceNotFound', `service/${name} in "${ns}" is not present`);
    const svcPort = ((service.spec?.ports ?? []) as Obj[]).find((p) => p.port === port);
    if (!svcPort) throw new ResolveError('ServicePortError', `service/${name} in "${ns}" is not listening on port ${port}`);
    const portName: string = svcPort.name ?? '';
    const endpoints = (await this.get('', 'endpoints', ns, name)) as Obj | undefined;
    const addresses: string[] = [];
    for (const subset of (endpoints?.subsets ?? []) as Obj[]) {
      const p = ((subset.ports ?? []) as Obj[]).find((x) => (x.name ?? '') === portName);
      if (!p) continue;
      for (const a of (subset.addresses ?? []) as Obj[]) addresses.push(`${a.ip}:${p.port}`);
    }
    if (!endpoints) {
      const slicesType = this.types.lookup('discovery.k8s.io', 'v1', 'endpointslices');
      const slices = slicesType ? ((await this.registry.list(slicesType, ns, { ...LIST_EVERYTHING, labelSelector: `kubernetes.io/service-name=${name}` })).items as Obj[]) : [];
      if (slices.length === 0) throw new ResolveError('EndpointsNotFound', `cannot find endpointslices for service/${name} in "${ns}"`);
      for (const s of slices) {
        const p = ((s.ports ?? []) as Obj[]).find((x) => (x.name ?? '') === portName && x.port);
        if (!p) continue;
        for (const e of (s.endpoints ?? []) as Obj[]) if (e.conditions?.ready !== false) for (const a of e.addresses ?? []) addresses.push(`${a}:${p.port}`);
      }
    }
    const first = addresses[0];
    if (!first) throw new ResolveError('MissingEndpoints', `endpointslices for service/${name} in "${ns}" have no addresses with port name "${portName}"`);
    return first;
  }
}
