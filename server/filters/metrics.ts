/**
 * The metrics filter: counts requests in `apiserver_request_total` and their latency, once they are
 * answered. Upstream instruments each installed route with its own fixed labels, so a request for a
 * group, version, resource or subresource nothing serves is not counted at all; here the labels come
 * from the request, so such requests are left out the same way (`served` tells), or any client
 * could add series without bound (one per random path, each label as long as the path).
 * Seats in use (`apiserver_current_inflight_requests`) are counted by the max-in-flight filter.
 */
import type { Filter, RequestContext } from '../http/context.js';
import type { ServerMetrics } from '../metrics.js';
import { isStatusError } from '../errors/status.js';

function scopeOf(info: { namespace: string; name: string; isResourceRequest: boolean }): string {
  if (!info.isResourceRequest) return '';
  if (info.name) return 'resource';
  return info.namespace ? 'namespace' : 'cluster';
}

/** Count one answered request. */
function record(metrics: ServerMetrics, ctx: RequestContext, thrown: unknown, started: bigint): void {
  const info = ctx.info;
  const verb = (info.verb === 'watch' ? 'WATCH' : info.isResourceRequest ? info.verb : ctx.method).toUpperCase();
  const labels = {
    verb,
    dry_run: ctx.query.has('dryRun') ? 'All' : '',
    group: info.apiGroup,
    version: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    scope: scopeOf(info),
    component: 'apiserver',
  };
  const code = thrown === undefined ? (ctx.statusCode ?? ctx.res.statusCode) : isStatusError(thrown) ? thrown.code : 500;
  metrics.requests.inc({ ...labels, code: String(code) });
  if (info.verb !== 'watch') metrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
}

/** Whether a resource request names something the server serves (a route upstream would have installed). */
export type ServedRoute = (info: { apiGroup: string; apiVersion: string; resource: string; subresource: string }) => boolean;

/** Record request counts and latencies after the handler has answered. */
export function withMetrics(metrics: ServerMetrics, served: ServedRoute = () => true): Filter {
  return (next) => async (ctx) => {
    const started = process.hrtime.bigint();
    let thrown: unknown;
    try {
      await next(ctx);
    } catch (err) {
      thrown = err;
      throw err;
    } finally {
      if (!ctx.info.isResourceRequest || served(ctx.info)) record(metrics, ctx, thrown, started);
    }
  };
}
