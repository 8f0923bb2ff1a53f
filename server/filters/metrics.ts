/**
 * The metrics filter: counts every request in `apiserver_request_total` and its latency, once it is
 * answered. Seats in use (`apiserver_current_inflight_requests`) are counted by the max-in-flight filter.
 */
import type { Filter } from '../http/context.js';
import type { ServerMetrics } from '../metrics.js';
import { isStatusError } from '../errors/status.js';

function scopeOf(info: { namespace: string; name: string; isResourceRequest: boolean }): string {
  if (!info.isResourceRequest) return '';
  if (info.name) return 'resource';
  return info.namespace ? 'namespace' : 'cluster';
}

/** Record request counts and latencies after the handler has answered. */
export function withMetrics(metrics: ServerMetrics): Filter {
  return (next) => async (ctx) => {
    const started = process.hrtime.bigint();
    let thrown: unknown;
    try {
      await next(ctx);
    } catch (err) {
      thrown = err;
      throw err;
    } finally {
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
  };
}
