/**
 * RBAC end to end, on a real cluster (a 1.35 server `a` and a 1.36 server `b`, started by the
 * cluster supervisor with --authorization-mode=RBAC): the bootstrap policy, a user with a Role that
 * grants get/list but not delete on configmaps in one namespace (200s and upstream's exact 403s),
 * kubectl auth can-i and can-i --list with the real kubectl, ClusterRole aggregation into `view`,
 * the escalation check, the 403 of a request that the 1.35 server would proxy to its 1.36 peer,
 * and the in-server controllers still working under their ServiceAccounts.
 */
import t from 'tap';
import { join } from 'node:path';
import { httpsRequest, type HttpsResponse } from '../../../server/cluster/https-client.js';
import { writeKubeconfig } from '../../../server/cluster/kubeconfig.js';
import { signCert } from '../../../server/cluster/pki.js';
import { api, kubectl, kubectlBinary, startCluster, tempDir, urlOf } from '../../fixtures/cluster.js';
import { MAP_PATH, poll } from '../../peers/helpers.js';

const KUBECTL = kubectlBinary('1.33');
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const header = (r: HttpsResponse, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

t.test('RBAC on a 1.35/1.36 cluster', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35' },
    { name: 'b', minor: '1.36' },
  ]);
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');
  const admin = (method: string, path: string, body?: unknown) => api(cluster, a, method, path, body === undefined ? {} : { body });
  const janeTLS = { ca: cluster.pki.ca.cert, ...(await signCert(cluster.pki.ca, { commonName: 'jane', organizations: ['devs'], usage: 'client' })) };
  const jane = (method: string, path: string, body?: unknown, url = a) =>
    httpsRequest(`${url}${path}`, { method, tls: janeTLS, headers: { accept: 'application/json', 'x-kube-skew-trace': '1' }, ...(body === undefined ? {} : { body }) });
  const janeKubeconfig = join(await tempDir(t, 'jane-'), 'kubeconfig');
  await writeKubeconfig(janeKubeconfig, [{ name: 'jane', server: a }], 'jane', janeTLS);

  for (const ns of ['team', 'other']) t.equal((await admin('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  for (const ns of ['team', 'other']) t.equal((await admin('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'c1' }, data: { k: 'v' } })).status, 201);
  t.equal((await admin('POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] })).status, 201);
  t.equal(
    (await admin('POST', `${RBAC}/namespaces/team/rolebindings`, { metadata: { name: 'jane-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }] })).status,
    201,
  );
  // The authorizer reads a watch-fed cache, as upstream's informers: wait for the binding to arrive.
  const readable = await poll(() => jane('GET', '/api/v1/namespaces/team/configmaps/c1'), (r) => r.status === 200, 30_000, 200);
  t.ok(readable.ok, `jane reads c1 once the binding is seen (${readable.value.status} ${readable.value.text})`);

  t.test('the bootstrap policy is reconciled and readyz waits for it', async (t) => {
    for (const url of [a, b]) {
      const ready = await api(cluster, url, 'GET', '/readyz?verbose');
      t.match(ready.text, /\[\+\]poststarthook\/rbac\/bootstrap-roles ok/);
    }
    const role = await admin('GET', `${RBAC}/clusterroles/cluster-admin`);
    t.equal(role.status, 200);
    t.same(role.json.rules, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]);
    t.same(role.json.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
    t.same(role.json.metadata.annotations, { 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
    const binding = await admin('GET', `${RBAC}/clusterrolebindings/cluster-admin`);
    t.same(binding.json.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    const view = await admin('GET', `${RBAC}/clusterroles/view`);
    t.same(view.json.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
    t.equal((await admin('GET', `${RBAC}/namespaces/kube-system/rolebindings/system::leader-locking-kube-controller-manager`)).status, 200);
    if (KUBECTL) {
      const got = await kubectl(t, KUBECTL, cluster, ['get', 'clusterrole', 'cluster-admin']);
      t.equal(got.code, 0, got.stderr);
      t.match(got.stdout, /^NAME\s+CREATED AT\ncluster-admin\s+\d{4}-/m);
    }
  });

  t.test('a Role grants get and list but not delete, in its namespace only', async (t) => {
    const list = await jane('GET', '/api/v1/namespaces/team/configmaps');
    t.equal(list.status, 200);
    // kube-root-ca.crt, which the root CA publisher adds to every namespace, comes with its own timing.
    t.same(list.json.items.map((i: { metadata: { name: string } }) => i.metadata.name).filter((n: string) => n !== 'kube-root-ca.crt'), ['c1']);
    const del = await jane('DELETE', '/api/v1/namespaces/team/configmaps/c1');
    t.same(del.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "c1" is forbidden: User "jane" cannot delete resource "configmaps" in API group "" in the namespace "team"',
      reason: 'Forbidden',
      details: { name: 'c1', kind: 'configmaps' },
      code: 403,
    });
    const other = await jane('GET', '/api/v1/namespaces/other/configmaps/c1');
    t.equal(other.status, 403);
    t.equal(other.json.message, 'configmaps "c1" is forbidden: User "jane" cannot get resource "configmaps" in API group "" in the namespace "other"');
    const metrics = await jane('GET', '/metrics');
    t.equal(metrics.status, 403);
    t.equal(metrics.json.message, 'forbidden: User "jane" cannot get path "/metrics"');
    t.equal((await jane('GET', '/apis')).status, 200, 'system:discovery for authenticated users');
    t.equal((await api(cluster, a, 'GET', '/version', { anonymous: true })).status, 200, 'system:public-info-viewer for anonymous users');
    const anonymousApi = await api(cluster, a, 'GET', '/api', { anonymous: true });
    t.equal(anonymousApi.status, 403);
    t.equal(anonymousApi.json.message, 'forbidden: User "system:anonymous" cannot get path "/api"');
    t.equal((await admin('GET', '/api/v1/namespaces/team/configmaps/c1')).status, 200, 'the admin still reads it');
  });

  t.test('a binding to a missing role adds RBAC\'s reason to the 403', async (t) => {
    t.equal((await admin('POST', `${RBAC}/namespaces/other/rolebindings`, { metadata: { name: 'ghost' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ghost' }, subjects: [{ kind: 'User', name: 'jane' }] })).status, 201);
    const expected = 'configmaps "c1" is forbidden: User "jane" cannot get resource "configmaps" in API group "" in the namespace "other": RBAC: role.rbac.authorization.k8s.io "ghost" not found';
    const res = await poll(() => jane('GET', '/api/v1/namespaces/other/configmaps/c1'), (r) => r.json?.message === expected, 30_000, 200);
    t.equal(res.value.json?.message, expected);
  });

  t.test('SubjectAccessReview and SelfSubjectRulesReview answer from RBAC', async (t) => {
    const sar = await admin('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      spec: { user: 'jane', groups: ['devs'], resourceAttributes: { namespace: 'team', verb: 'get', resource: 'configmaps', name: 'c1' } },
    });
    t.equal(sar.status, 201);
    t.same(sar.json.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "jane-reads/team" of Role "cm-reader" to User "jane"' });
    const denied = await admin('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user: 'jane', resourceAttributes: { namespace: 'team', verb: 'delete', resource: 'configmaps' } } });
    t.same(denied.json.status, { allowed: false });
    const rules = await jane('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: { namespace: 'team' } });
    t.equal(rules.status, 201);
    t.equal(rules.json.status.incomplete, false);
    t.ok(rules.json.status.resourceRules.some((r: { resources?: string[]; verbs: string[] }) => r.resources?.[0] === 'configmaps' && r.verbs.join() === 'get,list'), 'the Role\'s rule');
    t.ok(rules.json.status.nonResourceRules.some((r: { nonResourceURLs: string[] }) => r.nonResourceURLs.includes('/api/*')), 'system:discovery');
  });

  t.test('kubectl auth can-i', { skip: KUBECTL ? false : 'kubectl.1.33 missing' }, async (t) => {
    const canI = (...args: string[]) => kubectl(t, KUBECTL!, cluster, [`--kubeconfig=${janeKubeconfig}`, 'auth', 'can-i', ...args]);
    const yes = await canI('get', 'configmaps', '-n', 'team');
    t.equal(yes.code, 0);
    t.equal(yes.stdout.trim(), 'yes');
    const no = await canI('delete', 'configmaps', '-n', 'team');
    t.equal(no.code, 1);
    t.equal(no.stdout.trim(), 'no');
    const elsewhere = await canI('get', 'configmaps', '-n', 'other');
    t.equal(elsewhere.stdout.trim(), 'no - RBAC: role.rbac.authorization.k8s.io "ghost" not found', 'kubectl prints the review\'s reason (the binding to the missing Role in "other")');
    const list = await canI('--list', '-n', 'team');
    t.equal(list.code, 0, list.stderr);
    t.match(list.stdout, /^configmaps\s+\[\]\s+\[\]\s+\[get list\]$/m);
    t.match(list.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    t.match(list.stdout, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
  });

  t.test('a ClusterRole labelled aggregate-to-view adds its rules to view, edit and admin', async (t) => {
    const rule = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get', 'list', 'watch'] };
    t.equal((await admin('POST', `${RBAC}/clusterroles`, { metadata: { name: 'widgets-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [rule] })).status, 201);
    for (const name of ['view', 'edit', 'admin']) {
      const got = await poll(() => admin('GET', `${RBAC}/clusterroles/${name}`), (r) => (r.json?.rules ?? []).some((x: unknown) => JSON.stringify(x) === JSON.stringify(rule)), 60_000, 250);
      t.ok(got.ok, `${name} gains the widgets rule`);
    }
    const view = await admin('GET', `${RBAC}/clusterroles/view`);
    t.ok(view.json.rules.some((x: { resources?: string[] }) => x.resources?.includes('pods/log')), 'view keeps system:aggregate-to-view\'s rules');
    t.equal((await admin('DELETE', `${RBAC}/clusterroles/widgets-view`)).status, 200);
    const gone = await poll(() => admin('GET', `${RBAC}/clusterroles/view`), (r) => !(r.json?.rules ?? []).some((x: unknown) => JSON.stringify(x) === JSON.stringify(rule)), 60_000, 250);
    t.ok(gone.ok, 'deleting the labelled role takes its rules out of view');
  });

  t.test('writing a role or binding that grants more than the writer holds is refused', async (t) => {
    t.equal((await admin('POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'rbac-writer' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get'] }] })).status, 201);
    t.equal((await admin('POST', `${RBAC}/namespaces/team/rolebindings`, { metadata: { name: 'jane-writes' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rbac-writer' }, subjects: [{ kind: 'User', name: 'jane' }] })).status, 201);
    const deleter = { metadata: { name: 'deleter' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'delete'] }] };
    const refused = await poll(() => jane('POST', `${RBAC}/namespaces/team/roles`, deleter), (r) => r.status === 403 && /attempting to grant/.test(r.json?.message ?? ''), 30_000, 200);
    t.same(refused.value.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'roles.rbac.authorization.k8s.io "deleter" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}',
      reason: 'Forbidden',
      details: { name: 'deleter', group: 'rbac.authorization.k8s.io', kind: 'roles' },
      code: 403,
    });
    const held = await jane('POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'reader-copy' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
    t.equal(held.status, 201, `a role within what jane holds is accepted: ${held.text}`);
    const toAdmin = await jane('POST', `${RBAC}/namespaces/team/rolebindings`, { metadata: { name: 'jane-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'User', name: 'jane' }] });
    t.equal(toAdmin.status, 403);
    t.match(toAdmin.json.message, /^rolebindings\.rbac\.authorization\.k8s\.io "jane-admin" is forbidden: user "jane" \(groups=\["devs" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
    t.equal((await admin('GET', `${RBAC}/namespaces/team/rolebindings/jane-admin`)).status, 404, 'nothing was written');
  });

  t.test('the 403 of a request the 1.35 server would proxy to its 1.36 peer', async (t) => {
    const synced = await poll(() => admin('GET', MAP_PATH), (r) => r.status === 200, 60_000, 200);
    t.ok(synced.ok, 'a proxies the 1.36-only resource for the admin');
    const refused = await jane('GET', MAP_PATH);
    t.equal(refused.status, 403);
    t.equal(refused.json.message, 'mutatingadmissionpolicies.admissionregistration.k8s.io is forbidden: User "jane" cannot list resource "mutatingadmissionpolicies" in API group "admissionregistration.k8s.io" at the cluster scope');
    t.equal(header(refused, 'x-kube-skew-served-by'), 'a', 'refused by the receiving server before any hop');
    const role = { metadata: { name: 'map-reader' }, rules: [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingadmissionpolicies'], verbs: ['list'] }] };
    t.equal((await admin('POST', `${RBAC}/clusterroles`, role)).status, 201);
    t.equal((await admin('POST', `${RBAC}/clusterrolebindings`, { metadata: { name: 'jane-map' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'map-reader' }, subjects: [{ kind: 'User', name: 'jane' }] })).status, 201);
    const allowed = await poll(() => jane('GET', MAP_PATH), (r) => r.status === 200, 30_000, 200);
    t.equal(allowed.value.status, 200, allowed.value.text);
    t.equal(header(allowed.value, 'x-kube-skew-served-by'), 'b', 'b served it after authorizing jane again from the front-proxy headers');
    t.equal(header(allowed.value, 'x-kube-skew-received-proxied'), 'true');
    const get = await jane('GET', `${MAP_PATH}/x`);
    t.equal(get.status, 403, 'list does not grant get');
  });

  t.test('the in-server controllers work under their ServiceAccounts', async (t) => {
    t.equal((await admin('DELETE', '/api/v1/namespaces/other')).status, 200);
    const gone = await poll(() => admin('GET', '/api/v1/namespaces/other'), (r) => r.status === 404, 90_000, 500);
    t.ok(gone.ok, `the namespace controller empties and finalizes the namespace (${gone.value.text.slice(0, 300)})`);
  });
});
