/**
 * Upstream's `RecordRequestTermination`: counts a request the server answered early in self-defense
 * (429 from max-in-flight or the watch limit, 504 from the request timeout) in
 * `apiserver_request_terminations_total`, with the labels upstream reports.
 */
import type { RequestContext } from '../http/context.js';
import type { ServerMetrics } from '../metrics.js';
import { contentTypeOf } from '../http/media.js';

const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);

/** Upstream's `CleanScope`. */
function cleanScope(ctx: RequestContext): string {
  const info = ctx.info;
  if (info.name !== '' || info.verb === 'create') return 'resource';
  if (info.namespace !== '') return 'namespace';
  return info.isResourceRequest ? 'cluster' : '';
}

/** Upstream's `CleanVerb(CanonicalVerb(method, scope))`. */
function reportedVerb(ctx: RequestContext, scope: string): string {
  const info = ctx.info;
  let verb = ctx.method.toUpperCase();
  if ((verb === 'GET' || verb === 'HEAD') && scope !== 'resource' && scope !== '') verb = 'LIST';
  else if (verb === 'HEAD') verb = 'GET';
  if (info.verb === 'watch') verb = 'WATCH';
  if (verb === 'PATCH' && contentTypeOf(ctx.req.headers['content-type']) === 'application/apply-patch+yaml') verb = 'APPLY';
  if (info.isResourceRequest && CONNECT_SUBRESOURCES.has(info.subresource)) verb = 'CONNECT';
  return verb;
}

/** Count one request terminated with `code`. */
export function recordTermination(metrics: ServerMetrics, ctx: RequestContext, code: number): void {
  const info = ctx.info;
  const scope = cleanScope(ctx);
  const resource = info.isResourceRequest
    ? { group: info.apiGroup, version: info.apiVersion, resource: info.resource, subresource: info.subresource }
    : { group: '', version: '', resource: '', subresource: info.path };
  metrics.terminations.inc({ verb: reportedVerb(ctx, scope), ...resource, scope, component: 'apiserver', code: String(code) });
}
