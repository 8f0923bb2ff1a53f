/**
 * A controller as it runs in a real cluster: its own ServiceAccount, a token from TokenRequest, and
 * RBAC that grants all but one verb. On a 1.35+1.36 cluster (RBAC, as `up` starts it) the missing
 * verb is upstream's 403 naming the ServiceAccount, on a built-in resource and on one only the 1.36
 * peer serves: the 1.35 server refuses it before any hop. Once granted, the request is proxied and
 * the peer authorizes the ServiceAccount again.
 */
import t from 'tap';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { httpsRequest } from '../../server/cluster/https-client.js';
import { MAP_PATH, mutatingAdmissionPolicy, poll } from '../peers/helpers.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const SA_USER = 'system:serviceaccount:ctl:widget-controller';

t.test('a ServiceAccount with a Role lacking one verb', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35' },
    { name: 'b', minor: '1.36' },
  ]);
  const a = urlOf(cluster, 'a');
  const admin = (method: string, path: string, body?: unknown) => api(cluster, a, method, path, body === undefined ? {} : { body });
  t.equal((await admin('POST', '/api/v1/namespaces', { metadata: { name: 'ctl' } })).status, 201);
  t.equal((await admin('POST', '/api/v1/namespaces/ctl/serviceaccounts', { metadata: { name: 'widget-controller' } })).status, 201);
  t.equal((await admin('POST', '/api/v1/namespaces/ctl/configmaps', { metadata: { name: 'state' } })).status, 201);
  t.equal((await admin('POST', `${RBAC}/namespaces/ctl/roles`, { metadata: { name: 'widget-controller' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update'] }] })).status, 201);
  t.equal((await admin('POST', `${RBAC}/namespaces/ctl/rolebindings`, { metadata: { name: 'widget-controller' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'widget-controller' }, subjects: [{ kind: 'ServiceAccount', name: 'widget-controller', namespace: 'ctl' }] })).status, 201);
  const issued = await admin('POST', '/api/v1/namespaces/ctl/serviceaccounts/widget-controller/token', { spec: {} });
  t.equal(issued.status, 201, 'TokenRequest');
  const token = issued.json.status.token as string;
  const as = (url: string, method: string, path: string, body?: unknown) =>
    httpsRequest(`${url}${path}`, { method, headers: { accept: 'application/json', authorization: `Bearer ${token}`, 'x-kube-skew-trace': '1' }, ...(body ? { body } : {}), tls: { ca: cluster.tls.ca } });

  // The binding reaches each server's RBAC cache a moment after it is written.
  const allowed = await poll(() => as(a, 'GET', '/api/v1/namespaces/ctl/configmaps/state'), (r) => r.status === 200, 20_000);
  t.ok(allowed.ok, `the ServiceAccount reads its ConfigMap (last: ${allowed.value.status})`);
  const del = await as(a, 'DELETE', '/api/v1/namespaces/ctl/configmaps/state');
  t.equal(del.status, 403);
  t.equal(del.json.message, `configmaps "state" is forbidden: User "${SA_USER}" cannot delete resource "configmaps" in API group "" in the namespace "ctl"`);

  // A resource only the 1.36 peer serves: the 1.35 server answers the 403 itself, before any hop.
  const firstSync = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 60_000);
  t.ok(firstSync.ok, 'a proxies the 1.36-only API to b for the admin');
  const refused = await as(a, 'GET', MAP_PATH);
  t.equal(refused.status, 403);
  t.equal(refused.json.message, `mutatingadmissionpolicies.admissionregistration.k8s.io is forbidden: User "${SA_USER}" cannot list resource "mutatingadmissionpolicies" in API group "admissionregistration.k8s.io" at the cluster scope`);
  t.equal(refused.headers['x-kube-skew-served-by'], 'a', 'refused by a, before any hop');

  t.equal((await admin('POST', `${RBAC}/clusterroles`, { metadata: { name: 'map-reader' }, rules: [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingadmissionpolicies'], verbs: ['get', 'list'] }] })).status, 201);
  t.equal((await admin('POST', `${RBAC}/clusterrolebindings`, { metadata: { name: 'widget-controller-map-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'map-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'widget-controller', namespace: 'ctl' }] })).status, 201);
  t.equal((await admin('POST', MAP_PATH, mutatingAdmissionPolicy('by-admin'))).status, 201);
  const proxied = await poll(() => as(a, 'GET', MAP_PATH), (r) => r.status === 200, 20_000);
  t.ok(proxied.ok, `once granted, the list is proxied and the 1.36 peer authorizes the ServiceAccount again (last: ${proxied.value.status})`);
  t.equal(proxied.value.headers['x-kube-skew-served-by'], 'b', 'served by the 1.36 peer');
  const write = await as(a, 'POST', MAP_PATH, mutatingAdmissionPolicy('by-sa'));
  t.equal(write.status, 403, 'create is still not granted');
});
