/**
 * The request timeout, upstream's `WithRequestDeadline` and `WithTimeoutForNonLongRunningRequests`
 * in one filter. A request that is not long-running gets `--request-timeout` (default 1m0s) from
 * the moment it was received, or less when its `timeout` query parameter asks for less (a
 * `timeout` that is not a Go duration is a 400 `invalid timeout specified in the request URL - …`).
 * When the time is up and nothing has been written yet, the answer is what upstream's timeout
 * writer sends: status 504 and the bare `metav1.Status` JSON, without kind or apiVersion, under the
 * headers set before this filter ran and the Content-Type Go sniffs for it (`text/plain;
 * charset=utf-8`), so clients read it as an unknown 504 (`the server was unable to return a
 * response in the time allotted, …`). When the answer has already started, the connection is cut,
 * as upstream aborts the handler. A request whose body is still arriving is answered and its
 * connection closed, so a client trickling a body cannot hold it. The handler itself runs on (Node
 * cannot stop it); its late writes go nowhere. Times come from the injected clock, like the watch
 * timeouts: a time scale shortens the request timeout too.
 */
import type { Filter } from '../http/context.js';
import type { Clock } from '../clock.js';
import type { ServerMetrics } from '../metrics.js';
import { badRequest, timeout } from '../errors/status.js';
import { DurationError, parseGoDuration } from '../http/duration.js';
import { isLongRunning } from './long-running.js';
import { recordTermination } from './termination.js';

/** kube-apiserver's default `--request-timeout`: 1m0s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** The message of the 504. */
export const REQUEST_TIMEOUT_MESSAGE = 'request did not complete within the allotted timeout';

/** The 504 body: the Status as Go's json.Encoder writes a bare `ErrStatus` (no TypeMeta). */
function timeoutBody(): string {
  const { kind: _kind, apiVersion: _apiVersion, ...bare } = timeout(REQUEST_TIMEOUT_MESSAGE).status;
  return `${JSON.stringify(bare)}\n`;
}

/** The `timeout` query parameter in milliseconds, or undefined when absent; a 400 when malformed. */
function userTimeoutMs(query: URLSearchParams): number | undefined {
  const value = query.get('timeout');
  if (value === null || value === '') return undefined;
  try {
    return parseGoDuration(value);
  } catch (err) {
    if (err instanceof DurationError) throw badRequest(`invalid timeout specified in the request URL - ${err.message}`);
    throw err;
  }
}

/** Build the request timeout filter. */
export function withRequestTimeout(opts: { timeoutMs: number; clock: Clock; metrics: ServerMetrics }): Filter {
  return (next) => async (ctx) => {
    if (isLongRunning(ctx.info)) return next(ctx);
    let timeoutMs = opts.timeoutMs;
    const asked = userTimeoutMs(ctx.query);
    if (asked !== undefined && asked > 0 && asked < timeoutMs) timeoutMs = asked;
    const remaining = Math.max(0, ctx.receivedAt.getTime() + timeoutMs - opts.clock.now().getTime());
    const headersBefore = { ...ctx.headers };

    const work = next(ctx);
    const outcome = await new Promise<'done' | 'timeout'>((resolve, reject) => {
      const timer = opts.clock.setTimeout(() => resolve('timeout'), remaining);
      work.then(
        () => {
          timer.cancel();
          resolve('done');
        },
        (err: unknown) => {
          timer.cancel();
          reject(err);
        },
      );
    });
    if (outcome === 'done') return;

    recordTermination(opts.metrics, ctx, 504);
    work.catch((err: unknown) => ctx.log.debug({ err }, 'post-timeout activity'));
    const res = ctx.res;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Written on the raw response, hijacked so fastify leaves it alone: the handler's late writes
    // (a reply, or the peer proxy relaying its answer) must go nowhere.
    if (!ctx.reply.sent) ctx.reply.hijack();
    const body = Buffer.from(timeoutBody(), 'utf8');
    const headers: Record<string, string | string[]> = { ...headersBefore, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) };
    if (!ctx.req.complete) {
      headers.connection = 'close';
      res.once('finish', () => ctx.req.socket.destroy());
    }
    ctx.statusCode = 504;
    res.writeHead(504, headers);
    res.end(body);
  };
}
