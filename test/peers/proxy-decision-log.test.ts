/**
 * The proxy's decision records, one per resource request at debug level, as a table: each of
 * upstream's branches (already proxied, not synced, served locally, no StorageVersion, no peer,
 * no endpoint, forwarded) yields exactly one record with the stable fields; a non-resource request
 * yields none, and at info level nothing is logged.
 */
import t from 'tap';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { Registry as PromRegistry } from 'prom-client';
import type { RequestContext } from '../../server/http/context.js';
import { resolveRequestInfo } from '../../server/request-info.js';
import { withPeerProxy, DECISION_MESSAGE } from '../../server/peers/proxy-filter.js';
import { MvpMetrics } from '../../server/peers/metrics.js';
import type { PeerRouter, RouteDecision } from '../../server/peers/routing.js';
import type { PeerTransport } from '../../server/peers/transport.js';

interface Case {
  name: string;
  path?: string;
  headers?: Record<string, string>;
  synced?: boolean;
  route?: RouteDecision;
  level?: string;
  /** The decision record expected (its fields beyond these are checked absent by t.same), or none. */
  want: Record<string, unknown> | undefined;
}

const JOBS = { apiGroup: 'batch', apiVersion: 'v1', resource: 'jobs', 'audit-ID': 'audit-1' };

const CASES: Case[] = [
  { name: 'already proxied', headers: { 'x-kubernetes-peer-proxied': 'true' }, want: { decision: 'served-here', ...JOBS, reason: 'already-proxied' } },
  { name: 'before sync', synced: false, want: { decision: 'served-here', ...JOBS, reason: 'not-synced' } },
  { name: 'served locally', route: { kind: 'local' }, want: { decision: 'served-here', ...JOBS, reason: 'served-locally' } },
  { name: 'no StorageVersion (Generation A)', route: { kind: 'local', reason: 'no-storage-version' }, want: { decision: 'served-here', ...JOBS, reason: 'no-storage-version' } },
  { name: 'no peer serves it', route: { kind: 'local', reason: 'no-peer' }, want: { decision: 'no-peer', ...JOBS } },
  { name: 'no endpoint resolves', route: { kind: 'unresolvable', error: 'failed to resolve host and port for server x' }, want: { decision: 'unavailable', ...JOBS, error: 'failed to resolve host and port for server x' } },
  {
    name: 'forwarded to the chosen peer',
    route: { kind: 'proxy', endpoints: ['10.0.0.1:6443', '10.0.0.2:6443'], ids: ['apiserver-one', 'apiserver-two'] },
    want: { decision: 'forwarded', ...JOBS, peer: '10.0.0.2:6443', peerId: 'apiserver-two', candidates: 2 },
  },
  { name: 'forwarded, the peer id unknown', route: { kind: 'proxy', endpoints: ['10.0.0.1:6443'] }, want: { decision: 'forwarded', ...JOBS, peer: '10.0.0.1:6443', candidates: 1 } },
  { name: 'a non-resource request is no decision', path: '/healthz', want: undefined },
  { name: 'nothing at info level', level: 'info', route: { kind: 'proxy', endpoints: ['10.0.0.1:6443'] }, want: undefined },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
        done();
      },
    });
    const log = pino({ level: c.level ?? 'debug', base: undefined, timestamp: false }, sink);
    const router: PeerRouter = { hasFinishedSync: () => c.synced ?? true, route: async () => c.route ?? { kind: 'local' }, start: async () => {}, stop: () => {} };
    const transport = { forward: async () => ({ code: 200, transportFailed: false, answered: true }) } as unknown as PeerTransport;
    const filter = withPeerProxy({ router, transport, metrics: new MvpMetrics(new PromRegistry(), true), random: () => 0.9 });
    const url = new URL(`https://x${c.path ?? '/apis/batch/v1/namespaces/ns/jobs'}`);
    const ctx = {
      req: { headers: c.headers ?? {} },
      method: 'GET',
      path: url.pathname,
      query: url.searchParams,
      info: resolveRequestInfo('GET', url.pathname, url.searchParams),
      auditId: 'audit-1',
      log,
      headers: {},
    } as unknown as RequestContext;
    await filter(async () => {})(ctx).catch(() => undefined);
    const decisions = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === DECISION_MESSAGE);
    if (c.want === undefined) {
      t.same(decisions, [], 'no decision record');
      return;
    }
    t.equal(decisions.length, 1, 'exactly one decision record');
    const { level, msg, ...fields } = decisions[0]!;
    t.equal(level, 20, 'at debug');
    t.equal(msg, DECISION_MESSAGE);
    t.same(fields, c.want, 'the stable fields');
  });
}
