/**
 * The in-server controllers against real server processes: leader election through the
 * kube-controller-manager Lease (one leader, takeover after the leader is killed, servers with an
 * empty `--controllers` never lead), the garbage collector (background, foreground, orphan, a
 * dangling owner, an owner kind discovery does not know) and the deployment status controller with
 * the real `kubectl rollout status`.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../fixtures/cluster.js';
import type { Cluster } from '../../server/cluster/cluster.js';
import { parseServerConfig } from '../../server/config.js';
import { parseFlags } from '../../server/main.js';

const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager';
const FAST_ELECTION = ['--leader-elect-lease-duration-seconds=3', '--leader-elect-renew-deadline-seconds=2', '--leader-elect-retry-period-seconds=0.5'];

/** Poll `fn` until it returns a truthy value or `ms` pass. */
async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 15_000, stepMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(stepMs);
  }
}

async function holder(cluster: Cluster, server: string): Promise<{ holderIdentity: string; leaseTransitions: number; leaseDurationSeconds: number; acquireTime: string; renewTime: string } | undefined> {
  const res = await api(cluster, urlOf(cluster, server), 'GET', LEASE);
  return res.status === 200 ? res.json.spec : undefined;
}

t.test('--controllers and --controllers-via', async (t) => {
  const config = (...args: string[]) => parseServerConfig(parseFlags(['--storage-path=/tmp/unused.db', ...args]));
  t.same(config().controllers, ['namespace', 'garbagecollector', 'deployment', 'root-ca-cert-publisher', 'serviceaccount', 'clusterrole-aggregation'], 'all by default');
  t.same(config('--controllers=').controllers, [], 'empty: never leads');
  t.same(config('--controllers=deployment,namespace').controllers, ['deployment', 'namespace']);
  t.same(config('--controllers=*').controllers, ['namespace', 'garbagecollector', 'deployment', 'root-ca-cert-publisher', 'serviceaccount', 'clusterrole-aggregation']);
  t.throws(() => config('--controllers=namespace,replicaset'), /invalid argument "namespace,replicaset" for "--controllers" flag: unknown controller "replicaset"/);
  t.equal(config().controllersVia, '', "the server's own port by default");
  t.equal(config('--controllers-via=https://127.0.0.1:6443/').controllersVia, 'https://127.0.0.1:6443');
  t.throws(() => config('--controllers-via=http://127.0.0.1:6443'), /want https:\/\/host:port/);
  t.equal(config().durations.leaderElectLeaseDurationSeconds, 15);
  t.equal(config().durations.leaderElectRenewDeadlineSeconds, 10);
  t.equal(config().durations.leaderElectRetryPeriodSeconds, 2);
  t.equal(config().durations.namespaceDeletionGracePeriodSeconds, 5);
});

t.test('leader election: one leader, takeover after a kill, empty --controllers never leads', async (t) => {
  const cluster = await startCluster(
    t,
    [
      { name: 's1', minor: '1.34' },
      { name: 's2', minor: '1.34' },
      { name: 's3', minor: '1.34', args: ['--controllers='] },
    ],
    { args: FAST_ELECTION },
  );
  const first = await eventually(() => holder(cluster, 's3'));
  t.ok(first, 'the lease exists');
  t.match(first!.holderIdentity, /^s[12]_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'held by a candidate as <server>_<uuid>');
  t.equal(first!.leaseDurationSeconds, 3);
  t.equal(first!.leaseTransitions, 0);
  t.match(first!.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'renewTime is a MicroTime');
  const leader = first!.holderIdentity.split('_')[0]!;
  const other = leader === 's1' ? 's2' : 's1';

  await sleep(2000);
  const later = await holder(cluster, 's3');
  t.equal(later!.holderIdentity, first!.holderIdentity, 'the leader keeps the lease');
  t.not(later!.renewTime, first!.renewTime, 'and renews it');
  t.equal(later!.acquireTime, first!.acquireTime, 'acquireTime stays');

  await cluster.killServer(leader);
  const killedAt = Date.now();
  const taken = await eventually(async () => {
    const h = await holder(cluster, 's3');
    return h && !h.holderIdentity.startsWith(`${leader}_`) ? h : undefined;
  }, 20_000);
  t.ok(taken, 'another candidate takes over');
  t.match(taken!.holderIdentity, new RegExp(`^${other}_`), 'the other candidate, never the server with an empty --controllers');
  t.equal(taken!.leaseTransitions, 1, 'one transition');
  t.ok(Date.now() - killedAt >= 1000, `not before the lease expired (${Date.now() - killedAt} ms)`);
});

t.test('garbage collector', async (t) => {
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.34' }]);
  const url = urlOf(cluster, 's1');
  const call = (method: string, path: string, body?: unknown) => {
    if (body !== undefined && method === 'DELETE') {
      const raw = JSON.stringify(body);
      return api(cluster, url, method, path, { raw, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(raw)) } });
    }
    return api(cluster, url, method, path, body === undefined ? {} : { body });
  };
  const cm = (ns: string, name = '') => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
  const secret = (ns: string, name = '') => `/api/v1/namespaces/${ns}/secrets${name ? `/${name}` : ''}`;
  const ns = 'gc';
  t.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  const owner = async (name: string) => {
    const res = await call('POST', cm(ns), { metadata: { name } });
    if (res.status !== 201) throw new Error(`owner ${name}: ${res.status} ${res.text}`);
    return res.json.metadata.uid as string;
  };
  const dependent = async (name: string, owners: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', secret(ns), { metadata: { name, ownerReferences: owners, ...extra } });
    if (res.status !== 201) throw new Error(`dependent ${name}: ${res.status} ${res.text}`);
    return res.json;
  };
  const gone = (path: string) => eventually(async () => ((await call('GET', path)).status === 404 ? true : undefined));

  t.test('background: deleting the owner deletes its dependents', async (t) => {
    const uid = await owner('bg-owner');
    await dependent('bg-dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'bg-owner', uid }]);
    t.equal((await call('DELETE', cm(ns, 'bg-owner'))).status, 200);
    t.ok(await gone(secret(ns, 'bg-dep')), 'the dependent is collected');
  });

  t.test('a dependent whose owner never existed is collected', async (t) => {
    await dependent('orphaned', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'no-such-owner', uid: '00000000-0000-0000-0000-000000000001' }]);
    t.ok(await gone(secret(ns, 'orphaned')), 'an absent owner (404) means garbage');
  });

  t.test('an owner with another uid counts as absent', async (t) => {
    await owner('reborn');
    await dependent('stale-ref', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'reborn', uid: '00000000-0000-0000-0000-000000000002' }]);
    t.ok(await gone(secret(ns, 'stale-ref')), 'uid mismatch: collected');
    t.equal((await call('GET', cm(ns, 'reborn'))).status, 200, 'the unrelated object of that name stays');
  });

  t.test('an owner kind discovery does not know is never taken as absent', async (t) => {
    await dependent('unknown-kind', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '00000000-0000-0000-0000-000000000003' }]);
    await sleep(2000);
    t.equal((await call('GET', secret(ns, 'unknown-kind'))).status, 200, 'a restMappingError is retried, not a deletion');
  });

  t.test('a dependent with one live owner loses only the dangling reference', async (t) => {
    const uid = await owner('alive');
    await dependent('two-owners', [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'alive', uid },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'dead', uid: '00000000-0000-0000-0000-000000000004' },
    ]);
    const trimmed = await eventually(async () => {
      const res = await call('GET', secret(ns, 'two-owners'));
      return res.status === 200 && res.json.metadata.ownerReferences?.length === 1 ? res.json : undefined;
    });
    t.ok(trimmed, 'the dangling reference is removed');
    t.equal(trimmed?.metadata.ownerReferences[0].uid, uid, 'the live one stays');
  });

  t.test('foreground: blocking dependents go first, then the owner', async (t) => {
    const uid = await owner('fg-owner');
    await dependent('fg-dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid, blockOwnerDeletion: true }], { finalizers: ['example.com/hold'] });
    const deleted = await call('DELETE', cm(ns, 'fg-owner'), { propagationPolicy: 'Foreground' });
    t.equal(deleted.status, 200);
    t.same(deleted.json.metadata.finalizers, ['foregroundDeletion'], 'the owner waits with the foregroundDeletion finalizer');
    const marked = await eventually(async () => {
      const res = await call('GET', secret(ns, 'fg-dep'));
      return res.status === 200 && res.json.metadata.deletionTimestamp ? res : undefined;
    });
    t.ok(marked, 'the dependent is being deleted');
    await sleep(1000);
    t.equal((await call('GET', cm(ns, 'fg-owner'))).status, 200, 'the owner stays while a blocking dependent exists');
    const released = await api(cluster, url, 'PATCH', secret(ns, 'fg-dep'), { body: { metadata: { finalizers: null } }, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(released.status, 200);
    t.ok(await gone(secret(ns, 'fg-dep')), 'the dependent goes');
    t.ok(await gone(cm(ns, 'fg-owner')), 'then the finalizer is removed and the owner goes');
  });

  t.test('orphan: the dependents lose the reference and stay', async (t) => {
    const uid = await owner('or-owner');
    await dependent('or-dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'or-owner', uid }]);
    const deleted = await call('DELETE', cm(ns, 'or-owner'), { propagationPolicy: 'Orphan' });
    t.equal(deleted.status, 200);
    t.same(deleted.json.metadata.finalizers, ['orphan'], 'the owner waits with the orphan finalizer');
    t.ok(await gone(cm(ns, 'or-owner')), 'the owner goes once its dependents are orphaned');
    const dep = await call('GET', secret(ns, 'or-dep'));
    t.equal(dep.status, 200, 'the dependent stays');
    t.same(dep.json.metadata.ownerReferences ?? [], [], 'without the owner reference');
  });
});

t.test('deployment status: kubectl rollout status completes', async (t) => {
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.32' }]);
  const url = urlOf(cluster, 's1');
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
  };
  t.equal((await api(cluster, url, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: manifest })).status, 201);
  const done = await eventually(async () => {
    const res = await api(cluster, url, 'GET', '/apis/apps/v1/namespaces/default/deployments/web');
    const progressing = (res.json?.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Progressing');
    return progressing?.reason === 'NewReplicaSetAvailable' ? res.json : undefined;
  });
  t.ok(done, 'the rollout completes');
  t.match(done?.status, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
  t.notOk('unavailableReplicas' in (done?.status ?? {}), 'no unavailable replicas');
  const [available, progressing] = done?.status.conditions ?? [];
  t.match(available, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  t.match(progressing, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: /^ReplicaSet "web-[bcdfghjklmnpqrstvwxz2456789]+" has successfully progressed\.$/ });

  const binary = kubectlBinary('1.32');
  t.test('kubectl.1.32 rollout status', { skip: binary ? false : 'kubectl 1.32 is not installed on this machine' }, async (t) => {
    const run = (args: string[]) => kubectl(t, binary!, cluster, args, { context: 'skew-s1' });
    const status = await run(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    t.equal(status.code, 0, `rollout status: ${status.stderr}`);
    t.match(status.stdout, /deployment "web" successfully rolled out/);
    const image = await run(['set', 'image', 'deployment/web', 'c=nginx:1.28']);
    t.equal(image.code, 0, `set image: ${image.stderr}`);
    const again = await run(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    t.equal(again.code, 0, `rollout status after set image: ${again.stderr}`);
    t.match(again.stdout, /deployment "web" successfully rolled out/);
    const after = await api(cluster, url, 'GET', '/apis/apps/v1/namespaces/default/deployments/web');
    t.equal(after.json.status.observedGeneration, after.json.metadata.generation, 'the new generation is observed');
    const newProgressing = after.json.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    t.not(newProgressing.message, progressing.message, 'a new ReplicaSet name for the new template');
  });
});
