/**
 * The runner's HTTP client: one request to a server or the front door as the cluster admin (mTLS),
 * asking for the served-by trace, with the whole answer read (or its first bytes, for reports).
 */
import { request } from 'node:https';
import type { Cluster } from '../../server/cluster/cluster.js';

/** A response as the runner sees it. */
export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
  /** The server that answered, from the served-by trace. */
  servedBy?: string;
  ms: number;
}

/** Where a request goes: a server by name, or the front door. */
export function targetURL(cluster: Cluster, via: string | undefined): string {
  if (via === undefined || via === 'front-door') return cluster.frontDoorURL;
  const proc = cluster.servers.get(via);
  if (!proc?.info) throw new Error(`server ${via} has never started`);
  return proc.info.url;
}

/** Send one request; rejects only on a transport failure. */
export function send(
  cluster: Cluster,
  via: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<HttpResult> {
  const url = `${targetURL(cluster, via)}${path}`;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const all: Record<string, string> = { accept: 'application/json', 'x-kube-skew-trace': '1', ...headers };
  if (payload !== undefined) {
    all['content-type'] ??= 'application/json';
    all['content-length'] = String(Buffer.byteLength(payload));
  }
  const tls = cluster.tls;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: all, ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const servedBy = res.headers['x-kube-skew-served-by'];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ...(typeof servedBy === 'string' ? { servedBy } : {}), ms: performance.now() - started });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
