/**
 * The limits without a server: Go durations, the long-running check, the limit flags and their
 * errors, and the max-in-flight, watch-limit and request-timeout filters driven in process with
 * handlers whose end the test controls, so seat counting is exact; and the controllers' client
 * retrying a 429 with Retry-After.
 */
import t from 'tap';
import { EventEmitter } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, signCert } from '../../server/cluster/pki.js';
import { ApiClient } from '../../server/controllers/client.js';
import { pino } from 'pino';
import { parseGoDuration } from '../../server/http/duration.js';
import { isLongRunning } from '../../server/filters/long-running.js';
import { resolveRequestInfo } from '../../server/request-info.js';
import { parseServerConfig } from '../../server/config.js';
import { parseFlags } from '../../server/main.js';
import { withMaxInFlightLimit } from '../../server/filters/max-in-flight.js';
import { withWatchLimit } from '../../server/filters/watch-limit.js';
import { withRequestTimeout } from '../../server/filters/request-timeout.js';
import { ServerMetrics } from '../../server/metrics.js';
import { isStatusError } from '../../server/errors/status.js';
import { scaledClock } from '../../server/clock.js';
import type { Handler, RequestContext, UserInfo } from '../../server/http/context.js';

t.test('parseGoDuration reads Go durations and fails with Go\'s words', async (t) => {
  t.equal(parseGoDuration('1m0s'), 60_000);
  t.equal(parseGoDuration('32s'), 32_000);
  t.equal(parseGoDuration('1.5h'), 5_400_000);
  t.equal(parseGoDuration('300ms'), 300);
  t.equal(parseGoDuration('2h45m'), 9_900_000);
  t.equal(parseGoDuration('-1s'), -1000);
  t.equal(parseGoDuration('0'), 0);
  t.equal(parseGoDuration('.5s'), 500);
  t.throws(() => parseGoDuration('abc'), { message: 'time: invalid duration "abc"' });
  t.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
  t.throws(() => parseGoDuration('3d'), { message: 'time: unknown unit "d" in duration "3d"' });
  t.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
  t.throws(() => parseGoDuration('.s'), { message: 'time: invalid duration ".s"' });
});

t.test('long-running: watch and proxy verbs, the connect subresources, the profiler', async (t) => {
  const info = (method: string, path: string, query = '') => resolveRequestInfo(method, path, new URLSearchParams(query));
  t.ok(isLongRunning(info('GET', '/api/v1/namespaces/default/configmaps', 'watch=true')), 'watch via ?watch=true');
  t.ok(isLongRunning(info('GET', '/api/v1/watch/namespaces/default/configmaps')), 'the legacy /watch/ path');
  t.ok(isLongRunning(info('GET', '/api/v1/proxy/namespaces/default/pods/p')), 'the proxy verb');
  for (const sub of ['log', 'exec', 'attach', 'portforward', 'proxy']) t.ok(isLongRunning(info('GET', `/api/v1/namespaces/default/pods/p/${sub}`)), `pods/${sub}`);
  t.ok(isLongRunning(info('GET', '/debug/pprof/profile')), 'the profiler');
  t.notOk(isLongRunning(info('GET', '/api/v1/namespaces/default/configmaps')), 'a list');
  t.notOk(isLongRunning(info('GET', '/api/v1/namespaces/default/configmaps', 'watch=false')), 'watch=false is a list');
  t.notOk(isLongRunning(info('POST', '/api/v1/namespaces/default/configmaps')), 'a create');
  t.notOk(isLongRunning(info('GET', '/api/v1/namespaces/default/pods/p/status')), 'pods/status');
  t.notOk(isLongRunning(info('GET', '/version')), 'a non-resource path');
});

t.test('limit flags: upstream defaults, 0 allowed, pflag and kube-apiserver errors', async (t) => {
  const config = (...args: string[]) => parseServerConfig(parseFlags(['--storage-path=/tmp/unused.db', ...args]));
  const d = config();
  t.equal(d.maxRequestsInFlight, 400);
  t.equal(d.maxMutatingRequestsInFlight, 200);
  t.equal(d.requestTimeoutMs, 60_000);
  t.equal(d.maxWatchesPerUser, 1000);
  t.equal(d.readHeaderTimeoutMs, 32_000);
  t.equal(d.idleTimeoutMs, 90_000);
  t.equal(d.writeStallTimeoutMs, 60_000);
  const c = config('--max-requests-inflight=0', '--max-mutating-requests-inflight', '3', '--request-timeout=2m30s', '--max-watches-per-user=0', '--read-header-timeout=500ms', '--idle-timeout=1s', '--write-stall-timeout=0');
  t.same([c.maxRequestsInFlight, c.maxMutatingRequestsInFlight, c.requestTimeoutMs, c.maxWatchesPerUser, c.readHeaderTimeoutMs, c.idleTimeoutMs, c.writeStallTimeoutMs], [0, 3, 150_000, 0, 500, 1000, 0]);
  t.throws(() => config('--max-requests-inflight=-1'), { message: '--max-requests-inflight can not be negative value' });
  t.throws(() => config('--max-mutating-requests-inflight=-200'), { message: '--max-mutating-requests-inflight can not be negative value' });
  t.throws(() => config('--max-requests-inflight=lots'), { message: 'invalid argument "lots" for "--max-requests-inflight" flag: strconv.ParseInt: parsing "lots": invalid syntax' });
  t.throws(() => config('--request-timeout=-1s'), { message: '--request-timeout can not be negative value' });
  t.throws(() => config('--request-timeout=60'), { message: 'invalid argument "60" for "--request-timeout" flag: time: missing unit in duration "60"' });
  t.throws(() => config('--read-header-timeout=0s'), /--read-header-timeout" flag: must be a positive duration/);
  t.throws(() => config('--max-watches-per-user=-5'), { message: '--max-watches-per-user can not be negative value' });
});

/** A request context good enough for the filters: a reply that records what was sent. */
function fakeContext(method: string, path: string, query = '', user?: UserInfo): RequestContext & { sent: { code?: number; headers: Record<string, unknown>; body?: string } } {
  const sent: { code?: number; headers: Record<string, unknown>; body?: string } = { headers: {} };
  const res = Object.assign(new EventEmitter(), { headersSent: false, destroyed: false, writableFinished: false, destroy() {} });
  const reply = {
    sent: false,
    header(k: string, v: unknown) {
      sent.headers[k.toLowerCase()] = v;
      return reply;
    },
    code(c: number) {
      sent.code = c;
      return reply;
    },
    async send(b: Buffer | string) {
      sent.body = b.toString();
      reply.sent = true;
      res.headersSent = true;
      return reply;
    },
    hijack() {},
  };
  return {
    req: { headers: {}, complete: true } as never,
    res: res as never,
    reply: reply as never,
    method,
    path,
    query: new URLSearchParams(query),
    info: resolveRequestInfo(method, path, new URLSearchParams(query)),
    ...(user ? { user } : {}),
    auditId: 'a',
    receivedAt: new Date(),
    log: pino({ level: 'silent' }),
    headers: {},
    sent,
  };
}

/** A handler whose calls stay open until released. */
function heldHandler(): { handler: Handler; release(): void; calls: number } {
  const waiting: Array<() => void> = [];
  const state = {
    calls: 0,
    handler: async () => {
      state.calls++;
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release: () => waiting.splice(0).forEach((r) => r()),
  };
  return state;
}

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'], extra: {} };
const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'], extra: {} };

t.test('max-in-flight: seats per pool, 429 in plain text, masters and long-running let through', async (t) => {
  const metrics = new ServerMetrics();
  const held = heldHandler();
  const chain = withMaxInFlightLimit({ nonMutating: 2, mutating: 1 }, metrics)(held.handler);
  const running = [chain(fakeContext('GET', '/api/v1/namespaces', '', alice)), chain(fakeContext('GET', '/api/v1/namespaces/default/configmaps/x', '', alice))];
  await new Promise((r) => setImmediate(r));
  t.equal(held.calls, 2, 'two reads take the two read-only seats');

  const third = fakeContext('GET', '/api/v1/namespaces', '', alice);
  await chain(third);
  t.equal(held.calls, 2, 'the third read is not served');
  t.equal(third.sent.code, 429);
  t.equal(third.sent.body, 'Too many requests, please try again later.\n');
  t.equal(third.sent.headers['retry-after'], '1');
  t.equal(third.sent.headers['content-type'], 'text/plain; charset=utf-8');
  t.equal(third.sent.headers['x-content-type-options'], 'nosniff');

  const write = chain(fakeContext('POST', '/api/v1/namespaces/default/configmaps', '', alice));
  await new Promise((r) => setImmediate(r));
  t.equal(held.calls, 3, 'a write has its own pool');
  const secondWrite = fakeContext('DELETE', '/api/v1/namespaces/default/configmaps/x', '', alice);
  await chain(secondWrite);
  t.equal(secondWrite.sent.code, 429, 'the mutating pool is full at 1');

  const masters = chain(fakeContext('GET', '/api/v1/namespaces', '', admin));
  await new Promise((r) => setImmediate(r));
  t.equal(held.calls, 4, 'system:masters is served with the pool full');
  const watch = chain(fakeContext('GET', '/api/v1/namespaces', 'watch=1', alice));
  await new Promise((r) => setImmediate(r));
  t.equal(held.calls, 5, 'a watch takes no seat');

  const text = await metrics.text();
  t.match(text, /apiserver_current_inflight_requests\{request_kind="readOnly"\} 2/);
  t.match(text, /apiserver_current_inflight_requests\{request_kind="mutating"\} 1/);
  t.match(text, /apiserver_request_terminations_total\{verb="LIST",group="",version="v1",resource="namespaces",subresource="",scope="cluster",component="apiserver",code="429"\} 1/);
  t.match(text, /apiserver_request_terminations_total\{verb="DELETE",group="",version="v1",resource="configmaps",subresource="",scope="resource",component="apiserver",code="429"\} 1/);

  held.release();
  await Promise.all([...running, write, masters, watch]);
  const again = fakeContext('GET', '/api/v1/namespaces', '', alice);
  const after = chain(again);
  await new Promise((r) => setImmediate(r));
  t.equal(held.calls, 6, 'seats are given back when the handlers end');
  held.release();
  await after;
  t.match(await metrics.text(), /apiserver_current_inflight_requests\{request_kind="readOnly"\} 0/);
});

t.test('max-in-flight: a seat is given back when the handler throws; 0 is no limit', async (t) => {
  const metrics = new ServerMetrics();
  const failing = withMaxInFlightLimit({ nonMutating: 1, mutating: 1 }, metrics)(async () => {
    throw new Error('boom');
  });
  await t.rejects(failing(fakeContext('GET', '/api/v1/namespaces', '', alice)), /boom/);
  await t.rejects(failing(fakeContext('GET', '/api/v1/namespaces', '', alice)), /boom/, 'the seat came back: the handler runs again');

  const held = heldHandler();
  const unlimited = withMaxInFlightLimit({ nonMutating: 0, mutating: 0 }, metrics)(held.handler);
  const all = Array.from({ length: 50 }, () => unlimited(fakeContext('POST', '/api/v1/namespaces', '', alice)));
  await new Promise((r) => setImmediate(r));
  t.equal(held.calls, 50, 'no limit at 0');
  held.release();
  await Promise.all(all);
});

t.test('watch limit: per user, Status 429, slot freed when the response closes, masters exempt', async (t) => {
  const metrics = new ServerMetrics();
  const chain = withWatchLimit(2, metrics)(async () => undefined);
  const open = [fakeContext('GET', '/api/v1/configmaps', 'watch=true', alice), fakeContext('GET', '/api/v1/configmaps', 'watch=true', alice)];
  for (const ctx of open) await chain(ctx);
  const refused = fakeContext('GET', '/api/v1/configmaps', 'watch=true', alice);
  const err = await chain(refused).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isStatusError(err), 'the third watch of alice is refused with a Status');
  if (isStatusError(err)) {
    t.same(err.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Too many watches for user "alice": the limit is 2 concurrent watches per user, please try again later.',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
      code: 429,
    });
    t.same(err.headers, { 'Retry-After': '1' });
  }
  await t.resolves(chain(fakeContext('GET', '/api/v1/configmaps', 'watch=true', { ...alice, name: 'bob' })), 'another user still opens a watch');
  for (let i = 0; i < 5; i++) await t.resolves(chain(fakeContext('GET', '/api/v1/configmaps', 'watch=true', admin)), 'system:masters is not bounded');
  await t.resolves(chain(fakeContext('GET', '/api/v1/configmaps', '', alice)), 'a list is not a watch');
  await t.rejects(chain(fakeContext('GET', '/api/v1/configmaps', 'watch=true', alice)), /Too many watches for user "alice"/, 'still full');
  open[0]!.res.emit('close');
  await t.resolves(chain(fakeContext('GET', '/api/v1/configmaps', 'watch=true', alice)), 'a closed watch gives its slot back');
  t.match(await metrics.text(), /apiserver_request_terminations_total\{verb="WATCH",group="",version="v1",resource="configmaps",subresource="",scope="cluster",component="apiserver",code="429"\} 2/, 'both refusals are counted');
});

t.test('request timeout: the timeout parameter is checked and shortens the deadline', async (t) => {
  const metrics = new ServerMetrics();
  const clock = scaledClock(1);
  const never = withRequestTimeout({ timeoutMs: 60_000, clock, metrics })(() => new Promise<void>(() => undefined));
  const bad = await never(fakeContext('GET', '/api/v1/namespaces', 'timeout=abc')).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isStatusError(bad) && bad.status.code === 400, 'a malformed timeout is a 400');
  if (isStatusError(bad)) t.equal(bad.status.message, 'invalid timeout specified in the request URL - time: invalid duration "abc"');
  const quick = fakeContext('GET', '/api/v1/namespaces', 'timeout=0s');
  await withRequestTimeout({ timeoutMs: 60_000, clock, metrics })(async () => {
    await new Promise((r) => setTimeout(r, 30));
  })(quick);
  t.equal(quick.sent.code, undefined, 'timeout=0s means the server default: the handler finishes first');
});

t.test('the controllers\' client retries a 429 with Retry-After, as client-go does', async (t) => {
  const ca = await createCA('limits-test-ca');
  const serving = await signCert(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const seen: string[] = [];
  const answers = [
    { code: 429, headers: { 'retry-after': '1', 'content-type': 'text/plain; charset=utf-8' }, body: 'Too many requests, please try again later.\n' },
    { code: 200, headers: { 'content-type': 'application/json' }, body: '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}}' },
    { code: 429, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'no retry-after\n' },
  ];
  const server = createHttpsServer({ key: serving.key, cert: serving.cert }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const answer = answers.shift() ?? { code: 500, headers: {}, body: '' };
    res.writeHead(answer.code, answer.headers);
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const client = new ApiClient({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, tls: { cas: [ca.cert], pinned: [] }, userAgent: 'limits-test' });
  t.teardown(() => client.close());
  const got = await client.get({ group: '', version: 'v1', resource: 'configmaps' }, 'default', 'x');
  t.equal(got.metadata.name, 'x', 'the retried request succeeds');
  t.same(seen, ['GET /api/v1/namespaces/default/configmaps/x', 'GET /api/v1/namespaces/default/configmaps/x'], 'sent twice');
  await t.rejects(client.get({ group: '', version: 'v1', resource: 'configmaps' }, 'default', 'y'), { name: 'ApiError' }, 'a 429 without Retry-After is an error at once');
  t.equal(seen.length, 3, 'and is not retried');
});
