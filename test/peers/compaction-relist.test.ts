/**
 * A server paused while its peers compact the store finds its watches expired when it resumes. Its
 * peer discovery must list the identity leases again, as an informer does: otherwise it never learns
 * of a peer that starts later, and answers 404 for what that peer serves.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { MAP_PATH, poll } from './helpers.js';

const SHORT_ENDPOINT_LEASE = ['--peer-endpoint-lease-ttl-seconds=6', '--peer-endpoint-reconcile-interval-seconds=1'];

t.test('a resumed 1.35 server lists identity leases again and finds a new 1.36 peer', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35' },
    { name: 'b', minor: '1.36', args: SHORT_ENDPOINT_LEASE },
    { name: 'c', minor: '1.36', args: SHORT_ENDPOINT_LEASE, deferred: true },
  ], { args: ['--etcd-compaction-interval=1s'] });
  const a = urlOf(cluster, 'a');
  const viaB = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 60_000);
  t.ok(viaB.ok, `a proxies ${MAP_PATH} to b`);

  const store = cluster.openStore(Date.now);
  t.teardown(() => store.close());
  cluster.pauseServer('a');
  let resumed = false;
  t.teardown(() => {
    if (!resumed) cluster.resumeServer('a');
  });
  const b = urlOf(cluster, 'b');
  for (const name of ['w1', 'w2', 'w3']) {
    const res = await api(cluster, b, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name } } });
    t.equal(res.status, 201);
  }
  const written = await store.currentRevision();
  const compacted = await poll(() => store.compactedRevision(), (rev) => rev >= written, 60_000, 200);
  t.ok(compacted.ok, `b compacted the store past what a had read (${compacted.value} >= ${written})`);
  cluster.resumeServer('a');
  resumed = true;

  await cluster.stopServer('b');
  await cluster.startServer('c');
  const viaC = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 60_000, 250);
  t.ok(viaC.ok, `a proxies ${MAP_PATH} to c, which started after a resumed (last: ${viaC.value.status})`);
});
