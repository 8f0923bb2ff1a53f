/**
 * The `default/kubernetes` Service and its endpoints in a mixed-version cluster of real processes:
 * every server lists itself while it runs (lease endpoint reconciler, `/masterleases/` TTL records),
 * a graceful stop takes its address out at once, a killed server's address stays until its record's
 * TTL lapses, and a server that starts again joins again.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';
import type { Cluster } from '../../../server/cluster/cluster.js';

/** A short TTL and interval, so a killed server lapses in seconds; the TTL leaves a margin for a busy machine. */
const TTL_SECONDS = 8;
const ARGS = [`--endpoint-reconciler-ttl-seconds=${TTL_SECONDS}`, '--endpoint-reconciler-interval-seconds=1'];

interface Seen {
  endpoints: string[];
  slices: string[];
  sliceNames: string[];
}

/** The `ip:port`s Endpoints and the EndpointSlices of the kubernetes Service list, asked of `server`. */
async function seen(cluster: Cluster, server: string): Promise<Seen> {
  const ep = await api(cluster, urlOf(cluster, server), 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  const endpoints: string[] = [];
  if (ep.status === 200) {
    for (const s of ep.json.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? []) endpoints.push(`${a.ip}:${p.port}`);
  }
  const list = await api(cluster, urlOf(cluster, server), 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes');
  const slices: string[] = [];
  const sliceNames: string[] = [];
  for (const s of list.json.items ?? []) {
    sliceNames.push(s.metadata.name);
    for (const e of s.endpoints ?? []) for (const a of e.addresses ?? []) for (const p of s.ports ?? []) slices.push(`${a}:${p.port}`);
  }
  return { endpoints: endpoints.sort(), slices: slices.sort(), sliceNames: sliceNames.sort() };
}

function addressesOf(cluster: Cluster, names: string[]): string[] {
  return names.map((n) => `127.0.0.1:${cluster.server(n).info!.port}`).sort();
}

/** Poll until both Endpoints and EndpointSlices list exactly `want`; the last view otherwise. */
async function waitFor(cluster: Cluster, via: string, want: string[], timeoutMs: number): Promise<{ ok: boolean; last: Seen; ms: number }> {
  const start = Date.now();
  let last = await seen(cluster, via);
  while (Date.now() - start < timeoutMs) {
    if (JSON.stringify(last.endpoints) === JSON.stringify(want) && JSON.stringify(last.slices) === JSON.stringify(want)) return { ok: true, last, ms: Date.now() - start };
    await sleep(200);
    last = await seen(cluster, via);
  }
  const ok = JSON.stringify(last.endpoints) === JSON.stringify(want) && JSON.stringify(last.slices) === JSON.stringify(want);
  return { ok, last, ms: Date.now() - start };
}

t.test('the kubernetes Service lists the live servers of a mixed cluster', async (t) => {
  const cluster = await startCluster(t, '1.34,1.35,1.36', { args: ARGS });

  const all = addressesOf(cluster, ['s1', 's2', 's3']);
  const three = await waitFor(cluster, 's1', all, 30_000);
  t.ok(three.ok, `all three servers listed: ${JSON.stringify(three.last)}`);
  t.ok(three.last.sliceNames.includes('kubernetes'), 'an EndpointSlice named kubernetes');

  const svc = await api(cluster, urlOf(cluster, 's2'), 'GET', '/api/v1/namespaces/default/services/kubernetes');
  t.equal(svc.status, 200);
  t.same(svc.json.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
  t.equal(svc.json.spec.type, 'ClusterIP');
  t.equal(svc.json.spec.clusterIP, '10.0.0.1', 'the first address of the default --service-cluster-ip-range');
  t.same(svc.json.spec.clusterIPs, ['10.0.0.1']);
  t.equal(svc.json.spec.sessionAffinity, 'None');
  t.equal(svc.json.spec.ipFamilyPolicy, 'SingleStack');
  t.equal(svc.json.spec.selector, undefined, 'no selector: the endpoints are kept by the servers');
  t.equal(svc.json.spec.ports.length, 1);
  t.match(svc.json.spec.ports[0], { name: 'https', port: 443, protocol: 'TCP' });
  t.ok(all.includes(`127.0.0.1:${svc.json.spec.ports[0].targetPort}`), 'targetPort is a server\'s secure port');

  const ep = await api(cluster, urlOf(cluster, 's3'), 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  t.same(ep.json.metadata.labels, { 'endpointslice.kubernetes.io/skip-mirror': 'true' });
  for (const s of ep.json.subsets) t.match(s.ports, [{ name: 'https', protocol: 'TCP' }]);
  const slice = await api(cluster, urlOf(cluster, 's3'), 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
  t.equal(slice.status, 200);
  t.same(slice.json.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
  t.equal(slice.json.addressType, 'IPv4');
  t.same(slice.json.endpoints[0].conditions, { ready: true });

  // Nothing changes while the same servers live: the reconcilers only write a difference.
  const rv = ep.json.metadata.resourceVersion;
  await sleep(2500);
  const again = await api(cluster, urlOf(cluster, 's1'), 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  t.equal(again.json.metadata.resourceVersion, rv, 'Endpoints not rewritten by steady reconciles');

  // A graceful stop removes the server's record and address on the way out.
  await cluster.stopServer('s3');
  const two = addressesOf(cluster, ['s1', 's2']);
  const afterStop = await waitFor(cluster, 's1', two, (TTL_SECONDS * 1000) / 2);
  t.ok(afterStop.ok, `the stopped server left at once, well before its TTL (${afterStop.ms} ms): ${JSON.stringify(afterStop.last)}`);

  // A killed server cannot remove itself: its address stays until its record lapses.
  await cluster.killServer('s2');
  const justAfterKill = await seen(cluster, 's1');
  t.same(justAfterKill.endpoints, two, 'the killed server is still listed before its TTL lapses');
  const one = addressesOf(cluster, ['s1']);
  const afterKill = await waitFor(cluster, 's1', one, TTL_SECONDS * 1000 + 20_000);
  t.ok(afterKill.ok, `the killed server is gone once its TTL lapsed: ${JSON.stringify(afterKill.last)}`);
  t.same(afterKill.last.sliceNames, ['kubernetes'], 'one slice left, named kubernetes');

  // A server that starts again joins again.
  await cluster.startServer('s3');
  const rejoined = await waitFor(cluster, 's1', addressesOf(cluster, ['s1', 's3']), 30_000);
  t.ok(rejoined.ok, `the restarted server joined: ${JSON.stringify(rejoined.last)}`);
});
