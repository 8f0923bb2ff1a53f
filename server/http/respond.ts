/**
 * Writing responses. Every body kube-skew sends goes through here, so headers added by filters
 * (Audit-Id, Cache-Control, Warning) are always present, and JSON ends with a newline as Go's
 * encoder writes it.
 */
import type { RequestContext } from './context.js';
import { stringify as toYaml } from 'yaml';
import { StatusError, type Status } from '../errors/status.js';
import { statusFormat } from './media.js';
import { encodeStatus, PROTOBUF_TYPE } from '../protobuf/encode-status.js';

/** `application/json` */
export const JSON_TYPE = 'application/json';

function applyHeaders(ctx: RequestContext, extra: Record<string, string | string[]>): void {
  for (const [k, v] of Object.entries(ctx.headers)) ctx.reply.header(k, v);
  for (const [k, v] of Object.entries(extra)) ctx.reply.header(k, v);
}

/** Answer `code` with `body` serialised as JSON (content type `contentType`, default application/json). */
export async function writeJson(
  ctx: RequestContext,
  code: number,
  body: unknown,
  contentType: string = JSON_TYPE,
  headers: Record<string, string | string[]> = {},
): Promise<void> {
  ctx.statusCode = code;
  applyHeaders(ctx, { 'content-type': contentType, ...headers });
  // A Buffer, not a string: fastify rewrites the Content-Type of a string body whose type mentions
  // json (quoting parameters, appending `; charset=utf-8`); upstream sends it exactly as negotiated.
  await ctx.reply.code(code).send(Buffer.from(JSON.stringify(body) + '\n', 'utf8'));
}

/** Answer with a serialised body that is already a string or buffer. */
export async function writeRaw(
  ctx: RequestContext,
  code: number,
  body: string | Buffer,
  contentType: string,
  headers: Record<string, string | string[]> = {},
): Promise<void> {
  ctx.statusCode = code;
  applyHeaders(ctx, { 'content-type': contentType, ...headers });
  // See writeJson: a string body would have its Content-Type rewritten by fastify.
  await ctx.reply.code(code).send(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
}

/**
 * Answer with a Status object (its code is the HTTP status), in the media type the client's Accept
 * header negotiates (JSON, YAML or protobuf), as upstream's `ErrorNegotiated`.
 */
export async function writeStatus(ctx: RequestContext, status: Status, headers: Record<string, string> = {}): Promise<void> {
  switch (statusFormat(ctx.req.headers.accept)) {
    case 'yaml':
      return writeRaw(ctx, status.code, toYaml(status), 'application/yaml', headers);
    case 'protobuf':
      return writeRaw(ctx, status.code, encodeStatus(status), PROTOBUF_TYPE, headers);
    default:
      return writeJson(ctx, status.code, status, JSON_TYPE, headers);
  }
}

/** Answer with the Status a {@link StatusError} carries, with its extra headers. */
export async function writeStatusError(ctx: RequestContext, err: StatusError): Promise<void> {
  await writeStatus(ctx, err.status, err.headers);
}

/** Answer in plain text, as Go's `http.Error` does (with `X-Content-Type-Options: nosniff`). */
export async function writeText(ctx: RequestContext, code: number, text: string, headers: Record<string, string> = {}): Promise<void> {
  ctx.statusCode = code;
  applyHeaders(ctx, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  await ctx.reply.code(code).send(text);
}
