/**
 * The commands' side of the control channel: send one request to the `kube-skew up` of a data
 * directory and read its answer. A data directory without a live supervisor is a clear error, never
 * a stack trace.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { controlSocketPath, type ControlRequest, type ControlResponse } from './protocol.js';

/** How long a request may take by default: long enough for an upgrade to become ready on a busy machine. */
export const DEFAULT_CONTROL_TIMEOUT_MS = 120_000;

/** A control request that could not be sent or answered, with a message for the user. */
export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Send `req` to the supervisor of `dataDir`; resolves with its answer, rejects with a ControlError. */
export function callControl(dataDir: string, req: ControlRequest, timeoutMs = DEFAULT_CONTROL_TIMEOUT_MS): Promise<ControlResponse> {
  const path = controlSocketPath(dataDir);
  if (!existsSync(dataDir)) return Promise.reject(new ControlError(`no cluster found at ${dataDir}: the directory does not exist`));
  if (!existsSync(path)) return Promise.reject(new ControlError(`no cluster found at ${dataDir}: no kube-skew up is running there (no ${path})`));
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buf = '';
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new ControlError(message));
    };
    const timer = setTimeout(() => fail(`kube-skew up at ${dataDir} did not answer within ${timeoutMs} ms`), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on('data', (chunk: string) => (buf += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(
        err.code === 'ECONNREFUSED' || err.code === 'ENOENT'
          ? `no cluster found at ${dataDir}: no kube-skew up is running there (${path} is stale)`
          : `cannot reach kube-skew up at ${dataDir}: ${err.message}`,
      );
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (settled) return;
      try {
        const res = JSON.parse(buf.trim()) as ControlResponse;
        settled = true;
        resolve(res);
      } catch {
        fail(`kube-skew up at ${dataDir} closed the connection without an answer`);
      }
    });
  });
}
