/**
 * The proxy hop to a peer: one request over mTLS (the proxy-client certificate, the peer verified
 * against `--peer-ca-file` with ServerName `kubernetes.default.svc`), the caller's identity passed as
 * front-proxy headers, `x-kubernetes-peer-proxied: true`, bodies streamed both ways (watches too),
 * no retry. A transport failure is answered, as upstream's `http.Error` does, with a plain-text 503
 * carrying the error text.
 */
import { PassThrough } from 'node:stream';
import { Agent, request } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestContext, UserInfo } from '../http/context.js';
import { writeText } from '../http/respond.js';
import type { Fault } from './faults.js';
import type { Clock } from '../clock.js';

/** The header that marks a proxied request and stops further proxying. */
export const PEER_PROXIED_HEADER = 'x-kubernetes-peer-proxied';
/** The ServerName the source verifies a peer's certificate against. */
export const PEER_SERVER_NAME = 'kubernetes.default.svc';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'authorization']);

/** TLS material of the hop. */
export interface PeerTLS {
  /** `--peer-ca-file` contents. */
  ca: string;
  /** `--proxy-client-cert-file` and `--proxy-client-key-file` contents. */
  cert: string;
  key: string;
}

/** Go's url.QueryEscape: everything but letters, digits and `-_.~` percent-encoded, space as `+`. */
function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: parameters sorted by key (stable within a key), each part QueryEscape'd. */
export function encodeQuerySorted(query: URLSearchParams): string {
  const entries = [...query.entries()];
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([k, v]) => `${queryEscape(k)}=${queryEscape(v)}`).join('&');
}

/** The transport error text, in the words Go's net/http would use. */
export function transportErrorText(err: unknown, address: string): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${address}: connect: connection refused`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `dial tcp ${address}: i/o timeout`;
    case 'EHOSTUNREACH':
      return `dial tcp ${address}: connect: no route to host`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `read tcp ${address}: read: connection reset by peer`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${PEER_SERVER_NAME}`;
    default:
      return e.cause?.message ?? e.message ?? String(err);
  }
}

/** Front-proxy identity headers for `user` (1.32+ also send X-Remote-Uid). */
export function identityHeaders(user: UserInfo, withUid: boolean): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'x-remote-user': user.name };
  if (withUid && user.uid) headers['x-remote-uid'] = user.uid;
  if (user.groups.length > 0) headers['x-remote-group'] = user.groups;
  for (const [key, values] of Object.entries(user.extra)) headers[`x-remote-extra-${encodeURIComponent(key)}`] = values;
  return headers;
}

/** Scenario faults on the hop: where to look them up, and how long a partitioned dial hangs. */
export interface FaultOptions {
  lookup(address: string): Promise<Fault | undefined>;
  /** The server's clock, which a partitioned dial waits on. */
  clock: Clock;
  /** Go's dial timeout (30 s of the clock's time). */
  dialTimeoutMs: number;
}

/** A transport failure made up by a scenario fault, shaped like a socket error. */
class InjectedFault extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * Read and drop what is left of the request body once the peer has answered (it may answer before
 * reading it all, e.g. a 413): unread, it would stall the client's keep-alive connection, whose
 * next request sits behind it.
 */
function drainBody(ctx: RequestContext): void {
  ctx.req.unpipe();
  if (!ctx.req.readableEnded && !ctx.req.destroyed) ctx.req.resume();
}

/** A keep-alive mTLS client to peers; one per server. */
export class PeerTransport {
  private readonly agent: Agent;

  constructor(
    tls: PeerTLS,
    private readonly sendUid: boolean,
    private readonly faults?: FaultOptions,
    /** The header that marks a forwarded request (the `wrong-header` mutation changes it). */
    private readonly proxiedHeader: string = PEER_PROXIED_HEADER,
  ) {
    this.agent = new Agent({
      connect: { ca: tls.ca, cert: tls.cert, key: tls.key, servername: PEER_SERVER_NAME, rejectUnauthorized: true },
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 30_000,
    });
  }

  /** The headers of a forwarded request: the original ones, minus hop-by-hop and identity headers, plus ours. */
  private forwardHeaders(incoming: IncomingHttpHeaders, user: UserInfo, auditId: string): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(incoming)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('x-remote-')) continue;
      out[name] = value;
    }
    Object.assign(out, identityHeaders(user, this.sendUid));
    out[this.proxiedHeader] = 'true';
    if (auditId) out['audit-id'] = auditId;
    return out;
  }

  /** Apply a scenario fault on the link to `address`: wait, or fail as the network would. */
  private async injectFault(address: string): Promise<void> {
    if (!this.faults) return;
    const fault = await this.faults.lookup(address);
    if (!fault) return;
    if (fault.kind === 'latency') await new Promise((r) => setTimeout(r, fault.delayMs));
    else if (fault.kind === 'refuse') throw new InjectedFault('ECONNREFUSED');
    else {
      await new Promise((r) => this.faults!.clock.setTimeout(() => r(undefined), this.faults!.dialTimeoutMs));
      throw new InjectedFault('ETIMEDOUT');
    }
  }

  /**
   * Forward the request in `ctx` to `address` (`host:port`) and relay the answer; on a transport
   * failure answer the plain-text 503. Resolves with the status code written. `quietFailure` (only
   * for the `retry-other-peer` mutation) returns 0 on a transport failure without answering.
   */
  async forward(ctx: RequestContext, address: string, quietFailure = false): Promise<number> {
    const user = ctx.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    const query = encodeQuerySorted(ctx.query);
    const rawPath = (ctx.req.url ?? '/').split('?')[0] ?? '/';
    const url = `https://${address}${rawPath}${query ? `?${query}` : ''}`;
    const method = ctx.method as 'GET';
    const hasBody = !(method === 'GET' || (method as string) === 'HEAD') && (ctx.req.headers['content-length'] !== '0' || ctx.req.headers['transfer-encoding'] !== undefined);
    // The body goes through a pipe of its own: undici destroys the body stream it was given when the
    // peer answers before reading it all (a 413), and a destroyed request would leave the rest of
    // the body stuck in the client's connection.
    const body = hasBody ? ctx.req.pipe(new PassThrough()) : undefined;
    let response;
    try {
      await this.injectFault(address);
      response = await request(url, {
        method,
        headers: this.forwardHeaders(ctx.req.headers, user, ctx.auditId),
        ...(body ? { body } : {}),
        dispatcher: this.agent,
      });
    } catch (err) {
      ctx.log.warn({ err, peer: address }, 'Error while proxying request to destination apiserver');
      if (quietFailure) return 0;
      drainBody(ctx);
      await writeText(ctx, 503, `${transportErrorText(err, address)}\n`);
      return 503;
    }
    const res = ctx.res;
    if (res.headersSent || res.destroyed) {
      // Answered meanwhile (the request timed out): drop the peer's answer.
      response.body.destroy();
      drainBody(ctx);
      return response.statusCode;
    }
    ctx.reply.hijack();
    ctx.statusCode = response.statusCode;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    res.writeHead(response.statusCode, headers);
    res.flushHeaders();
    await new Promise<void>((resolve) => {
      const answer = response.body;
      const done = (): void => resolve();
      answer.on('data', (chunk: Buffer) => res.write(chunk));
      answer.on('end', () => {
        res.end();
        done();
      });
      answer.on('error', () => {
        res.destroy();
        done();
      });
      res.on('close', () => {
        answer.destroy();
        done();
      });
    });
    drainBody(ctx);
    return response.statusCode;
  }

  /** GET a peer's discovery path as `system:apiserver`; resolves with the status and parsed body. */
  async discovery(address: string, path: string, accept: string): Promise<{ status: number; body: unknown }> {
    const user: UserInfo = { name: 'system:apiserver', uid: 'system:apiserver', groups: ['system:authenticated'], extra: {} };
    await this.injectFault(address);
    const res = await request(`https://${address}${path}`, {
      method: 'GET',
      headers: { accept, ...identityHeaders(user, true), [PEER_PROXIED_HEADER]: 'true' },
      dispatcher: this.agent,
    });
    const text = await res.body.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body };
  }

  /** Close every connection. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}
