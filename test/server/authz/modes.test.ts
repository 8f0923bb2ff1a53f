/**
 * `--authorization-mode` and the authorizer chain without a server: kube-apiserver's startup errors,
 * the default, the privileged group ahead of every mode, the union's reasons, and RBAC's rule
 * arithmetic behind the escalation message.
 */
import t from 'tap';
import { parseServerConfig } from '../../../server/config.js';
import { parseFlags } from '../../../server/main.js';
import { AuthorizerChain } from '../../../server/authz/union.js';
import { alwaysAllowMode, alwaysDenyMode } from '../../../server/authz/modes.js';
import { compactRules, compactString, covers, ruleAllows } from '../../../server/authz/rbac/rules.js';

const config = (...args: string[]) => parseServerConfig(parseFlags(['--storage-path=/tmp/unused.db', ...args]));
const jane = { name: 'jane', groups: ['system:authenticated'], extra: {} };
const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'], extra: {} };
const get = { isResourceRequest: true, verb: 'get', apiGroup: '', resource: 'pods', subresource: '', namespace: 'ns', name: 'p' };

t.test('--authorization-mode', async (t) => {
  t.same(config().authorizationModes, ['AlwaysAllow'], "kube-apiserver's default");
  t.same(config('--authorization-mode=RBAC,AlwaysDeny').authorizationModes, ['RBAC', 'AlwaysDeny'], 'in order');
  t.same(config('--authorization-policy-file=/x.yaml').authorizationModes, [], 'the policy file alone without the flag');
  t.throws(() => config('--authorization-mode=Foo'), { message: 'authorization-mode "Foo" is not a valid mode' });
  t.throws(() => config('--authorization-mode=RBAC,RBAC'), { message: 'authorization-mode ["RBAC" "RBAC"] has mode specified more than once' });
  t.throws(() => config('--authorization-mode='), { message: 'at least one authorization-mode must be passed' });
  t.throws(() => config('--authorization-mode=Node,RBAC'), /authorization-mode "Node" is not simulated by kube-skew/);
  t.throws(() => config('--authorization-mode=Foo,RBAC,RBAC'), { message: '[authorization-mode "Foo" is not a valid mode, authorization-mode ["Foo" "RBAC" "RBAC"] has mode specified more than once]' });
});

t.test('the chain: system:masters first, then the modes; reasons of no-opinion joined', async (t) => {
  const deny = new AuthorizerChain([alwaysDenyMode]);
  t.same(deny.authorize(admin, get), { decision: 'allow', reason: '' }, 'the privileged group is allowed even by AlwaysDeny');
  t.same(deny.authorize(jane, get), { decision: 'no-opinion', reason: 'Everything is forbidden.' });
  t.same(deny.rulesFor(admin, 'ns'), { resourceRules: [], nonResourceRules: [], incomplete: false }, 'the privileged group has no rules to list');
  const allow = new AuthorizerChain([alwaysDenyMode, alwaysAllowMode]);
  t.equal(allow.authorize(jane, get).decision, 'allow');
  t.same(allow.rulesFor(jane, 'ns').resourceRules, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
});

t.test('rule matching', async (t) => {
  const rule = { apiGroups: [''], resources: ['pods', '*/log'], verbs: ['get'], resourceNames: ['p'] };
  t.ok(ruleAllows(get, rule));
  t.notOk(ruleAllows({ ...get, name: 'q' }, rule), 'resourceNames');
  t.ok(ruleAllows({ ...get, resource: 'deployments', subresource: 'log' }, { ...rule, resourceNames: [] }), '*/log matches any resource\'s log');
  t.notOk(ruleAllows({ ...get, subresource: 'status' }, rule), 'pods does not grant pods/status');
  t.ok(ruleAllows({ isResourceRequest: false, verb: 'get', path: '/healthz/etcd' }, { nonResourceURLs: ['/healthz/*'], verbs: ['get'] }));
  t.notOk(ruleAllows({ isResourceRequest: false, verb: 'get', path: '/healthzz' }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }));
});

t.test('covers and the compact text of missing rules', async (t) => {
  const owner = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }];
  const missing = covers(owner, [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'delete'] }]);
  t.same(compactRules(missing).map(compactString), ['{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}', '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}']);
  t.same(covers([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] }]), []);
  t.same(covers([{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] }], [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['update'] }]), [], '*/scale covers deployments/scale');
  t.equal(compactString({ nonResourceURLs: ['/metrics'], verbs: ['get'] }), '{NonResourceURLs:["/metrics"], Verbs:["get"]}');
});
