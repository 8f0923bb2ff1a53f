/**
 * The runner's HTTP client: one request to a server or the front door as the cluster admin (mTLS),
 * asking for the served-by trace, with the whole answer read (or its first bytes, for reports).
 */
import { httpsRequest } from '../../server/cluster/https-client.js';
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

/**
 * Send one request on a connection of its own, so the front door spreads the runner's requests as
 * it spreads clients; rejects only on a transport failure.
 */
export async function send(
  cluster: Cluster,
  via: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<HttpResult> {
  const started = performance.now();
  const res = await httpsRequest(`${targetURL(cluster, via)}${path}`, {
    method,
    headers: { accept: 'application/json', 'x-kube-skew-trace': '1', ...headers },
    body,
    tls: cluster.tls,
    timeoutMs,
    freshConnection: true,
  });
  const servedBy = res.headers['x-kube-skew-served-by'];
  return { ...res, ...(typeof servedBy === 'string' ? { servedBy } : {}), ms: performance.now() - started };
}
