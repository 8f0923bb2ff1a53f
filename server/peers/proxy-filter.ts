/**
 * The Mixed Version Proxy filter (upstream's `peerProxyHandler.WrapHandler`), innermost in the
 * chain. In upstream's order: non-resource requests pass; a request already marked
 * `x-kubernetes-peer-proxied: true` is served here; before the caches are synced everything is
 * served here; otherwise the router decides on (group, version, resource) — the subresource is
 * ignored — and the request is served here, answered with the Status 503 when no capable peer can be
 * dialled, or forwarded to one peer chosen at random, with no retry on another.
 */
import type { Filter } from '../http/context.js';
import { serviceUnavailable } from '../errors/status.js';
import type { PeerRouter } from './routing.js';
import { PEER_PROXIED_HEADER, type PeerTransport } from './transport.js';
import type { MvpMetrics } from './metrics.js';

/** The message of the 503 when no peer endpoint resolves. */
export const NO_ENDPOINT_MESSAGE = 'Error getting ip and port info of the remote server while proxying';

/** What the filter needs. */
export interface PeerProxyDeps {
  router: PeerRouter;
  transport: PeerTransport;
  metrics: MvpMetrics;
  /** Uniform random in [0, 1); injectable so a test or a seeded scenario fixes the peer choice. */
  random: () => number;
}

/** Build the Mixed Version Proxy filter. */
export function withPeerProxy(deps: PeerProxyDeps): Filter {
  return (next) => async (ctx) => {
    const info = ctx.info;
    if (!info.isResourceRequest) return next(ctx);
    if (ctx.req.headers[PEER_PROXIED_HEADER] === 'true') return next(ctx);
    if (!deps.router.hasFinishedSync()) return next(ctx);
    const gvr = { group: info.apiGroup, version: info.apiVersion, resource: info.resource };
    const decision = await deps.router.route(gvr);
    if (decision.kind === 'local') return next(ctx);
    if (decision.kind === 'unresolvable') {
      ctx.log.warn({ err: decision.error }, NO_ENDPOINT_MESSAGE);
      deps.metrics.proxyError('endpoint_resolution', gvr);
      throw serviceUnavailable(NO_ENDPOINT_MESSAGE);
    }
    const endpoint = decision.endpoints[Math.floor(deps.random() * decision.endpoints.length)]!;
    const result = await deps.transport.forward(ctx, endpoint);
    if (result.transportFailed) deps.metrics.proxyError('proxy_transport', gvr);
    deps.metrics.rerouted(result.code, gvr);
  };
}
