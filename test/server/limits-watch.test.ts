/**
 * kube-skew's bound on concurrent watches per user (`--max-watches-per-user`), end to end on one
 * server started with a bound of 2: a user's third watch is refused with the 429 Status and
 * `Retry-After: 1`, other users and system:masters are not affected, both ways of asking for a watch
 * count, and a watch the client closes gives its slot back.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { metricSum, metricsOf, poll } from '../peers/helpers.js';
import { call, limitedUser, watchAs, type OpenWatch } from './limits-helpers.js';

/** Only the ConfigMap the test writes: the root CA publisher writes kube-root-ca.crt into `default` too. */
const WATCH = '/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dseen';
const LEGACY_WATCH = '/api/v1/watch/namespaces/default/configmaps';

t.test('watches per user', async (t) => {
  // The users here are bounded, not authorized: AlwaysAllow, as the library's clusters otherwise run RBAC.
  const cluster = await startCluster(t, [{ name: 's', minor: '1.35', args: ['--max-watches-per-user=2', '--authorization-mode=AlwaysAllow'] }]);
  const url = urlOf(cluster, 's');
  const alice = await limitedUser(cluster, 'alice');
  const bob = await limitedUser(cluster, 'bob');
  const open: OpenWatch[] = [];
  t.teardown(() => open.forEach((w) => w.close()));
  const start = async (tls: typeof alice.tls, path: string) => {
    const w = watchAs(url, tls, path);
    open.push(w);
    return { w, started: await w.started };
  };

  const first = await start(alice.tls, WATCH);
  const second = await start(alice.tls, LEGACY_WATCH);
  t.equal(first.started.status, 200, 'alice\'s first watch');
  t.equal(second.started.status, 200, 'alice\'s second watch (the legacy /watch/ path)');

  const third = await call(url, alice.tls, 'GET', WATCH);
  t.equal(third.status, 429, 'alice\'s third watch is refused');
  t.same(third.json, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Too many watches for user "alice": the limit is 2 concurrent watches per user, please try again later.',
    reason: 'TooManyRequests',
    details: { retryAfterSeconds: 1 },
    code: 429,
  });
  t.equal(third.headers['retry-after'], '1');
  t.equal(third.headers['content-type'], 'application/json');

  const list = await call(url, alice.tls, 'GET', '/api/v1/namespaces/default/configmaps');
  t.equal(list.status, 200, 'alice can still list');
  const bobs = await start(bob.tls, WATCH);
  t.equal(bobs.started.status, 200, 'bob has his own bound');
  for (let i = 0; i < 3; i++) {
    const admin = await start(cluster.tls, WATCH);
    t.equal(admin.started.status, 200, `system:masters watch ${i + 1}`);
  }

  // An event still reaches alice's open watches.
  const created = await api(cluster, url, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'seen' } } });
  t.equal(created.status, 201);
  t.match(await first.started.firstChunk, /"type":"ADDED".*"name":"seen"/, 'alice\'s watch is served');

  first.w.close();
  await first.w.ended;
  const again = await poll(async () => {
    const w = watchAs(url, alice.tls, WATCH);
    open.push(w);
    const s = await w.started;
    if (s.status !== 200) w.close();
    return s.status;
  }, (status) => status === 200, 10_000);
  t.ok(again.ok, 'a closed watch gives its slot back');

  const metrics = await metricsOf(cluster, url);
  t.ok(metricSum(metrics, 'apiserver_request_terminations_total', { verb: 'WATCH', resource: 'configmaps', code: '429' }) >= 1, 'the refusal is counted as a termination');
});
