/**
 * The filter chain. This is the only place the order of filters is set, as upstream's
 * `DefaultBuildHandlerChain`: read top to bottom, outermost first.
 *
 *   audit-init ─► served-by ─► http-log ─► panic-recovery ─► request-info ─► metrics ─► cache-control
 *     ─► request-timeout ─► authentication ─► impersonation ─► max-in-flight ─► watch-limit
 *     ─► authorization
 *     ─► [mixed version proxy] ─► [aggregator proxy] ─► routes
 *
 * http-log stands just outside panic-recovery, where upstream's `WithLogging` stands just inside
 * it: here an error below becomes its response in panic-recovery, so the log sees the status the
 * client got.
 * request-timeout stands where upstream's `WithRequestDeadline` and
 * `WithTimeoutForNonLongRunningRequests` stand: inside cache-control (its 504 carries the headers set
 * before it) and outside authentication, so everything below it, the peer hop included, is bounded.
 * impersonation stands where upstream's `WithImpersonation` stands: right after authentication (and
 * audit), before the in-flight limits and authorization, which both see the impersonated user.
 * max-in-flight stands where upstream installs `WithMaxInFlightLimit` when API Priority and Fairness
 * is off (kube-skew has no APF): after authentication, because the user decides the
 * `system:masters` exemption, and before authorization. The seat is held across the peer hop, which
 * is below it; nothing waits for a seat, so proxied requests and the in-server controllers cannot
 * deadlock on them (a full peer answers 429 at once, which clients retry). watch-limit is
 * kube-skew's own per-user bound on open watches, beside max-in-flight for the same reasons.
 * The mixed version proxy is innermost, as kube-apiserver installs it on the aggregator: a request is
 * authenticated and authorized by the server that received it before it is forwarded. The
 * aggregator's proxy (remote APIServices) is below it, where upstream's proxy handlers sit in the
 * aggregator's mux under the peer proxy's wrapper. served-by is
 * kube-skew's own and only acts on requests that ask for it (X-Kube-Skew-Trace).
 */
import type { Filter, Handler } from './http/context.js';
import type { Clock } from './clock.js';
import { withAuditInit } from './filters/audit-init.js';
import { withPanicRecovery } from './filters/panic-recovery.js';
import { withRequestInfo } from './filters/request-info.js';
import { withMetrics, type ServedRoute } from './filters/metrics.js';
import { withCacheControl } from './filters/cache-control.js';
import { withRequestTimeout } from './filters/request-timeout.js';
import { withAuthentication, type AuthenticationOptions } from './filters/authentication.js';
import { withImpersonation } from './filters/impersonation.js';
import { withMaxInFlightLimit } from './filters/max-in-flight.js';
import { withWatchLimit } from './filters/watch-limit.js';
import { withAuthorization, type Authorizer } from './filters/authorization.js';
import type { ServerMetrics } from './metrics.js';
import { withServedBy } from './filters/served-by.js';
import { withHttpLog } from './filters/http-log.js';

/** The request limits (see config.ts for the flags). */
export interface ChainLimits {
  /** `--max-requests-inflight`; 0 is no limit. */
  maxRequestsInFlight: number;
  /** `--max-mutating-requests-inflight`; 0 is no limit. */
  maxMutatingRequestsInFlight: number;
  /** `--max-watches-per-user`; 0 is no limit. */
  maxWatchesPerUser: number;
  /** `--request-timeout` in milliseconds. */
  requestTimeoutMs: number;
}

/** What the chain is built from. */
export interface ChainOptions {
  /** The server's name, for the served-by trace. */
  serverName: string;
  metrics: ServerMetrics;
  clock: Clock;
  limits: ChainLimits;
  /** Which resource requests have a route (only those are counted in the request metrics). */
  servedRoute?: ServedRoute;
  authentication: AuthenticationOptions;
  authorizer: Authorizer;
  /** The mixed version proxy filter, when this server runs one. */
  peerProxy?: Filter;
  /** The aggregator's proxy to remote APIServices, when this server runs the aggregator. */
  aggregatorProxy?: Filter;
}

/** Wrap `routes` in every filter, in order. */
export function buildHandlerChain(routes: Handler, opts: ChainOptions): Handler {
  const filters: Filter[] = [
    withAuditInit(),
    withServedBy(opts.serverName),
    withHttpLog(),
    withPanicRecovery(),
    withRequestInfo(),
    withMetrics(opts.metrics, opts.servedRoute),
    withCacheControl(),
    withRequestTimeout({ timeoutMs: opts.limits.requestTimeoutMs, clock: opts.clock, metrics: opts.metrics }),
    withAuthentication(opts.authentication),
    withImpersonation(opts.authorizer),
    withMaxInFlightLimit({ nonMutating: opts.limits.maxRequestsInFlight, mutating: opts.limits.maxMutatingRequestsInFlight }, opts.metrics),
    withWatchLimit(opts.limits.maxWatchesPerUser, opts.metrics),
    withAuthorization(opts.authorizer),
  ];
  if (opts.peerProxy) filters.push(opts.peerProxy);
  if (opts.aggregatorProxy) filters.push(opts.aggregatorProxy);
  return filters.reduceRight<Handler>((next, filter) => filter(next), routes);
}
