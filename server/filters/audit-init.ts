/** The audit-init filter: every response carries an `Audit-Id` (the client's, or a new UUID). */
import { randomUUID } from 'node:crypto';
import type { Filter } from '../http/context.js';

/** Assign the request's Audit-ID and echo it in the `Audit-Id` response header. */
export function withAuditInit(): Filter {
  return (next) => async (ctx) => {
    const sent = ctx.req.headers['audit-id'];
    ctx.auditId = typeof sent === 'string' && sent.trim() !== '' ? sent.trim() : randomUUID();
    ctx.headers['audit-id'] = ctx.auditId;
    await next(ctx);
  };
}
