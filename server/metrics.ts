/**
 * The metrics one server exposes on `/metrics`, in its own prom-client registry (one per server, so
 * several servers in one test process do not share counters). Names and labels follow
 * kube-apiserver's; label names are listed in lexicographic order, as client_golang writes them.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric of one server. */
export class ServerMetrics {
  readonly registry = new Registry();
  /** `apiserver_request_total`, by verb, group, version, resource, subresource, scope, component, code. */
  readonly requests: Counter<string>;
  /** `apiserver_request_duration_seconds` */
  readonly duration: Histogram<string>;
  /** `apiserver_current_inflight_requests` by request kind (readOnly, mutating): max-in-flight seats in use. */
  readonly inflight: Gauge<string>;
  /** `apiserver_longrunning_requests` (watches) */
  readonly longRunning: Gauge<string>;
  /** `apiserver_request_terminations_total`: requests answered early in self-defense (429, 504). */
  readonly terminations: Counter<string>;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: ['code', 'component', 'dry_run', 'group', 'resource', 'scope', 'subresource', 'verb', 'version'],
      registers,
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: ['component', 'dry_run', 'group', 'resource', 'scope', 'subresource', 'verb', 'version'],
      buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
      registers,
    });
    this.inflight = new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      labelNames: ['request_kind'],
      registers,
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
      labelNames: ['component', 'group', 'resource', 'scope', 'subresource', 'verb', 'version'],
      registers,
    });
    this.terminations = new Counter({
      name: 'apiserver_request_terminations_total',
      help: 'Number of requests which apiserver terminated in self-defense.',
      labelNames: ['code', 'component', 'group', 'resource', 'scope', 'subresource', 'verb', 'version'],
      registers,
    });
  }

  /** The exposition text for `/metrics`. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
