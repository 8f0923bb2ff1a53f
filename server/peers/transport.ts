/**
 * The proxy hop to a peer: one request over mTLS (the proxy-client certificate, the peer verified
 * against `--peer-ca-file` with ServerName `kubernetes.default.svc`), the caller's identity passed as
 * front-proxy headers, `x-kubernetes-peer-proxied: true`, bodies streamed both ways (watches too),
 * no retry. A transport failure is answered, as upstream's `http.Error` does, with a plain-text 503
 * carrying the error text.
 */
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestContext, UserInfo } from '../http/context.js';
import { writeText } from '../http/respond.js';
import type { Fault } from './faults.js';
import type { Clock } from '../clock.js';
import { RECEIVED_BY_HEADER } from '../filters/served-by.js';

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
  /** The name the target's certificate is verified against (the peer hop's `kubernetes.default.svc` by default). */
  servername?: string;
  /** Skip verifying the target (an APIService's `insecureSkipTLSVerify`). */
  insecure?: boolean;
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

/** What became of one forwarded request. */
export interface ForwardResult {
  /** The status code the client got (or, gone, would have got). */
  code: number;
  /** The hop failed (answered with the plain-text 503, or the client left first). */
  transportFailed: boolean;
  /** Something was written to the client. */
  answered: boolean;
}

/** A keep-alive mTLS client to peers; one per server. */
export class PeerTransport {
  private readonly agent: Agent;

  constructor(
    tls: PeerTLS,
    private readonly sendUid: boolean,
    private readonly faults?: FaultOptions,
    /** Mark forwarded requests `x-kubernetes-peer-proxied` (the MVP hop does; the aggregator's does not). */
    private readonly markProxied = true,
  ) {
    this.agent = new Agent({
      connect: { ...(tls.ca ? { ca: tls.ca } : {}), cert: tls.cert, key: tls.key, servername: tls.servername ?? PEER_SERVER_NAME, rejectUnauthorized: !tls.insecure },
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
    if (this.markProxied) out[PEER_PROXIED_HEADER] = 'true';
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
   * Forward the request in `ctx` to `address` (`host:port`) and relay the answer, streaming it with
   * back-pressure; on a transport failure answer the plain-text 503. A client that goes away at any
   * point (before the peer answers, mid-body, mid-watch) cancels the hop: nothing is written to it,
   * and the result is the 503 upstream's responder writes into the closed connection.
   */
  async forward(ctx: RequestContext, address: string): Promise<ForwardResult> {
    const user = ctx.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    const query = encodeQuerySorted(ctx.query);
    const rawPath = (ctx.req.url ?? '/').split('?')[0] ?? '/';
    const url = `https://${address}${rawPath}${query ? `?${query}` : ''}`;
    const method = ctx.method as 'GET';
    const hasBody = !(method === 'GET' || (method as string) === 'HEAD') && (ctx.req.headers['content-length'] !== '0' || ctx.req.headers['transfer-encoding'] !== undefined);
    const res = ctx.res;
    const cancel = new AbortController();
    const clientGone = (): void => {
      if (!res.writableFinished) cancel.abort();
    };
    res.once('close', clientGone);
    try {
      // The body goes through a pipe of its own: undici destroys the body stream it was given when
      // the peer answers before reading it all (a 413), and a destroyed request would leave the rest
      // of the body stuck in the client's connection.
      const body = hasBody ? ctx.req.pipe(new PassThrough()) : undefined;
      let response;
      try {
        await this.injectFault(address);
        response = await request(url, {
          method,
          headers: this.forwardHeaders(ctx.req.headers, user, ctx.auditId),
          ...(body ? { body } : {}),
          dispatcher: this.agent,
          signal: cancel.signal,
        });
      } catch (err) {
        body?.destroy();
        drainBody(ctx);
        if (cancel.signal.aborted || res.destroyed) {
          ctx.log.debug({ peer: address }, 'client went away while proxying request to destination apiserver');
          return { code: 503, transportFailed: true, answered: false };
        }
        ctx.log.warn({ err, peer: address }, 'Error while proxying request to destination apiserver');
        await writeText(ctx, 503, `${transportErrorText(err, address)}\n`);
        return { code: 503, transportFailed: true, answered: true };
      }
      const answer = response.body;
      // The answer is dropped or cut short below when the client goes away; its error then is expected.
      answer.on('error', () => undefined);
      if (res.headersSent || res.destroyed) {
        // Answered meanwhile (the request timed out) or the client is gone: drop the peer's answer.
        answer.destroy();
        drainBody(ctx);
        return { code: response.statusCode, transportFailed: false, answered: false };
      }
      ctx.reply.hijack();
      ctx.statusCode = response.statusCode;
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      // The trace's received-by is this server's, not the peer's: the peer's answer carries everything else.
      const receivedBy = ctx.headers[RECEIVED_BY_HEADER];
      if (receivedBy !== undefined) headers[RECEIVED_BY_HEADER] = receivedBy;
      res.writeHead(response.statusCode, headers);
      res.flushHeaders();
      try {
        await pipeline(answer, res);
      } catch (err) {
        // The client went away or the peer's answer broke off: both ends are closed now, as Go's
        // reverse proxy aborts the handler when copying the body fails.
        ctx.log.debug({ err, peer: address }, 'proxied answer cut short');
      }
      drainBody(ctx);
      return { code: response.statusCode, transportFailed: false, answered: true };
    } finally {
      res.off('close', clientGone);
    }
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
