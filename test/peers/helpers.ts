/**
 * Helpers shared by the Mixed Version Proxy tests: polling with a deadline, reading `/metrics`
 * (exact series lines for the proxy's own metrics, label-order-insensitive sums for the rest), a
 * streaming watch client, and the 1.36-only object the Gen B tests route.
 */
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../../server/cluster/cluster.js';
import { api, type ApiResponse } from '../fixtures/cluster.js';

/** The 1.36-only resource (admissionregistration.k8s.io/v1 exists on 1.35 without it). */
export const MAP_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies';

/** A valid admissionregistration.k8s.io/v1 MutatingAdmissionPolicy. */
export function mutatingAdmissionPolicy(name: string): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingAdmissionPolicy',
    metadata: { name },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
      failurePolicy: 'Fail',
      reinvocationPolicy: 'IfNeeded',
      mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{}' } }],
    },
  };
}

/** The local 404 of a known group/version with an unknown resource. */
export const NOT_FOUND_STATUS = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server could not find the requested resource',
  reason: 'NotFound',
  details: {},
  code: 404,
};

/** The 503 when no capable peer has an endpoint, exactly as upstream serialises it (JSON + newline). */
export const NO_ENDPOINT_BODY =
  '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Error getting ip and port info of the remote server while proxying","reason":"ServiceUnavailable","code":503}\n';

/** Poll `fn` until `ok` holds or `timeoutMs` passes; resolves with the last value and whether it held. */
export async function poll<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000, intervalMs = 100): Promise<{ value: T; ok: boolean; seen: T[] }> {
  const deadline = Date.now() + timeoutMs;
  const seen: T[] = [];
  for (;;) {
    const value = await fn();
    seen.push(value);
    if (ok(value)) return { value, ok: true, seen };
    if (Date.now() > deadline) return { value, ok: false, seen };
    await sleep(intervalMs);
  }
}

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: string;
}

/** Parse the Prometheus text format (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]), line });
  }
  return out;
}

/** The sum of every sample of `name` whose labels include `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseMetrics(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** The value of the series written exactly as `series` (name and labels, in order), 0 when absent. */
export function seriesValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** GET `/metrics` of a server. */
export async function metricsOf(cluster: Cluster, url: string): Promise<string> {
  const res = await api(cluster, url, 'GET', '/metrics', { headers: { accept: 'text/plain' } });
  if (res.status !== 200) throw new Error(`GET ${url}/metrics: ${res.status} ${res.text}`);
  return res.text;
}

/** A streaming watch opened with the admin certificate. */
export interface WatchStream {
  /** Status code and headers, once the response started. */
  started: Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>;
  /** Events received so far, parsed. */
  events: Array<{ type: string; object: any }>;
  /** Resolves when the stream ends. */
  ended: Promise<void>;
  /** Abort the watch from the client side. */
  close(): void;
  req: ClientRequest;
}

/** Open a watch (`path` already carries `watch=true`). */
export function openWatch(cluster: Cluster, url: string, path: string): WatchStream {
  const tls = cluster.tls;
  const events: Array<{ type: string; object: any }> = [];
  let resolveStarted!: (v: { status: number; headers: Record<string, string | string[] | undefined> }) => void;
  let rejectStarted!: (err: Error) => void;
  const started = new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((res, rej) => {
    resolveStarted = res;
    rejectStarted = rej;
  });
  let resolveEnded!: () => void;
  const ended = new Promise<void>((res) => (resolveEnded = res));
  const req = request(`${url}${path}`, { method: 'GET', headers: { accept: 'application/json' }, ca: tls.ca, cert: tls.cert, key: tls.key }, (res) => {
    resolveStarted({ status: res.statusCode ?? 0, headers: res.headers });
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) events.push(JSON.parse(line));
      }
    });
    res.on('end', () => resolveEnded());
    res.on('close', () => resolveEnded());
    res.on('error', () => resolveEnded());
  });
  req.on('error', (err) => {
    rejectStarted(err);
    resolveEnded();
  });
  req.end();
  return { started, events, ended, close: () => req.destroy(), req };
}

/** A response's single header value. */
export function header(res: ApiResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
