/**
 * The recovery filter: any error below it becomes a response. A StatusError is written as its Status;
 * anything else is logged and answered with a 500 InternalError Status, so no handler ever writes an
 * ad-hoc error body and no request is left without an answer.
 */
import type { Filter } from '../http/context.js';
import { internalError, isStatusError } from '../errors/status.js';
import { writeStatusError } from '../http/respond.js';

/** Turn errors thrown below into Status responses. */
export function withPanicRecovery(): Filter {
  return (next) => async (ctx) => {
    try {
      await next(ctx);
    } catch (err) {
      if (ctx.reply.sent || ctx.res.headersSent) {
        ctx.log.warn({ err }, 'error after the response started');
        if (!ctx.res.writableEnded) ctx.res.destroy();
        return;
      }
      if (isStatusError(err)) {
        await writeStatusError(ctx, err);
        return;
      }
      ctx.log.error({ err }, 'unhandled error');
      await writeStatusError(ctx, internalError(err instanceof Error ? err.message : String(err)));
    }
  };
}
