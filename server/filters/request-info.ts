/** The request-info filter: resolves the RequestInfo once; a path it cannot resolve gets a 500, as upstream. */
import type { Filter } from '../http/context.js';
import { internalError } from '../errors/status.js';
import { resolveRequestInfo, RequestInfoError } from '../request-info.js';

/** Resolve `ctx.info` from the method, path and query. */
export function withRequestInfo(): Filter {
  return (next) => async (ctx) => {
    try {
      ctx.info = resolveRequestInfo(ctx.method, ctx.path, ctx.query);
    } catch (err) {
      if (err instanceof RequestInfoError) throw internalError(`failed to create RequestInfo: ${err.message}`);
      throw err;
    }
    await next(ctx);
  };
}
