/**
 * Sending fuzz cases to one server over mTLS as the cluster admin: HTTP cases through Node's
 * client on keep-alive connections, raw cases as bytes on a fresh TLS connection each. Answers are
 * read in full (up to a cap), except a 2xx to a case that may open a watch, which is closed after
 * its headers. A case that gets no answer within the timeout is reported as such, never waited on
 * forever.
 */
import { Agent, request } from 'node:https';
import { connect, createSecureContext, type SecureContext } from 'node:tls';
import type { FuzzCase } from './case.js';
import { CutTarget, type CutResult } from '../bench/cancel.js';
import { parseResponses, type ParsedResponse } from './http-parse.js';

/** TLS material of the admin client. */
export interface ClientTLS {
  ca: string;
  cert: string;
  key: string;
}

/** What came back for one case. */
export type Outcome =
  /** One or more responses (more than one only for raw cases). */
  | { kind: 'answered'; responses: ParsedResponse[] }
  /** The connection ended or failed before any response. */
  | { kind: 'no-answer'; error: string }
  /** Nothing within the timeout. */
  | { kind: 'timeout' }
  /** Node's client refused to send the request (an invalid header or path); nothing reached the server. */
  | { kind: 'not-sent'; error: string }
  /** A case the client cut short by design: where it got. */
  | { kind: 'cut'; result: CutResult };

/**
 * Bytes of a response body kept for classification: past any Status a server writes (a 422 may
 * quote a whole object of up to the 3 MiB body limit in its message, escaped), so no Status is
 * misread as a non-Status body for being cut short.
 */
const BODY_CAP = 16 * 1024 * 1024;

/** Sends cases to one server. */
export class Transport {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;
  /** One TLS context for every raw connection (building one per connection costs more than the request). */
  private readonly secureContext: SecureContext;
  /** Where cut cases go: the server under test, and the one that proxies to it (or the same). */
  private readonly cutDirect: CutTarget;
  private readonly cutProxied: CutTarget;

  constructor(
    url: string,
    tls: ClientTLS,
    connections: number,
    private readonly timeoutMs = 20_000,
    /** A server that must proxy the newest API to `url`, for cut cases marked `proxied`. */
    proxyingUrl?: string,
  ) {
    this.cutDirect = new CutTarget(url, tls);
    this.cutProxied = proxyingUrl ? new CutTarget(proxyingUrl, tls) : this.cutDirect;
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.secureContext = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
    // One TLS context for the agent's connections too, and no Nagle delay: a small body written after
    // the headers would otherwise wait for the server's delayed acknowledgement.
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, secureContext: this.secureContext, noDelay: true });
  }

  /** Sends one case and reports what came back. */
  send(c: FuzzCase): Promise<Outcome> {
    if (c.cut) return this.sendCut(c, c.cut);
    return c.raw ? this.sendRaw(c.raw) : this.sendHttp(c);
  }

  private async sendCut(c: FuzzCase, cut: NonNullable<FuzzCase['cut']>): Promise<Outcome> {
    const target = c.proxied ? this.cutProxied : this.cutDirect;
    const result = c.raw ? await target.rawPrefix(c.raw.subarray(0, cut.bytes), cut.delayMs) : await target.cut(cut.point, c.method, c.path, { ...(c.body ? { body: c.body } : {}), bytes: cut.bytes, delayMs: cut.delayMs });
    return { kind: 'cut', result };
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private sendHttp(c: FuzzCase): Promise<Outcome> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (o: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(o);
      };
      const headers: Record<string, string> = { accept: 'application/json', ...c.headers };
      if (c.body !== undefined) headers['content-length'] = String(c.body.length);
      let req: ReturnType<typeof request>;
      try {
        req = request({ host: this.host, port: this.port, method: c.method, path: c.path, headers, agent: this.agent, servername: 'localhost' }, (res) => {
          const status = res.statusCode ?? 0;
          const resHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
          if (c.stream && status >= 200 && status < 300) {
            res.destroy();
            req.destroy();
            done({ kind: 'answered', responses: [{ status, headers: resHeaders, body: Buffer.alloc(0) }] });
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            if (size < BODY_CAP) chunks.push(d);
            size += d.length;
          });
          res.on('end', () => done({ kind: 'answered', responses: [{ status, headers: resHeaders, body: Buffer.concat(chunks) }] }));
          res.on('error', (err) => done({ kind: 'answered', responses: [{ status, headers: resHeaders, body: Buffer.concat(chunks) }], ...{ error: err.message } }));
          res.on('aborted', () => done({ kind: 'answered', responses: [{ status, headers: resHeaders, body: Buffer.concat(chunks) }] }));
        });
      } catch (err) {
        resolve({ kind: 'not-sent', error: (err as Error).message });
        return;
      }
      const timer = setTimeout(() => {
        req.destroy();
        done({ kind: 'timeout' });
      }, this.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => done({ kind: 'no-answer', error: err.code ?? err.message }));
      req.end(c.body);
    });
  }

  private sendRaw(bytes: Buffer): Promise<Outcome> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const socket = connect({ host: this.host, port: this.port, secureContext: this.secureContext, servername: 'localhost' }, () => {
        // The server may answer and close before it has read everything (a 431 on a huge header).
        socket.write(bytes, () => undefined);
      });
      const finish = (error?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        const data = Buffer.concat(chunks);
        const responses = parseResponses(data);
        if (responses.length > 0) resolve({ kind: 'answered', responses });
        else resolve({ kind: 'no-answer', error: error ?? (data.length ? `unparseable answer: ${JSON.stringify(data.subarray(0, 80).toString('latin1'))}` : 'closed without an answer') });
      };
      const timer = setTimeout(() => {
        if (settled) return;
        const answered = parseResponses(Buffer.concat(chunks)).length > 0;
        if (answered) return finish();
        settled = true;
        socket.destroy();
        resolve({ kind: 'timeout' });
      }, this.timeoutMs);
      socket.on('data', (d: Buffer) => {
        if (size < BODY_CAP * 2) chunks.push(d);
        size += d.length;
      });
      socket.on('end', () => finish());
      socket.on('close', () => finish());
      socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    });
  }
}
