/**
 * The max-in-flight filter, upstream's `WithMaxInFlightLimit` (kube-apiserver installs it where
 * API Priority and Fairness would sit when APF is off; kube-skew has no APF). Requests that are not
 * long-running take a seat: `get`, `list` and `watch` from the read-only pool
 * (`--max-requests-inflight`, default 400), every other verb from the mutating pool
 * (`--max-mutating-requests-inflight`, default 200); a limit of 0 leaves that pool unlimited. A seat
 * is held until the handler has answered. With no seat free the request is refused with Go's
 * `http.Error` answer, a plain-text 429 `Too many requests, please try again later.` with
 * `Retry-After: 1`, unless the user is in `system:masters` (upstream lets the super-admin and the
 * loopback through, without a seat). Nothing waits for a seat, so no request, proxied or not, can
 * deadlock on one: the peer hop holds this server's seat while the peer decides on its own seat
 * at once.
 *
 * Metrics: `apiserver_current_inflight_requests{request_kind}` (seats in use, readOnly and
 * mutating), and for each refusal `apiserver_request_terminations_total{code="429"}` (the request
 * counter already sees the 429 in the metrics filter, as upstream's `RecordDroppedRequest` does).
 */
import type { Filter } from '../http/context.js';
import type { ServerMetrics } from '../metrics.js';
import { writeText } from '../http/respond.js';
import { isLongRunning } from './long-running.js';
import { recordTermination } from './termination.js';

/** The message of the 429, as upstream's `tooManyRequests` writes it. */
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.';

/** Upstream's `system:masters`, never refused. */
export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';

const NON_MUTATING_VERBS = new Set(['get', 'list', 'watch']);

/** The two limits; 0 is no limit. */
export interface MaxInFlightLimits {
  nonMutating: number;
  mutating: number;
}

/** Build the max-in-flight filter. */
export function withMaxInFlightLimit(limits: MaxInFlightLimits, metrics: ServerMetrics): Filter {
  const inUse = { readOnly: 0, mutating: 0 };
  return (next) => async (ctx) => {
    if (isLongRunning(ctx.info)) return next(ctx);
    const kind = NON_MUTATING_VERBS.has(ctx.info.verb) ? 'readOnly' : 'mutating';
    const limit = kind === 'readOnly' ? limits.nonMutating : limits.mutating;
    if (limit > 0 && inUse[kind] >= limit) {
      if (ctx.user?.groups.includes(SYSTEM_PRIVILEGED_GROUP)) return next(ctx);
      recordTermination(metrics, ctx, 429);
      await writeText(ctx, 429, `${TOO_MANY_REQUESTS_MESSAGE}\n`, { 'retry-after': '1' });
      return;
    }
    inUse[kind]++;
    metrics.inflight.set({ request_kind: kind }, inUse[kind]);
    try {
      await next(ctx);
    } finally {
      inUse[kind]--;
      metrics.inflight.set({ request_kind: kind }, inUse[kind]);
    }
  };
}
