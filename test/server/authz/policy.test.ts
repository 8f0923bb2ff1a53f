/**
 * The authorization policy shared by the authorization filter and the review endpoints: AlwaysAllow
 * without a file, allow rules with a file, the bootstrap grants a real cluster has, the rules a
 * SelfSubjectRulesReview lists, and upstream's 403 text.
 */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthorizationPolicy, parsePolicyRules } from '../../../server/authz/policy.js';
import { forbiddenMessage, policyAuthorizer } from '../../../server/filters/authorization.js';
import { resolveRequestInfo } from '../../../server/request-info.js';
import { tempDir } from '../../fixtures/cluster.js';

const jane = { name: 'jane', groups: ['devs', 'system:authenticated'], extra: {} };
const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'], extra: {} };
const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
const res = (verb: string, resource: string, namespace = 'default', extra: Record<string, string> = {}) => ({ isResourceRequest: true, verb, apiGroup: '', resource, namespace, ...extra });

t.test('without a file everything is allowed', async (t) => {
  const p = AuthorizationPolicy.allowAll();
  t.ok(p.allowsAll);
  t.ok(p.authorize(anonymous, res('delete', 'secrets')).allowed);
  t.same(p.rulesFor(jane, 'default'), {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }, 'AlwaysAllow lists */*');
});

t.test('allow rules by user and group, resource, subresource, name and namespace', async (t) => {
  const p = AuthorizationPolicy.fromRules(
    parsePolicyRules([
      { group: 'devs', verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'], namespaces: ['default'] },
      { user: 'jane', verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] },
      { user: 'jane', verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['public'] },
      { user: '*', verbs: ['get'], nonResourceURLs: ['/metrics'] },
    ]),
  );
  t.ok(p.authorize(jane, res('list', 'pods')).allowed);
  t.ok(p.authorize(jane, res('get', 'pods', 'default', { subresource: 'log', name: 'x' })).allowed);
  t.notOk(p.authorize(jane, res('list', 'pods', 'kube-system')).allowed, 'other namespace');
  t.notOk(p.authorize(jane, res('delete', 'pods')).allowed, 'other verb');
  t.notOk(p.authorize(jane, { ...res('list', 'pods'), apiGroup: 'apps' }).allowed, 'other group');
  t.ok(p.authorize(jane, { ...res('update', 'deployments', 'x', { subresource: 'scale' }), apiGroup: 'apps' }).allowed, '*/scale');
  t.notOk(p.authorize(jane, { ...res('update', 'deployments', 'x'), apiGroup: 'apps' }).allowed, 'scale rule does not cover the main resource');
  t.ok(p.authorize(jane, res('get', 'configmaps', 'default', { name: 'public' })).allowed);
  t.notOk(p.authorize(jane, res('get', 'configmaps', 'default', { name: 'private' })).allowed, 'resourceNames');
  t.ok(p.authorize(anonymous, { isResourceRequest: false, verb: 'get', path: '/metrics' }).allowed, 'user *');
  t.ok(p.authorize(admin, res('delete', 'secrets', 'kube-system')).allowed, 'system:masters is never restricted');
});

t.test('the bootstrap grants of a real cluster', async (t) => {
  const p = AuthorizationPolicy.fromRules([]);
  const nonRes = (path: string) => ({ isResourceRequest: false, verb: 'get', path });
  t.ok(p.authorize(anonymous, nonRes('/healthz')).allowed, 'public info for anyone');
  t.ok(p.authorize(anonymous, nonRes('/version')).allowed);
  t.notOk(p.authorize(anonymous, nonRes('/apis')).allowed, 'no discovery for anonymous');
  t.ok(p.authorize(jane, nonRes('/apis/apps/v1')).allowed, 'discovery for the authenticated');
  t.ok(p.authorize(jane, nonRes('/openapi/v3')).allowed);
  t.ok(p.authorize(jane, { isResourceRequest: true, verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }).allowed);
  t.ok(p.authorize(jane, { isResourceRequest: true, verb: 'create', apiGroup: 'authentication.k8s.io', resource: 'selfsubjectreviews' }).allowed);
  t.notOk(p.authorize(jane, res('list', 'pods')).allowed);
});

t.test('rules for a SelfSubjectRulesReview', async (t) => {
  const p = AuthorizationPolicy.fromRules(parsePolicyRules([{ group: 'devs', verbs: ['get'], resources: ['pods'], namespaces: ['default'] }]));
  const inDefault = p.rulesFor(jane, 'default');
  t.same(inDefault.resourceRules.at(-1), { verbs: ['get'], apiGroups: ['*'], resources: ['pods'] });
  t.ok(inDefault.nonResourceRules.some((r) => r.nonResourceURLs?.includes('/apis/*')), 'discovery listed');
  t.notOk(p.rulesFor(jane, 'other').resourceRules.some((r) => r.resources?.includes('pods')), 'namespaced rule only in its namespace');
  t.same(p.rulesFor(admin, 'x').resourceRules, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
});

t.test('policy files: JSON or YAML, list or AuthorizationPolicy, clear errors', async (t) => {
  const dir = await tempDir(t);
  const yaml = join(dir, 'p.yaml');
  await writeFile(yaml, 'apiVersion: kube-skew.io/v1alpha1\nkind: AuthorizationPolicy\nrules:\n- user: jane\n  verbs: [get]\n  resources: [pods]\n');
  t.ok((await AuthorizationPolicy.load(yaml)).authorize(jane, res('get', 'pods')).allowed);
  const json = join(dir, 'p.json');
  await writeFile(json, JSON.stringify([{ group: 'devs', verbs: ['list'], resources: ['pods'] }]));
  t.ok((await AuthorizationPolicy.load(json)).authorize(jane, res('list', 'pods')).allowed);
  await t.rejects(AuthorizationPolicy.load(join(dir, 'missing.yaml')), { code: 'POLICY', message: /--authorization-policy-file: ENOENT/ });
  t.throws(() => parsePolicyRules([{ verbs: ['get'], resources: ['pods'] }]), { code: 'POLICY', message: 'policy: rule 1: needs user or group ("*" for anyone)' });
  t.throws(() => parsePolicyRules([{ user: 'x', resources: ['pods'] }]), { message: 'policy: rule 1.verbs: required' });
  t.throws(() => parsePolicyRules([{ user: 'x', verbs: ['get'], resource: ['pods'] }]), { message: 'policy: rule 1: unknown field "resource"' });
  t.throws(() => parsePolicyRules([{ user: 'x', verbs: ['get'] }]), { message: 'policy: rule 1: needs resources or nonResourceURLs' });
  t.throws(() => parsePolicyRules({ kind: 'Other' }), { message: /kind must be AuthorizationPolicy/ });
});

t.test('the filter denies with upstream forbiddenMessage', async (t) => {
  const authorizer = policyAuthorizer(AuthorizationPolicy.fromRules([]));
  const list = resolveRequestInfo('GET', '/api/v1/namespaces/default/secrets', new URLSearchParams());
  t.same(authorizer(jane, list), { allowed: false, reason: '' });
  t.equal(forbiddenMessage('jane', list), 'User "jane" cannot list resource "secrets" in API group "" in the namespace "default"');
  const nodes = resolveRequestInfo('GET', '/api/v1/nodes/n1/status', new URLSearchParams());
  t.equal(forbiddenMessage('jane', nodes), 'User "jane" cannot get resource "nodes/status" in API group "" at the cluster scope');
  const path = resolveRequestInfo('GET', '/metrics', new URLSearchParams());
  t.equal(forbiddenMessage('system:anonymous', path), 'User "system:anonymous" cannot get path "/metrics"');
});
