/**
 * Plain HTTP on the secure port, answered as Go's net/http answers it: the TLS server reads a
 * 5-byte record header first; when those bytes look like the start of an HTTP request (`GET /`,
 * `HEAD `, `POST `, `PUT /`, `OPTIO`, Go's `tlsRecordHeaderLooksLikeHTTP`) it writes
 * `HTTP/1.0 400 Bad Request` with the text `Client sent an HTTP request to an HTTPS server.` and
 * closes the connection. Every other connection goes to the TLS server with its bytes untouched, so
 * anything that is not TLS still fails the handshake and is closed without an answer.
 */
import type { Server, Socket } from 'node:net';

/** What Go's net/http writes on a TLS port to a client that speaks plain HTTP. */
export const PLAIN_HTTP_ANSWER = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

const HEADER_BYTES = 5;
/** How long a connection may take to send its first five bytes, by default: node's TLS handshake timeout. */
const FIRST_BYTES_TIMEOUT_MS = 120_000;
const HTTP_STARTS = new Set(['GET /', 'HEAD ', 'POST ', 'PUT /', 'OPTIO']);

/** Go's tlsRecordHeaderLooksLikeHTTP on the first five bytes of a connection. */
export function looksLikePlainHttp(header: Buffer): boolean {
  return header.length >= HEADER_BYTES && HTTP_STARTS.has(header.subarray(0, HEADER_BYTES).toString('latin1'));
}

/**
 * Put the plain-HTTP check in front of a TLS server's connection handling. The first bytes are part
 * of the TLS handshake, so they get the handshake's timeout (Go: ReadHeaderTimeout). Returns a function that
 * drops the connections still being looked at (call it before closing the server, whose close
 * otherwise waits for them).
 */
export function answerPlainHttp(server: Server, firstBytesTimeoutMs = FIRST_BYTES_TIMEOUT_MS): () => void {
  const tlsListeners = server.listeners('connection') as Array<(this: Server, socket: Socket) => void>;
  server.removeAllListeners('connection');
  const looking = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    looking.add(socket);
    let head: Buffer = Buffer.alloc(0);
    const stopLooking = (): void => {
      looking.delete(socket);
      socket.setTimeout(0);
      socket.off('timeout', onGone);
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.off('error', onGone);
    };
    const onGone = (): void => {
      stopLooking();
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < HEADER_BYTES) return;
      stopLooking();
      if (looksLikePlainHttp(head)) {
        // Go writes the answer and closes the connection; whatever else the client sends is dropped.
        socket.on('error', () => undefined);
        socket.end(PLAIN_HTTP_ANSWER, () => socket.destroy());
        return;
      }
      // The TLS socket reads what is buffered on the raw socket before it reads on (node's initRead).
      socket.pause();
      socket.unshift(head);
      for (const listener of tlsListeners) listener.call(server, socket);
    };
    socket.setTimeout(firstBytesTimeoutMs);
    socket.on('timeout', onGone);
    socket.on('data', onData);
    socket.on('end', onGone);
    socket.on('error', onGone);
  });
  return () => {
    for (const socket of looking) socket.destroy();
    looking.clear();
  };
}
