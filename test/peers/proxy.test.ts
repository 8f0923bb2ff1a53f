/**
 * The Mixed Version Proxy of Generation B (discovery routing), end to end: a 1.35 server `a` and a
 * 1.36 server `b` over one store. `admissionregistration.k8s.io/v1` `mutatingadmissionpolicies`
 * exists only on 1.36, so `a` forwards it to `b` (one hop, mTLS, the caller's identity as
 * front-proxy headers); `b` runs with batch/v1 off so it forwards Jobs to `a` (1.36 metric labels).
 * Then `b` dies (plain-text 503, then the Status 503 once its endpoint lease expires), comes back,
 * stops gracefully (404), and an in-process 1.36 server `c` — whose innermost filter records what
 * arrives — shows the identity and headers a proxied request carries. Last, the same pair with the
 * proxy off answers 404.
 */
import t from 'tap';
import { pino } from 'pino';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { storeOf, testStore } from '../fixtures/store.js';
import { parseFlags } from '../../server/main.js';
import { parseServerConfig } from '../../server/config.js';
import { startApiServer, type RunningApiServer } from '../../server/apiserver.js';
import type { Filter, UserInfo } from '../../server/http/context.js';
import { apiServerID } from '../../server/peers/identity.js';
import { PEER_LEASE_PREFIX } from '../../server/peers/endpoint-lease.js';
import { MAP_PATH, NO_ENDPOINT_BODY, NOT_FOUND_STATUS, header, metricsOf, mutatingAdmissionPolicy, openWatch, poll, seriesValue, metricSum } from './helpers.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
/** b's endpoint lease lives 6 s (refreshed every second): a crash is noticed quickly, yet the first request after it still finds the lease on a busy machine. */
const SHORT_ENDPOINT_LEASE = ['--peer-endpoint-lease-ttl-seconds=6', '--peer-endpoint-reconcile-interval-seconds=1'];

t.test('Gen B proxy between a 1.35 and a 1.36 server', async (t) => {
  // AlwaysAllow, so that anonymous callers reach the proxy and show what identity it forwards
  // (under the cluster's default RBAC they are refused before the hop; see test/server/authz/rbac.test.ts).
  const cluster = await startCluster(
    t,
    [
      { name: 'a', minor: '1.35' },
      { name: 'b', minor: '1.36', runtimeConfig: 'batch/v1=false', args: SHORT_ENDPOINT_LEASE },
    ],
    { args: ['--authorization-mode=AlwaysAllow'] },
  );
  t.equal(storeOf(cluster), testStore(), `the servers share the test run's store (${testStore()})`);
  const a = urlOf(cluster, 'a');
  let b = urlOf(cluster, 'b');
  const idA = apiServerID('a');
  const idB = apiServerID('b');

  // A fresh server routes peer-only resources locally until its first peer sync (§12): wait for it.
  const first = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200);
  t.ok(first.ok, `a starts proxying ${MAP_PATH} to b (last: ${first.value.status} ${first.value.text})`);
  t.ok(first.seen.every((r) => r.status === 200 || (r.status === 404 && r.json?.message === NOT_FOUND_STATUS.message)), 'before the first sync a answers only its local 404');

  t.test('identity leases carry the peer address', async (t) => {
    const lease = await api(cluster, a, 'GET', `${LEASES}/${idA}`);
    t.equal(lease.status, 200);
    t.equal(lease.json.metadata.name, idA, 'named after the APIServerID of host "a"');
    t.same(lease.json.metadata.labels, { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': 'a' });
    t.same(lease.json.metadata.annotations, { 'kubernetes.io/peer-advertise-address': `127.0.0.1:${cluster.server('a').info!.port}` });
    t.match(lease.json.spec.holderIdentity, new RegExp(`^${idA}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`));
    t.equal(lease.json.spec.leaseDurationSeconds, 3600);
    t.match(lease.json.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'renewTime is a MicroTime');
    t.equal(cluster.server('b').info!.id, idB, 'b reports the same APIServerID');
  });

  t.test('a forwards the 1.36-only resource to b', async (t) => {
    const [ma0, mb0] = await Promise.all([metricsOf(cluster, a), metricsOf(cluster, b)]);
    const res = await api(cluster, a, 'GET', MAP_PATH);
    t.equal(res.status, 200);
    t.equal(header(res, 'content-type'), 'application/json');
    t.equal(res.json.kind, 'MutatingAdmissionPolicyList');
    t.equal(res.json.apiVersion, 'admissionregistration.k8s.io/v1');
    const [ma1, mb1] = await Promise.all([metricsOf(cluster, a), metricsOf(cluster, b)]);
    t.equal(seriesValue(ma1, 'apiserver_rerouted_request_total{code="200"}') - seriesValue(ma0, 'apiserver_rerouted_request_total{code="200"}'), 1, 'a counts one rerouted request, code 200');
    const listAtB = { verb: 'LIST', group: 'admissionregistration.k8s.io', version: 'v1', resource: 'mutatingadmissionpolicies', code: '200' };
    t.equal(metricSum(mb1, 'apiserver_request_total', listAtB) - metricSum(mb0, 'apiserver_request_total', listAtB), 1, 'b served the LIST');
  });

  t.test('through the front door (round-robin) every request succeeds, whichever server takes it', async (t) => {
    const answers = [];
    // `connection: close` makes each request a new connection, so round-robin alternates a and b.
    // The served-by trace says, for each answer, whether b got it from a (proxied) or directly; a's
    // rerouted counter would also count peer discovery fetches made meanwhile.
    for (let i = 0; i < 4; i++) answers.push(await api(cluster, cluster.frontDoorURL, 'GET', MAP_PATH, { headers: { connection: 'close', 'x-kube-skew-trace': '1' } }));
    t.same(answers.map((r) => r.status), [200, 200, 200, 200]);
    t.ok(answers.every((r) => r.json.kind === 'MutatingAdmissionPolicyList'));
    t.ok(answers.every((r) => header(r, 'x-kube-skew-served-by') === 'b'), 'b served every one');
    t.same(answers.map((r) => header(r, 'x-kube-skew-received-proxied')).sort(), ['false', 'false', 'true', 'true'], 'the two that reached a were proxied to b, the other two went to b directly');
    t.same(answers.map((r) => `${header(r, 'x-kube-skew-received-by')} ${header(r, 'x-kube-skew-received-proxied')}`).sort(), ['a true', 'a true', 'b false', 'b false'], 'received-by names the server the front door chose, kept across the hop to b');
  });

  t.test('create through a, read through b (one store)', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const created = await api(cluster, a, 'POST', MAP_PATH, { body: mutatingAdmissionPolicy('through-a') });
    t.equal(created.status, 201, created.text);
    t.equal(created.json.kind, 'MutatingAdmissionPolicy');
    t.match(created.json.metadata.uid, /^[0-9a-f-]{36}$/);
    const m1 = await metricsOf(cluster, a);
    t.equal(seriesValue(m1, 'apiserver_rerouted_request_total{code="201"}') - seriesValue(m0, 'apiserver_rerouted_request_total{code="201"}'), 1, 'the create was rerouted (201)');

    const atB = await api(cluster, b, 'GET', `${MAP_PATH}/through-a`);
    t.equal(atB.status, 200);
    t.equal(atB.json.metadata.uid, created.json.metadata.uid, 'b reads the object a created');
    t.equal(atB.json.metadata.resourceVersion, created.json.metadata.resourceVersion);
    const atA = await api(cluster, a, 'GET', `${MAP_PATH}/through-a`);
    t.equal(atA.status, 200);
    t.same(atA.json, atB.json, 'a GET (proxied) returns the same object');
    const patched = await api(cluster, a, 'PATCH', `${MAP_PATH}/through-a`, { raw: '{"metadata":{"labels":{"via":"a"}}}', headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(patched.status, 200, `a merge patch through a: ${patched.text}`);
    t.same(patched.json.metadata.labels, { via: 'a' });
    t.equal((await api(cluster, b, 'GET', `${MAP_PATH}/through-a`)).json.metadata.labels.via, 'a', 'b sees the patch');
    const missing = await api(cluster, a, 'GET', `${MAP_PATH}/nope`);
    t.equal(missing.status, 404, "b's 404 is relayed unchanged");
    t.equal(missing.json.message, 'mutatingadmissionpolicies.admissionregistration.k8s.io "nope" not found');
    t.same(missing.json.details, { name: 'nope', group: 'admissionregistration.k8s.io', kind: 'mutatingadmissionpolicies' });
  });

  t.test('x-kubernetes-peer-proxied: true from a client is served locally and grants nothing else', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const local = await api(cluster, a, 'GET', MAP_PATH, { headers: { 'x-kubernetes-peer-proxied': 'true' } });
    t.equal(local.status, 404);
    t.equal(header(local, 'content-type'), 'application/json');
    t.same(local.json, NOT_FOUND_STATUS, "a's local 404: it has admissionregistration.k8s.io/v1 but not the resource");
    t.equal(
      local.text,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n',
      'byte-exact as Go serialises metav1.Status (details before code)',
    );
    const upper = await api(cluster, a, 'GET', MAP_PATH, { headers: { 'X-Kubernetes-Peer-Proxied': 'true' } });
    t.equal(upper.status, 404, 'the header name is case-insensitive');
    const otherValue = await api(cluster, a, 'GET', MAP_PATH, { headers: { 'x-kubernetes-peer-proxied': 'True' } });
    t.equal(otherValue.status, 200, 'only the exact value "true" opts out; "True" is still proxied');
    const m1 = await metricsOf(cluster, a);
    t.equal(seriesValue(m1, 'apiserver_rerouted_request_total{code="200"}') - seriesValue(m0, 'apiserver_rerouted_request_total{code="200"}'), 1, 'only the "True" request was rerouted');
    t.equal(seriesValue(m1, 'apiserver_rerouted_request_total{code="404"}'), seriesValue(m0, 'apiserver_rerouted_request_total{code="404"}'), 'the local 404s were not rerouted');

    const served = await api(cluster, a, 'GET', '/api/v1/namespaces/default', { headers: { 'x-kubernetes-peer-proxied': 'true' } });
    t.equal(served.status, 200, 'a locally served resource is unaffected by the header');
    t.equal(served.json.metadata.name, 'default');
    const anonymous = await api(cluster, a, 'GET', MAP_PATH, { anonymous: true, headers: { 'x-kubernetes-peer-proxied': 'true', 'x-remote-user': 'kube-skew-admin', 'x-remote-group': 'system:masters' } });
    t.equal(anonymous.status, 404, 'an anonymous client with the header and forged identity headers gets the same local 404');
    t.same(anonymous.json, NOT_FOUND_STATUS);
  });

  t.test('nobody serves it: the local 404 shapes', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const unknownResource = await api(cluster, a, 'GET', '/apis/admissionregistration.k8s.io/v1/madeuppolicies');
    t.equal(unknownResource.status, 404);
    t.equal(header(unknownResource, 'content-type'), 'application/json');
    t.same(unknownResource.json, NOT_FOUND_STATUS, 'served group/version, unknown resource → Status 404');
    const unknownGroup = await api(cluster, a, 'GET', '/apis/nobody.example.com/v1/things');
    t.equal(unknownGroup.status, 404);
    t.equal(unknownGroup.text, '404 page not found\n', 'unknown group → the not-found handler text');
    t.equal(header(unknownGroup, 'content-type'), 'text/plain; charset=utf-8');
    t.equal(header(unknownGroup, 'x-content-type-options'), 'nosniff');
    const unknownVersion = await api(cluster, a, 'GET', '/apis/admissionregistration.k8s.io/v7/mutatingadmissionpolicies');
    t.equal(unknownVersion.status, 404);
    t.equal(unknownVersion.text, '404 page not found\n', 'unknown version of a served group → text 404 (nobody serves v7)');
    const m1 = await metricsOf(cluster, a);
    t.equal(metricSum(m1, 'apiserver_rerouted_request_total'), metricSum(m0, 'apiserver_rerouted_request_total'), 'none of them was rerouted');
  });

  t.test('discovery paths are never proxied', async (t) => {
    const gv = await api(cluster, a, 'GET', '/apis/admissionregistration.k8s.io/v1');
    t.equal(gv.status, 200);
    t.equal(gv.json.kind, 'APIResourceList');
    const names = (gv.json.resources as Array<{ name: string }>).map((r) => r.name);
    t.notOk(names.includes('mutatingadmissionpolicies'), 'a lists no mutatingadmissionpolicies');
    t.ok(names.includes('validatingadmissionpolicies'), 'a lists its own resources');
    const gvB = await api(cluster, b, 'GET', '/apis/admissionregistration.k8s.io/v1');
    t.ok((gvB.json.resources as Array<{ name: string }>).some((r) => r.name === 'mutatingadmissionpolicies'), 'b lists it');
    const batchAtB = await api(cluster, b, 'GET', '/apis/batch/v1');
    t.equal(batchAtB.status, 404, "b's discovery of a group only a serves is b's own 404");
    t.equal(batchAtB.text, '404 page not found\n');
    const legacy = await api(cluster, b, 'GET', '/apis', { headers: { accept: 'application/json' } });
    t.equal(legacy.json.kind, 'APIGroupList');
    t.notOk((legacy.json.groups as Array<{ name: string }>).some((g) => g.name === 'batch'), 'the legacy APIGroupList of b is local (no batch)');
  });

  t.test('the subresource is ignored in the decision', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const sub = await api(cluster, a, 'GET', `${MAP_PATH}/through-a/status`);
    const m1 = await metricsOf(cluster, a);
    t.equal(seriesValue(m1, 'apiserver_rerouted_request_total{code="404"}') - seriesValue(m0, 'apiserver_rerouted_request_total{code="404"}'), 1, 'a subresource of the 1.36-only resource is proxied on the parent GVR');
    t.equal(sub.status, 404, "b's answer for a subresource it lacks is relayed");
    t.equal(header(sub, 'content-type'), 'application/json');
    const podSub = await api(cluster, a, 'GET', '/api/v1/namespaces/default/pods/x/notasubresource');
    const m2 = await metricsOf(cluster, a);
    t.equal(podSub.status, 404, 'a subresource a lacks on a parent a serves → local 404');
    t.equal(metricSum(m2, 'apiserver_rerouted_request_total'), metricSum(m1, 'apiserver_rerouted_request_total'), 'not proxied');
  });

  t.test('one hop: a receiver that sees the header never forwards again', async (t) => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'hop' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
    const created = await api(cluster, a, 'POST', '/apis/batch/v1/namespaces/default/jobs', { body: job });
    t.equal(created.status, 201, created.text);
    const viaB = await poll(() => api(cluster, b, 'GET', '/apis/batch/v1/namespaces/default/jobs'), (r) => r.status === 200);
    t.equal(viaB.value.status, 200, 'b (batch/v1 off) forwards Jobs to a');
    t.same((viaB.value.json.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name), ['hop']);
    const marked = await api(cluster, b, 'GET', '/apis/batch/v1/namespaces/default/jobs', { headers: { 'x-kubernetes-peer-proxied': 'true' } });
    t.equal(marked.status, 404, 'with the header b serves locally although it cannot: 404, no second hop');
    t.equal(marked.text, '404 page not found\n');
  });

  t.test('a watch through the proxy streams, and is counted when it ends', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const list = await api(cluster, a, 'GET', MAP_PATH);
    const watch = openWatch(cluster, a, `${MAP_PATH}?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`);
    t.teardown(() => watch.close());
    const started = await watch.started;
    t.equal(started.status, 200);
    t.equal(started.headers['content-type'], 'application/json');
    const created = await api(cluster, b, 'POST', MAP_PATH, { body: mutatingAdmissionPolicy('watched') });
    t.equal(created.status, 201);
    const got = await poll(async () => watch.events.length, (n) => n > 0, 10_000, 50);
    t.ok(got.ok, 'an event arrived through a');
    t.equal(watch.events[0]?.type, 'ADDED');
    t.equal(watch.events[0]?.object?.metadata?.name, 'watched');
    t.equal(watch.events[0]?.object?.metadata?.uid, created.json.metadata.uid);
    const open = await metricsOf(cluster, a);
    t.equal(seriesValue(open, 'apiserver_rerouted_request_total{code="200"}'), seriesValue(m0, 'apiserver_rerouted_request_total{code="200"}') + 1, 'only the LIST is counted while the watch is open');
    watch.close();
    await watch.ended;
    const after = await poll(() => metricsOf(cluster, a), (m) => seriesValue(m, 'apiserver_rerouted_request_total{code="200"}') === seriesValue(m0, 'apiserver_rerouted_request_total{code="200"}') + 2, 10_000);
    t.ok(after.ok, 'the watch is counted once it ended');
    t.equal((await api(cluster, b, 'DELETE', `${MAP_PATH}/watched`)).status, 200);
  });

  t.test('metric labels: 1.36 by code/group/resource/version, 1.35 by code only', async (t) => {
    const [ma, mb] = await Promise.all([metricsOf(cluster, a), metricsOf(cluster, b)]);
    t.ok(seriesValue(mb, 'apiserver_rerouted_request_total{code="200",group="batch",resource="jobs",version="v1"}') >= 1, 'b (1.36) labels a proxied Job list with its GVR');
    t.ok(seriesValue(mb, 'apiserver_rerouted_request_total{code="200",group="",resource="",version=""}') >= 2, "b's peer discovery fetches (/api, /apis) count with empty GVR labels");
    t.match(mb, /^# TYPE apiserver_peer_proxy_errors_total counter$/m, '1.36 has apiserver_peer_proxy_errors_total');
    t.match(mb, /^# TYPE apiserver_peer_discovery_sync_errors_total counter$/m, '1.36 has apiserver_peer_discovery_sync_errors_total');
    t.match(mb, /^# HELP apiserver_rerouted_request_total .*peer discovery request\.$/m, '1.36 help text explains the empty labels');
    const aLines = ma.split('\n').filter((l) => l.startsWith('apiserver_rerouted_request_total'));
    t.ok(aLines.length >= 2, 'a has rerouted series');
    t.ok(aLines.every((l) => /^apiserver_rerouted_request_total\{code="\d{3}"\} \d+$/.test(l)), `1.35 labels by code only: ${aLines.join(' | ')}`);
    t.notMatch(ma, /apiserver_peer_proxy_errors_total/, '1.35 has no proxy error counter');
    t.notMatch(ma, /apiserver_peer_discovery_sync_errors_total/, '1.35 has no sync error counter');
  });

  t.test('SIGKILL b: plain-text 503 from the transport, then the Status 503 once its endpoint lease expires', async (t) => {
    const port = cluster.server('b').info!.port;
    const m0 = await metricsOf(cluster, a);
    await cluster.killServer('b');
    const refused = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 503 && r.text.includes('connection refused'), 10_000);
    t.ok(refused.ok, 'a answers 503 while b is dead');
    t.equal(refused.value.text, `dial tcp 127.0.0.1:${port}: connect: connection refused\n`, 'body = transport error text + newline');
    t.equal(header(refused.value, 'content-type'), 'text/plain; charset=utf-8');
    t.equal(header(refused.value, 'x-content-type-options'), 'nosniff');
    t.ok(refused.seen.every((r) => r.status === 503 && header(r, 'content-type') === 'text/plain; charset=utf-8'), 'every answer meanwhile was the plain-text 503');
    const m1 = await metricsOf(cluster, a);
    t.ok(seriesValue(m1, 'apiserver_rerouted_request_total{code="503"}') - seriesValue(m0, 'apiserver_rerouted_request_total{code="503"}') >= 1, 'failed proxies count as rerouted with code 503');

    const expired = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 503 && header(r, 'content-type') === 'application/json', 20_000, 250);
    t.ok(expired.ok, "the Status 503 once b's endpoint lease (TTL 6 s) expired");
    t.equal(expired.value.text, NO_ENDPOINT_BODY);
    const m2 = await metricsOf(cluster, a);
    const before = seriesValue(m2, 'apiserver_rerouted_request_total{code="503"}');
    const again = await api(cluster, a, 'GET', MAP_PATH);
    t.equal(again.text, NO_ENDPOINT_BODY, 'stable while b stays dead (its identity lease lingers)');
    t.equal(seriesValue(await metricsOf(cluster, a), 'apiserver_rerouted_request_total{code="503"}'), before, 'the no-endpoint Status 503 is not a rerouted request');
    const lease = await api(cluster, a, 'GET', `${LEASES}/${idB}`);
    t.equal(lease.status, 200, "a crash leaves b's identity lease behind");
  });

  t.test('b comes back: proxied again', async (t) => {
    const before = (await api(cluster, a, 'GET', `${LEASES}/${idB}`)).json.spec.holderIdentity as string;
    await cluster.startServer('b');
    b = urlOf(cluster, 'b');
    const back = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 20_000);
    t.ok(back.ok, `a proxies to the restarted b (last ${back.value.status} ${back.value.text})`);
    const after = (await api(cluster, a, 'GET', `${LEASES}/${idB}`)).json.spec.holderIdentity as string;
    t.not(after, before, '1.36 deleted its old identity lease on start: a new holderIdentity');
    t.match(after, new RegExp(`^${idB}_`));
  });

  t.test('graceful stop of b (1.35+ deletes its leases): a answers 404', async (t) => {
    await cluster.stopServer('b');
    const gone = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 404, 10_000);
    t.ok(gone.ok, 'a falls back to its local 404');
    t.same(gone.value.json, NOT_FOUND_STATUS);
    // Until a's lease watch drops b, b may still be a candidate without an endpoint: the Status 503.
    t.ok(gone.seen.every((r) => r.status === 404 || r.text === NO_ENDPOINT_BODY), 'never a transport error on the way');
    const lease = await api(cluster, a, 'GET', `${LEASES}/${idB}`);
    t.equal(lease.status, 404, "b's identity lease is deleted");
    t.equal(lease.json.message, `leases.coordination.k8s.io "${idB}" not found`);
    const store = cluster.openStore(Date.now);
    try {
      const records = await store.listTtl(PEER_LEASE_PREFIX);
      t.same(records.map((r) => r.key), [`${PEER_LEASE_PREFIX}${idA}`], "b's endpoint lease is deleted; a's remains");
      const value = records[0]?.value as any;
      t.same(
        { ...value, metadata: { ...value?.metadata, generation: 0 } },
        {
          kind: 'Endpoints',
          apiVersion: 'v1',
          metadata: { labels: { apiserverIdentity: idA }, generation: 0 },
          subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: cluster.server('a').info!.port, protocol: 'TCP' }] }],
        },
        "a's endpoint lease: an Endpoints value labelled with its identity",
      );
      t.ok(value.metadata.generation >= 1, 'generation counts the writes');
    } finally {
      await store.close();
    }
  });

  t.test('what a proxied request carries to the destination (in-process 1.36 server c)', async (t) => {
    type Seen = { url: string; user: UserInfo | undefined; headers: Record<string, string | string[] | undefined> };
    const seen: Seen[] = [];
    // Stands in for c's own proxy filter (the innermost one): it sees what the routes would see.
    const recorder: Filter = (next) => async (ctx) => {
      if (ctx.info.isResourceRequest && ctx.info.resource === 'mutatingadmissionpolicies') seen.push({ url: ctx.req.url ?? '', user: structuredClone(ctx.user), headers: { ...ctx.req.headers } });
      await next(ctx);
    };
    const config = parseServerConfig(parseFlags(cluster.argsFor({ name: 'c', minor: '1.36' })));
    const c: RunningApiServer = await startApiServer(config, { logger: pino({ level: 'silent' }) }, { peerProxy: recorder });
    let closed = false;
    t.teardown(() => (closed ? undefined : c.close()));
    const ready = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 20_000);
    t.ok(ready.ok, 'a discovers c and proxies to it');
    const last = async (): Promise<Seen> => seen[seen.length - 1]!;

    seen.length = 0;
    const admin = await api(cluster, a, 'GET', `${MAP_PATH}?timeoutSeconds=30&limit=5`, {
      headers: { 'audit-id': 'mvp-audit-1', authorization: 'Bearer not-a-real-token', 'x-remote-user': 'alice', 'x-remote-group': 'system:masters', 'x-remote-extra-scopes': 'all' },
    });
    t.equal(admin.status, 200);
    t.equal(header(admin, 'audit-id'), 'mvp-audit-1', 'the Audit-ID travels to the peer and back');
    t.equal(seen.length, 1, 'c received exactly one request');
    const fwd = await last();
    t.equal(fwd.user?.name, 'kube-skew-admin', "c authenticates the original caller, not the proxy's certificate, and not the forged X-Remote-User");
    t.same(fwd.user?.extra, {}, 'the forged X-Remote-Extra-Scopes is dropped');
    t.same(fwd.user?.groups, ['system:masters', 'system:authenticated'], 'one group per X-Remote-Group header line');
    t.equal(fwd.headers['x-kubernetes-peer-proxied'], 'true', 'marked as proxied');
    t.equal(fwd.headers['audit-id'], 'mvp-audit-1');
    t.equal(fwd.headers.authorization, undefined, 'no Authorization header is forwarded');
    t.equal(fwd.url, `${MAP_PATH}?limit=5&timeoutSeconds=30`, 'query re-encoded sorted by key (url.Values.Encode)');

    seen.length = 0;
    const anon = await api(cluster, a, 'GET', MAP_PATH, { anonymous: true, headers: { 'x-remote-user': 'alice' } });
    t.equal(anon.status, 200);
    t.equal((await last()).user?.name, 'system:anonymous', 'anonymous through a stays anonymous at c (the forged X-Remote-User is dropped)');
    t.same((await last()).user?.groups, ['system:unauthenticated'], 'and keeps only system:unauthenticated');

    seen.length = 0;
    const direct = await api(cluster, c.url, 'GET', MAP_PATH, { headers: { 'x-remote-user': 'alice', 'x-remote-group': 'system:masters', 'x-kubernetes-peer-proxied': 'true' } });
    t.equal(direct.status, 200);
    t.same((await last()).user, { name: 'kube-skew-admin', groups: ['system:masters', 'system:authenticated'], extra: {} }, 'X-Remote-User from a client certificate that is not the front proxy is ignored, even with the proxied header');
    seen.length = 0;
    const directAnon = await api(cluster, c.url, 'GET', MAP_PATH, { anonymous: true, headers: { 'x-remote-user': 'alice', 'x-remote-group': 'system:masters' } });
    t.equal(directAnon.status, 200);
    t.same((await last()).user, { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} }, 'without a certificate the identity headers are ignored too');

    await c.close();
    closed = true;
    const gone = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 404, 10_000);
    t.ok(gone.ok, 'c stopped gracefully: a is back to its 404');
  });
});

t.test('with the proxy off, a answers its local 404', async (t) => {
  const cluster = await startCluster(t, [{ name: 'a', minor: '1.35' }, { name: 'b', minor: '1.36' }], { mvp: false });
  const a = urlOf(cluster, 'a');
  t.notOk(cluster.argsFor({ name: 'a', minor: '1.35' }).some((arg) => arg.startsWith('--peer-ca-file')), 'no --peer-ca-file');
  t.ok(cluster.argsFor({ name: 'b', minor: '1.36' }).includes('--feature-gates=UnknownVersionInteroperabilityProxy=false'), '1.36 (gate on by default) gets the gate switched off');
  // Wait until a can see b's identity lease: with the proxy on, that is when routing would start.
  const idB = apiServerID('b');
  const lease = await poll(() => api(cluster, a, 'GET', `${LEASES}/${idB}`), (r) => r.status === 200);
  t.ok(lease.ok, "b's identity lease exists");
  t.equal(lease.value.json.metadata.annotations, undefined, 'gate off: no peer-advertise-address annotation');
  const res = await api(cluster, a, 'GET', MAP_PATH);
  t.equal(res.status, 404);
  t.same(res.json, NOT_FOUND_STATUS);
  const store = cluster.openStore(Date.now);
  try {
    t.same(await store.listTtl(PEER_LEASE_PREFIX), [], 'no peer endpoint leases with the gate off');
  } finally {
    await store.close();
  }
  const m = await metricsOf(cluster, a);
  t.match(m, /^# TYPE apiserver_rerouted_request_total counter$/m, 'the proxy metrics are registered even with the gate off');
  t.equal(metricSum(m, 'apiserver_rerouted_request_total'), 0, 'nothing rerouted');
});
