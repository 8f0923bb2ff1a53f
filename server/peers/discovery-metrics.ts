/**
 * The peer-aggregated discovery counters of apiserver's endpoints/discovery/aggregated/metrics.go:
 * `aggregator_discovery_peer_aggregated_cache_hits_total`, `…_cache_misses_total` and
 * `aggregator_discovery_nopeer_requests_total`. When they are registered is a per-minor fact
 * (MvpFacts.peerDiscoveryMetrics): 1.35–1.36 register them at start whenever the proxy gate is on,
 * 1.37 only when the peer-aggregated handler is built.
 */
import { Counter, type Registry } from 'prom-client';
import type { MvpPeerDiscoveryMetrics } from '../../versions/types.js';

/** The three counters, registered on one server's registry. */
export class PeerDiscoveryMetrics {
  readonly hits: Counter<string>;
  readonly misses: Counter<string>;
  readonly nopeer: Counter<string>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.hits = new Counter({ name: 'aggregator_discovery_peer_aggregated_cache_hits_total', help: 'Counter of number of times discovery was served from peer-aggregated cache', registers });
    this.misses = new Counter({ name: 'aggregator_discovery_peer_aggregated_cache_misses_total', help: 'Counter of number of times discovery was aggregated across all API servers', registers });
    this.nopeer = new Counter({ name: 'aggregator_discovery_nopeer_requests_total', help: 'Counter of number of times no-peer (non peer-aggregated) discovery was requested', registers });
  }
}

/**
 * Whether a server registers the counters: `gateOn` is the proxy gate's value, `handlerBuilt`
 * whether the peer-aggregated discovery handler exists (gate on, a peer-aggregating minor and
 * `--peer-ca-file`).
 */
export function registersPeerDiscoveryMetrics(when: MvpPeerDiscoveryMetrics, gateOn: boolean, handlerBuilt: boolean): boolean {
  switch (when) {
    case 'gate-on':
      return gateOn;
    case 'handler-built':
      return handlerBuilt;
    default:
      return false;
  }
}
