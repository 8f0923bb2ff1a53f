/**
 * The bootstrap RBAC policy per minor, on real server processes sharing one store: a 1.25 server
 * and a 1.36 server each create their own minor's roles and bindings (`system:basic-user` without
 * and with `selfsubjectreviews`, `system:monitoring` without and with `/metrics/slis`,
 * `system:node` without and with its resource.k8s.io rule, the
 * leader-locking Roles with configmap locks and without, without and with `leasecandidates`, the
 * kube-controller-manager leader-locking binding without and with the `leader-election-controller`
 * ServiceAccount); a 1.33 server joining the 1.36 one leaves every shared object at the union of
 * both policies, as upstream's reconciliation (add what is missing, broken down into one verb a
 * rule as validation.Covers reports it, and remove nothing) would; and an
 * upgrade in place to 1.36 adds the new rules while a role the user edited with
 * `rbac.authorization.kubernetes.io/autoupdate: "false"` is left alone.
 */
import t from 'tap';
import { bootstrapPolicy } from '../../../versions/index.js';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';
import type { Cluster } from '../../../server/cluster/cluster.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const LOCK_CM = '/namespaces/kube-system/roles/system::leader-locking-kube-controller-manager';
const LOCK_SCHED = '/namespaces/kube-system/roles/system::leader-locking-kube-scheduler';
const LOCK_CM_BINDING = '/namespaces/kube-system/rolebindings/system::leader-locking-kube-controller-manager';

type Rule = Record<string, unknown>;

/** A rule as one comparable string (keys sorted, empty lists dropped). */
function key(r: Rule): string {
  return JSON.stringify(Object.keys(r).sort().filter((k) => !(Array.isArray(r[k]) && (r[k] as unknown[]).length === 0)).map((k) => [k, r[k]]));
}
const keys = (rules: Rule[] | undefined): string[] => (rules ?? []).map(key).sort();

const LEASES: Rule = { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'list', 'update', 'watch'] };
const CANDIDATES: Rule = { apiGroups: ['coordination.k8s.io'], resources: ['leasecandidates'], verbs: ['create', 'get', 'list', 'update', 'watch'] };
const cmLocks = (name: string): Rule[] => [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['watch'] },
  { apiGroups: [''], resources: ['configmaps'], resourceNames: [name], verbs: ['get', 'update'] },
];
/** The same rules as upstream's reconciliation adds them to an existing role: broken down into one verb each (validation.Covers). */
const cmLocksAdded = (name: string): Rule[] => [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['watch'] },
  { apiGroups: [''], resources: ['configmaps'], resourceNames: [name], verbs: ['get'] },
  { apiGroups: [''], resources: ['configmaps'], resourceNames: [name], verbs: ['update'] },
];
const SSAR: Rule = { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] };
const SSR: Rule = { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] };
const MONITORING_URLS = ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/readyz', '/readyz/*'];
const MONITORING_1_26 = ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'];
const DRA_NODE: Rule = { apiGroups: ['resource.k8s.io'], resources: ['resourceclaims'], verbs: ['get'] };
const sa = (name: string) => ({ kind: 'ServiceAccount', name, namespace: 'kube-system' });
const KCM_USER = { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-controller-manager' };

async function get(cluster: Cluster, server: string, path: string): Promise<any> {
  const r = await api(cluster, urlOf(cluster, server), 'GET', `${RBAC}${path}`);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  return r.json;
}

t.test('the policy data differs by minor', async (t) => {
  const find = (minor: string, name: string) => bootstrapPolicy(minor).clusterRoles.find((r) => (r.metadata as { name: string }).name === name) as { rules: Rule[] };
  t.same(keys(find('1.26', 'system:basic-user').rules), keys([SSAR]), '1.26: no selfsubjectreviews');
  t.same(keys(find('1.27', 'system:basic-user').rules), keys([SSAR, SSR]), '1.27: selfsubjectreviews');
  t.same(find('1.25', 'system:monitoring').rules, [{ nonResourceURLs: MONITORING_URLS, verbs: ['get'] }]);
  t.same(find('1.26', 'system:monitoring').rules, [{ nonResourceURLs: MONITORING_1_26, verbs: ['get'] }]);
  const lock = (minor: string) => (bootstrapPolicy(minor).roles.find((r) => (r.metadata as { name: string }).name === 'system::leader-locking-kube-scheduler') as { rules: Rule[] }).rules;
  t.same(keys(lock('1.30')), keys([...cmLocks('kube-scheduler'), LEASES]));
  t.same(keys(lock('1.31')), keys([...cmLocks('kube-scheduler'), LEASES, CANDIDATES]));
  t.same(keys(lock('1.34')), keys([LEASES, CANDIDATES]));
  const nsAll = (minor: string) => find(minor, 'system:controller:namespace-controller').rules.find((r) => (r.resources as string[])[0] === '*')?.verbs;
  t.same(nsAll('1.33'), ['delete', 'deletecollection', 'get', 'list']);
  t.same(nsAll('1.34'), ['delete', 'deletecollection', 'get', 'list', 'watch']);
});

t.test('a 1.25 server creates 1.25\'s policy; upgraded in place to 1.36 it adds 1.36\'s and leaves a protected role alone', async (t) => {
  const cluster = await startCluster(t, [{ name: 's', minor: '1.25' }]);
  const basic = await get(cluster, 's', '/clusterroles/system:basic-user');
  t.same(keys(basic.rules), keys([SSAR]), 'system:basic-user has no selfsubjectreviews rule in 1.25');
  t.same(basic.metadata.annotations, { 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
  t.same(basic.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
  const monitoring = await get(cluster, 's', '/clusterroles/system:monitoring');
  t.same(monitoring.rules, [{ nonResourceURLs: MONITORING_URLS, verbs: ['get'] }], 'no /metrics/slis in 1.25');
  t.same(keys((await get(cluster, 's', LOCK_SCHED)).rules), keys([...cmLocks('kube-scheduler'), LEASES]), 'configmap locks and leases, no leasecandidates');
  t.same((await get(cluster, 's', LOCK_CM_BINDING)).subjects, [KCM_USER, sa('kube-controller-manager')], 'no leader-election-controller subject');
  t.notOk(keys((await get(cluster, 's', '/clusterroles/system:node')).rules).includes(key(DRA_NODE)), 'no resource.k8s.io rule for nodes in 1.25');
  t.same((await get(cluster, 's', '/clusterrolebindings/system:service-account-issuer-discovery')).subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts' }], 'a binding every minor has');

  // The user takes system:monitoring over, and trims system:basic-user (still auto-updated).
  const mine = { ...monitoring, metadata: { ...monitoring.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] };
  t.equal((await api(cluster, urlOf(cluster, 's'), 'PUT', `${RBAC}/clusterroles/system:monitoring`, { body: mine })).status, 200);

  await cluster.restartServer('s', { minor: '1.36' });
  t.same(keys((await get(cluster, 's', '/clusterroles/system:basic-user')).rules), keys([SSAR, SSR]), '1.36 adds selfsubjectreviews');
  const kept = await get(cluster, 's', '/clusterroles/system:monitoring');
  t.same(kept.rules, [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }], 'autoupdate=false: the user\'s rules stay, /metrics/slis is not added');
  t.equal(kept.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'false');
  t.same(keys((await get(cluster, 's', LOCK_SCHED)).rules), keys([...cmLocks('kube-scheduler'), LEASES, ...['create', 'get', 'list', 'update', 'watch'].map((v) => ({ ...CANDIDATES, verbs: [v] }))]), 'leasecandidates added one verb a rule, 1.25\'s configmap rules never removed');
  t.same((await get(cluster, 's', LOCK_CM_BINDING)).subjects, [KCM_USER, sa('kube-controller-manager'), sa('leader-election-controller')], 'the subject is added');
});

t.test('a 1.36 server creates 1.36\'s policy; a 1.33 server joining leaves the union', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'n', minor: '1.36' },
    { name: 'o', minor: '1.33', deferred: true },
  ]);
  t.same(keys((await get(cluster, 'n', '/clusterroles/system:basic-user')).rules), keys([SSAR, SSR]));
  t.same((await get(cluster, 'n', '/clusterroles/system:monitoring')).rules, [
    { nonResourceURLs: [...MONITORING_1_26, '/statusz'], verbs: ['get'] },
    { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
  ], 'the 1.34-era rules: /statusz and nodes/metrics');
  const node = keys((await get(cluster, 'n', '/clusterroles/system:node')).rules);
  t.ok(node.includes(key(DRA_NODE)), 'system:node may get ResourceClaims (DRA, 1.34)');
  t.same(keys((await get(cluster, 'n', LOCK_SCHED)).rules), keys([LEASES, CANDIDATES]), 'no configmap locks in 1.36');
  t.same(keys((await get(cluster, 'n', LOCK_CM)).rules), keys([LEASES, CANDIDATES]));
  t.same((await get(cluster, 'n', LOCK_CM_BINDING)).subjects, [KCM_USER, sa('kube-controller-manager'), sa('leader-election-controller')]);
  const before = (await get(cluster, 'n', '/clusterroles/system:basic-user')).metadata.resourceVersion;

  await cluster.startServer('o');
  for (const server of ['n', 'o']) {
    t.same(keys((await get(cluster, server, LOCK_SCHED)).rules), keys([...cmLocksAdded('kube-scheduler'), LEASES, CANDIDATES]), `${server}: 1.33's configmap locks added to 1.36's rules, one verb a rule`);
    t.same(keys((await get(cluster, server, LOCK_CM)).rules), keys([...cmLocksAdded('kube-controller-manager'), LEASES, CANDIDATES]));
    t.same((await get(cluster, server, LOCK_CM_BINDING)).subjects, [KCM_USER, sa('kube-controller-manager'), sa('leader-election-controller')], `${server}: the subjects stay`);
  }
  t.equal((await get(cluster, 'o', '/clusterroles/system:basic-user')).metadata.resourceVersion, before, 'a role both minors agree on is not written again');
});
