/**
 * Discovery built from APIServices, over real server processes (kubernetes/kubernetes#96486):
 * legacy `/apis` and `/apis/<group>` list only the group/versions that have an APIService, while
 * `/apis/<g>/<v>`, the resources and aggregated discovery stay with what the server serves.
 *
 * - Two 1.26 servers (legacy discovery only): upgrading one to 1.27, which no longer serves
 *   storage.k8s.io/v1beta1, deletes that "onstart" APIService; the other server still serves the
 *   group/version but drops it from legacy discovery, and kubectl 1.33 (falling back to legacy
 *   discovery) no longer finds the resource. Rolling back registers it again and kubectl recovers.
 * - One 1.33 server (aggregated discovery): deleting a Local APIService drops its group from
 *   legacy `/apis`, `/apis/<group>` is answered by the delegate, aggregated discovery keeps it, and
 *   kubectl 1.33, which reads aggregated discovery, still finds the resource.
 */
import t from 'tap';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../../fixtures/cluster.js';
import { poll } from '../../peers/helpers.js';
import { remoteGroupVersions } from '../../../server/aggregator/discovery.js';
import type { APIService } from '../../../server/aggregator/apiservice.js';

interface LegacyGroup {
  name: string;
  versions: Array<{ groupVersion: string; version: string }>;
  preferredVersion: { groupVersion: string; version: string };
}

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const NO_RESOURCE_TYPE = /the server doesn't have a resource type "csistoragecapacities"/;

function versionsOf(list: { groups: LegacyGroup[] }, group: string): string[] | undefined {
  return list.groups.find((g) => g.name === group)?.versions.map((v) => v.version);
}

t.test('a deleted onstart APIService leaves legacy discovery of the server that still serves it (1.26 → 1.27)', async (t) => {
  const binary = kubectlBinary('1.33');
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.26' },
    { name: 'b', minor: '1.26' },
  ]);
  const a = urlOf(cluster, 'a');
  const get = async (path: string) => api(cluster, urlOf(cluster, 'a'), 'GET', path);
  const run = (args: string[]) => kubectl(t, binary!, cluster, args, { context: 'skew-a' });
  const QUALIFIED = ['get', 'csistoragecapacities.v1beta1.storage.k8s.io', '-A'];

  const before = (await get('/apis')).json;
  t.equal(before.groups[0].name, 'apiregistration.k8s.io', 'the aggregator lists its own group first');
  t.same(versionsOf(before, 'storage.k8s.io'), ['v1', 'v1beta1'], 'both storage versions are listed while both APIServices exist');
  t.ok(before.groups.findIndex((g: LegacyGroup) => g.name === 'apps') < before.groups.findIndex((g: LegacyGroup) => g.name === 'batch'), 'groups go by APIService group priority');
  const health = await api(cluster, a, 'GET', '/readyz?verbose');
  t.match(health.text, /\[\+\]autoregister-completion ok/, 'readiness waited for the built-in APIServices');
  if (binary) {
    const ok = await run(QUALIFIED);
    t.equal(ok.code, 0, `kubectl 1.33 finds csistoragecapacities.v1beta1 while the APIService exists: ${ok.stderr}`);
  }

  await cluster.restartServer('b', { minor: '1.27' });
  const gone = await poll(() => get('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.storage.k8s.io'), (r) => r.status === 404, 30_000, 200);
  t.ok(gone.ok, 'the 1.27 server deleted the onstart APIService of storage.k8s.io/v1beta1');
  const listed = await poll(async () => (await get('/apis')).json, (l) => versionsOf(l, 'storage.k8s.io')?.join() === 'v1', 20_000, 200);
  t.ok(listed.ok, `legacy /apis of the 1.26 server drops storage.k8s.io/v1beta1: ${JSON.stringify(versionsOf(listed.value, 'storage.k8s.io'))}`);
  const group = (await get('/apis/storage.k8s.io')).json;
  t.same(group.versions.map((v: { version: string }) => v.version), ['v1'], '/apis/storage.k8s.io lists only v1');
  t.equal(group.preferredVersion.version, 'v1');
  const gv = await get('/apis/storage.k8s.io/v1beta1');
  t.equal(gv.status, 200, '/apis/storage.k8s.io/v1beta1 is still answered by the server');
  t.ok(gv.json.resources.some((r: { name: string }) => r.name === 'csistoragecapacities'));
  const served = await get('/apis/storage.k8s.io/v1beta1/csistoragecapacities');
  t.equal(served.status, 200, 'and so are its resources');
  if (binary) {
    const broken = await run(QUALIFIED);
    t.not(broken.code, 0, 'kubectl 1.33 fails');
    t.match(broken.stderr, NO_RESOURCE_TYPE, `kubectl 1.33: ${broken.stderr.trim()}`);
  }

  await cluster.restartServer('b', { minor: '1.26' });
  const back = await poll(async () => (await get('/apis')).json, (l) => versionsOf(l, 'storage.k8s.io')?.join() === 'v1,v1beta1', 30_000, 200);
  t.ok(back.ok, 'a rollback registers the APIService again and legacy discovery lists v1beta1');
  if (binary) {
    const recovered = await run(QUALIFIED);
    t.equal(recovered.code, 0, `kubectl 1.33 recovers: ${recovered.stderr}`);
  }
});

t.test('aggregated discovery keeps a group/version whose Local APIService is gone (1.33)', async (t) => {
  const binary = kubectlBinary('1.33');
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.33' }], { mvp: false });
  const url = urlOf(cluster, 's1');
  const get = (path: string, headers: Record<string, string> = {}) => api(cluster, url, 'GET', path, { headers });

  t.same(versionsOf((await get('/apis')).json, 'coordination.k8s.io'), ['v1']);
  const del = await api(cluster, url, 'DELETE', '/apis/apiregistration.k8s.io/v1/apiservices/v1.coordination.k8s.io');
  t.equal(del.status, 200, 'the Local APIService is deleted');
  const dropped = await poll(async () => (await get('/apis')).json, (l) => versionsOf(l, 'coordination.k8s.io') === undefined, 20_000, 200);
  t.ok(dropped.ok, 'legacy /apis no longer lists coordination.k8s.io');
  const group = await get('/apis/coordination.k8s.io');
  t.equal(group.status, 200, 'a group with no APIService left is answered by the delegate');
  t.same(group.json.versions.map((v: { version: string }) => v.version), ['v1']);
  const still = await get('/apis/apiregistration.k8s.io/v1/apiservices/v1.coordination.k8s.io');
  t.equal(still.status, 404, 'the server, which synced the onstart APIService, does not recreate it');
  const v2 = (await get('/apis', { accept: AGGREGATED })).json;
  t.ok(
    v2.items.some((g: { metadata: { name: string } }) => g.metadata.name === 'coordination.k8s.io'),
    'aggregated discovery still lists coordination.k8s.io (Local APIServices do not feed it)',
  );
  const health = await get('/readyz');
  t.equal(health.status, 200, 'the server stays ready: autoregister-completion only waits for the first sighting');
  if (binary) {
    const leases = await kubectl(t, binary, cluster, ['get', 'leases', '-n', 'kube-system'], { context: 'skew-s1' });
    t.equal(leases.code, 0, `kubectl 1.33 with aggregated discovery still finds leases: ${leases.stderr}`);
  }
});

t.test('a remote group/version is listed once this server has tried its discovery', async (t) => {
  const svc = (name: string, available: boolean): APIService => ({
    metadata: { name: `v1alpha1.${name}` },
    spec: { group: name, version: 'v1alpha1', service: { namespace: 'ns', name: 'api', port: 443 }, groupPriorityMinimum: 1000, versionPriority: 15 },
    status: { conditions: [{ type: 'Available', status: available ? 'True' : 'False', reason: available ? 'Passed' : 'FailedDiscoveryCheck' }] },
  });
  const flunders = { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get'] };
  const listed = remoteGroupVersions([svc('fetched.io', true), svc('unfetched.io', true), svc('failing.io', false)], new Map([['v1alpha1.fetched.io', [flunders]]]));
  t.same(listed.map((g) => [g.groupVersion, g.resources.map((r) => r.name), g.stale ?? false]), [
    ['fetched.io/v1alpha1', ['flunders'], false],
    ['failing.io/v1alpha1', [], true],
  ], 'fetched: its resources; Available elsewhere but not fetched here: left out; failing: Stale and empty');
});
