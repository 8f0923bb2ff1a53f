/**
 * The supervisor's side of the control channel: listen on `<data-dir>/control.sock` (mode 0600),
 * read one JSON request a connection, answer with what the handler returns. A request that is not
 * JSON, or a handler that throws, is answered with `{ ok: false, error }`.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { PRIVATE_FILE_MODE } from '../private-file.js';
import { controlSocketPath, type ControlRequest, type ControlResponse } from './protocol.js';

/** The longest Unix socket path Linux takes (sun_path is 108 bytes with its terminating NUL). */
export const MAX_SOCKET_PATH = 107;

/** A listening control channel. */
export interface ControlServer {
  path: string;
  /** Stop listening and remove the socket file. */
  close(): Promise<void>;
}

/** The largest request read, in bytes. */
const MAX_REQUEST = 64 * 1024;

/**
 * Listen on the control socket of `dataDir`, replacing a stale socket file left by a supervisor
 * that died. Throws when the path is too long for a Unix socket.
 */
export async function listenControl(dataDir: string, handle: (req: ControlRequest) => Promise<ControlResponse>): Promise<ControlServer> {
  const path = controlSocketPath(dataDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) throw new Error(`the control socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter --data-dir`);
  await rm(path, { force: true });
  const server: Server = createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST) return void socket.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      socket.pause();
      let req: ControlRequest;
      try {
        req = JSON.parse(buf.slice(0, nl)) as ControlRequest;
      } catch {
        return void socket.end(`${JSON.stringify({ ok: false, error: 'the request is not JSON' })}\n`);
      }
      void handle(req)
        .catch((err: unknown): ControlResponse => ({ ok: false, error: err instanceof Error ? err.message : String(err) }))
        .then((res) => {
          if (!socket.destroyed) socket.end(`${JSON.stringify(res)}\n`);
        });
    });
  });
  // The socket file is created with the process umask: it is narrowed to 0600 before the path is
  // announced (the data directory is 0700 as well).
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, PRIVATE_FILE_MODE);
  return {
    path,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(path, { force: true });
    },
  };
}
