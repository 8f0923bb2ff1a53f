/**
 * kube-skew's own bound on concurrent watches per user (`--max-watches-per-user`, default 1000; 0
 * is no limit). Upstream has no such cap: watches are long-running, so max-in-flight never counts
 * them, and APF only charges a watch for its initialization. Without a bound one client could hold
 * any number of open watch streams (sockets, store subscriptions, timers) on a server; this filter
 * keeps that per authenticated user name (every anonymous client shares `system:anonymous`). A
 * watch holds its slot until its response closes (ended, timed out or dropped by the client). Past
 * the bound the watch is refused before it starts with the Status upstream's `NewTooManyRequests`
 * builds, 429 reason `TooManyRequests` with `details.retryAfterSeconds: 1` and `Retry-After: 1`, so
 * clients back off and retry as they do for upstream's 429s. `system:masters` is never refused, as
 * max-in-flight spares it.
 */
import type { Filter } from '../http/context.js';
import type { ServerMetrics } from '../metrics.js';
import { tooManyRequests } from '../errors/status.js';
import { SYSTEM_PRIVILEGED_GROUP } from './max-in-flight.js';
import { recordTermination } from './termination.js';

/** The default of `--max-watches-per-user`. */
export const DEFAULT_MAX_WATCHES_PER_USER = 1000;

/** The 429 message for `user` over `limit` watches. */
export function tooManyWatchesMessage(user: string, limit: number): string {
  return `Too many watches for user "${user}": the limit is ${limit} concurrent watches per user, please try again later.`;
}

/** Build the watch limit filter; `limit` 0 disables it. */
export function withWatchLimit(limit: number, metrics: ServerMetrics): Filter {
  const open = new Map<string, number>();
  return (next) => async (ctx) => {
    if (limit <= 0 || ctx.info.verb !== 'watch') return next(ctx);
    const user = ctx.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    if (user.groups.includes(SYSTEM_PRIVILEGED_GROUP)) return next(ctx);
    const count = open.get(user.name) ?? 0;
    if (count >= limit) {
      recordTermination(metrics, ctx, 429);
      throw tooManyRequests(tooManyWatchesMessage(user.name, limit), 1);
    }
    open.set(user.name, count + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = (open.get(user.name) ?? 1) - 1;
      if (left > 0) open.set(user.name, left);
      else open.delete(user.name);
    };
    // A watch handler returns once the stream is set up; the slot lasts as long as the response.
    ctx.res.once('close', release);
    if (ctx.res.destroyed || ctx.res.writableFinished) release();
    try {
      await next(ctx);
    } catch (err) {
      release();
      throw err;
    }
  };
}
