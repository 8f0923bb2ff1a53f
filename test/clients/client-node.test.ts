/**
 * @kubernetes/client-node 1.x against one real 1.32 server process (context `skew-s1` of the
 * cluster's kubeconfig): typed CoreV1Api CRUD of a ConfigMap (JSON patch by default, merge patch via
 * `setHeaderOptions`), list with a label selector, KubernetesObjectApi on a Deployment (which does
 * legacy per-group-version discovery first), Watch with a server-side close, makeInformer callbacks,
 * and the 404 error shape (`ApiException` with `code` and the Status body).
 */
import t from 'tap';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Deployment,
} from '@kubernetes/client-node';
import { startCluster } from '../fixtures/cluster.js';
import { startRecording, statusBody, waitUntil } from './client-node-helpers.js';

const NS = 'default';

const cluster = await startCluster(t, '1.32');
const kc = new KubeConfig();
kc.loadFromFile(cluster.kubeconfigPath);
kc.setCurrentContext('skew-s1');
const core = kc.makeApiClient(CoreV1Api);

t.test('kubeconfig context skew-s1 points at server s1', async (t) => {
  t.equal(kc.getCurrentContext(), 'skew-s1');
  t.equal(kc.getCurrentCluster()?.server, cluster.server('s1').info?.url);
});

t.test('CoreV1Api ConfigMap CRUD', async (t) => {
  const created = await core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'cn-crud', labels: { suite: 'cn-crud', tier: 'a' } }, data: { a: '1' } },
  });
  t.equal(created.metadata?.name, 'cn-crud');
  t.equal(created.metadata?.namespace, NS);
  t.ok(created.metadata?.uid, 'created object has a uid');
  t.match(created.metadata?.resourceVersion, /^\d+$/, 'created object has a numeric resourceVersion');
  t.same(created.data, { a: '1' });

  const read = await core.readNamespacedConfigMap({ name: 'cn-crud', namespace: NS });
  t.equal(read.metadata?.uid, created.metadata?.uid);
  t.same(read.data, { a: '1' });
  t.same(read.metadata?.labels, { suite: 'cn-crud', tier: 'a' });

  // PUT with the full object including resourceVersion.
  const replaced = await core.replaceNamespacedConfigMap({
    name: 'cn-crud',
    namespace: NS,
    body: { ...read, data: { a: '1', b: '2' } },
  });
  t.same(replaced.data, { a: '1', b: '2' });
  t.not(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion, 'replace bumps resourceVersion');

  // A replace with the now stale resourceVersion conflicts.
  const conflict = await core
    .replaceNamespacedConfigMap({ name: 'cn-crud', namespace: NS, body: { ...read, data: { stale: 'x' } } })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  t.type(conflict, ApiException, 'stale replace rejects with ApiException');
  if (conflict instanceof ApiException) {
    t.equal(conflict.code, 409);
    t.match(statusBody(conflict), { kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
  }

  // Default patch content type: application/json-patch+json.
  const jsonPatched = await core.patchNamespacedConfigMap({
    name: 'cn-crud',
    namespace: NS,
    body: [
      { op: 'replace', path: '/data/a', value: 'one' },
      { op: 'add', path: '/data/c', value: '3' },
    ],
  });
  t.same(jsonPatched.data, { a: 'one', b: '2', c: '3' }, 'json patch applied');

  // Merge patch via setHeaderOptions: null removes a key.
  const mergePatched = await core.patchNamespacedConfigMap(
    { name: 'cn-crud', namespace: NS, body: { data: { b: null, d: '4' }, metadata: { labels: { tier: 'b' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.same(mergePatched.data, { a: 'one', c: '3', d: '4' }, 'merge patch applied');
  t.same(mergePatched.metadata?.labels, { suite: 'cn-crud', tier: 'b' });

  const afterPatch = await core.readNamespacedConfigMap({ name: 'cn-crud', namespace: NS });
  t.same(afterPatch.data, { a: 'one', c: '3', d: '4' }, 'patches are persisted');

  const deleted = await core.deleteNamespacedConfigMap({ name: 'cn-crud', namespace: NS });
  t.ok(deleted, 'delete resolves');

  const gone = await core.readNamespacedConfigMap({ name: 'cn-crud', namespace: NS }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(gone, ApiException, 'read after delete rejects');
  if (gone instanceof ApiException) t.equal(gone.code, 404);
});

t.test('read of a missing object rejects with code 404 and the Status body', async (t) => {
  const err = await core.readNamespacedConfigMap({ name: 'cn-missing', namespace: NS }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, ApiException);
  if (!(err instanceof ApiException)) return;
  t.equal(err.code, 404);
  t.match(statusBody(err), {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'NotFound',
    code: 404,
    message: 'configmaps "cn-missing" not found',
    details: { name: 'cn-missing', kind: 'configmaps' },
  });
});

t.test('list with labelSelector', async (t) => {
  const mk = (name: string, labels: Record<string, string>) =>
    core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name, labels }, data: { n: name } } });
  await mk('cn-list-1', { suite: 'cn-list', color: 'red' });
  await mk('cn-list-2', { suite: 'cn-list', color: 'blue' });
  await mk('cn-list-3', { suite: 'cn-list', color: 'red' });
  await mk('cn-other', { suite: 'cn-other' });
  t.teardown(() =>
    Promise.all(['cn-list-1', 'cn-list-2', 'cn-list-3', 'cn-other'].map((name) => core.deleteNamespacedConfigMap({ name, namespace: NS }).catch(() => undefined))),
  );

  const suite = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=cn-list' });
  t.same(suite.items.map((i) => i.metadata?.name).sort(), ['cn-list-1', 'cn-list-2', 'cn-list-3']);
  t.match(suite.metadata?.resourceVersion, /^\d+$/, 'list has a resourceVersion');

  const red = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=cn-list,color=red' });
  t.same(red.items.map((i) => i.metadata?.name).sort(), ['cn-list-1', 'cn-list-3']);

  const notRed = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite in (cn-list,cn-other),color!=red' });
  t.same(notRed.items.map((i) => i.metadata?.name).sort(), ['cn-list-2', 'cn-other']);

  const none = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=nothing-here' });
  t.same(none.items, []);
});

t.test('KubernetesObjectApi Deployment create/read/patch/delete', async (t) => {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const spec: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cn-deploy', namespace: NS, labels: { app: 'cn-deploy' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'cn-deploy' } },
      template: {
        metadata: { labels: { app: 'cn-deploy' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    },
  };
  const created = await objects.create(spec);
  t.equal(created.kind, 'Deployment');
  t.equal(created.apiVersion, 'apps/v1');
  t.equal(created.metadata?.name, 'cn-deploy');
  t.ok(created.metadata?.uid, 'created deployment has a uid');

  const header = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cn-deploy', namespace: NS } };
  const read = (await objects.read(header)) as V1Deployment;
  t.equal(read.metadata?.uid, created.metadata?.uid);
  t.equal(read.spec?.replicas, 1);
  t.equal(read.spec?.template.spec?.containers[0]?.image, 'nginx:1.27');

  // Default patch strategy of KubernetesObjectApi: strategic merge (containers merge by name).
  const patched = (await objects.patch({
    ...header,
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } },
  } as KubernetesObject)) as V1Deployment;
  t.equal(patched.spec?.replicas, 3);
  t.equal(patched.spec?.template.spec?.containers.length, 1, 'strategic merge kept one container');
  t.equal(patched.spec?.template.spec?.containers[0]?.image, 'nginx:1.28');
  t.same(patched.spec?.selector.matchLabels, { app: 'cn-deploy' }, 'unpatched fields kept');

  const reread = (await objects.read(header)) as V1Deployment;
  t.equal(reread.spec?.replicas, 3, 'patch persisted');

  const status = await objects.delete(header);
  t.ok(status, 'delete resolves');
  let code: number | undefined;
  const deadline = Date.now() + 10_000;
  // Deletion may go through finalizers (foreground/background GC); wait for the 404.
  while (Date.now() < deadline) {
    try {
      await objects.read(header);
      await new Promise((r) => setTimeout(r, 100));
    } catch (e) {
      code = e instanceof ApiException ? e.code : -1;
      break;
    }
  }
  t.equal(code, 404, 'read after delete rejects with 404');

  const missing = await objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cn-nope', namespace: NS } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(missing, ApiException);
  if (missing instanceof ApiException) {
    t.equal(missing.code, 404);
    t.match(statusBody(missing), { kind: 'Status', reason: 'NotFound', details: { name: 'cn-nope', group: 'apps', kind: 'deployments' } });
  }
});

t.test('Watch sees ADDED/MODIFIED/DELETED and calls done when the server closes the stream', async (t) => {
  const events: { type: string; name: string | undefined; data: Record<string, string> | undefined }[] = [];
  let doneErr: unknown = 'not called';
  const done = new Promise<void>((resolve) => {
    void new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      { labelSelector: 'suite=cn-watch', timeoutSeconds: 4 },
      (type, obj: V1ConfigMap) => events.push({ type, name: obj.metadata?.name, data: obj.data }),
      (err) => {
        doneErr = err;
        resolve();
      },
    );
  });
  // watch() resolves once the response headers arrived; give it a moment to be fully set up.
  await new Promise((r) => setTimeout(r, 200));

  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cn-watch', labels: { suite: 'cn-watch' } }, data: { v: '1' } } });
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cn-unwatched', labels: { suite: 'other' } } } });
  t.teardown(() => core.deleteNamespacedConfigMap({ name: 'cn-unwatched', namespace: NS }).catch(() => undefined));
  await core.patchNamespacedConfigMap(
    { name: 'cn-watch', namespace: NS, body: { data: { v: '2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await core.deleteNamespacedConfigMap({ name: 'cn-watch', namespace: NS });

  t.ok(await waitUntil(() => events.length >= 3), 'three events arrived');
  t.same(events, [
    { type: 'ADDED', name: 'cn-watch', data: { v: '1' } },
    { type: 'MODIFIED', name: 'cn-watch', data: { v: '2' } },
    { type: 'DELETED', name: 'cn-watch', data: { v: '2' } },
  ]);

  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
  t.not(await Promise.race([done, timer]), 'timeout', 'done called after timeoutSeconds');
  t.equal(doneErr, null, 'done(null) on a server-side close');
});

t.test('makeInformer add/update/delete callbacks', async (t) => {
  // An object that exists before the informer starts comes in through the initial list.
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cn-inf-pre', labels: { suite: 'cn-inf' } }, data: { v: '0' } } });
  t.teardown(() => core.deleteNamespacedConfigMap({ name: 'cn-inf-pre', namespace: NS }).catch(() => undefined));

  const informer = makeInformer<V1ConfigMap>(
    kc,
    `/api/v1/namespaces/${NS}/configmaps`,
    () => core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=cn-inf' }),
    'suite=cn-inf',
  );
  const { seen, errors, connected } = await startRecording(t, informer, (o) => o.data?.v);

  t.ok(await waitUntil(() => connected() && seen.includes('add cn-inf-pre 0')), 'initial list delivered the existing object');
  t.same(
    informer.list(NS).map((o) => o.metadata?.name),
    ['cn-inf-pre'],
    'cache holds the listed object',
  );
  // The watch request goes out after the list; let it be established.
  await new Promise((r) => setTimeout(r, 300));

  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cn-inf', labels: { suite: 'cn-inf' } }, data: { v: '1' } } });
  t.ok(await waitUntil(() => seen.includes('add cn-inf 1')), 'add callback');
  await core.patchNamespacedConfigMap(
    { name: 'cn-inf', namespace: NS, body: { data: { v: '2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.ok(await waitUntil(() => seen.includes('update cn-inf 2')), 'update callback');
  t.equal(informer.get('cn-inf', NS)?.data?.v, '2', 'cache has the updated object');
  await core.deleteNamespacedConfigMap({ name: 'cn-inf', namespace: NS });
  t.ok(await waitUntil(() => seen.includes('delete cn-inf')), 'delete callback');
  t.equal(informer.get('cn-inf', NS), undefined, 'cache dropped the deleted object');

  t.same(seen, ['add cn-inf-pre 0', 'add cn-inf 1', 'update cn-inf 2', 'delete cn-inf'], 'exactly these callbacks, in order');
  t.same(errors, [], 'no informer errors');
});
