/**
 * The filter chain. This is the only place the order of filters is set, as upstream's
 * `DefaultBuildHandlerChain`: read top to bottom, outermost first.
 *
 *   audit-init ─► served-by ─► panic-recovery ─► request-info ─► metrics ─► cache-control
 *     ─► authentication ─► authorization ─► [mixed version proxy] ─► routes
 *
 * The mixed version proxy is innermost, as kube-apiserver installs it on the aggregator: a request is
 * authenticated and authorized by the server that received it before it is forwarded. served-by is
 * kube-skew's own and only acts on requests that ask for it (X-Kube-Skew-Trace).
 */
import type { Filter, Handler } from './http/context.js';
import { withAuditInit } from './filters/audit-init.js';
import { withPanicRecovery } from './filters/panic-recovery.js';
import { withRequestInfo } from './filters/request-info.js';
import { withMetrics, type ServedRoute } from './filters/metrics.js';
import { withCacheControl } from './filters/cache-control.js';
import { withAuthentication, type AuthenticationOptions } from './filters/authentication.js';
import { withAuthorization, type Authorizer } from './filters/authorization.js';
import type { ServerMetrics } from './metrics.js';
import { withServedBy } from './filters/served-by.js';

/** What the chain is built from. */
export interface ChainOptions {
  /** The server's name, for the served-by trace. */
  serverName: string;
  metrics: ServerMetrics;
  /** Which resource requests have a route (only those are counted in the request metrics). */
  servedRoute?: ServedRoute;
  authentication: AuthenticationOptions;
  authorizer: Authorizer;
  /** The mixed version proxy filter, when this server runs one. */
  peerProxy?: Filter;
}

/** Wrap `routes` in every filter, in order. */
export function buildHandlerChain(routes: Handler, opts: ChainOptions): Handler {
  const filters: Filter[] = [
    withAuditInit(),
    withServedBy(opts.serverName),
    withPanicRecovery(),
    withRequestInfo(),
    withMetrics(opts.metrics, opts.servedRoute),
    withCacheControl(),
    withAuthentication(opts.authentication),
    withAuthorization(opts.authorizer),
  ];
  if (opts.peerProxy) filters.push(opts.peerProxy);
  return filters.reduceRight<Handler>((next, filter) => filter(next), routes);
}
