/**
 * The Mixed Version Proxy with an aggregated API (MVP reference §9), over real server processes and
 * the sample-apiserver, on the cluster's scenario clock. The APIService is registered after a 1.34,
 * a 1.35 and a 1.36 server started (so no local discovery cache, built at start and every 30
 * minutes, holds wardle.example.com), then a fourth server joins and every server refetches its
 * peers' discovery, which now lists the aggregated group/version.
 * - 1.34 has no exclusion: it proxies wardle.example.com to a peer, whose aggregator forwards it.
 * - 1.35 and 1.36 exclude the aggregated group/version from peer data: their own aggregator forwards
 *   it to the sample-apiserver, as a server without the proxy would.
 * - Once the APIService is deleted the group/version stays excluded for the grace period (5 minutes
 *   of cluster time): 1.35 and 1.36 answer it themselves (404, nobody serves it). After the grace
 *   period the 1.36 manager refilters from its raw cache, so the stale peer data of the deleted
 *   APIService routes the request to a peer again (unless a fetch after the deletion refreshed that
 *   cache), while the 1.35 map keeps its live cache filtered until the next peer lease event.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { header, metricSum, metricsOf, poll } from './helpers.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const GROUP = 'wardle.example.com';
const FLUNDERS = `/apis/${GROUP}/v1alpha1/namespaces/default/flunders`;
const TRACE = { 'x-kube-skew-trace': '1' };
/** Upstream's `defaultExclusionGracePeriod`, the servers' default. */
const GRACE_MS = 300_000;

type Group = { metadata: { name: string }; versions?: Array<{ version: string; freshness?: string }> };
const lists = (doc: { items?: Group[] }): boolean => (doc.items ?? []).some((g) => g.metadata.name === GROUP && (g.versions ?? []).some((v) => v.freshness !== 'Stale'));

t.test('aggregated APIs and the MVP: 1.34 proxies, 1.35 and 1.36 exclude, on the scenario clock', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a34', minor: '1.34' },
    { name: 'a35', minor: '1.35' },
    { name: 'a36', minor: '1.36' },
    { name: 'j', minor: '1.36', deferred: true },
  ]);
  const url = { a34: urlOf(cluster, 'a34'), a35: urlOf(cluster, 'a35'), a36: urlOf(cluster, 'a36') };
  type Name = keyof typeof url;
  // Who answered: the sample-apiserver says whether it got the request through a peer hop (the
  // aggregator passes `x-kubernetes-peer-proxied` on); without it, the kube-apiserver that answered.
  const trace = async (server: Name, path = FLUNDERS) => {
    const res = await api(cluster, url[server], 'GET', path, { headers: TRACE });
    return { status: res.status, by: header(res, 'x-kube-skew-served-by'), viaPeer: header(res, 'x-kube-skew-received-proxied') === 'true' };
  };
  const merged = async (server: Name) => (await api(cluster, url[server], 'GET', '/apis', { headers: { accept: V2 } })).json as { items?: Group[] };
  const fetches = async (server: Name) => metricSum(await metricsOf(cluster, url[server]), 'apiserver_rerouted_request_total');
  const reroutedWardle = async (server: 'a36') => metricSum(await metricsOf(cluster, url[server]), 'apiserver_rerouted_request_total', { group: GROUP });

  await cluster.startSampleApiServer();
  for (const server of ['a34', 'a35', 'a36'] as const) {
    const available = await poll(() => trace(server), (r) => r.status === 200, 90_000, 500);
    t.same(available.value, { status: 200, by: 'sample-apiserver', viaPeer: false }, `${server} forwards flunders to the sample-apiserver itself before any peer lists them`);
    const discovered = await poll(() => merged(server), lists, 60_000, 500);
    t.ok(discovered.ok, `${server}'s aggregated discovery lists ${GROUP}`);
  }

  const before = { a34: await fetches('a34'), a35: await fetches('a35'), a36: await fetches('a36') };
  await cluster.startServer('j');
  const proxied = await poll(() => trace('a34'), (r) => r.status === 200 && r.viaPeer, 60_000, 250);
  t.same(proxied.value, { status: 200, by: 'sample-apiserver', viaPeer: true }, '1.34 proxies wardle.example.com to a peer whose discovery lists it');

  for (const server of ['a35', 'a36'] as const) {
    const synced = await poll(() => fetches(server), (n) => n >= before[server] + 2, 60_000);
    t.ok(synced.ok, `${server} fetched the new peer's discovery`);
    // The 1.36 refilter runs just after the rebuild; give it a moment to swap the filtered cache in.
    await new Promise((r) => setTimeout(r, 300));
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await trace(server));
    t.same(seen, Array(4).fill({ status: 200, by: 'sample-apiserver', viaPeer: false }), `${server} forwards it with its own aggregator: the group/version is excluded from peer data`);
  }
  t.equal(await reroutedWardle('a36'), 0, '1.36 never rerouted a wardle.example.com request');

  const deleted = await api(cluster, url.a36, 'DELETE', `/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.${GROUP}`);
  t.equal(deleted.status, 200, 'delete the APIService');
  const fetchedAtDeletion = await fetches('a36');
  for (const server of ['a35', 'a36'] as const) {
    const local = await poll(() => trace(server), (r) => r.status === 404, 30_000, 250);
    t.same(local.value, { status: 404, by: server, viaPeer: false }, `within the grace period ${server} answers the deleted group/version itself: 404`);
  }
  const absent = await poll(async () => [lists(await merged('a35')), lists(await merged('a36'))], ([x, y]) => !x && !y, 30_000, 250);
  t.ok(absent.ok, 'and merged /apis of 1.35 and 1.36 drop it');

  // Past the grace period on the cluster's clock: the 1.36 manager's delayed resync reaps the
  // group/version and refilters from the raw cache, the 1.35 reaper drops it from the map.
  cluster.setClock({ advanceMs: GRACE_MS + 5_000 });
  const back = await poll(() => trace('a36'), (r) => r.status === 404 && r.by !== 'a36', 60_000, 250);
  const refetched = (await fetches('a36')) > fetchedAtDeletion + 0;
  if (back.ok) {
    t.pass('after the grace period 1.36 routes by the stale peer data of the deleted APIService');
    t.not(back.value.by, 'a36', `to a peer, which answers 404 (${back.value.by})`);
    t.ok(lists(await merged('a36')), 'and its merged /apis lists the group/version again');
  } else {
    t.ok(refetched, 'the stale peer data stays away after the grace period only because 1.36 fetched its peers again after the deletion');
    t.same(await trace('a36'), { status: 404, by: 'a36', viaPeer: false });
  }
  t.same(await trace('a35'), { status: 404, by: 'a35', viaPeer: false }, '1.35 keeps its live cache filtered until the next peer lease event');
  t.notOk(lists(await merged('a35')), 'nor does its merged /apis list it');
});
