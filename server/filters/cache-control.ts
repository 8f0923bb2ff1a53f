/** The cache-control filter: API responses are `Cache-Control: no-cache, private` unless a handler says otherwise. */
import type { Filter } from '../http/context.js';

/** Default the Cache-Control response header. */
export function withCacheControl(): Filter {
  return (next) => async (ctx) => {
    if (ctx.headers['cache-control'] === undefined) ctx.headers['cache-control'] = 'no-cache, private';
    await next(ctx);
  };
}
