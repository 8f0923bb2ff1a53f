/**
 * The request log (upstream's `httplog.WithLogging`): once a request is answered, one record at
 * info level with upstream's message `HTTP` and its keys — `verb` (as reported in metrics: LIST,
 * WATCH, APPLY, …), `URI`, `latency` (Go's duration text), `userAgent`, `audit-ID`, `srcIP` and
 * `resp` (the status code). A watch is logged when it ends. Upstream logs this line at verbosity 3;
 * kube-skew logs it at info, so that `--log-level info` shows the traffic.
 */
import type { Filter } from '../http/context.js';
import { formatGoDuration } from '../http/duration.js';
import { reportedVerb } from './reported-verb.js';

/** The message of every request record. */
export const HTTP_LOG_MESSAGE = 'HTTP';

/** Log each request after it has been answered. */
export function withHttpLog(): Filter {
  return (next) => async (ctx) => {
    if (!ctx.log.isLevelEnabled('info')) return next(ctx);
    const started = process.hrtime.bigint();
    try {
      await next(ctx);
    } finally {
      const socket = ctx.req.socket;
      ctx.log.info(
        {
          // The request-info filter may not have run (a request refused before it).
          verb: ctx.info ? reportedVerb(ctx) : ctx.method.toUpperCase(),
          URI: ctx.req.url ?? '',
          latency: formatGoDuration(Number(process.hrtime.bigint() - started)),
          userAgent: ctx.req.headers['user-agent'] ?? '',
          'audit-ID': ctx.auditId,
          srcIP: socket ? `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}` : '',
          resp: ctx.statusCode ?? ctx.res.statusCode,
        },
        HTTP_LOG_MESSAGE,
      );
    }
  };
}
