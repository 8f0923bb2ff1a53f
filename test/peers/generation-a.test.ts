/**
 * The Mixed Version Proxy of Generation A (1.28–1.32, StorageVersion routing), as upstream's
 * integration test: A, B (batch/v1 off) and C, all 1.32, over one store. A creates a Job, B lists it
 * through a peer; A stops and B still lists it through C; the StorageVersion objects carry each
 * server's entry until the GC drops the stopped server. A 1.27 server joins: it neither proxies nor
 * is proxied to. Identity leases are shortened (8 s, renewed every second, GC every second) so the
 * GC happens within the test.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { storeOf, testStore } from '../fixtures/store.js';
import { apiServerID } from '../../server/peers/identity.js';
import { PEER_LEASE_PREFIX } from '../../server/peers/endpoint-lease.js';
import { NO_ENDPOINT_BODY, NOT_FOUND_STATUS, header, metricsOf, poll, seriesValue } from './helpers.js';

const SV = '/apis/internal.apiserver.k8s.io/v1alpha1/storageversions';
const JOBS = '/apis/batch/v1/namespaces/default/jobs';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
const SHORT_LEASES = ['--identity-lease-duration-seconds=8', '--identity-lease-renew-interval-seconds=1', '--identity-lease-gc-period-seconds=1'];

interface Entry {
  apiServerID: string;
  encodingVersion: string;
  decodableVersions: string[];
  servedVersions: string[];
}

t.test('Gen A: StorageVersion routing between 1.32 servers', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.32', args: SHORT_LEASES },
    { name: 'b', minor: '1.32', runtimeConfig: 'batch/v1=false', args: SHORT_LEASES },
    { name: 'c', minor: '1.32', args: SHORT_LEASES },
  ]);
  t.equal(storeOf(cluster), testStore(), `the servers share the test run's store (${testStore()})`);
  const A = urlOf(cluster, 'a');
  const B = urlOf(cluster, 'b');
  const [idA, idB, idC] = ['a', 'b', 'c'].map(apiServerID) as [string, string, string];

  t.test('StorageVersion objects', async (t) => {
    const jobs = await poll(() => api(cluster, A, 'GET', `${SV}/batch.jobs`), (r) => r.status === 200 && r.json.status?.storageVersions?.length === 2);
    t.ok(jobs.ok, `batch.jobs has one entry per server that serves it (${jobs.value.text})`);
    const sv = jobs.value.json;
    t.equal(sv.kind, 'StorageVersion');
    t.equal(sv.apiVersion, 'internal.apiserver.k8s.io/v1alpha1');
    t.same(sv.spec, {}, 'spec is always empty');
    const entries = (sv.status.storageVersions as Entry[]).slice().sort((x, y) => x.apiServerID.localeCompare(y.apiServerID));
    t.same(
      entries,
      [idA, idC].sort().map((id) => ({ apiServerID: id, encodingVersion: 'batch/v1', decodableVersions: ['batch/v1'], servedVersions: ['batch/v1'] })),
      'A and C serve batch/v1 jobs; B (batch/v1 off) has no entry',
    );
    t.equal(sv.status.commonEncodingVersion, 'batch/v1');
    t.equal(sv.status.conditions.length, 1);
    t.match(sv.status.conditions[0], { type: 'AllEncodingVersionsEqual', status: 'True', reason: 'CommonEncodingVersionSet', message: 'Common encoding version set' });
    t.type(sv.status.conditions[0].observedGeneration, 'number');
    t.match(sv.status.conditions[0].lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const pods = await poll(() => api(cluster, A, 'GET', `${SV}/core.pods`), (r) => r.status === 200 && r.json.status?.storageVersions?.length === 3);
    t.ok(pods.ok, 'core.pods has an entry from all three');
    t.same(
      new Set((pods.value.json.status.storageVersions as Entry[]).map((e) => e.apiServerID)),
      new Set([idA, idB, idC]),
    );
    t.ok((pods.value.json.status.storageVersions as Entry[]).every((e) => e.encodingVersion === 'v1' && e.servedVersions.length === 1 && e.servedVersions[0] === 'v1'), 'core versions are written without a group ("v1")');
    t.equal(pods.value.json.status.commonEncodingVersion, 'v1');
  });

  t.test('A creates a Job; B lists it through a peer', async (t) => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } };
    const created = await api(cluster, A, 'POST', JOBS, { body: job });
    t.equal(created.status, 201, created.text);
    const m0 = await metricsOf(cluster, B);
    const listed = await poll(() => api(cluster, B, 'GET', JOBS), (r) => r.status === 200);
    t.ok(listed.ok, `B answers 200 (last ${listed.value.status} ${listed.value.text})`);
    t.equal(listed.value.json.kind, 'JobList');
    t.same((listed.value.json.items as Array<{ metadata: { uid: string } }>).map((i) => i.metadata.uid), [created.json.metadata.uid], "A's Job");
    const m1 = await metricsOf(cluster, B);
    t.ok(seriesValue(m1, 'apiserver_rerouted_request_total{code="200"}') - seriesValue(m0, 'apiserver_rerouted_request_total{code="200"}') >= 1, 'B counts a rerouted request (1.32: code label only)');
    t.notMatch(m1, /apiserver_rerouted_request_total\{code="200",group=/, 'no GVR labels before 1.36');
    const local = await api(cluster, B, 'GET', JOBS, { headers: { 'x-kubernetes-peer-proxied': 'true' } });
    t.equal(local.status, 404, 'marked as proxied, B serves locally: it has no batch group');
    t.equal(local.text, '404 page not found\n');
  });

  t.test('A stops: B still lists Jobs through C, and the GC drops A', async (t) => {
    await cluster.stopServer('a');
    // 1.32 skips a peer whose endpoint does not resolve as long as another one does (1.28–1.31 would 503).
    for (let i = 0; i < 6; i++) {
      const r = await api(cluster, B, 'GET', JOBS);
      t.equal(r.status, 200, `LIST ${i + 1} through C right after A stopped`);
    }
    const gc = await poll(() => api(cluster, B, 'GET', `${SV}/batch.jobs`), (r) => r.json?.status?.storageVersions?.length === 1, 30_000, 250);
    t.ok(gc.ok, "A's entry is dropped once its identity lease expired and was collected");
    t.same((gc.value.json.status.storageVersions as Entry[]).map((e) => e.apiServerID), [idC]);
    t.equal(gc.value.json.status.commonEncodingVersion, 'batch/v1');
    const lease = await api(cluster, B, 'GET', `${LEASES}/${idA}`);
    t.equal(lease.status, 404, "A's expired identity lease was deleted");
    const still = await api(cluster, B, 'GET', JOBS);
    t.equal(still.status, 200);
    t.equal(still.json.items.length, 1);
  });

  t.test('a 1.27 server has no Mixed Version Proxy', async (t) => {
    cluster.specs.set('d', { name: 'd', minor: '1.27' });
    await cluster.startServer('d');
    await cluster.writeFiles();
    const D = urlOf(cluster, 'd');
    const idD = apiServerID('d');
    t.same(cluster.argsFor({ name: 'd', minor: '1.27' }).filter((a) => /peer|feature-gates|runtime-config/.test(a)), [], '1.27 gets no proxy flags');

    const lease = await poll(() => api(cluster, B, 'GET', `${LEASES}/${idD}`), (r) => r.status === 200);
    t.ok(lease.ok, '1.27 writes an identity lease (APIServerIdentity is beta)');
    t.equal(lease.value.json.metadata.annotations, undefined, 'without a peer-advertise-address annotation');
    const store = cluster.openStore(Date.now);
    try {
      const keys = (await store.listTtl(PEER_LEASE_PREFIX)).map((r) => r.key);
      t.notOk(keys.includes(`${PEER_LEASE_PREFIX}${idD}`), 'and no peer endpoint lease');
      t.ok(keys.includes(`${PEER_LEASE_PREFIX}${idC}`), 'while C has one');
    } finally {
      await store.close();
    }
    const pods = await api(cluster, B, 'GET', `${SV}/core.pods`);
    t.notOk((pods.json.status.storageVersions as Entry[]).some((e) => e.apiServerID === idD), '1.27 writes no StorageVersion entry');

    const flowschemas = await api(cluster, D, 'GET', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas');
    t.equal(flowschemas.status, 404, 'D does not proxy flowcontrol v1 (1.29+) although C serves it');
    t.equal(flowschemas.text, '404 page not found\n');
    const vap = await api(cluster, D, 'GET', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies');
    t.equal(vap.status, 404);
    t.same(vap.json, NOT_FOUND_STATUS, 'nor admissionregistration v1 validatingadmissionpolicies (1.30+)');
    const m = await metricsOf(cluster, D);
    t.notMatch(m, /apiserver_rerouted_request_total/, '1.27 has no proxy metrics');

    // C stops: D serves Jobs, but B only knows StorageVersion peers.
    await cluster.stopServer('c');
    const unresolvable = await api(cluster, B, 'GET', JOBS);
    t.equal(unresolvable.status, 503, "C is B's only candidate and has no endpoint: D is never tried");
    t.equal(unresolvable.text, NO_ENDPOINT_BODY);
    t.equal(header(unresolvable, 'content-type'), 'application/json');
    const dropped = await poll(() => api(cluster, B, 'GET', JOBS), (r) => r.status === 404, 30_000, 250);
    t.ok(dropped.ok, 'once the GC removed C, nobody is known to serve Jobs: the local 404');
    t.equal(dropped.value.text, '404 page not found\n');
    t.ok(dropped.seen.every((r) => r.status === 404 || r.text === NO_ENDPOINT_BODY), 'never routed to D');
    const sv = await api(cluster, B, 'GET', `${SV}/batch.jobs`);
    t.equal(sv.status, 404, 'the StorageVersion left without entries is deleted');
    const atD = await api(cluster, D, 'GET', JOBS);
    t.equal(atD.status, 200, 'D still serves the Job itself');
    t.equal(atD.json.items.length, 1);
  });
});
