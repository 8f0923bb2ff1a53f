/**
 * The per-request context every filter and handler receives: the raw request and response, the
 * parsed URL, the RequestInfo resolved once, the authenticated user, and the fastify reply used to
 * answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { RequestInfo } from '../request-info.js';

/** An authenticated (or anonymous) user, as upstream's `user.Info`. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** Everything a filter or handler knows about one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly reply: FastifyReply;
  readonly method: string;
  path: string;
  readonly query: URLSearchParams;
  /** Set by the request-info filter; always present after it. */
  info: RequestInfo;
  /** Set by the authentication filter. */
  user?: UserInfo;
  /** Audit-ID of this request. */
  auditId: string;
  /** When the request arrived (from the injected clock). */
  receivedAt: Date;
  /** A child logger bound to this request. */
  log: Logger;
  /** Response headers that filters add and every response carries (Audit-Id, Cache-Control, Warning). */
  headers: Record<string, string | string[]>;
  /** The HTTP status code written, once known (for metrics and logs). */
  statusCode?: number;
}

/** A request handler: it writes exactly one response. */
export type Handler = (ctx: RequestContext) => Promise<void>;

/** A filter wraps a handler with one concern (authentication, authorization, proxying, …). */
export type Filter = (next: Handler) => Handler;
