/**
 * The library entry point, imported by the package's own name as a user's test code imports it:
 * `startCluster` starts a 1.36 + 1.37 cluster; @kubernetes/client-node writes through the front door
 * and reads from one server; a refused peer hop turns a proxied request into a 503 until healed;
 * upgrade, kill, pause and resume have their effect on the servers and on `status()`; `stop()`
 * leaves no process and no temporary directory behind, and is idempotent; `await using` stops it
 * too; on etcd, the etcd it started goes with it (skipped with a message without etcd).
 */
import t from 'tap';
import { request } from 'node:https';
import { existsSync } from 'node:fs';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { startCluster, type SkewCluster } from 'kube-skew';
import { waitUntil } from '../clients/client-node-helpers.js';
import { alive } from '../fixtures/cli.js';
import { processesMentioning } from '../fixtures/processes.js';
import { etcdMissing } from '../../server/cluster/local-etcd.js';

/** A client-node KubeConfig of `cluster` at `context`. */
function kubeconfig(cluster: SkewCluster, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  kc.setCurrentContext(context);
  return kc;
}

/** The gitVersion server `name` reports, through its own context. */
async function gitVersion(cluster: SkewCluster, name: string): Promise<string> {
  return (await kubeconfig(cluster, cluster.context(name)).makeApiClient(VersionApi).getCode()).gitVersion;
}

/** GET `/version` of server `name` with the kubeconfig's credentials: the status, or `timeout` when nothing answers within `ms`. */
async function versionWithin(cluster: SkewCluster, name: string, ms: number): Promise<number | 'timeout'> {
  const kc = kubeconfig(cluster, cluster.context(name));
  const opts: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL('/version', cluster.serverURL(name));
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: opts.ca, cert: opts.cert, key: opts.key, timeout: ms }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status of listing 1.37's storagemigration.k8s.io/v1 StorageVersionMigrations at server `name`. */
async function listMigrations(cluster: SkewCluster, name: string): Promise<number> {
  const api = kubeconfig(cluster, cluster.context(name)).makeApiClient(CustomObjectsApi);
  try {
    await api.listClusterCustomObject({ group: 'storagemigration.k8s.io', version: 'v1', plural: 'storageversionmigrations' });
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

t.test('startCluster, client-node, fault, upgrade, kill, pause, stop', async (t) => {
  const cluster = await startCluster({ servers: 'a=1.36,b=1.37' });
  t.teardown(() => cluster.stop());
  const firstPids = cluster.status().servers.map((s) => s.pid!);

  t.test('status and kubeconfig', async (t) => {
    const status = cluster.status();
    t.same(
      status.servers.map((s) => [s.name, s.minor, s.state, s.ready, s.mixedVersionProxy]),
      [
        ['a', '1.36', 'running', true, true],
        ['b', '1.37', 'running', true, true],
      ],
    );
    t.match(status.servers[0]!.identity, /^apiserver-[a-z2-7]{26}$/);
    t.equal(status.frontDoor, cluster.frontDoorURL);
    t.ok(existsSync(cluster.kubeconfigPath), 'the kubeconfig is written');
    const kc = kubeconfig(cluster, cluster.context());
    t.equal(kc.getCurrentCluster()?.server, cluster.frontDoorURL, 'context skew is the front door');
    t.equal(kubeconfig(cluster, cluster.context('b')).getCurrentCluster()?.server, cluster.serverURL('b'), 'context skew-b is server b');
    t.equal(await gitVersion(cluster, 'a'), 'v1.36.0');
    t.equal(await gitVersion(cluster, 'b'), 'v1.37.0');
  });

  t.test('write through the front door, read from one server', async (t) => {
    const front = kubeconfig(cluster, cluster.context()).makeApiClient(CoreV1Api);
    const created = await front.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'lib-demo' }, data: { k: 'v' } } });
    t.match(created.metadata?.uid, /.+/);
    const read = await kubeconfig(cluster, cluster.context('a')).makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'lib-demo', namespace: 'default' });
    t.equal(read.metadata?.uid, created.metadata?.uid, 'server a reads the object written through the front door');
    t.same(read.data, { k: 'v' });
  });

  t.test('a fault on the peer hop', async (t) => {
    t.ok(await waitUntil(async () => (await listMigrations(cluster, 'a')) === 200, 30_000, 200), 'the 1.36 server proxies a 1.37-only list to b');
    await cluster.fault('a', 'b', 'refuse');
    t.equal(await listMigrations(cluster, 'a'), 503, 'with the hop refused, the proxied list is a 503');
    t.equal(await listMigrations(cluster, 'b'), 200, 'b itself still serves it');
    await cluster.fault('a', 'b', 'heal');
    t.equal(await listMigrations(cluster, 'a'), 200, 'healed, it is proxied again');
    await t.rejects(cluster.fault('a', 'nope', 'partition'), /no server named nope \(servers: a, b\)/);
  });

  t.test('upgrade and downgrade', async (t) => {
    await t.rejects(cluster.upgrade('a', '1.35'), /cannot upgrade a to 1\.35: it runs 1\.36/, 'an upgrade to an older minor is refused');
    await cluster.upgrade('a', '1.37');
    t.equal(await gitVersion(cluster, 'a'), 'v1.37.0', 'a answers as 1.37');
    t.equal(cluster.status().servers[0]!.minor, '1.37');
    t.notOk(alive(firstPids[0]!), 'the 1.36 process is gone');
    const read = await kubeconfig(cluster, cluster.context('a')).makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'lib-demo', namespace: 'default' });
    t.same(read.data, { k: 'v' }, 'the upgraded server reads the shared store');
    await cluster.downgrade('a', 'v1.36');
    t.equal(await gitVersion(cluster, 'a'), 'v1.36.0', 'downgraded again');
  });

  t.test('kill', async (t) => {
    const pid = cluster.status().servers[1]!.pid!;
    await cluster.kill('b');
    t.notOk(alive(pid), 'b is gone');
    const b = cluster.status().servers[1]!;
    t.same([b.state, b.ready, b.pid, b.exit], ['stopped', false, undefined, { code: null, signal: 'SIGKILL' }]);
    const front = kubeconfig(cluster, cluster.context()).makeApiClient(CoreV1Api);
    for (let i = 0; i < 4; i++) {
      const read = await front.readNamespacedConfigMap({ name: 'lib-demo', namespace: 'default' });
      t.same(read.data, { k: 'v' }, `read ${i + 1} through the front door, served by a`);
    }
    await cluster.startServer('b');
    t.equal(cluster.status().servers[1]!.state, 'running', 'started again');
    t.equal(await gitVersion(cluster, 'b'), 'v1.37.0');
    await t.rejects(cluster.startServer('b'), /already running/);
  });

  t.test('pause and resume', async (t) => {
    await cluster.pause('b');
    t.same([cluster.status().servers[1]!.state, cluster.status().servers[1]!.ready], ['paused', false]);
    t.equal(await versionWithin(cluster, 'b', 1500), 'timeout', 'a paused server answers nothing');
    t.equal(await versionWithin(cluster, 'a', 10_000), 200, 'the other server answers');
    await cluster.resume('b');
    t.equal(cluster.status().servers[1]!.state, 'running');
    t.equal(await versionWithin(cluster, 'b', 10_000), 200, 'resumed, it answers again');
  });

  t.test('stop', async (t) => {
    const pids = cluster.status().servers.map((s) => s.pid!);
    t.ok(pids.every(alive), 'both servers run before stop');
    await Promise.all([cluster.stop(), cluster.stop()]);
    await cluster.stop();
    t.same(pids.filter(alive), [], 'no server process is left');
    t.notOk(existsSync(cluster.dataDir), 'the temporary data directory is removed');
    t.same(cluster.status().servers.map((s) => s.state), ['stopped', 'stopped']);
    await t.rejects(cluster.kill('a'), /the cluster has been stopped/);
  });
});

t.test('startCluster checks its options before starting anything', async (t) => {
  await t.rejects(startCluster({ servers: 'a=1.36,b=1.37', lbPolicy: 'pinned=c' }), /lbPolicy pinned=c: no server named "c" \(servers: a, b\)/);
  await t.rejects(startCluster({ servers: ['1.99'] }), /unsupported Kubernetes version "1\.99"/);
  await t.rejects(startCluster({ servers: 'a=1.36,a=1.37' }), /server name "a" is used twice/);
});

t.test('await using stops the cluster when the block ends', async (t) => {
  let pid = 0;
  let dataDir = '';
  {
    await using cluster = await startCluster({ servers: '1.37' });
    pid = cluster.status().servers[0]!.pid!;
    dataDir = cluster.dataDir;
    t.ok(alive(pid), 'running inside the block');
  }
  t.notOk(alive(pid), 'stopped when the block ends');
  t.notOk(existsSync(dataDir), 'its temporary data directory removed');
});

const noEtcd = etcdMissing();
t.test('store etcd: the cluster starts its own etcd and stop() stops it too', { skip: noEtcd ? `skipped: ${noEtcd}` : false }, async (t) => {
  const cluster = await startCluster({ servers: '1.37', store: 'etcd' });
  t.teardown(() => cluster.stop());
  const core = kubeconfig(cluster, cluster.context()).makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'on-etcd' } } });
  t.equal((await core.readNamespacedConfigMap({ name: 'on-etcd', namespace: 'default' })).metadata?.name, 'on-etcd');
  const pids = processesMentioning(cluster.dataDir);
  t.ok(pids.length >= 2, `etcd and the server run in ${cluster.dataDir} (pids ${pids.join(', ')})`);
  await cluster.stop();
  t.same(pids.filter(alive), [], 'etcd and the server are gone');
  t.notOk(existsSync(cluster.dataDir), 'the temporary data directory is removed');
});
