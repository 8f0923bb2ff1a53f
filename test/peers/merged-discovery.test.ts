/**
 * Peer-aggregated discovery (1.35+): `/apis` in aggregated v2 is merged across the servers of the
 * cluster, so clients of the 1.35 server `a` see what the 1.36 server `b` serves. `a` runs with
 * batch/v1 off, so the merge also brings in a whole group it lacks. `profile=nopeer` gives the
 * local document; `/api`, `/apis/<g>/<v>` and the legacy APIGroupList are never merged; every server
 * of a steady cluster serves the same bytes and ETag. Last, real kubectl through `a` gets and creates
 * the 1.36-only MutatingAdmissionPolicy.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../fixtures/cluster.js';
import { MAP_PATH, header, metricsOf, poll, seriesValue } from './helpers.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const NOPEER = `${V2};profile=nopeer`;
const KUBECTL_MINORS = ['1.33', '1.32', '1.31', '1.30'];

type Group = { metadata: { name: string }; versions: Array<{ version: string; resources: Array<{ resource: string; verbs: string[] }> }> };

function resourcesOf(doc: { items: Group[] }, group: string, version: string): string[] | undefined {
  return doc.items.find((g) => g.metadata.name === group)?.versions.find((v) => v.version === version)?.resources.map((r) => r.resource);
}

const MAP_YAML = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata:
  name: kubectl-made
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["deployments"]
  failurePolicy: Fail
  reinvocationPolicy: IfNeeded
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: "Object{}"
`;

t.test('peer-aggregated /apis between a 1.35 and a 1.36 server', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35', runtimeConfig: 'batch/v1=false' },
    { name: 'b', minor: '1.36' },
  ]);
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');

  // Both servers must have synced their peer caches: wait until each serves the other's additions.
  const merged = await poll(
    async () => [await api(cluster, a, 'GET', '/apis', { headers: { accept: V2 } }), await api(cluster, b, 'GET', '/apis', { headers: { accept: V2 } })] as const,
    ([ra, rb]) => (resourcesOf(ra.json, 'admissionregistration.k8s.io', 'v1') ?? []).includes('mutatingadmissionpolicies') && rb.text === ra.text,
  );
  t.ok(merged.ok, 'a and b converge on one merged document');
  const [ra, rb] = merged.value;

  t.test('the merged document of a includes what only b serves', async (t) => {
    t.equal(ra.status, 200);
    t.equal(header(ra, 'content-type'), V2);
    t.equal(ra.json.kind, 'APIGroupDiscoveryList');
    t.equal(ra.json.apiVersion, 'apidiscovery.k8s.io/v2');
    t.ok(resourcesOf(ra.json, 'admissionregistration.k8s.io', 'v1')!.includes('mutatingadmissionpolicies'), 'the 1.36-only resource in a served group');
    t.ok(resourcesOf(ra.json, 'admissionregistration.k8s.io', 'v1')!.includes('mutatingadmissionpolicybindings'));
    t.same(resourcesOf(ra.json, 'batch', 'v1'), ['cronjobs', 'jobs'], 'a whole group only b serves');
    t.notOk(ra.json.items.some((g: Group) => g.metadata.name === ''), 'the core group is never part of /apis');
    const names = ra.json.items.map((g: Group) => g.metadata.name);
    t.equal(new Set(names).size, names.length, 'each group once');
    // b's local list holds every group (a lacks batch), so the merge keeps b's order (the shortcut).
    const localB = await api(cluster, b, 'GET', '/apis', { headers: { accept: NOPEER } });
    t.same(names, localB.json.items.map((g: Group) => g.metadata.name), "group order: the one list that holds every group (b's)");
    t.same(resourcesOf(ra.json, 'admissionregistration.k8s.io', 'v1'), resourcesOf(localB.json, 'admissionregistration.k8s.io', 'v1'), 'resource order likewise');
  });

  t.test('profile=nopeer gives the local document and is counted', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const local = await api(cluster, a, 'GET', '/apis', { headers: { accept: NOPEER } });
    t.equal(local.status, 200);
    t.equal(header(local, 'content-type'), V2);
    t.notOk(resourcesOf(local.json, 'admissionregistration.k8s.io', 'v1')!.includes('mutatingadmissionpolicies'), 'no 1.36-only resource');
    t.equal(resourcesOf(local.json, 'batch', 'v1'), undefined, 'no batch group');
    const m1 = await metricsOf(cluster, a);
    t.equal(seriesValue(m1, 'aggregator_discovery_nopeer_requests_total') - seriesValue(m0, 'aggregator_discovery_nopeer_requests_total'), 1, 'aggregator_discovery_nopeer_requests_total +1');
    t.not(header(local, 'etag'), header(ra, 'etag'), 'its own ETag');
    const other = await api(cluster, a, 'GET', '/apis', { headers: { accept: `${V2};profile=someother` } });
    t.equal(other.text, ra.text, 'any other profile value is merged');
  });

  t.test('/api, /apis/<g>/<v> and the legacy APIGroupList are never merged', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const core = await api(cluster, a, 'GET', '/api', { headers: { accept: V2 } });
    const coreNoPeer = await api(cluster, a, 'GET', '/api', { headers: { accept: NOPEER } });
    t.equal(core.status, 200);
    t.equal(core.json.items.length, 1, 'only the core group');
    t.equal(core.json.items[0].metadata.name, '');
    t.equal(core.text, coreNoPeer.text, '/api is the same with and without nopeer');
    t.equal(header(core, 'etag'), header(coreNoPeer, 'etag'));
    const m1 = await metricsOf(cluster, a);
    for (const name of ['aggregator_discovery_peer_aggregated_cache_hits_total', 'aggregator_discovery_peer_aggregated_cache_misses_total']) {
      t.equal(seriesValue(m1, name), seriesValue(m0, name), `${name} untouched by /api`);
    }
    const gv = await api(cluster, a, 'GET', '/apis/batch/v1');
    t.equal(gv.status, 404, '/apis/batch/v1 on a: local 404');
    t.equal(gv.text, '404 page not found\n');
    // Legacy discovery is a's own, built from the APIServices of the shared store, never from b's
    // discovery: batch is listed (and /apis/batch answered) exactly when the v1.batch APIService
    // that b registers exists; a, which does not serve batch/v1, deletes it once if it was there
    // when a started (kubernetes/kubernetes#96486), so either can happen here.
    const registered = (await api(cluster, a, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.batch')).status === 200;
    const group = await api(cluster, a, 'GET', '/apis/batch');
    if (registered) t.same(group.json.versions, [{ groupVersion: 'batch/v1', version: 'v1' }], '/apis/batch on a: from the APIService');
    else t.equal(group.status, 404, '/apis/batch on a: local 404');
    const legacy = await api(cluster, a, 'GET', '/apis', { headers: { accept: 'application/json' } });
    t.equal(legacy.status, 200);
    t.equal(legacy.json.kind, 'APIGroupList');
    t.equal(legacy.json.groups.some((g: { name: string }) => g.name === 'batch'), registered, 'the legacy list follows the APIServices, not the peer');
    const jobs = await api(cluster, a, 'GET', '/apis/batch/v1/namespaces/default/jobs');
    t.equal(jobs.status, 200, 'while the resource itself is proxied');
    t.equal(jobs.json.kind, 'JobList');
  });

  t.test('the same bytes and ETag on every server; ETag, Vary, Cache-Control, 304', async (t) => {
    t.equal(ra.text, rb.text, 'byte-identical on a and b');
    const etag = header(ra, 'etag');
    t.match(etag, /^"[0-9A-F]{128}"$/, 'a quoted upper-case hex SHA-512');
    t.equal(header(rb, 'etag'), etag, 'equal ETags');
    const expected = `"${createHash('sha512').update(JSON.stringify({ metadata: {}, items: ra.json.items })).digest('hex').toUpperCase()}"`;
    t.equal(etag, expected, 'SHA-512 of the list (metadata and items) as JSON');
    t.equal(header(ra, 'vary'), 'Accept');
    t.equal(header(ra, 'cache-control'), 'public');

    const m0 = await metricsOf(cluster, a);
    const again = await api(cluster, a, 'GET', '/apis', { headers: { accept: V2 } });
    const m1 = await metricsOf(cluster, a);
    t.equal(again.text, ra.text);
    t.equal(seriesValue(m1, 'aggregator_discovery_peer_aggregated_cache_hits_total') - seriesValue(m0, 'aggregator_discovery_peer_aggregated_cache_hits_total'), 1, 'served from the cache');
    t.equal(seriesValue(m1, 'aggregator_discovery_peer_aggregated_cache_misses_total'), seriesValue(m0, 'aggregator_discovery_peer_aggregated_cache_misses_total'), 'no new merge');

    for (const [name, url] of [['a', a], ['b', b]] as const) {
      const notModified = await api(cluster, url, 'GET', '/apis', { headers: { accept: V2, 'if-none-match': etag! } });
      t.equal(notModified.status, 304, `If-None-Match with the ETag → 304 on ${name}`);
      t.equal(notModified.text, '', 'no body');
      t.equal(header(notModified, 'etag'), etag);
    }
    const stale = await api(cluster, a, 'GET', '/apis', { headers: { accept: V2, 'if-none-match': '"0000"' } });
    t.equal(stale.status, 200, 'another ETag → 200');
    t.equal(stale.text, ra.text);
  });

  const minor = KUBECTL_MINORS.find((m) => kubectlBinary(m) !== undefined);
  t.test(`real kubectl ${minor ?? ''} through a`, { skip: minor ? false : `no kubectl of ${KUBECTL_MINORS.join(', ')} is installed` }, async (t) => {
    const binary = kubectlBinary(minor!)!;
    const run = (args: string[], stdin?: string) => kubectl(t, binary, cluster, args, { context: 'skew-a', ...(stdin ? { stdin } : {}) });
    const resources = await run(['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'name']);
    t.equal(resources.code, 0, resources.stderr);
    t.match(resources.stdout, /^mutatingadmissionpolicies\.admissionregistration\.k8s\.io$/m, 'api-resources on a lists the 1.36-only type');
    const empty = await run(['get', 'mutatingadmissionpolicies']);
    t.equal(empty.code, 0, empty.stderr);
    t.match(empty.stderr, /No resources found/);
    const created = await run(['create', '-f', '-', '--validate=false'], MAP_YAML);
    t.equal(created.code, 0, created.stderr);
    t.match(created.stdout, /mutatingadmissionpolicy\.admissionregistration\.k8s\.io\/kubectl-made created/);
    const listed = await run(['get', 'mutatingadmissionpolicies']);
    t.equal(listed.code, 0, listed.stderr);
    t.match(listed.stdout, /^NAME\s+.*\nkubectl-made\s+/, 'a table row for the object');
    const yaml = await run(['get', 'mutatingadmissionpolicy', 'kubectl-made', '-o', 'yaml']);
    t.equal(yaml.code, 0, yaml.stderr);
    t.match(yaml.stdout, /reinvocationPolicy: IfNeeded/);
    const atB = await api(cluster, b, 'GET', `${MAP_PATH}/kubectl-made`);
    t.equal(atB.status, 200, 'stored once, visible on b');
  });
});
