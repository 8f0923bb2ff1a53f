/**
 * Discovery over real HTTPS against real server processes: aggregated `/api` and `/apis` (v2 and
 * v2beta1, by minor), the legacy documents and their fallbacks, the 406 and the plain-text 404, and
 * which group/versions each minor serves. One cluster of four minors serves every case; discovery
 * requests are never proxied between peers, so each server answers for its own minor.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
/** What kubectl 1.30–1.33 send. */
const AGG_ACCEPT = `${V2},${V2BETA1},application/json`;
/** What kubectl 1.27–1.29 send. */
const AGG_ACCEPT_OLD = `${V2BETA1},application/json`;
const NOT_ACCEPTABLE = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  reason: 'NotAcceptable',
  code: 406,
};

interface Resource {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: string;
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Array<{ subresource: string; responseKind: { group: string; version: string; kind: string }; verbs: string[] }>;
}
interface Group {
  metadata: { name: string; creationTimestamp?: null };
  versions: Array<{ version: string; freshness: string; resources: Resource[] }>;
}

function group(doc: { items: Group[] }, name: string): Group | undefined {
  return doc.items.find((g) => g.metadata.name === name);
}
function resource(g: Group | undefined, version: string, name: string): Resource | undefined {
  return g?.versions.find((v) => v.version === version)?.resources.find((r) => r.resource === name);
}

t.test('discovery', async (t) => {
  const cluster = await startCluster(t, '1.25,1.31,1.32,1.33');
  const u125 = urlOf(cluster, 's1');
  const u131 = urlOf(cluster, 's2');
  const u132 = urlOf(cluster, 's3');
  const u133 = urlOf(cluster, 's4');
  const get = (url: string, path: string, accept?: string, headers: Record<string, string> = {}) =>
    api(cluster, url, 'GET', path, { headers: { ...(accept === undefined ? {} : { accept }), ...headers } });

  t.test('aggregated /api with the kubectl Accept (1.32)', async (t) => {
    const res = await get(u132, '/api?timeout=32s', AGG_ACCEPT);
    t.equal(res.status, 200);
    t.equal(res.headers['content-type'], V2, 'exact aggregated v2 content type');
    t.equal(res.headers['vary'], 'Accept');
    t.equal(res.headers['cache-control'], 'public', 'upstream ServeHTTPWithETag sets Cache-Control: public');
    t.match(res.headers['etag'], /^"[0-9A-F]{128}"$/, 'quoted upper-case SHA-512 ETag');
    t.equal(res.json.kind, 'APIGroupDiscoveryList');
    t.equal(res.json.apiVersion, 'apidiscovery.k8s.io/v2');
    t.same(res.json.metadata, {});
    t.equal(res.json.items.length, 1, '/api holds the core group only');
    const core = res.json.items[0] as Group;
    t.same(core.metadata, { name: '', creationTimestamp: null }, 'core group named "" with creationTimestamp null before 1.34');
    t.same(core.versions.map((v) => [v.version, v.freshness]), [['v1', 'Current']]);
    const pods = resource(core, 'v1', 'pods');
    t.ok(pods, 'pods listed');
    t.equal(pods?.responseKind.kind, 'Pod');
    t.equal(pods?.responseKind.group, '');
    t.equal(pods?.scope, 'Namespaced');
    t.equal(pods?.singularResource, 'pod');
    t.same(pods?.shortNames, ['po']);
    t.same(pods?.categories, ['all']);
    t.same(pods?.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], 'verbs sorted');
    t.ok(pods?.subresources?.some((s) => s.subresource === 'status' && s.responseKind.kind === 'Pod'), 'pods/status subresource');
    const ns = resource(core, 'v1', 'namespaces');
    t.equal(ns?.scope, 'Cluster');
    t.same(ns?.shortNames, ['ns']);
    const names = core.versions[0]!.resources.map((r) => r.resource);
    t.same(names, [...names].sort(), 'resources sorted by name');
    for (const r of core.versions[0]!.resources) {
      if (!r.responseKind || !r.scope) t.fail(`${r.resource} lacks responseKind or scope`);
    }

    // If-None-Match with the current ETag: 304, no body
    const again = await get(u132, '/api', AGG_ACCEPT, { 'if-none-match': String(res.headers['etag']) });
    t.equal(again.status, 304);
    t.equal(again.text, '');
    t.equal(again.headers['etag'], res.headers['etag']);
  });

  t.test('aggregated /apis v2 (1.32): groups, responseKind, scope, shortNames, subresources', async (t) => {
    const res = await get(u132, '/apis', AGG_ACCEPT);
    t.equal(res.status, 200);
    t.equal(res.headers['content-type'], V2);
    t.equal(res.json.apiVersion, 'apidiscovery.k8s.io/v2');
    t.notOk(group(res.json, ''), 'no core group in /apis');
    const apps = group(res.json, 'apps');
    t.same(apps?.metadata, { name: 'apps', creationTimestamp: null });
    t.same(apps?.versions.map((v) => v.version), ['v1']);
    const deployments = resource(apps, 'v1', 'deployments');
    // as in upstream's golden api/discovery/aggregated_v2.json
    t.same(deployments, {
      resource: 'deployments',
      responseKind: { group: '', version: '', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'status', responseKind: { group: '', version: '', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
    t.equal(resource(group(res.json, 'rbac.authorization.k8s.io'), 'v1', 'clusterroles')?.scope, 'Cluster');
    t.same(resource(group(res.json, 'batch'), 'v1', 'cronjobs')?.shortNames, ['cj']);
    t.same(group(res.json, 'batch')?.versions.map((v) => v.version), ['v1']);
    t.same(group(res.json, 'flowcontrol.apiserver.k8s.io')?.versions.map((v) => v.version), ['v1'], 'flowcontrol v1beta3 is gone in 1.32');
    t.same(group(res.json, 'autoscaling')?.versions.map((v) => v.version), ['v2', 'v1'], 'versions in preference order');
    const etagApi = (await get(u132, '/api', AGG_ACCEPT)).headers['etag'];
    t.not(res.headers['etag'], etagApi, '/api and /apis have their own ETags');
  });

  t.test('v2beta1 on 1.32 is served (kubectl 1.27–1.29)', async (t) => {
    for (const accept of [AGG_ACCEPT_OLD, V2BETA1]) {
      const res = await get(u132, '/apis', accept);
      t.equal(res.status, 200, accept);
      t.equal(res.headers['content-type'], V2BETA1);
      t.equal(res.json.apiVersion, 'apidiscovery.k8s.io/v2beta1');
      t.ok(resource(group(res.json, 'apps'), 'v1', 'deployments'), 'deployments in v2beta1');
    }
    const api = await get(u132, '/api', V2BETA1);
    t.equal(api.headers['content-type'], V2BETA1);
    t.equal(api.json.items[0].metadata.name, '');
    // 1.31 speaks both too
    const r131 = await get(u131, '/apis', V2BETA1);
    t.equal(r131.headers['content-type'], V2BETA1);
  });

  t.test('v2beta1 on 1.33 is not served: legacy fallback or 406', async (t) => {
    const fallback = await get(u133, '/apis', AGG_ACCEPT_OLD);
    t.equal(fallback.status, 200);
    t.equal(fallback.headers['content-type'], 'application/json', 'legacy content type');
    t.equal(fallback.json.kind, 'APIGroupList');
    t.notOk(fallback.headers['etag'], 'legacy documents carry no ETag');
    const apiFallback = await get(u133, '/api', AGG_ACCEPT_OLD);
    t.equal(apiFallback.json.kind, 'APIVersions');

    const refused = await get(u133, '/apis', V2BETA1);
    t.equal(refused.status, 406);
    t.equal(refused.headers['content-type'], 'application/json');
    t.same(refused.json, NOT_ACCEPTABLE);
    const refusedApi = await get(u133, '/api', V2BETA1);
    t.equal(refusedApi.status, 406);
    t.same(refusedApi.json, NOT_ACCEPTABLE);

    // v2 still works on 1.33
    const v2 = await get(u133, '/apis', AGG_ACCEPT);
    t.equal(v2.headers['content-type'], V2);
    t.equal(v2.json.apiVersion, 'apidiscovery.k8s.io/v2');
  });

  t.test('1.25 has no aggregated discovery: legacy answers, 406 without a JSON fallback', async (t) => {
    const api = await get(u125, '/api', AGG_ACCEPT);
    t.equal(api.status, 200);
    t.equal(api.headers['content-type'], 'application/json');
    t.equal(api.json.kind, 'APIVersions');
    t.same(api.json.versions, ['v1']);
    const apis = await get(u125, '/apis', AGG_ACCEPT_OLD);
    t.equal(apis.status, 200);
    t.equal(apis.json.kind, 'APIGroupList');
    const refused = await get(u125, '/apis', V2);
    t.equal(refused.status, 406);
    t.same(refused.json, NOT_ACCEPTABLE);
  });

  t.test('legacy documents (1.32)', async (t) => {
    for (const accept of [undefined, 'application/json', '*/*', 'application/json, */*']) {
      const res = await get(u132, '/api', accept);
      t.equal(res.status, 200, `Accept ${accept ?? '(none)'}`);
      t.equal(res.headers['content-type'], 'application/json');
      t.equal(res.json.kind, 'APIVersions');
    }
    const apiVersions = await get(u132, '/api', 'application/json');
    const port = new URL(u132).port;
    t.same(apiVersions.json, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] });

    const groupList = await get(u132, '/apis', 'application/json');
    t.equal(groupList.json.kind, 'APIGroupList');
    t.equal(groupList.json.apiVersion, 'v1');
    const apps = groupList.json.groups.find((g: { name: string }) => g.name === 'apps');
    t.same(apps, { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    t.notOk(groupList.json.groups.some((g: { name: string }) => g.name === ''), 'no core group in APIGroupList');

    const appsGroup = await get(u132, '/apis/apps', 'application/json');
    t.equal(appsGroup.status, 200);
    t.equal(appsGroup.headers['content-type'], 'application/json');
    t.same(appsGroup.json, { kind: 'APIGroup', apiVersion: 'v1', name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    const autoscaling = await get(u132, '/apis/autoscaling/');
    t.same(autoscaling.json.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' }, 'trailing slash; preferred version first');

    const appsV1 = await get(u132, '/apis/apps/v1', 'application/json, */*');
    t.equal(appsV1.status, 200);
    t.equal(appsV1.json.kind, 'APIResourceList');
    t.equal(appsV1.json.apiVersion, 'v1');
    t.equal(appsV1.json.groupVersion, 'apps/v1');
    const byName = new Map<string, Record<string, unknown>>(appsV1.json.resources.map((r: { name: string }) => [r.name, r]));
    t.same(byName.get('deployments'), {
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['deploy'],
      categories: ['all'],
      storageVersionHash: '8aSe+NMegvE=',
    });
    t.same(byName.get('deployments/scale'), { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    t.same(byName.get('deployments/status'), { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'update'] });

    const coreV1 = await get(u132, '/api/v1');
    t.equal(coreV1.json.groupVersion, 'v1');
    const pods = coreV1.json.resources.find((r: { name: string }) => r.name === 'pods');
    t.match(pods, { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] });
    t.ok(coreV1.json.resources.some((r: { name: string }) => r.name === 'pods/status'));
    t.equal(coreV1.json.resources.find((r: { name: string }) => r.name === 'nodes')?.namespaced, false);
  });

  t.test('unknown groups and versions: the plain-text 404 of the final handler', async (t) => {
    for (const path of ['/apis/nope.example.com', '/apis/nope.example.com/v1', '/apis/apps/v2', '/apis/apps/v1beta1', '/api/v2', '/nope']) {
      const res = await get(u132, path);
      t.equal(res.status, 404, path);
      t.equal(res.headers['content-type'], 'text/plain; charset=utf-8', `${path}: content type`);
      t.equal(res.headers['x-content-type-options'], 'nosniff');
      t.equal(res.text, '404 page not found\n', `${path}: body`);
    }
  });

  t.test('group/versions across minors', async (t) => {
    // batch/v1beta1 (CronJob) was removed in 1.25
    for (const url of [u125, u131, u132, u133]) {
      const batch = await get(url, '/apis/batch');
      t.same(batch.json.versions, [{ groupVersion: 'batch/v1', version: 'v1' }], `${url}: batch/v1 only`);
      const v1beta1 = await get(url, '/apis/batch/v1beta1');
      t.equal(v1beta1.status, 404);
      t.equal(v1beta1.text, '404 page not found\n');
    }
    // flowcontrol: 1.25 v1beta2+v1beta1, 1.31 v1+v1beta3, 1.32 v1 only. Each server's own
    // group/versions, probed one by one: /apis/<group> lists the APIServices of the whole mixed
    // cluster, which depend on the order the servers started in (see the aggregator's tests).
    const versionsOf = async (url: string): Promise<string[]> => {
      const served: string[] = [];
      for (const version of ['v1', 'v1beta3', 'v1beta2', 'v1beta1']) {
        if ((await get(url, `/apis/flowcontrol.apiserver.k8s.io/${version}`)).status === 200) served.push(version);
      }
      return served;
    };
    t.same(await versionsOf(u125), ['v1beta2', 'v1beta1'], '1.25 flowcontrol');
    t.same(await versionsOf(u131), ['v1', 'v1beta3'], '1.31 flowcontrol');
    t.same(await versionsOf(u132), ['v1'], '1.32 flowcontrol');
    t.same(await versionsOf(u133), ['v1'], '1.33 flowcontrol');
    const v1beta3on131 = await get(u131, '/apis/flowcontrol.apiserver.k8s.io/v1beta3');
    t.equal(v1beta3on131.status, 200);
    t.ok(v1beta3on131.json.resources.some((r: { name: string }) => r.name === 'flowschemas'), '1.31 serves v1beta3 flowschemas');
    const v1beta3on132 = await get(u132, '/apis/flowcontrol.apiserver.k8s.io/v1beta3');
    t.equal(v1beta3on132.status, 404);
    t.equal(v1beta3on132.text, '404 page not found\n');
    const agg131 = await get(u131, '/apis', AGG_ACCEPT);
    t.same(group(agg131.json, 'flowcontrol.apiserver.k8s.io')?.versions.map((v) => v.version), ['v1', 'v1beta3'], '1.31 aggregated');
    // the aggregated documents differ between minors, and so do their ETags
    const agg132 = await get(u132, '/apis', AGG_ACCEPT);
    t.not(agg131.headers['etag'], agg132.headers['etag']);
    // 1.25 serves autoscaling/v2beta2 and flowcontrol v1beta1; 1.32 does not
    t.equal((await get(u125, '/apis/autoscaling/v2beta2')).status, 200, '1.25 autoscaling/v2beta2');
    t.equal((await get(u132, '/apis/autoscaling/v2beta2')).status, 404, '1.32 no autoscaling/v2beta2');
  });
});
