/**
 * The verb and scope upstream reports for a request in its metrics and its `HTTP` log line:
 * `CleanScope` and `CleanVerb(CanonicalVerb(method, scope))` (a collection GET is LIST, a watch is
 * WATCH, an apply patch is APPLY, the streaming subresources are CONNECT).
 */
import type { RequestContext } from '../http/context.js';
import { contentTypeOf } from '../http/media.js';

const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);

/** Upstream's `CleanScope`: resource, namespace, cluster, or '' for a non-resource request. */
export function cleanScope(ctx: RequestContext): string {
  const info = ctx.info;
  if (info.name !== '' || info.verb === 'create') return 'resource';
  if (info.namespace !== '') return 'namespace';
  return info.isResourceRequest ? 'cluster' : '';
}

/** Upstream's `CleanVerb(CanonicalVerb(method, scope))`. */
export function reportedVerb(ctx: RequestContext, scope: string = cleanScope(ctx)): string {
  const info = ctx.info;
  let verb = ctx.method.toUpperCase();
  if ((verb === 'GET' || verb === 'HEAD') && scope !== 'resource' && scope !== '') verb = 'LIST';
  else if (verb === 'HEAD') verb = 'GET';
  if (info.verb === 'watch') verb = 'WATCH';
  if (verb === 'PATCH' && contentTypeOf(ctx.req.headers['content-type']) === 'application/apply-patch+yaml') verb = 'APPLY';
  if (info.isResourceRequest && CONNECT_SUBRESOURCES.has(info.subresource)) verb = 'CONNECT';
  return verb;
}
