/**
 * The connection-level limits of the HTTPS server, as upstream's `SecureServingInfo.Serve` sets up
 * Go's `http.Server`, translated to Node's server settings:
 *
 * - `MaxHeaderBytes: 1 << 20` (plus the 4096 bytes Go allows on top): `maxHeaderSize`; larger
 *   headers get Go's plain-text `431 Request Header Fields Too Large` and the connection is closed.
 * - `ReadHeaderTimeout: 32s`, which in Go also bounds the TLS handshake: `handshakeTimeout` and
 *   `headersTimeout`. A client that does not finish its handshake, or sends its headers byte by byte
 *   (slowloris), is dropped without an answer, as Go closes the connection when the read deadline
 *   passes.
 * - `IdleTimeout: 90s`: `keepAliveTimeout`.
 * - Go has no whole-request read deadline (the request timeout bounds the handler); Node's
 *   `requestTimeout` is set to the request timeout as a backstop, so a body trickling in after its
 *   handler has answered cannot hold a connection either.
 * - Malformed requests get Go's plain-text `400 Bad Request` (not fastify's JSON client errors).
 *
 * One bound is kube-skew's own: Go blocks the writing handler when a client stops reading, while
 * Node buffers the unread answer (and every further watch event) in memory. A connection whose
 * output has stayed unsent for the write stall timeout is closed. It is measured on the pending
 * output as a whole: a single answer that takes longer than that to reach a slow reader counts as
 * stalled too.
 *
 * These are wall-clock bounds on real sockets, kept from Node's own timers: they are not shortened
 * by the time scale, as the clients on the other end (kubectl's 90 s idle connections, Node's
 * agents) do not run on scaled time either.
 */
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import { MAX_HEADER_BYTES, onClientError as onProtocolError } from './protocol-errors.js';

/** kube-apiserver's `ReadHeaderTimeout`. */
export const DEFAULT_READ_HEADER_TIMEOUT_MS = 32_000;
/** kube-apiserver's `IdleTimeout`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;
/** kube-skew's write stall timeout. */
export const DEFAULT_WRITE_STALL_TIMEOUT_MS = 60_000;

/** The connection limits. */
export interface ServingLimits {
  readHeaderTimeoutMs: number;
  idleTimeoutMs: number;
  /** The request timeout (wall time), Node's `requestTimeout` backstop; 0 leaves it off. */
  requestTimeoutMs: number;
  /** 0 disables the write stall check. */
  writeStallTimeoutMs: number;
}

/** The options Node's `https.createServer` takes for these limits (merged with the TLS options). */
export function serverOptions(limits: ServingLimits): Record<string, number> {
  const headers = limits.readHeaderTimeoutMs;
  const smallest = Math.min(...[headers, limits.requestTimeoutMs].filter((ms) => ms > 0), 30_000);
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    handshakeTimeout: headers,
    headersTimeout: headers,
    // Node checks its header and request deadlines on this period (default 30 s).
    connectionsCheckingInterval: Math.max(50, Math.floor(smallest / 4)),
  };
}

/** Node's `requestTimeout`: never below the header timeout, which Node requires. */
export function nodeRequestTimeout(limits: ServingLimits): number {
  return limits.requestTimeoutMs > 0 ? Math.max(limits.requestTimeoutMs, limits.readHeaderTimeoutMs) : 0;
}

/** The connection guard of one server: its client-error answers and its write stall check. */
export interface ConnectionGuard {
  /** The server's `clientError` handler (fastify's `clientErrorHandler`, replacing its JSON answers). */
  onClientError(err: NodeJS.ErrnoException, socket: Socket): void;
  /** Follow the server's requests and connections. */
  attach(server: Server): void;
  /** Stop the write stall check. */
  stop(): void;
}

/** Build the connection guard for `limits`. */
export function connectionGuard(limits: ServingLimits): ConnectionGuard {
  // The request each socket is serving. A parse error can come after its 'request' event (a bad
  // transfer coding or chunk is found while the body is read): Go's answer is still written unless
  // the handler's answer has already begun, as an error answer must never be mixed into one.
  const serving = new Map<Socket, { headersSent: boolean }>();
  const sockets = new Set<Socket>();
  const pendingSince = new Map<Socket, number>();
  let timer: NodeJS.Timeout | undefined;

  const check = (): void => {
    const now = Date.now();
    for (const socket of sockets) {
      if (socket.writableLength === 0) {
        pendingSince.delete(socket);
        continue;
      }
      const since = pendingSince.get(socket);
      if (since === undefined) pendingSince.set(socket, now);
      else if (now - since >= limits.writeStallTimeoutMs) socket.destroy();
    }
  };

  return {
    onClientError(err, socket) {
      // Node's own header timeout is Go's ReadHeaderTimeout, which Go answers with nothing. The rest
      // is Go's plain-text answer, which also keeps a connection it has answered (and ended) open to
      // drain for a moment when Node reports the same error again as more bytes arrive.
      if (err.code === 'HPE_HEADERS_TIMEOUT' || serving.get(socket)?.headersSent) {
        socket.destroy();
        return;
      }
      onProtocolError(err, socket);
    },
    attach(server) {
      server.on('request', (req: { socket: Socket }, res: { headersSent: boolean; once(event: 'close', fn: () => void): void }) => {
        serving.set(req.socket, res);
        res.once('close', () => {
          if (serving.get(req.socket) === res) serving.delete(req.socket);
        });
      });
      if (!(limits.writeStallTimeoutMs > 0)) return;
      server.on('secureConnection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => {
          sockets.delete(socket);
          pendingSince.delete(socket);
        });
      });
      timer = setInterval(check, Math.max(50, Math.min(1000, Math.floor(limits.writeStallTimeoutMs / 4))));
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
