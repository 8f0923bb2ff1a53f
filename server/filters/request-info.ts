/**
 * The request-info filter: resolves the RequestInfo once. A path it cannot resolve gets upstream's
 * `responsewriters.InternalError`: a plain-text 500 naming the request URI, not a Status.
 */
import type { Filter } from '../http/context.js';
import { writeText } from '../http/respond.js';
import { resolveRequestInfo, RequestInfoError } from '../request-info.js';

/** Go's `%q` of an ASCII string and the HTML escaping of upstream's error sanitizer. */
function sanitize(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Resolve `ctx.info` from the method, path and query. */
export function withRequestInfo(): Filter {
  return (next) => async (ctx) => {
    try {
      ctx.info = resolveRequestInfo(ctx.method, ctx.path, ctx.query);
    } catch (err) {
      if (!(err instanceof RequestInfoError)) throw err;
      const uri = ctx.req.url ?? ctx.path;
      await writeText(ctx, 500, `${sanitize(`Internal Server Error: ${JSON.stringify(uri)}: failed to create RequestInfo: ${err.message}`)}\n`);
      return;
    }
    await next(ctx);
  };
}
