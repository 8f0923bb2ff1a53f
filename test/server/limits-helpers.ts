/**
 * Helpers of the limits tests: a user who is not in system:masters (client certificate signed by the
 * cluster CA) with a kubeconfig for kubectl, raw TLS connections that send a request at the pace
 * the test decides, and reading one sample out of `/metrics`.
 */
import { connect, type TLSSocket } from 'node:tls';
import { spawn } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import type { ClientRequest } from 'node:http';
import { join } from 'node:path';
import { signCert } from '../../server/cluster/pki.js';
import { writeKubeconfig } from '../../server/cluster/kubeconfig.js';
import { httpsRequest, type ClientTLS, type HttpsResponse } from '../../server/cluster/https-client.js';
import type { Cluster } from '../../server/cluster/cluster.js';
import { tempDir, type TestLike } from '../fixtures/cluster.js';

/** A user of the cluster outside system:masters: TLS material and a kubeconfig naming one server. */
export interface LimitedUser {
  name: string;
  tls: ClientTLS;
  /** A kubeconfig whose current context is the given server, as this user. */
  kubeconfig(t: TestLike, url: string): Promise<string>;
}

/** Make a client certificate for `name` (groups `groups`) signed by the cluster CA. */
export async function limitedUser(cluster: Cluster, name: string, groups: string[] = ['limits-test']): Promise<LimitedUser> {
  const pair = await signCert(cluster.pki.ca, { commonName: name, organizations: groups, usage: 'client' });
  const tls = { ca: cluster.pki.ca.cert, cert: pair.cert, key: pair.key };
  return {
    name,
    tls,
    async kubeconfig(t, url) {
      const path = join(await tempDir(t, 'kubeconfig-'), 'config');
      await writeKubeconfig(path, [{ name: 'limited', server: url }], 'limited', { ca: cluster.pki.ca.cert, cert: pair.cert, key: pair.key });
      return path;
    },
  };
}

/** One request with `tls`, read in full. */
export function call(url: string, tls: ClientTLS, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpsResponse> {
  return httpsRequest(`${url}${path}`, { method, tls, headers: { accept: 'application/json', ...headers }, ...(body !== undefined ? { body } : {}) });
}

/** An open TLS connection to `url` the test writes to by hand; collects what the server sends. */
export interface RawConnection {
  socket: TLSSocket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  /** True once closed. */
  isClosed(): boolean;
}

/** Open a TLS connection (as `tls`'s user) and wait for the handshake. `read` false leaves the socket unread. */
export async function rawConnection(url: string, tls: ClientTLS, read = true): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), ca: tls.ca, cert: tls.cert, key: tls.key, servername: 'localhost' });
  let text = '';
  let closed = false;
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => {
    closed = true;
    resolve();
  }));
  socket.on('error', () => undefined);
  if (read) socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed: closedPromise, isClosed: () => closed };
}

/** Write `text` one piece every `everyMs` until the text is sent or the connection closes. */
export function trickle(conn: RawConnection, text: string, everyMs: number, pieceSize = 1): Promise<void> {
  return new Promise((resolve) => {
    let at = 0;
    const timer = setInterval(() => {
      if (conn.isClosed() || at >= text.length) {
        clearInterval(timer);
        resolve();
        return;
      }
      conn.socket.write(text.slice(at, at + pieceSize));
      at += pieceSize;
    }, everyMs);
  });
}

/** A watch opened as `tls`'s user: its status once it started, and a way to close it. */
export interface OpenWatch {
  started: Promise<{ status: number; headers: Record<string, string | string[] | undefined>; firstChunk: Promise<string> }>;
  /** Resolves when the stream ends (either side). */
  ended: Promise<void>;
  close(): void;
}

/** Open a watch (`path` carries `watch=true`) as `tls`'s user. */
export function watchAs(url: string, tls: ClientTLS, path: string): OpenWatch {
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  let req!: ClientRequest;
  const started = new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; firstChunk: Promise<string> }>((resolve, reject) => {
    req = httpsGet(`${url}${path}`, { headers: { accept: 'application/json' }, ca: tls.ca, cert: tls.cert, key: tls.key, agent: false }, (res) => {
      const firstChunk = new Promise<string>((r) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
          r(text);
        });
        res.on('end', () => r(text));
      });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, firstChunk });
      res.on('close', () => resolveEnded());
      res.on('error', () => resolveEnded());
    });
    req.on('error', (err) => {
      reject(err);
      resolveEnded();
    });
  });
  started.catch(() => undefined);
  return { started, ended, close: () => req.destroy() };
}

/** Run `binary` with `kubeconfig` and a fresh discovery cache; resolves with its exit code and output. */
export async function kubectlAs(t: TestLike, binary: string, kubeconfig: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cacheDir = await tempDir(t, 'kubecache-');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [`--kubeconfig=${kubeconfig}`, ...args], { env: { ...process.env, KUBECACHEDIR: cacheDir, HOME: cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The raw request head of a POST whose body the test sends itself. */
export function postHead(path: string, length: number, contentType = 'application/json'): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\n`;
}

/** The status code of the first response in raw HTTP text, or 0. */
export function statusOf(raw: string): number {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(raw);
  return m ? Number(m[1]) : 0;
}
