/**
 * Max-in-flight end to end, on a 1.35 server `a` and a 1.36 server `b` that both allow one
 * read-only and one mutating request in flight (the in-server controllers are off, so the only
 * requests taking seats are the test's own). Seats are held by real handler work: a read-only seat
 * by a GET that `a` forwards to `b` over a hop slowed by a scenario latency fault, a mutating seat
 * by a create whose body arrives slowly (the handler is reading it). While a seat is held, a user
 * outside system:masters gets upstream's plain-text 429 with `Retry-After: 1`; system:masters is
 * served; watches take no seat; kubectl retries the 429 and succeeds once the seat is free; and a
 * request `a` forwards to a full `b` comes back at once as b's 429, with a's seat given back, so
 * the peer hop cannot deadlock. Last, with the controllers on, the namespace controller (not
 * system:masters) finishes a namespace deletion while a client keeps taking the only mutating seat.
 */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { api, kubectlBinary, startCluster, tempDir, urlOf } from '../fixtures/cluster.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { faultKey } from '../../server/peers/faults.js';
import { MAP_PATH, metricSum, metricsOf, mutatingAdmissionPolicy, poll } from '../peers/helpers.js';
import { call, kubectlAs, limitedUser, postHead, rawConnection, statusOf, trickle, watchAs } from './limits-helpers.js';
import type { ClientTLS } from '../../server/cluster/https-client.js';

/** The users here are limited, not authorized: AlwaysAllow, as the library's clusters otherwise run RBAC. */
const LIMITS = ['--max-requests-inflight=1', '--max-mutating-requests-inflight=1', '--controllers=', '--authorization-mode=AlwaysAllow'];
const TOO_MANY = 'Too many requests, please try again later.\n';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const KUBECTL = kubectlBinary('1.32');

function configMap(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } };
}

/** A slow create as `tls`'s user: headers now, the body over about `ms`; `answered` resolves with the raw answer. */
async function slowCreateAs(url: string, tls: ClientTLS, name: string, ms: number) {
  const body = JSON.stringify(configMap(name));
  const conn = await rawConnection(url, tls);
  conn.socket.write(postHead(CONFIGMAPS, Buffer.byteLength(body)));
  const pieces = 20;
  const sent = trickle(conn, body, Math.floor(ms / pieces), Math.ceil(body.length / pieces));
  const answered = sent.then(() => poll(async () => conn.received(), (text) => text.includes('\r\n\r\n'), 30_000)).then((p) => p.value);
  await sleep(200); // the server has the headers and the handler is reading the body
  return { conn, answered };
}

t.test('max-in-flight with one seat per pool', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35', args: LIMITS },
    { name: 'b', minor: '1.36', args: LIMITS },
  ]);
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');
  const alice = await limitedUser(cluster, 'alice');
  const store = openSqliteStore(cluster.storagePath);
  t.teardown(() => store.close());

  const proxying = await poll(() => api(cluster, a, 'GET', MAP_PATH, { headers: { 'x-kube-skew-trace': '1' } }), (r) => r.status === 200 && r.headers['x-kube-skew-served-by'] === 'b', 30_000);
  t.ok(proxying.ok, `a forwards ${MAP_PATH} to b`);

  const slowCreate = (url: string, name: string, ms: number) => slowCreateAs(url, alice.tls, name, ms);

  /** Until alice's probe gets a 429, i.e. the pool's only seat is taken. */
  const untilFull = (url: string, method: string, path: string, body?: unknown) => poll(() => call(url, alice.tls, method, path, body), (r) => r.status === 429, 10_000, 50);

  t.test('a read-only seat held by a GET forwarded over a slow hop', async (t) => {
    const key = faultKey(cluster.server('a').info!.id, `127.0.0.1:${cluster.server('b').info!.port}`);
    await store.setTtl(key, { kind: 'latency', delayMs: 6000 }, 3600);
    t.teardown(() => store.deleteTtl(key));
    // The holder must get the seat; a probe that raced it is simply tried again.
    const holder = (async () => {
      for (;;) {
        const res = await call(a, alice.tls, 'GET', MAP_PATH);
        if (res.status !== 429) return res;
      }
    })();
    await sleep(300);

    const full = await untilFull(a, 'GET', '/api/v1/namespaces');
    t.ok(full.ok, 'a second read by alice is refused while the first is in flight');
    const refused = full.value;
    t.equal(refused.status, 429);
    t.equal(refused.text, TOO_MANY, 'the body is upstream\'s http.Error text');
    t.equal(refused.headers['retry-after'], '1');
    t.equal(refused.headers['content-type'], 'text/plain; charset=utf-8');
    t.equal(refused.headers['x-content-type-options'], 'nosniff');
    t.match(refused.headers['audit-id'], /^[0-9a-f-]{36}$/, 'the refusal still carries an Audit-Id');

    const admin = await api(cluster, a, 'GET', '/api/v1/namespaces');
    t.equal(admin.status, 200, 'system:masters is served while the pool is full');
    const write = await call(a, alice.tls, 'POST', CONFIGMAPS, configMap('during-read-hold'));
    t.equal(write.status, 201, 'the mutating pool is separate');
    const watch = watchAs(a, alice.tls, '/api/v1/namespaces/default/configmaps?watch=true');
    const started = await watch.started;
    t.equal(started.status, 200, 'a watch takes no seat');
    watch.close();

    if (KUBECTL) {
      const kubeconfig = await alice.kubeconfig(t, a);
      const run = await kubectlAs(t, KUBECTL, kubeconfig, ['get', 'namespaces', '-o', 'name', '-v=6']);
      t.equal(run.code, 0, `kubectl succeeds after retrying (stderr: ${run.stderr.slice(-400)})`);
      t.match(run.stdout, /namespace\/default/);
      t.match(run.stderr, /429 Too Many Requests/, 'kubectl was answered 429 before it succeeded');
    } else t.comment('kubectl 1.32 is not installed: its part is skipped');

    const held = await holder;
    t.equal(held.status, 200, 'the held request itself completes');
    t.equal(held.json?.kind, 'MutatingAdmissionPolicyList');
    const metrics = await metricsOf(cluster, a);
    t.ok(metricSum(metrics, 'apiserver_request_terminations_total', { code: '429', verb: 'LIST', resource: 'namespaces', scope: 'cluster' }) >= 1, 'the refusals are counted as terminations');
    t.ok(metricSum(metrics, 'apiserver_request_total', { code: '429', verb: 'LIST', resource: 'namespaces' }) >= 1, 'and in apiserver_request_total with code 429');
  });

  t.test('a mutating seat held by a create whose body arrives slowly', async (t) => {
    const holder = await slowCreate(a, 'slow-write', 6000);
    const full = await untilFull(a, 'POST', CONFIGMAPS, configMap('refused'));
    t.ok(full.ok, 'a second create by alice is refused while the first reads its body');
    t.equal(full.value.text, TOO_MANY);
    t.equal(full.value.headers['retry-after'], '1');
    const read = await call(a, alice.tls, 'GET', CONFIGMAPS);
    t.equal(read.status, 200, 'reads have their own pool');
    const admin = await api(cluster, a, 'POST', CONFIGMAPS, { body: configMap('by-admin') });
    t.equal(admin.status, 201, 'system:masters is served');

    if (KUBECTL) {
      const kubeconfig = await alice.kubeconfig(t, a);
      const run = await kubectlAs(t, KUBECTL, kubeconfig, ['create', 'configmap', 'by-kubectl', '--from-literal=a=b', '-v=6']);
      t.equal(run.code, 0, `kubectl create succeeds after retrying (stderr: ${run.stderr.slice(-400)})`);
      t.match(run.stderr, /POST https:\/\/\S+\/api\/v1\/namespaces\/default\/configmaps\S* 429 Too Many Requests/, 'its POST was answered 429 first');
      const made = await api(cluster, a, 'GET', `${CONFIGMAPS}/by-kubectl`);
      t.equal(made.status, 200, 'the configmap exists');
    } else t.comment('kubectl 1.32 is not installed: its part is skipped');

    t.equal(statusOf(await holder.answered), 201, 'the slow create completes');
    const refusedAgain = await call(a, alice.tls, 'POST', CONFIGMAPS, configMap('after'));
    t.equal(refusedAgain.status, 201, 'the seat is free again');
  });

  t.test('a request forwarded to a full peer comes back as the peer\'s 429', async (t) => {
    const holder = await slowCreate(b, 'slow-on-b', 6000);
    const full = await untilFull(b, 'POST', CONFIGMAPS, configMap('refused-on-b'));
    t.ok(full.ok, 'b\'s mutating seat is taken');

    const forwarded = await call(a, alice.tls, 'POST', MAP_PATH, mutatingAdmissionPolicy('through-a'), { 'x-kube-skew-trace': '1' });
    t.equal(forwarded.status, 429, 'a relays b\'s refusal instead of waiting');
    t.equal(forwarded.text, TOO_MANY);
    t.equal(forwarded.headers['retry-after'], '1', 'with its Retry-After');
    t.equal(forwarded.headers['x-kube-skew-served-by'], 'b', 'the answer is b\'s');
    const local = await call(a, alice.tls, 'POST', CONFIGMAPS, configMap('a-still-free'));
    t.equal(local.status, 201, 'a gave its own seat back after the hop');
    t.equal(statusOf(holder.conn.received()), 0, 'b\'s seat is still held meanwhile');

    if (KUBECTL) {
      const dir = await tempDir(t);
      const file = join(dir, 'policy.json');
      await writeFile(file, JSON.stringify(mutatingAdmissionPolicy('by-kubectl')));
      const kubeconfig = await alice.kubeconfig(t, a);
      const run = await kubectlAs(t, KUBECTL, kubeconfig, ['create', '-f', file, '--validate=false', '-v=6']);
      t.equal(run.code, 0, `kubectl create through a succeeds once b has a seat (stderr: ${run.stderr.slice(-400)})`);
      t.match(run.stderr, /429 Too Many Requests/, 'after being answered 429');
      const made = await api(cluster, b, 'GET', `${MAP_PATH}/by-kubectl`);
      t.equal(made.status, 200, 'the policy exists');
    } else t.comment('kubectl 1.32 is not installed: its part is skipped');
    t.equal(statusOf(await holder.answered), 201, 'the slow create on b completes');
  });
});

t.test('the in-server controllers keep working when their seats are contended', async (t) => {
  const cluster = await startCluster(t, [{ name: 'c', minor: '1.35', args: ['--max-requests-inflight=1', '--max-mutating-requests-inflight=1', '--namespace-deletion-grace-period-seconds=1', '--authorization-mode=AlwaysAllow'] }]);
  const url = urlOf(cluster, 'c');
  const alice = await limitedUser(cluster, 'alice');
  t.equal((await api(cluster, url, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'doomed' } } })).status, 201);
  t.equal((await api(cluster, url, 'POST', '/api/v1/namespaces/doomed/configmaps', { body: { metadata: { name: 'content' } } })).status, 201);

  // Alice holds the only mutating seat, a second at a time and back to back, while the namespace
  // controller (not system:masters) empties the namespace. Once the controller has been refused,
  // she leaves half-second gaps, and the controller, retrying, must finish in them.
  let stop = false;
  let gaps = false;
  // Alice only creates; any other refusal was the controllers'.
  const refusedOthers = (text: string) => metricSum(text, 'apiserver_request_total', { code: '429' }) - metricSum(text, 'apiserver_request_total', { code: '429', verb: 'POST' });
  const refusedBefore = refusedOthers(await metricsOf(cluster, url));
  const hold = (async () => {
    for (let i = 0; !stop; i++) {
      const held = await slowCreateAs(url, alice.tls, `hold-${i}`, 1000);
      await held.answered;
      if (gaps) await sleep(500);
    }
  })();
  t.equal((await api(cluster, url, 'DELETE', '/api/v1/namespaces/doomed')).status, 200, 'the namespace is marked for deletion');
  const refused = await poll(async () => refusedOthers(await metricsOf(cluster, url)) - refusedBefore, (n) => n > 0, 30_000, 200);
  gaps = true;
  t.ok(refused.ok, `the controller's requests were refused (${refused.value} answers 429)`);
  const gone = await poll(() => api(cluster, url, 'GET', '/api/v1/namespaces/doomed'), (r) => r.status === 404, 60_000, 200);
  stop = true;
  await hold;
  t.ok(gone.ok, 'and it retried and finished the deletion while the seat stayed contended');
});
