/**
 * The Mixed Version Proxy filter (upstream's `peerProxyHandler.WrapHandler`), innermost in the
 * chain. In upstream's order: non-resource requests pass; a request already marked
 * `x-kubernetes-peer-proxied: true` is served here; before the caches are synced everything is
 * served here; otherwise the router decides on (group, version, resource) — the subresource is
 * ignored — and the request is served here, answered with the Status 503 when no capable peer can be
 * dialled, or forwarded to one peer chosen at random, with no retry on another.
 *
 * Each decision on a resource request is one record at debug level (see {@link logDecision}).
 */
import type { Filter, RequestContext } from '../http/context.js';
import { serviceUnavailable } from '../errors/status.js';
import type { GVR, PeerRouter } from './routing.js';
import { PEER_PROXIED_HEADER, type PeerTransport } from './transport.js';
import type { MvpMetrics } from './metrics.js';

/** The message of the 503 when no peer endpoint resolves. */
export const NO_ENDPOINT_MESSAGE = 'Error getting ip and port info of the remote server while proxying';

/** The message of every decision record. */
export const DECISION_MESSAGE = 'peer proxy decision';

/**
 * What the proxy did with a resource request (the `decision` field): `served-here` (by the local
 * chain, `reason` says why), `forwarded` (to `peer`), `unavailable` (the Status 503, `error` says
 * why), `no-peer` (nobody else serves it: the local chain answers, typically 404).
 */
export type ProxyDecision = 'served-here' | 'forwarded' | 'unavailable' | 'no-peer';

/** The fields of a decision record besides `decision`, `apiGroup`, `apiVersion`, `resource` and `audit-ID`. */
export interface DecisionFields {
  /** Why a request is served here: `already-proxied`, `not-synced`, `served-locally` or `no-storage-version`. */
  reason?: string;
  /** The chosen peer's `host:port`. */
  peer?: string;
  /** The chosen peer's APIServerID, when known. */
  peerId?: string;
  /** How many peers could have been chosen. */
  candidates?: number;
  /** Why no peer could be dialled. */
  error?: string;
}

/**
 * Log one decision at debug level with stable field names: `decision`, the request's `apiGroup`,
 * `apiVersion` and `resource` (RequestInfo's names: `version` is the server's minor in every
 * record), its `audit-ID` (the same as in its `HTTP` record), and the {@link DecisionFields} that
 * apply.
 */
export function logDecision(ctx: RequestContext, gvr: GVR, decision: ProxyDecision, fields: DecisionFields = {}): void {
  ctx.log.debug({ decision, apiGroup: gvr.group, apiVersion: gvr.version, resource: gvr.resource, 'audit-ID': ctx.auditId, ...fields }, DECISION_MESSAGE);
}

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
    const gvr = { group: info.apiGroup, version: info.apiVersion, resource: info.resource };
    if (ctx.req.headers[PEER_PROXIED_HEADER] === 'true') {
      logDecision(ctx, gvr, 'served-here', { reason: 'already-proxied' });
      return next(ctx);
    }
    if (!deps.router.hasFinishedSync()) {
      logDecision(ctx, gvr, 'served-here', { reason: 'not-synced' });
      return next(ctx);
    }
    const decision = await deps.router.route(gvr);
    if (decision.kind === 'local') {
      if (decision.reason === 'no-peer') logDecision(ctx, gvr, 'no-peer');
      else logDecision(ctx, gvr, 'served-here', { reason: decision.reason ?? 'served-locally' });
      return next(ctx);
    }
    if (decision.kind === 'unresolvable') {
      logDecision(ctx, gvr, 'unavailable', { error: decision.error });
      ctx.log.warn({ err: decision.error }, NO_ENDPOINT_MESSAGE);
      deps.metrics.proxyError('endpoint_resolution', gvr);
      throw serviceUnavailable(NO_ENDPOINT_MESSAGE);
    }
    const chosen = Math.floor(deps.random() * decision.endpoints.length);
    const endpoint = decision.endpoints[chosen]!;
    const peerId = decision.ids?.[chosen];
    logDecision(ctx, gvr, 'forwarded', { peer: endpoint, ...(peerId ? { peerId } : {}), candidates: decision.endpoints.length });
    const result = await deps.transport.forward(ctx, endpoint);
    if (result.transportFailed) deps.metrics.proxyError('proxy_transport', gvr);
    deps.metrics.rerouted(result.code, gvr);
  };
}
