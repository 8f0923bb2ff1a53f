/**
 * A mixed cluster (1.33 + 1.35) on etcd, started by the cluster library from the machine's `etcd`
 * binary: the Mixed Version Proxy between the servers, kubectl's ConfigMap visible to etcdctl at
 * upstream's key, a watch on one server seeing another server's write, etcd's compaction giving
 * 410 Expired, and the etcd process gone once the cluster stops (teardown stops it even when a
 * check fails). Skips with a message where etcd or kubectl 1.33 is missing.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { etcdMissing, startLocalEtcd } from '../../server/cluster/local-etcd.js';
import { TRACE_HEADER, SERVED_BY_HEADER } from '../../server/filters/served-by.js';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../fixtures/cluster.js';
import type { Cluster } from '../../server/cluster/cluster.js';
import { testStore } from '../fixtures/store.js';

t.test('a missing etcd binary is a clear error naming it and how to install it', async (t) => {
  const message = etcdMissing('/nonexistent/etcd');
  t.match(message, /the etcd binary "\/nonexistent\/etcd" was not found/);
  t.match(message, /apt-get install etcd-server/);
  await t.rejects(startLocalEtcd('/nonexistent-dir-never-made', '/nonexistent/etcd'), { message: /apt-get install etcd-server/ }, 'startLocalEtcd refuses before making anything');
});

t.test('KUBE_SKEW_TEST_STORE picks the store of the test clusters', async (t) => {
  t.equal(testStore({}), 'sqlite', 'SQLite when unset');
  t.equal(testStore({ KUBE_SKEW_TEST_STORE: 'sqlite' }), 'sqlite');
  t.equal(testStore({ KUBE_SKEW_TEST_STORE: 'etcd' }), 'etcd');
  t.throws(() => testStore({ KUBE_SKEW_TEST_STORE: 'mysql' }), { message: /KUBE_SKEW_TEST_STORE=mysql: expected sqlite or etcd/ }, 'anything else is refused');
});

const missing = etcdMissing();
const kubectl133 = kubectlBinary('1.33');
if (missing !== undefined) t.plan(0, `skipped: ${missing}`);
else if (kubectl133 === undefined) t.plan(0, 'skipped: kubectl 1.33 is not installed at /usr/lib/google-cloud-sdk/bin/kubectl.1.33');
else {
  const etcdctl = (cluster: Cluster, ...args: string[]): string =>
    execFileSync('etcdctl', ['--endpoints', cluster.etcdServers.join(','), ...args], { env: { ...process.env, ETCDCTL_API: '3' } }).toString();

  /** Polls `fn` every 200 ms until `ok` holds or 60 s pass; returns the last value. */
  const poll = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await fn();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** Opens a watch on `url + path` and resolves with the first event line whose text matches `until`, or rejects after 30 s. */
  const watchUntil = (cluster: Cluster, url: string, path: string, until: RegExp, started: () => void): Promise<string> =>
    new Promise((resolve, reject) => {
      const tls = cluster.tls;
      let buffered = '';
      let status = 0;
      const req = request(`${url}${path}`, { ca: tls.ca, cert: tls.cert, key: tls.key, headers: { accept: 'application/json' } }, (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const line = buffered.split('\n').find((l) => until.test(l));
          if (line !== undefined) {
            clearTimeout(timer);
            req.destroy();
            resolve(line);
          }
        });
        started();
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no watch event matching ${until} within 30 s (status ${status}, got ${JSON.stringify(buffered.slice(0, 500))})`));
      }, 30_000);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end();
    });

  t.test('a 1.33 + 1.35 cluster on etcd', async (t) => {
    const cluster = await startCluster(
      t,
      [
        { name: 'a', minor: '1.33' },
        { name: 'b', minor: '1.35', runtimeConfig: 'batch/v1=false' },
      ],
      { store: 'etcd', args: ['--authorization-mode=AlwaysAllow'] },
    );
    t.same(cluster.etcdServers.length, 1, 'the cluster started one etcd');
    const a = urlOf(cluster, 'a');
    const b = urlOf(cluster, 'b');

    const created = await kubectl(t, kubectl133 as string, cluster, ['create', 'configmap', 'x', '--from-literal=k=v']);
    t.equal(created.code, 0, `kubectl 1.33 creates the ConfigMap (${created.stderr.trim()})`);
    const stored = etcdctl(cluster, 'get', '/registry/configmaps/default/x');
    t.match(stored, /^\/registry\/configmaps\/default\/x\n/, 'etcdctl finds it at upstream\'s key');
    t.match(stored, /"name":"x"/);
    t.match(stored, /"k":"v"/);
    t.match(etcdctl(cluster, 'get', '/registry/', '--prefix', '--keys-only'), /\/registry\/leases\/kube-system\/apiserver-/, 'identity leases under /registry/leases/');

    const proxied = await poll(
      () => api(cluster, b, 'GET', '/apis/batch/v1/namespaces/default/jobs', { headers: { [TRACE_HEADER]: '1' } }),
      (r) => r.status === 200,
    );
    t.equal(proxied.status, 200, `b (batch/v1 off) proxies jobs to a over etcd-shared peer leases (last: ${proxied.status} ${proxied.text})`);
    t.equal(proxied.json?.kind, 'JobList');
    t.equal(String(proxied.headers[SERVED_BY_HEADER]), 'a', 'served by a');

    const list = await api(cluster, a, 'GET', '/api/v1/namespaces/default/configmaps');
    const rv = String(list.json.metadata.resourceVersion);
    const revision = Number(JSON.parse(etcdctl(cluster, 'endpoint', 'status', '-w', 'json'))[0].Status.header.revision);
    t.ok(Number(rv) <= revision && Number(rv) > 1, `the list's resourceVersion ${rv} is an etcd revision (etcd at ${revision})`);

    let onOpen!: () => void;
    const opened = new Promise<void>((r) => (onOpen = r));
    const seen = watchUntil(cluster, a, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, /"ADDED".*"name":"y"/, onOpen);
    await opened;
    const made = await api(cluster, b, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'y' } } });
    t.equal(made.status, 201, 'b creates y');
    t.match(await seen, /"resourceVersion":"\d+"/, 'a watch on a sees b\'s write through etcd');

    // Another write, so that the compaction passes the first revision the watch below asks for.
    t.equal((await api(cluster, a, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'z' } } })).status, 201);
    const current = Number(JSON.parse(etcdctl(cluster, 'endpoint', 'status', '-w', 'json'))[0].Status.header.revision);
    etcdctl(cluster, 'compact', String(current));
    const expired = await watchUntil(cluster, a, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, /"ERROR"/, () => undefined);
    t.match(JSON.parse(expired), { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }, 'a watch from before etcd\'s compaction gets 410 Expired');
    const staleList = await api(cluster, a, 'GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    t.equal(staleList.status, 410, 'an exact list below the compaction is 410 too');

    const etcdProcess = execFileSync('pgrep', ['-f', `etcd --name kube-skew --data-dir ${cluster.options.dataDir}`], { encoding: 'utf8' }).trim();
    t.ok(etcdProcess, 'the cluster\'s etcd runs');
    await cluster.stop();
    let stillThere = true;
    try {
      process.kill(Number(etcdProcess.split('\n')[0]), 0);
    } catch {
      stillThere = false;
    }
    t.notOk(stillThere, 'stopping the cluster stops its etcd');
  });
}
