/** The request step: one HTTP request to a server or the front door, checked against its expectations. */
import type { RequestStep } from '../format.js';
import type { RunContext } from '../context.js';
import { send, type HttpResult } from '../http.js';
import { matchSubset, matchText } from '../expect.js';
import { applyCaptures } from '../vars.js';
import { BODY_PREVIEW_BYTES, outcome, type Observed, type StepOutcome } from './outcome.js';

function header(res: HttpResult, name: string): string {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** What a response looked like, for a report. */
export function observedOf(res: HttpResult): Observed {
  return { status: res.status, headers: res.headers, body: res.text.slice(0, BODY_PREVIEW_BYTES), ...(res.servedBy ? { servedBy: res.servedBy } : {}) };
}

/** The mismatches between a response and a request step's expectations. */
export function requestFailures(req: RequestStep, res: HttpResult): string[] {
  const e = req.expect;
  if (!e) return [];
  const out: string[] = [];
  if (e.status !== undefined) {
    const allowed = Array.isArray(e.status) ? e.status : [e.status];
    if (!allowed.includes(res.status)) out.push(`status is ${res.status}, expected ${allowed.join(' or ')}`);
  }
  const status = res.json as { kind?: string; reason?: string; message?: string } | undefined;
  if (e.reason !== undefined && status?.reason !== e.reason) out.push(`reason is ${JSON.stringify(status?.reason)}, expected ${JSON.stringify(e.reason)}`);
  out.push(...matchText('message', status?.message ?? '', e.message));
  if (e.contentType !== undefined && header(res, 'content-type') !== e.contentType) out.push(`Content-Type is ${JSON.stringify(header(res, 'content-type'))}, expected ${JSON.stringify(e.contentType)}`);
  if (e.body !== undefined) out.push(...(res.json === undefined ? ['the body is not JSON'] : matchSubset('', res.json, e.body)));
  out.push(...matchText('body', res.text, e.text));
  for (const [k, v] of Object.entries(e.headers ?? {})) if (header(res, k) !== v) out.push(`header ${k} is ${JSON.stringify(header(res, k))}, expected ${JSON.stringify(v)}`);
  if (e.servedBy !== undefined && res.servedBy !== e.servedBy) out.push(`served by ${res.servedBy ?? 'an unknown server'}, expected ${e.servedBy}`);
  return out;
}

/** Run a request step. */
export async function runRequest(ctx: RunContext, req: RequestStep): Promise<StepOutcome> {
  let res: HttpResult;
  try {
    res = await send(ctx, req.via, req.method ?? 'GET', req.path, req.body, req.headers ?? {});
  } catch (err) {
    return outcome([`no answer: ${(err as Error).message}`]);
  }
  const failures = requestFailures(req, res);
  if (failures.length === 0) failures.push(...applyCaptures(req.capture, res.json, ctx.vars));
  return outcome(failures, observedOf(res), `${res.status}${res.servedBy ? ` from ${res.servedBy}` : ''}`);
}
