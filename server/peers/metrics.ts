/**
 * The Mixed Version Proxy's metrics, with each minor's labels: `apiserver_rerouted_request_total`
 * (by `code` up to 1.35; by `code`, `group`, `version`, `resource` in 1.36),
 * `apiserver_peer_proxy_errors_total` and `apiserver_peer_discovery_sync_errors_total` (1.36). They
 * are registered on every minor that has the proxy (1.28+) whether or not it runs, as upstream's
 * generic /metrics route does; a ≤1.27 server has no peerproxy package and none of them.
 */
import { Counter, type Registry } from 'prom-client';
import type { GVR } from './routing.js';

/** The proxy metrics of one server. */
export class MvpMetrics {
  private readonly reroutedCounter: Counter<string>;
  private readonly errors?: Counter<string>;
  private readonly syncErrors?: Counter<string>;

  /** `registry` is undefined for a minor without the proxy (≤1.27): the counters then exist but are never exposed. */
  constructor(
    registry: Registry | undefined,
    private readonly withGVRLabels: boolean,
  ) {
    const registers = registry ? [registry] : [];
    this.reroutedCounter = new Counter({
      name: 'apiserver_rerouted_request_total',
      help: withGVRLabels
        ? 'Total number of requests that were proxied to a peer kube apiserver because the local apiserver was not capable of serving it. If all three labels group, version, resource are empty, the request was a peer discovery request.'
        : 'Total number of requests that were proxied to a peer kube apiserver because the local apiserver was not capable of serving it',
      // Labels in lexicographic order, as client_golang writes them.
      labelNames: withGVRLabels ? ['code', 'group', 'resource', 'version'] : ['code'],
      registers,
    });
    if (withGVRLabels) {
      this.errors = new Counter({
        name: 'apiserver_peer_proxy_errors_total',
        help: 'Total number of errors encountered while proxying requests to a peer kube apiserver',
        labelNames: ['group', 'resource', 'type', 'version'],
        registers,
      });
      this.syncErrors = new Counter({
        name: 'apiserver_peer_discovery_sync_errors_total',
        help: 'Total number of errors encountered while syncing discovery information from a peer kube apiserver',
        labelNames: ['type'],
        registers,
      });
    }
  }

  /** Count one proxied exchange (or a peer discovery fetch, with an empty GVR). */
  rerouted(code: number, gvr: GVR = { group: '', version: '', resource: '' }): void {
    if (this.withGVRLabels) this.reroutedCounter.inc({ code: String(code), group: gvr.group, resource: gvr.resource, version: gvr.version });
    else this.reroutedCounter.inc({ code: String(code) });
  }

  /** Count a proxy error (1.36). */
  proxyError(type: 'endpoint_resolution' | 'proxy_transport', gvr: GVR): void {
    this.errors?.inc({ group: gvr.group, resource: gvr.resource, type, version: gvr.version });
  }

  /** Count a peer discovery sync error (1.36). */
  syncError(type: 'lease_list' | 'hostport_resolution' | 'fetch_discovery'): void {
    this.syncErrors?.inc({ type });
  }
}
