/**
 * The runner's HTTP client: one request to a server or the front door as the cluster admin (mTLS),
 * asking for the served-by trace, with the whole answer read (or its first bytes, for reports). In a
 * run, each request and its answer go to the run's timeline.
 */
import { httpsRequest } from '../../server/cluster/https-client.js';
import type { Cluster } from '../../server/cluster/cluster.js';
import { RECEIVED_BY_HEADER, RECEIVED_PROXIED_HEADER, SERVED_BY_HEADER, TRACE_HEADER } from '../../server/filters/served-by.js';
import { FRONT_DOOR_LANE, firstBytes, flatHeaders, type Timeline } from './timeline.js';

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

/** What a request is sent through: the cluster, and in a run (a RunContext) the timeline it is recorded on. */
export interface SendTarget {
  cluster: Cluster;
  timeline?: Timeline;
}

/** Options of {@link send}. */
export interface SendOptions {
  timeoutMs?: number;
  /** Who sends it, for the timeline (default: the step being played). */
  origin?: string;
}

/** Where a request goes: a server by name, or the front door. */
export function targetURL(cluster: Cluster, via: string | undefined): string {
  if (via === undefined || via === FRONT_DOOR_LANE) return cluster.frontDoorURL;
  const proc = cluster.servers.get(via);
  if (!proc?.info) throw new Error(`server ${via} has never started`);
  return proc.info.url;
}

function one(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Send one request on a connection of its own, so the front door spreads the runner's requests as
 * it spreads clients; rejects only on a transport failure.
 */
export async function send(
  target: SendTarget,
  via: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  opts: SendOptions = {},
): Promise<HttpResult> {
  const { cluster, timeline } = target;
  const at = Date.now();
  const started = performance.now();
  const requestHeaders = { accept: 'application/json', [TRACE_HEADER]: '1', ...headers };
  const record = (answer: Partial<Pick<HttpResult, 'status' | 'headers' | 'text'>> & { error?: string }): void => {
    if (!timeline) return;
    const h = answer.headers ?? {};
    const servedBy = one(h[SERVED_BY_HEADER]);
    const receivedBy = one(h[RECEIVED_BY_HEADER]);
    const proxied = one(h[RECEIVED_PROXIED_HEADER]);
    timeline.record(
      'request',
      {
        origin: opts.origin ?? `step ${timeline.step}`,
        via: via ?? FRONT_DOOR_LANE,
        method,
        path,
        requestHeaders,
        ...(body !== undefined ? { requestBody: firstBytes(typeof body === 'string' ? body : JSON.stringify(body)) } : {}),
        ...(answer.status !== undefined ? { status: answer.status } : {}),
        ...(answer.error !== undefined ? { error: answer.error } : {}),
        ...(servedBy ? { servedBy } : {}),
        ...(receivedBy ? { receivedBy } : {}),
        ...(proxied ? { receivedProxied: proxied === 'true' } : {}),
        headers: flatHeaders(h),
        body: firstBytes(answer.text ?? ''),
        ms: Math.round(performance.now() - started),
      },
      at,
    );
  };
  let res;
  try {
    res = await httpsRequest(`${targetURL(cluster, via)}${path}`, {
      method,
      headers: requestHeaders,
      body,
      tls: cluster.tls,
      timeoutMs: opts.timeoutMs ?? 30_000,
      freshConnection: true,
    });
  } catch (err) {
    record({ error: (err as Error).message });
    throw err;
  }
  record(res);
  const servedBy = one(res.headers[SERVED_BY_HEADER]);
  return { ...res, ...(servedBy ? { servedBy } : {}), ms: performance.now() - started };
}
