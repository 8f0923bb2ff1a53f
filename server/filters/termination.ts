/**
 * Upstream's `RecordRequestTermination`: counts a request the server answered early in self-defense
 * (429 from max-in-flight or the watch limit, 504 from the request timeout) in
 * `apiserver_request_terminations_total`, with the labels upstream reports.
 */
import type { RequestContext } from '../http/context.js';
import type { ServerMetrics } from '../metrics.js';
import { cleanScope, reportedVerb } from './reported-verb.js';

/** Count one request terminated with `code`. */
export function recordTermination(metrics: ServerMetrics, ctx: RequestContext, code: number): void {
  const info = ctx.info;
  const scope = cleanScope(ctx);
  const resource = info.isResourceRequest
    ? { group: info.apiGroup, version: info.apiVersion, resource: info.resource, subresource: info.subresource }
    : { group: '', version: '', resource: '', subresource: info.path };
  metrics.terminations.inc({ verb: reportedVerb(ctx, scope), ...resource, scope, component: 'apiserver', code: String(code) });
}
