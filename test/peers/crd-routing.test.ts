/**
 * The Mixed Version Proxy with custom resources, per release (MVP reference §9), over real server
 * processes: a CRD is created after a 1.34, a 1.35 and a 1.36 server started (so no local discovery
 * cache holds it for 30 minutes), then a fourth server joins and every server refetches its peers'
 * discovery, which now lists the CRD.
 * - 1.34 has no exclusion: it proxies the custom resource it serves itself to a peer.
 * - 1.35 and 1.36 exclude the CRD's group/version from peer data and serve it locally.
 * - Merged `/apis` lists the CRD while it exists and drops it once it is deleted; after the grace
 *   period the 1.36 manager refilters from its raw cache, so the stale peer data of the deleted CRD
 *   comes back in its merged discovery and routing (unless a fetch after the deletion refreshed that
 *   cache), while the 1.35 map keeps the live cache filtered until the next peer lease event.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { storeOf, testStore } from '../fixtures/store.js';
import { header, metricSum, metricsOf, poll } from './helpers.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const GROUP = 'example.com';
const GRACE_SECONDS = 10;
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};
const W1 = `/apis/${GROUP}/v1/namespaces/default/widgets/w1`;
const TRACE = { 'x-kube-skew-trace': '1' };

type Group = { metadata: { name: string } };
const lists = (doc: { items?: Group[] }): boolean => (doc.items ?? []).some((g) => g.metadata.name === GROUP);

t.test('custom resources and the MVP: 1.34 proxies, 1.35 and 1.36 exclude', async (t) => {
  const cluster = await startCluster(
    t,
    [
      { name: 'a34', minor: '1.34' },
      { name: 'a35', minor: '1.35' },
      { name: 'a36', minor: '1.36' },
      { name: 'j', minor: '1.36', deferred: true },
    ],
    { args: [`--peer-exclusion-grace-period-seconds=${GRACE_SECONDS}`, '--peer-exclusion-reaper-interval-seconds=1'] },
  );
  t.equal(storeOf(cluster), testStore(), `the servers share the test run's store (${testStore()})`);
  const url = { a34: urlOf(cluster, 'a34'), a35: urlOf(cluster, 'a35'), a36: urlOf(cluster, 'a36') };
  const servedBy = async (server: keyof typeof url, path = W1) => {
    const res = await api(cluster, url[server], 'GET', path, { headers: TRACE });
    return { status: res.status, by: header(res, 'x-kube-skew-served-by') };
  };
  const merged = async (server: keyof typeof url) => (await api(cluster, url[server], 'GET', '/apis', { headers: { accept: V2 } })).json as { items?: Group[] };

  t.equal((await api(cluster, url.a36, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: CRD })).status, 201, 'create the CRD');
  for (const server of ['a34', 'a35', 'a36'] as const) {
    const local = await poll(
      () => api(cluster, url[server], 'GET', `/apis/${GROUP}/v1/namespaces/default/widgets`, { headers: { 'x-kubernetes-peer-proxied': 'true' } }),
      (r) => r.status === 200,
      60_000,
    );
    t.ok(local.ok, `${server} serves the CRD from its own informer`);
  }
  const created = await api(cluster, url.a36, 'POST', `/apis/${GROUP}/v1/namespaces/default/widgets`, { body: { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w1' } } });
  t.equal(created.status, 201, 'create a Widget');
  const present = await poll(() => merged('a36'), lists, 30_000);
  t.ok(present.ok, 'merged /apis of 1.36 lists the CRD while it exists');
  t.ok(lists(await merged('a35')), 'so does 1.35');

  const fetches = async (server: 'a35' | 'a36') => metricSum(await metricsOf(cluster, url[server]), 'apiserver_rerouted_request_total');
  const before = { a35: await fetches('a35'), a36: await fetches('a36') };
  await cluster.startServer('j');

  const proxied = await poll(() => servedBy('a34'), (r) => r.status === 200 && r.by !== undefined && r.by !== 'a34', 60_000);
  t.ok(proxied.ok, `1.34 proxies the custom resource to a peer whose discovery lists it (served by ${proxied.value.by})`);

  for (const server of ['a35', 'a36'] as const) {
    const synced = await poll(() => fetches(server), (n) => n >= before[server] + 2, 60_000);
    t.ok(synced.ok, `${server} fetched the new peer's discovery`);
    // The 1.36 refilter runs just after the rebuild; give it a moment to swap the filtered cache in.
    await new Promise((r) => setTimeout(r, 300));
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await servedBy(server);
      t.equal(r.status, 200);
      seen.add(r.by ?? '');
    }
    t.same([...seen], [server], `${server} serves the custom resource locally: its group/version is excluded from peer data`);
  }

  t.equal((await api(cluster, url.a36, 'DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${GROUP}`)).status, 200, 'delete the CRD');
  const gone = await poll(() => api(cluster, url.a36, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${GROUP}`), (r) => r.status === 404, 60_000);
  t.ok(gone.ok, 'the CRD is gone');
  const deletedAt = Date.now();
  const fetchedAtDeletion = await fetches('a36');
  const absent = await poll(async () => [lists(await merged('a35')), lists(await merged('a36'))], ([x, y]) => !x && !y, 5_000);
  t.ok(absent.ok, 'within the grace period merged /apis of 1.35 and 1.36 drop the deleted CRD');
  if (Date.now() - deletedAt < (GRACE_SECONDS - 2) * 1000) {
    const r = await servedBy('a36');
    t.same(r, { status: 404, by: 'a36' }, 'and 1.36 answers its custom resource locally: 404');
  }

  // The stale data can only come back from a raw cache filled while the CRD existed: a fetch of the
  // peers' discovery after the deletion (a retry of the join's fetches, say, on a loaded machine)
  // legitimately replaces it with data that no longer lists the CRD.
  const back = await poll(() => merged('a36'), lists, (GRACE_SECONDS + 30) * 1000, 250);
  const refetched = (await fetches('a36')) > fetchedAtDeletion;
  if (back.ok) {
    t.pass('after the grace period 1.36 refilters from its raw cache: the stale peer data of the CRD is back');
    const stale = await servedBy('a36');
    t.equal(stale.status, 404, 'a request for the deleted kind is routed by that stale data');
    t.not(stale.by, 'a36', 'to a peer, which answers 404');
  } else {
    t.ok(refetched, 'the stale peer data stays away after the grace period only because 1.36 fetched its peers again after the deletion');
    t.same(await servedBy('a36'), { status: 404, by: 'a36' }, 'and 1.36 answers the deleted kind locally');
  }
  t.notOk(lists(await merged('a35')), '1.35 keeps its live cache filtered until the next peer lease event');
  t.equal((await servedBy('a35')).by, 'a35');
});
