/**
 * Clients that misbehave the way real ones do: each request on a connection of its own, cut by the
 * client at a chosen point (before the answer's headers, between headers and body, in the middle
 * of the body or of a watch, in the middle of its own request bytes), read very slowly and then
 * dropped, or a TLS handshake dropped half way. What the server answers does not matter here; only
 * that it survives, so every function resolves (never rejects) with what happened.
 */
import { request } from 'node:https';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';

/** TLS material of the admin client. */
export interface CutTLS {
  ca: string;
  cert: string;
  key: string;
}

/** Where a request is cut. */
export const CUT_POINTS = ['before-headers', 'after-headers', 'mid-body', 'mid-watch', 'mid-request'] as const;
export type CutPoint = (typeof CUT_POINTS)[number];

/** What became of one misbehaving request. */
export type CutResult =
  /** Cut at the point asked for. */
  | 'cut'
  /** The answer was complete before the point came (a small body, a quick answer): cut afterwards all the same. */
  | 'answered-first'
  /** The connection failed before the point (the server was down or refused it). */
  | 'failed';

/** A server (or the front door) to misbehave against. */
export class CutTarget {
  readonly host: string;
  readonly port: number;
  private readonly tls: CutTLS;
  private readonly context: SecureContext;

  constructor(url: string, tls: CutTLS) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.tls = tls;
    this.context = createSecureContext(tls);
  }

  /**
   * Send `method path` (with `body`) on a fresh connection and cut it at `point`: `before-headers`
   * after `delayMs` once the request is written; `after-headers` as the headers arrive;
   * `mid-body` and `mid-watch` once `bytes` bytes of the answer's body came (or after `delayMs`,
   * whichever is first); `mid-request` after writing only the first `bytes` bytes of the body
   * (headers flushed), then waiting `delayMs`.
   */
  cut(point: CutPoint, method: string, path: string, opts: { body?: Buffer; delayMs?: number; bytes?: number } = {}): Promise<CutResult> {
    const delayMs = opts.delayMs ?? 0;
    const body = opts.body;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(body.length) });
    return new Promise((resolve) => {
      let result: CutResult | undefined;
      const finish = (r: CutResult): void => {
        result ??= r;
        clearTimeout(timer);
        req.destroy();
      };
      const req = request({ host: this.host, port: this.port, method, path, headers, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, agent: false, servername: 'localhost' }, (res) => {
        if (point === 'before-headers') return finish('answered-first');
        if (point === 'after-headers' || point === 'mid-request') return finish('cut');
        let seen = 0;
        res.on('data', (d: Buffer) => {
          if ((seen += d.length) >= (opts.bytes ?? 1)) finish('cut');
        });
        res.on('end', () => finish('answered-first'));
        res.on('error', () => undefined);
      });
      let timer: NodeJS.Timeout | undefined;
      const cutLater = (r: CutResult): void => {
        timer = setTimeout(() => finish(r), delayMs);
      };
      req.on('error', () => finish('failed'));
      req.on('close', () => resolve(result ?? 'failed'));
      if (point === 'mid-request') {
        req.flushHeaders();
        if (body) req.write(body.subarray(0, Math.min(opts.bytes ?? 0, body.length - 1)));
        cutLater('cut');
        return;
      }
      req.end(body);
      if (point === 'before-headers') req.once('finish', () => cutLater('cut'));
      else if (point === 'mid-body' || point === 'mid-watch') cutLater('cut');
    });
  }

  /**
   * Write only `bytes` (a prefix of a raw request) on a fresh TLS connection, wait `delayMs`, and
   * drop the connection. Resolves 'failed' when the connection failed first.
   */
  rawPrefix(bytes: Buffer, delayMs: number): Promise<CutResult> {
    return new Promise((resolve) => {
      let result: CutResult = 'failed';
      const socket = tlsConnect({ host: this.host, port: this.port, secureContext: this.context, servername: 'localhost' }, () => {
        socket.write(bytes, () => undefined);
        setTimeout(() => {
          result = 'cut';
          socket.destroy();
        }, delayMs);
      });
      socket.on('error', () => socket.destroy());
      socket.on('close', () => resolve(result));
    });
  }

  /**
   * A GET read very slowly: one chunk every `everyMs` for `forMs`, then the connection dropped.
   * Resolves with the bytes read.
   */
  slowRead(path: string, everyMs: number, forMs: number): Promise<number> {
    return new Promise((resolve) => {
      let read = 0;
      let tick: NodeJS.Timeout | undefined;
      const req = request({ host: this.host, port: this.port, method: 'GET', path, headers: { accept: 'application/json' }, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, agent: false, servername: 'localhost' }, (res) => {
        res.pause();
        res.on('error', () => undefined);
        tick = setInterval(() => {
          const chunk = res.read() as Buffer | null;
          if (chunk) read += chunk.length;
        }, everyMs);
      });
      const stop = setTimeout(() => req.destroy(), forMs);
      req.on('error', () => undefined);
      req.on('close', () => {
        clearInterval(tick);
        clearTimeout(stop);
        resolve(read);
      });
      req.end();
    });
  }

  /**
   * One connection of a reconnect storm: dropped after the TCP connect before any TLS byte
   * (`tcp`), after the server's first handshake answer (`half-handshake`), or after a full
   * handshake and one request (`request`). Resolves true when the connection got as far as asked.
   */
  connection(kind: 'tcp' | 'half-handshake' | 'request'): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = netConnect({ host: this.host, port: this.port });
      let reached = false;
      const done = (): void => {
        socket.destroy();
      };
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(reached));
      socket.setTimeout(10_000, done);
      socket.once('connect', () => {
        if (kind === 'tcp') {
          reached = true;
          return done();
        }
        // TLS runs over a pipe of this client's own, so that it sees the server's first bytes (its
        // ServerHello) and can drop the connection there, in the middle of the handshake.
        const pipe = new Duplex({
          read: () => undefined,
          write: (chunk: Buffer, _encoding, callback) => socket.write(chunk, () => callback()),
        });
        socket.on('data', (d: Buffer) => {
          if (kind === 'half-handshake') {
            reached = true;
            return done();
          }
          pipe.push(d);
        });
        socket.on('close', () => pipe.destroy());
        const secure = tlsConnect({ socket: pipe, secureContext: this.context, servername: 'localhost' });
        secure.on('error', () => done());
        secure.once('secureConnect', () => secure.write(`GET /readyz HTTP/1.1\r\nHost: ${this.host}\r\nConnection: close\r\n\r\n`));
        secure.once('data', () => {
          reached = true;
          done();
        });
      });
    });
  }
}
