/**
 * What every real cluster has, seen with real kubectl against a server of its minor: the
 * `kubernetes` Service, componentstatuses (deprecated, with upstream's warning) and the
 * `kube-root-ca.crt` ConfigMap the in-server kube-controller-manager publishes into every namespace,
 * brought back when deleted and restored when edited.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, kubectl, kubectlBinary, startCluster, urlOf, type ApiResponse } from '../fixtures/cluster.js';

const MINOR = '1.33';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** Poll `get` until `ok` holds for its answer; the last answer otherwise. */
async function until(get: () => Promise<ApiResponse>, ok: (r: ApiResponse) => boolean, timeoutMs = 30_000): Promise<ApiResponse> {
  const start = Date.now();
  let last = await get();
  while (!ok(last) && Date.now() - start < timeoutMs) {
    await sleep(200);
    last = await get();
  }
  return last;
}

t.test('objects every cluster has', async (t) => {
  const binary = kubectlBinary(MINOR);
  const cluster = await startCluster(t, [{ name: 'a', minor: MINOR }]);
  const url = urlOf(cluster, 'a');
  const call = (method: string, path: string, body?: unknown) => api(cluster, url, method, path, body === undefined ? {} : { body });
  const run = (args: string[]) => kubectl(t, binary!, cluster, args, { context: 'skew-a' });

  t.test('kubectl get svc kubernetes', { skip: binary ? false : `kubectl ${MINOR} is not installed on this machine` }, async (t) => {
    await until(() => call('GET', '/api/v1/namespaces/default/services/kubernetes'), (r) => r.status === 200);
    const svc = await run(['get', 'svc', 'kubernetes']);
    t.equal(svc.code, 0, svc.stderr);
    t.match(svc.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
    t.match(svc.stdout, /\nkubernetes\s+ClusterIP\s+10\.0\.0\.1\s+<none>\s+443\/TCP\s+\S+\n/);
    const ep = await run(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[*].ports[*].port}']);
    t.equal(ep.code, 0, ep.stderr);
    t.equal(ep.stdout, String(cluster.server('a').info!.port), 'the endpoint is the server\'s secure port');
  });

  t.test('kubectl get cs', { skip: binary ? false : `kubectl ${MINOR} is not installed on this machine` }, async (t) => {
    const cs = await run(['get', 'cs']);
    t.equal(cs.code, 0, cs.stderr);
    t.match(cs.stderr, 'Warning: v1 ComponentStatus is deprecated in v1.19+');
    const lines = cs.stdout.trim().split('\n');
    t.match(lines[0], /^NAME\s+STATUS\s+MESSAGE\s+ERROR$/);
    t.same(lines.slice(1).map((l) => l.split(/\s+/)[0]), ['scheduler', 'controller-manager', 'etcd-0']);
    t.match(cs.stdout, /\ncontroller-manager\s+Healthy\s+ok\s*\n/, 'the in-server controller manager answers ok');
    t.match(cs.stdout, /\netcd-0\s+Healthy\s+ok\s*(\n|$)/, 'the store answers');
    // kube-skew runs no scheduler: unless something listens on 10259 here, upstream's dial error.
    t.match(cs.stdout, /\nscheduler\s+(Unhealthy\s+Get "https:\/\/127\.0\.0\.1:10259\/healthz": dial tcp 127\.0\.0\.1:10259: connect: connection refused|Healthy)/);

    const one = await call('GET', '/api/v1/componentstatuses/etcd-0');
    t.equal(one.status, 200);
    t.same(one.json, { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'etcd-0', creationTimestamp: null }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
    const missing = await call('GET', '/api/v1/componentstatuses/nope');
    t.equal(missing.status, 500);
    t.equal(missing.json.message, 'Component not found: nope');
    t.equal((await call('POST', '/api/v1/componentstatuses', { metadata: { name: 'x' } })).status, 405, 'get and list only');
  });

  t.test('kube-root-ca.crt in every namespace', async (t) => {
    const ca = await readFile(cluster.pki.caFile, 'utf8');
    const cm = (ns: string) => () => call('GET', `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`);
    const system = await until(cm('kube-system'), (r) => r.status === 200);
    t.equal(system.status, 200, 'the system namespaces have it');
    t.same(system.json.data, { 'ca.crt': ca }, 'ca.crt is the cluster CA (--root-ca-file)');
    t.same(system.json.metadata.annotations, { 'kubernetes.io/description': DESCRIPTION });

    t.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: 'team-a' } })).status, 201);
    const created = await until(cm('team-a'), (r) => r.status === 200);
    t.equal(created.status, 200, 'a new namespace gets it');
    t.same(created.json.data, { 'ca.crt': ca });

    t.equal((await call('DELETE', '/api/v1/namespaces/team-a/configmaps/kube-root-ca.crt')).status, 200);
    const again = await until(cm('team-a'), (r) => r.status === 200 && r.json.metadata.uid !== created.json.metadata.uid);
    t.equal(again.status, 200, 'deleted, it comes back');
    t.not(again.json.metadata.uid, created.json.metadata.uid, 'as a new object');

    const edited = { ...again.json, data: { 'ca.crt': 'not a CA', extra: 'x' }, metadata: { ...again.json.metadata, annotations: { mine: 'kept' } } };
    t.equal((await call('PUT', '/api/v1/namespaces/team-a/configmaps/kube-root-ca.crt', edited)).status, 200);
    const restored = await until(cm('team-a'), (r) => r.json.data?.['ca.crt'] === ca);
    t.same(restored.json.data, { 'ca.crt': ca }, 'edited, its data is restored');
    t.same(restored.json.metadata.annotations, { mine: 'kept', 'kubernetes.io/description': DESCRIPTION }, 'the description back, other annotations kept');

    if (binary) {
      const got = await run(['get', 'configmap', 'kube-root-ca.crt', '-n', 'team-a']);
      t.equal(got.code, 0, got.stderr);
      t.match(got.stdout, /\nkube-root-ca\.crt\s+1\s+\S+\n/);
    }
  });
});
