/**
 * The answers to requests that never reach a handler, as Go's net/http gives them (kube-apiserver's
 * HTTP server): a malformed request line or header, a header block past the size limit, a transfer
 * coding other than chunked, an invalid escape in the request target, a missing Host header. Go
 * writes these itself, in plain text, and closes the connection:
 *
 *     HTTP/1.1 400 Bad Request
 *     Content-Type: text/plain; charset=utf-8
 *     Connection: close
 *
 *     400 Bad Request
 *
 * (431 Request Header Fields Too Large and 501 Unsupported transfer encoding alike). Node's parser is
 * stricter than Go's in places (it refuses methods outside its list, bare LF line endings, a
 * Content-Length beside chunked encoding); those get the same plain 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** kube-apiserver's `MaxHeaderBytes`, Go's default of 1 MiB, plus the 4096 bytes of slack Go's server reads before refusing. */
export const MAX_HEADER_BYTES = (1 << 20) + 4096;

const ERROR_HEADERS = '\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n';

/** The raw bytes Go writes for a request it refuses: status line, plain-text headers, body. */
export function protocolErrorResponse(code: 400 | 431 | 501, detail = ''): string {
  if (code === 431) return `HTTP/1.1 431 Request Header Fields Too Large${ERROR_HEADERS}431 Request Header Fields Too Large`;
  if (code === 501) return `HTTP/1.1 501 Not Implemented${ERROR_HEADERS}Unsupported transfer encoding`;
  const text = detail ? `400 Bad Request: ${detail}` : '400 Bad Request';
  return `HTTP/1.1 ${text}${ERROR_HEADERS}${text}`;
}

/** The answer to a parse error Node's HTTP parser reports (`clientError`). */
function answerFor(err: NodeJS.ErrnoException): string | undefined {
  // A read timeout or a reset connection: Go does not reply either.
  if (err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'EPIPE') return undefined;
  if (err.code === 'HPE_HEADER_OVERFLOW') return protocolErrorResponse(431);
  // A transfer coding other than chunked (and no Content-Length beside it).
  if (err.code === 'HPE_INVALID_TRANSFER_ENCODING' && /Request has invalid/.test(err.message)) return protocolErrorResponse(501);
  return protocolErrorResponse(400);
}

/** Sockets already answered: Node may report the same parse error again as more bytes arrive. */
const answered = new WeakSet<Socket>();

/**
 * How long a connection answered with a 431 keeps reading (and dropping) what the client still sends
 * before it closes, as Go's `closeWriteAndWait` does (its `rstAvoidanceDelay`): closing with unread
 * input makes the kernel send a reset, which can destroy the answer before a client still writing a
 * huge header reads it. Other refusals close at once, as Go's do.
 */
const LINGER_MS = 500;

/** The server's `clientError` handler: Go's plain-text answer, then the connection closes. */
export function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.destroyed || answered.has(socket)) return;
  const answer = socket.writable ? answerFor(err) : undefined;
  if (answer === undefined) {
    socket.destroy();
    return;
  }
  answerAndClose(socket, answer, err.code === 'HPE_HEADER_OVERFLOW');
}

/** Writes `answer` (raw response bytes) and closes the connection, after the linger when `linger`. */
export function answerAndClose(socket: Socket, answer: string, linger = false): void {
  answered.add(socket);
  socket.on('data', () => undefined);
  socket.end(answer, () => {
    if (linger) setTimeout(() => socket.destroy(), LINGER_MS).unref();
    else socket.destroy();
  });
}

/**
 * The server's `checkExpectation` handler, for an `Expect` other than `100-continue`: Go's
 * `sendExpectationFailed`, a 417 with no body and `Connection: close`.
 */
export function onUnknownExpectation(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(417, { 'content-length': '0', connection: 'close' });
  res.end();
}
