/**
 * Custom resources over one store and two server processes of different minors: each server serves
 * a CRD once its own informer has it, so a custom resource created through one is served by the
 * other (a short 404 window before that is real, and allowed); the other's discovery lists it; the
 * garbage collector deletes a custom resource whose owner went, and namespace deletion finds custom
 * resources through discovery; a second CRD claiming taken names is not accepted; deleting the CRD through one server removes its custom resources and
 * stops both from serving them.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';
import { poll } from '../../peers/helpers.js';

const GROUP = 'stable.example.com';
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `crontabs.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' }, replicas: { type: 'integer', default: 1 } } } } } },
      },
    ],
  },
};
const PATH = (ns: string, name = '') => `/apis/${GROUP}/v1/namespaces/${ns}/crontabs${name ? `/${name}` : ''}`;
const cronTab = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: `${GROUP}/v1`, kind: 'CronTab', metadata: { name, ...extra }, spec: { cronSpec: '* * * * */5' } });

t.test('a custom resource written through one server is served by the other', async (t) => {
  const fast = ['--garbage-collector-sync-period-seconds=1', '--rest-mapper-reset-seconds=1', '--namespace-deletion-grace-period-seconds=1', '--namespace-resync-seconds=2'];
  const cluster = await startCluster(t, [{ name: 'a', minor: '1.34' }, { name: 'b', minor: '1.36' }], { args: fast });
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');

  const created = await api(cluster, a, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: CRD });
  t.equal(created.status, 201, 'CRD created through a');
  const established = await poll(
    () => api(cluster, a, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.${GROUP}`),
    (r) => (r.json?.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True'),
  );
  t.ok(established.ok, 'Established');

  const first = await poll(() => api(cluster, a, 'POST', PATH('default'), { body: cronTab('c1') }), (r) => r.status === 201);
  t.ok(first.ok, 'created through a once a serves it');
  t.ok(first.seen.every((r) => r.status === 201 || r.status === 404), 'before that, a answers 404 only');
  t.equal(first.value.json.spec.replicas, 1, 'defaulted');

  const served = await poll(() => api(cluster, b, 'GET', PATH('default', 'c1')), (r) => r.status === 200);
  t.ok(served.ok, 'b serves it once its own informer has the CRD');
  t.ok(served.seen.every((r) => r.status === 200 || r.status === 404), 'the window before is a 404, nothing else');
  t.equal(served.value.json.metadata.uid, first.value.json.metadata.uid, 'the same object, from the shared store');
  t.equal(served.value.json.kind, 'CronTab');

  const discovery = await poll(() => api(cluster, b, 'GET', `/apis/${GROUP}/v1`), (r) => r.status === 200);
  t.match(discovery.value.json, {
    kind: 'APIResourceList',
    groupVersion: `${GROUP}/v1`,
    resources: [{ name: 'crontabs', singularName: 'crontab', namespaced: true, kind: 'CronTab', shortNames: ['ct'], verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'] }],
  });
  const aggregated = await api(cluster, b, 'GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  t.equal(aggregated.status, 200, 'aggregated /apis of b');
  const group = aggregated.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === GROUP);
  t.match(group, { versions: [{ version: 'v1', resources: [{ resource: 'crontabs', scope: 'Namespaced', responseKind: { group: GROUP, version: 'v1', kind: 'CronTab' } }] }] }, 'aggregated discovery of b');

  const list = await api(cluster, b, 'GET', `/apis/${GROUP}/v1/crontabs?fieldSelector=metadata.name%3Dc1&limit=1`);
  t.equal(list.status, 200);
  t.equal(list.json.kind, 'CronTabList');
  t.same(list.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['c1'], 'list across namespaces with a field selector');

  // The garbage collector deletes a custom resource whose owner is gone.
  const owner = await api(cluster, a, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'owner' } } });
  t.equal(owner.status, 201);
  const owned = await api(cluster, b, 'POST', PATH('default'), {
    body: cronTab('owned', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.json.metadata.uid }] }),
  });
  t.equal(owned.status, 201, 'owned created through b');
  t.equal((await api(cluster, a, 'DELETE', '/api/v1/namespaces/default/configmaps/owner')).status, 200);
  const collected = await poll(() => api(cluster, a, 'GET', PATH('default', 'owned')), (r) => r.status === 404, 30_000, 250);
  t.ok(collected.ok, 'the garbage collector deleted the dependent custom resource');

  // Namespace deletion finds custom resources through discovery.
  t.equal((await api(cluster, a, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'doomed' } } })).status, 201);
  t.equal((await api(cluster, a, 'POST', PATH('doomed'), { body: cronTab('c2') })).status, 201);
  t.equal((await api(cluster, b, 'DELETE', '/api/v1/namespaces/doomed')).status, 200);
  const nsGone = await poll(() => api(cluster, a, 'GET', '/api/v1/namespaces/doomed'), (r) => r.status === 404, 30_000, 250);
  t.ok(nsGone.ok, 'the namespace went, its custom resources first');
  t.equal((await api(cluster, a, 'GET', PATH('doomed', 'c2'))).status, 404);

  // A second CRD of the group asking for names the first holds: the last conflict found is reported.
  const rival = { ...CRD, metadata: { name: `crontabs2.${GROUP}` }, spec: { ...CRD.spec, names: { plural: 'crontabs2', kind: 'CronTab', shortNames: ['ct'] } } };
  t.equal((await api(cluster, b, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: rival })).status, 201);
  const conflicted = await poll(
    () => api(cluster, a, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs2.${GROUP}`),
    (r) => (r.json?.status?.conditions ?? []).some((c: { type: string }) => c.type === 'NamesAccepted'),
  );
  const conditions = Object.fromEntries(conflicted.value.json.status.conditions.map((c: { type: string }) => [c.type, c]));
  t.match(conditions.NamesAccepted, { status: 'False', reason: 'ListKindConflict', message: '"CronTabList" is already in use' });
  t.match(conditions.Established, { status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
  t.same(conflicted.value.json.status.acceptedNames, { plural: 'crontabs2', kind: '' }, 'only the free names are accepted');
  t.equal((await api(cluster, a, 'GET', `/apis/${GROUP}/v1/namespaces/default/crontabs2`)).status, 404, 'a CRD without accepted names is not served');
  t.equal((await api(cluster, a, 'DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs2.${GROUP}`)).status, 200);

  // Deleting the CRD through b removes its custom resources, then the CRD; neither server serves it after.
  const deleted = await api(cluster, b, 'DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.${GROUP}`);
  t.equal(deleted.status, 200);
  t.ok(deleted.json.metadata.deletionTimestamp, 'the first delete marks it');
  t.ok(deleted.json.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
  t.match(deleted.json.status.conditions.find((c: { type: string }) => c.type === 'Terminating'), {
    status: 'True',
    reason: 'InstanceDeletionPending',
    message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
  });
  const crdGone = await poll(() => api(cluster, a, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.${GROUP}`), (r) => r.status === 404, 30_000, 250);
  t.ok(crdGone.ok, 'the CRD is gone');
  for (const server of [a, b]) {
    const gone = await poll(() => api(cluster, server, 'GET', PATH('default', 'c1')), (r) => r.status === 404, 10_000);
    t.ok(gone.ok, 'no server serves it any more');
    t.equal(gone.value.text, '404 page not found\n', 'the plain-text 404 of an unserved group');
  }
});
