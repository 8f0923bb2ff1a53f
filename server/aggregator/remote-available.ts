/**
 * The remote availability controller, as kube-aggregator's: for each APIService with
 * `spec.service`, the Service and its endpoints are checked (ServiceNotFound, ServicePortError,
 * EndpointsNotFound, MissingEndpoints) and the group/version's discovery document is fetched from
 * the endpoint as `system:kube-aggregator` in `system:masters`, over TLS without verification and
 * with the proxy-client certificate, within 5 s; a failure is `FailedDiscoveryCheck` with
 * upstream's "failing or missing response from <url>: …" and is retried with backoff. Every
 * APIService is checked again each resync period (upstream's 30 s informer resync). The
 * resource list fetched is kept for discovery.
 */
import { Agent, request } from 'undici';
import type { ClockTimer } from '../clock.js';
import { CrdController, writeUnlessStale } from '../apiextensions/crd-controller.js';
import { identityHeaders, transportErrorText } from '../peers/transport.js';
import { isLocal, withAvailable, type APIService } from './apiservice.js';
import type { AvailabilityDeps } from './local-available.js';
import { ResolveError, type ServiceResolver } from './service-resolver.js';

/** How long one discovery probe may take (upstream's client timeout). */
export const DISCOVERY_PROBE_TIMEOUT_MS = 5_000;

/** What the remote controller needs beyond the local one. */
export interface RemoteAvailabilityDeps extends AvailabilityDeps {
  resolver: ServiceResolver;
  /** The proxy-client certificate and key (PEM), when the server has one. */
  clientCert?: { cert: string; key: string };
  /** The resync period, in milliseconds of the clock. */
  resyncMs: number;
}

/** The last discovery document a remote group/version answered, by APIService name. */
export type RemoteResources = Map<string, Array<Record<string, unknown>>>;

/** Checks remote APIServices. */
export class RemoteAvailableController extends CrdController {
  private readonly agent: Agent;
  private resync: ClockTimer | undefined;
  /** Resources each remote group/version last listed. */
  readonly resources: RemoteResources = new Map();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly deps: RemoteAvailabilityDeps) {
    super(deps.clock, deps.log);
    this.agent = new Agent({ connect: { rejectUnauthorized: false, ...(deps.clientCert ?? {}) }, keepAliveTimeout: 1_000 });
    const enqueue = (s: APIService): void => this.queue.add(s.metadata?.name ?? '');
    deps.informer.addHandlers({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: (s) => this.forgetResources(s.metadata?.name ?? '') });
  }

  /** Call `listener` when a remote group/version's resources change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private forgetResources(name: string): void {
    if (this.resources.delete(name)) for (const l of this.listeners) l();
  }

  override start(): void {
    super.start();
    this.resync = this.deps.clock.setInterval(() => {
      for (const s of this.deps.informer.list()) if (!isLocal(s)) this.queue.add(s.metadata?.name ?? '');
    }, this.deps.resyncMs);
  }

  override stop(): void {
    this.resync?.cancel();
    super.stop();
    void this.agent.close();
  }

  private async write(svc: APIService, cond: Parameters<typeof withAvailable>[1]): Promise<void> {
    const next = withAvailable(svc, cond, this.deps.clock.now());
    if (next) await writeUnlessStale(() => this.deps.registry.update(this.deps.apiServices, '', svc.metadata?.name ?? '', next, { subresource: 'status' }));
  }

  protected async sync(name: string): Promise<void> {
    const svc = this.deps.informer.get(name);
    if (!svc || isLocal(svc)) return;
    const ref = svc.spec!.service!;
    let address: string;
    try {
      address = await this.deps.resolver.resolve(ref);
    } catch (err) {
      if (!(err instanceof ResolveError)) throw err;
      await this.write(svc, { status: err.reason === 'ServiceAccessError' ? 'Unknown' : 'False', reason: err.reason, message: err.message });
      return;
    }
    const path = name === 'v1.' ? `/api/${svc.spec?.version}` : `/apis/${svc.spec?.group}/${svc.spec?.version}`;
    const url = `https://${address}${path}`;
    const failure = await this.probe(url, address, name);
    if (failure) {
      await this.write(svc, { status: 'False', reason: 'FailedDiscoveryCheck', message: `failing or missing response from ${url}: ${failure}` });
      throw new Error(failure);
    }
    await this.write(svc, { status: 'True', reason: 'Passed', message: 'all checks passed' });
  }

  /** GET the discovery document; the error text, or undefined when it answered 2xx/3xx. */
  private async probe(url: string, address: string, name: string): Promise<string | undefined> {
    const user = { name: 'system:kube-aggregator', groups: ['system:masters'], extra: {} };
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json', ...identityHeaders(user, false) },
        dispatcher: this.agent,
        signal: AbortSignal.timeout(DISCOVERY_PROBE_TIMEOUT_MS),
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) return `bad status from ${url}: ${res.statusCode}`;
      try {
        const list = JSON.parse(text) as { resources?: Array<Record<string, unknown>> };
        const before = JSON.stringify(this.resources.get(name));
        this.resources.set(name, list.resources ?? []);
        if (before !== JSON.stringify(list.resources ?? [])) for (const l of this.listeners) l();
      } catch {
        // A document that is not JSON still passes upstream's check, which reads only the status.
      }
      return undefined;
    } catch (err) {
      return `Get "${url}": ${transportErrorText(err, address)}`;
    }
  }
}
