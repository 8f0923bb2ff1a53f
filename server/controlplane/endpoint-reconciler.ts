/**
 * The lease endpoint reconciler (upstream's default `--endpoint-reconciler-type=lease`,
 * pkg/controlplane/reconcilers/lease.go with its EndpointsAdapter): each reconcile refreshes this
 * server's `/masterleases/` record, lists every live record and, when `default/kubernetes`
 * Endpoints or its EndpointSlice do not list exactly those servers, rewrites them. Removing a
 * server deletes its record and reconciles at once. When no record is left, the objects are kept
 * and the reconcile fails with upstream's `refusing to erase all endpoints` error (at start, a
 * lone server removing a stale record of its own meets it, as upstream's logs show), except while
 * a server stops in a minor that lets the last server remove its own address
 * (`removesLastEndpointOnStop`): then the Endpoints is left without subsets and the slice without
 * endpoints.
 *
 * On one machine the servers differ by port, not address (see master-leases.ts), so the objects
 * group servers by port: Endpoints has one subset per port (upstream: one subset, one port for
 * all) and there is one EndpointSlice per port, the first named `kubernetes` as upstream's only
 * one is, the others `kubernetes-<port>`, all labelled `kubernetes.io/service-name=kubernetes`.
 * Servers sharing a port (distinct advertise addresses) share one subset and one slice, which is
 * upstream's layout exactly.
 */
import { isIPv6 } from 'node:net';
import { isStatusError } from '../errors/status.js';
import type { KubeObject } from '../registry/object.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceType, ResourceTypes } from '../registry/resource-type.js';
import { LIST_EVERYTHING } from '../registry/list-options.js';
import type { MasterLease, MasterLeases } from './master-leases.js';

/** The Service (and Endpoints, and first EndpointSlice) name. */
export const KUBERNETES_SERVICE_NAME = 'kubernetes';
/** Its namespace. */
export const KUBERNETES_SERVICE_NAMESPACE = 'default';
/** The label that keeps the EndpointSlice mirroring controller away (`discovery.LabelSkipMirror`). */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** The label naming a slice's Service (`discovery.LabelServiceName`). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Upstream's error when no lease is listed (worded so until #116685, then `no API server IP addresses …`). */
export const NO_MASTER_IPS = 'no master IPs were listed in storage, refusing to erase all endpoints for the kubernetes service';

type Obj = KubeObject & Record<string, unknown>;

/**
 * The servers of one machine advertise loopback addresses, which upstream's Endpoints validation
 * refuses; the reconciler's own writes are let through (see `allowLoopbackEndpoints`).
 */
const LOOPBACK_OK = { allowLoopbackEndpoints: true } as const;

interface PortGroup {
  port: number;
  ips: string[];
}

/** The live servers grouped by port, ports ascending, addresses sorted (upstream's lexicographic order). */
function groupByPort(leases: MasterLease[]): PortGroup[] {
  const byPort = new Map<number, Set<string>>();
  for (const l of leases) byPort.set(l.port, (byPort.get(l.port) ?? new Set()).add(l.ip));
  return [...byPort.entries()].sort(([a], [b]) => a - b).map(([port, ips]) => ({ port, ips: [...ips].sort() }));
}

const endpointPort = (port: number) => ({ name: 'https', port, protocol: 'TCP' });

function sliceName(index: number, port: number): string {
  return index === 0 ? KUBERNETES_SERVICE_NAME : `${KUBERNETES_SERVICE_NAME}-${port}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What the reconciler needs. */
export interface EndpointReconcilerDeps {
  registry: Registry;
  types: ResourceTypes;
  leases: MasterLeases;
  /** The minor's fact: a stopping last server removes its own address. */
  removesLastEndpointOnStop: boolean;
}

/** Keeps `default/kubernetes` Endpoints and EndpointSlices in line with the live servers. */
export class LeaseEndpointReconciler {
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: EndpointReconcilerDeps) {}

  /** Refresh this server's record, then reconcile; nothing once reconciling has stopped. */
  reconcile(self: MasterLease): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) return;
      await this.deps.leases.update(self);
      await this.write();
    });
  }

  /** Remove this server's record and reconcile the objects without it. */
  remove(self: MasterLease): Promise<void> {
    return this.serial(async () => {
      await this.deps.leases.remove(self);
      await this.write();
    });
  }

  /** Stop further reconciles (a stopping server only removes itself). */
  stopReconciling(): void {
    this.stopped = true;
  }

  /** One reconcile at a time, as upstream's reconcilingLock. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.running.then(fn, fn);
    this.running = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    const groups = groupByPort(await this.deps.leases.list());
    if (groups.length === 0 && !(this.stopped && this.deps.removesLastEndpointOnStop)) throw new Error(NO_MASTER_IPS);
    await this.writeEndpoints(groups);
    await this.writeSlices(groups);
  }

  private type(group: string, version: string, resource: string): ResourceType | undefined {
    return this.deps.types.lookup(group, version, resource);
  }

  private async current(type: ResourceType, name: string): Promise<Obj | undefined> {
    try {
      return (await this.deps.registry.get(type, KUBERNETES_SERVICE_NAMESPACE, name)) as Obj;
    } catch (err) {
      if (isStatusError(err) && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Create, or update when the subsets or labels differ (a conflict waits for the next reconcile). */
  private async put(type: ResourceType, name: string, existing: Obj | undefined, desired: Obj, differs: (cur: Obj) => boolean): Promise<void> {
    const { registry } = this.deps;
    if (!existing) {
      try {
        await registry.create(type, KUBERNETES_SERVICE_NAMESPACE, { ...desired, metadata: { name, namespace: KUBERNETES_SERVICE_NAMESPACE, ...desired.metadata } }, LOOPBACK_OK);
      } catch (err) {
        if (!(isStatusError(err) && err.code === 409)) throw err;
      }
      return;
    }
    if (!differs(existing)) return;
    await registry.update(type, KUBERNETES_SERVICE_NAMESPACE, name, { ...existing, ...desired, metadata: { ...existing.metadata, ...desired.metadata } }, LOOPBACK_OK);
  }

  private async writeEndpoints(groups: PortGroup[]): Promise<void> {
    const type = this.type('', 'v1', 'endpoints');
    if (!type) return;
    const labels = { [LABEL_SKIP_MIRROR]: 'true' };
    const subsets = groups.map((g) => ({ addresses: g.ips.map((ip) => ({ ip })), ports: [endpointPort(g.port)] }));
    const existing = await this.current(type, KUBERNETES_SERVICE_NAME);
    await this.put(type, KUBERNETES_SERVICE_NAME, existing, { metadata: { labels }, subsets } as Obj, (cur) => !same(cur.subsets, subsets) || !same(cur.metadata?.labels, labels));
  }

  private async writeSlices(groups: PortGroup[]): Promise<void> {
    const type = this.type('discovery.k8s.io', 'v1', 'endpointslices');
    if (!type) return;
    const { registry } = this.deps;
    const labels = { [LABEL_SERVICE_NAME]: KUBERNETES_SERVICE_NAME };
    const listed = await registry.list(type, KUBERNETES_SERVICE_NAMESPACE, { ...LIST_EVERYTHING, labelSelector: `${LABEL_SERVICE_NAME}=${KUBERNETES_SERVICE_NAME}` });
    const existing = new Map(listed.items.map((o) => [o.metadata?.name ?? '', o as Obj]));
    const wanted = new Set<string>();
    if (groups.length === 0) {
      // The last server has gone: the slice stays, empty, as the adapter leaves it.
      wanted.add(KUBERNETES_SERVICE_NAME);
      const cur = existing.get(KUBERNETES_SERVICE_NAME);
      const empty = { metadata: { labels }, addressType: cur?.addressType ?? 'IPv4', endpoints: [], ports: [] } as unknown as Obj;
      await this.put(type, KUBERNETES_SERVICE_NAME, cur, empty, (c) => !same(c.endpoints ?? [], []) || !same(c.ports ?? [], []));
    }
    for (const [i, g] of groups.entries()) {
      const name = sliceName(i, g.port);
      wanted.add(name);
      const addressType = isIPv6(g.ips[0]!) ? 'IPv6' : 'IPv4';
      const endpoints = g.ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } }));
      const ports = [endpointPort(g.port)];
      const desired = { metadata: { labels }, addressType, endpoints, ports } as unknown as Obj;
      const cur = existing.get(name);
      if (cur && cur.addressType !== addressType) {
        // addressType is immutable: replace the slice, as upstream's adapter does for a changed family.
        await registry.delete(type, KUBERNETES_SERVICE_NAMESPACE, name).catch((err: unknown) => {
          if (!(isStatusError(err) && err.code === 404)) throw err;
        });
        await this.put(type, name, undefined, desired, () => true);
        continue;
      }
      await this.put(type, name, cur, desired, (c) => !same(c.endpoints, endpoints) || !same(c.ports, ports) || !same(c.metadata?.labels, labels));
    }
    // Slices of the Service that no live server needs any more go, as the adapter deletes "other" slices.
    for (const name of existing.keys()) {
      if (wanted.has(name)) continue;
      await registry.delete(type, KUBERNETES_SERVICE_NAMESPACE, name).catch((err: unknown) => {
        if (!(isStatusError(err) && err.code === 404)) throw err;
      });
    }
  }
}
