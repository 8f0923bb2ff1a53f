/**
 * The proxy filter's decision flow as a table of cases, in upstream's order (mvp-behavior.md §6 and
 * §15): non-resource paths pass, an already proxied request is served locally, nothing is proxied
 * before sync, a locally served GVR stays local, nobody serving it falls through to the local chain,
 * no resolvable endpoint is the Status 503, otherwise one random peer is chosen with no retry.
 */
import t from 'tap';
import { pino } from 'pino';
import { Registry as PromRegistry } from 'prom-client';
import type { RequestContext } from '../../server/http/context.js';
import { resolveRequestInfo } from '../../server/request-info.js';
import { isStatusError } from '../../server/errors/status.js';
import { withPeerProxy, NO_ENDPOINT_MESSAGE } from '../../server/peers/proxy-filter.js';
import { MvpMetrics } from '../../server/peers/metrics.js';
import type { GVR, PeerRouter, RouteDecision } from '../../server/peers/routing.js';
import type { PeerTransport } from '../../server/peers/transport.js';

interface Case {
  name: string;
  path: string;
  headers?: Record<string, string>;
  synced?: boolean;
  decision?: RouteDecision;
  random?: number;
  /** What should happen: the local chain, a forward to this endpoint, or the 503 Status. */
  expect: { local: true } | { forwardTo: string } | { status: number; message: string };
  /** The GVR the router must be asked about (absent: the router must not be asked). */
  asked?: GVR;
}

const CASES: Case[] = [
  { name: 'a non-resource path passes through', path: '/foo/bar/baz', expect: { local: true } },
  { name: 'discovery of a group/version is never proxied', path: '/apis/batch/v1', decision: { kind: 'proxy', endpoints: ['1.2.3.4:443'] }, expect: { local: true } },
  {
    name: 'a request already carrying x-kubernetes-peer-proxied: true is served locally',
    path: '/api/v1/namespaces/ns/pods',
    headers: { 'x-kubernetes-peer-proxied': 'true' },
    decision: { kind: 'proxy', endpoints: ['1.2.3.4:443'] },
    expect: { local: true },
  },
  {
    name: 'only the exact value "true" opts out',
    path: '/api/v1/namespaces/ns/pods',
    headers: { 'x-kubernetes-peer-proxied': 'True' },
    decision: { kind: 'proxy', endpoints: ['1.2.3.4:443'] },
    expect: { forwardTo: '1.2.3.4:443' },
    asked: { group: '', version: 'v1', resource: 'pods' },
  },
  { name: 'before sync everything is served locally', path: '/api/v1/pods', synced: false, decision: { kind: 'proxy', endpoints: ['1.2.3.4:443'] }, expect: { local: true } },
  { name: 'a GVR served locally stays local', path: '/apis/batch/v1/jobs', decision: { kind: 'local' }, expect: { local: true }, asked: { group: 'batch', version: 'v1', resource: 'jobs' } },
  {
    name: 'no endpoint resolvable gives the Status 503',
    path: '/apis/batch/v1/namespaces/ns/jobs/j',
    decision: { kind: 'unresolvable', error: 'missing port in address' },
    expect: { status: 503, message: NO_ENDPOINT_MESSAGE },
    asked: { group: 'batch', version: 'v1', resource: 'jobs' },
  },
  {
    name: 'the subresource is ignored in the decision',
    path: '/api/v1/namespaces/ns/pods/p/resize',
    decision: { kind: 'proxy', endpoints: ['10.0.0.1:6443'] },
    expect: { forwardTo: '10.0.0.1:6443' },
    asked: { group: '', version: 'v1', resource: 'pods' },
  },
  {
    name: 'watches are proxied like any other verb',
    path: '/apis/batch/v1/watch/namespaces/ns/jobs',
    decision: { kind: 'proxy', endpoints: ['10.0.0.1:6443'] },
    expect: { forwardTo: '10.0.0.1:6443' },
    asked: { group: 'batch', version: 'v1', resource: 'jobs' },
  },
  {
    name: 'the peer is chosen by the injected random source',
    path: '/apis/batch/v1/jobs',
    decision: { kind: 'proxy', endpoints: ['a:1', 'b:2', 'c:3'] },
    random: 0.99,
    expect: { forwardTo: 'c:3' },
    asked: { group: 'batch', version: 'v1', resource: 'jobs' },
  },
  {
    name: 'the first peer for a low random value',
    path: '/apis/batch/v1/jobs',
    decision: { kind: 'proxy', endpoints: ['a:1', 'b:2', 'c:3'] },
    random: 0,
    expect: { forwardTo: 'a:1' },
    asked: { group: 'batch', version: 'v1', resource: 'jobs' },
  },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const asked: GVR[] = [];
    const forwarded: string[] = [];
    const router: PeerRouter = {
      hasFinishedSync: () => c.synced ?? true,
      route: async (gvr) => {
        asked.push(gvr);
        return c.decision ?? { kind: 'local' };
      },
      start: async () => {},
      stop: () => {},
    };
    const transport = {
      forward: async (_ctx: RequestContext, endpoint: string) => {
        forwarded.push(endpoint);
        return 200;
      },
    } as unknown as PeerTransport;
    const metrics = new MvpMetrics(new PromRegistry(), true);
    const filter = withPeerProxy({ router, transport, metrics, random: () => c.random ?? 0 });
    let localCalls = 0;
    const handler = filter(async () => {
      localCalls++;
    });
    const url = new URL(`https://x${c.path}`);
    const ctx = {
      req: { headers: c.headers ?? {} },
      res: { getHeader: () => undefined },
      method: 'GET',
      path: url.pathname,
      query: url.searchParams,
      info: resolveRequestInfo('GET', url.pathname, url.searchParams),
      log: pino({ level: 'silent' }),
      headers: {},
    } as unknown as RequestContext;

    let thrown: unknown;
    try {
      await handler(ctx);
    } catch (err) {
      thrown = err;
    }
    if ('local' in c.expect) {
      t.equal(thrown, undefined);
      t.equal(localCalls, 1, 'served by the local chain');
      t.same(forwarded, [], 'not forwarded');
    } else if ('forwardTo' in c.expect) {
      t.equal(thrown, undefined);
      t.equal(localCalls, 0, 'not served locally');
      t.same(forwarded, [c.expect.forwardTo], 'forwarded exactly once, to the chosen peer');
    } else {
      t.ok(isStatusError(thrown), 'a Status error');
      if (isStatusError(thrown)) {
        t.equal(thrown.status.code, c.expect.status);
        t.equal(thrown.status.reason, 'ServiceUnavailable');
        t.equal(thrown.status.message, c.expect.message);
      }
      t.equal(localCalls, 0);
      t.same(forwarded, []);
    }
    if (c.asked) t.same(asked, [c.asked], 'the router was asked about the request GVR');
    else t.same(asked, [], 'the router was not asked');
  });
}
