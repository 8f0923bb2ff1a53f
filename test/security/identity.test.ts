/**
 * Identity end to end on real server processes: impersonation allowed and refused by a policy file
 * (and by real kubectl's --as), ServiceAccount tokens from `kubectl create token` used against the
 * API, refused when their audience is wrong, their ServiceAccount is gone or they have expired,
 * TokenReview, the default ServiceAccount of a new namespace (and its return after deletion), and
 * anonymous requests with --anonymous-auth on (403 under a restrictive policy) and off (401).
 */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { api, kubectl, kubectlBinary, startCluster, tempDir, urlOf } from '../fixtures/cluster.js';
import { httpsRequest } from '../../server/cluster/https-client.js';
import { identities, send, SSR, SSR_PATH } from './helpers.js';
import { poll } from '../peers/helpers.js';

const POLICY = [
  { user: 'bob', verbs: ['impersonate'], resources: ['users'], resourceNames: ['jane'] },
  { user: 'bob', verbs: ['impersonate'], resources: ['groups'] },
  { user: 'jane', verbs: ['list'], resources: ['pods'], namespaces: ['default'] },
  { user: 'system:serviceaccount:default:default', verbs: ['list'], resources: ['configmaps'], namespaces: ['default'] },
  // The in-server controllers act as system:kube-controller-manager.
  { user: 'system:kube-controller-manager', verbs: ['*'], resources: ['*'] },
];
const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';

t.test('identity: impersonation, ServiceAccount tokens, anonymous', async (t) => {
  const dir = await tempDir(t, 'identity-');
  const policyFile = join(dir, 'policy.json');
  await writeFile(policyFile, JSON.stringify(POLICY));
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.36' },
    { name: 'b', minor: '1.36', args: ['--anonymous-auth=false'] },
  ], { args: [`--authorization-policy-file=${policyFile}`] });
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');
  const ids = await identities(cluster);
  const whoami = async (headers: Record<string, string>): Promise<{ status: number; json: any }> => {
    const r = await send(cluster, ids.bob, a, 'POST', SSR_PATH, { body: SSR, headers });
    return { status: r.status, json: r.json };
  };
  const bearer = (url: string, token: string, method: string, path: string, body?: unknown) =>
    httpsRequest(`${url}${path}`, { method, headers: { accept: 'application/json', authorization: `Bearer ${token}` }, ...(body ? { body } : {}), tls: { ca: cluster.tls.ca } });

  t.test('impersonation allowed and refused', async (t) => {
    const jane = await whoami({ 'impersonate-user': 'jane' });
    t.equal(jane.status, 201);
    t.same(jane.json.status.userInfo, { username: 'jane', groups: ['system:authenticated'] }, 'bob acts as jane, who gets system:authenticated');
    const devs = await whoami({ 'impersonate-user': 'jane', 'impersonate-group': 'devs' });
    t.same(devs.json.status.userInfo.groups, ['devs', 'system:authenticated'], 'impersonated groups replace bob\'s');
    const pods = await send(cluster, ids.bob, a, 'GET', '/api/v1/namespaces/default/pods', { headers: { 'impersonate-user': 'jane' } });
    t.equal(pods.status, 200, 'authorization sees jane, who may list pods');
    const secrets = await send(cluster, ids.bob, a, 'GET', '/api/v1/namespaces/default/secrets', { headers: { 'impersonate-user': 'jane' } });
    t.equal(secrets.status, 403);
    t.equal(secrets.json.message, 'secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"');
    const joe = await send(cluster, ids.bob, a, 'GET', '/api/v1/namespaces/default/pods', { headers: { 'impersonate-user': 'joe' } });
    t.equal(joe.status, 403);
    t.equal(joe.json.message, 'users "joe" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
    t.same(joe.json.details, { name: 'joe', kind: 'users' });
    const uid = await whoami({ 'impersonate-user': 'jane', 'impersonate-uid': 'u-1' });
    t.equal(uid.status, 403);
    t.equal(uid.json.message, 'uids.authentication.k8s.io "u-1" is forbidden: User "bob" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');
    const extra = await whoami({ 'impersonate-user': 'jane', 'impersonate-extra-scopes': 'view' });
    t.equal(extra.json.message, 'userextras.authentication.k8s.io "view" is forbidden: User "bob" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
    const sa = await whoami({ 'impersonate-user': 'system:serviceaccount:default:default' });
    t.equal(sa.json.message, 'serviceaccounts "default" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"');
    const groupOnly = await send(cluster, ids.bob, a, 'GET', '/api/v1/namespaces/default/pods', { headers: { 'impersonate-group': 'devs' } });
    t.equal(groupOnly.status, 500, 'a group without a user is upstream\'s InternalError');
    t.equal(groupOnly.text, 'Internal Server Error: "/api/v1/namespaces/default/pods": requested [{Group  devs    }] without impersonating a user\n');
    const admin = await api(cluster, a, 'POST', SSR_PATH, { body: SSR, headers: { 'impersonate-user': 'system:serviceaccount:kube-system:x' } });
    t.same(admin.json.status.userInfo, { username: 'system:serviceaccount:kube-system:x', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] }, 'a ServiceAccount gets its groups');
  });

  t.test('kubectl auth whoami --as', async (t) => {
    const bin = kubectlBinary('1.33') ?? kubectlBinary('1.32');
    if (!bin) {
      t.comment('no kubectl 1.32/1.33 on this machine');
      return;
    }
    const r = await kubectl(t, bin, cluster, ['auth', 'whoami', '--as=jane', '--as-group=devs', '-o', 'json'], { context: 'skew-a' });
    t.equal(r.code, 0, r.stderr);
    t.same(JSON.parse(r.stdout).status.userInfo, { username: 'jane', groups: ['devs', 'system:authenticated'] });
  });

  t.test('the default ServiceAccount of a new namespace, recreated when deleted', async (t) => {
    t.equal((await api(cluster, a, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'team' } } })).status, 201);
    const first = await poll(() => api(cluster, a, 'GET', '/api/v1/namespaces/team/serviceaccounts/default'), (r) => r.status === 200, 30_000, 200);
    t.ok(first.ok, 'the controller creates default in the new namespace');
    t.equal((await api(cluster, a, 'DELETE', '/api/v1/namespaces/team/serviceaccounts/default')).status, 200);
    const again = await poll(() => api(cluster, a, 'GET', '/api/v1/namespaces/team/serviceaccounts/default'), (r) => r.status === 200, 30_000, 200);
    t.ok(again.ok, 'and creates it again after a delete');
    t.not(again.value.json.metadata.uid, first.value.json.metadata.uid, 'a new object');
  });

  t.test('ServiceAccount tokens', async (t) => {
    const sa = await poll(() => api(cluster, a, 'GET', '/api/v1/namespaces/default/serviceaccounts/default'), (r) => r.status === 200, 30_000, 200);
    t.ok(sa.ok, 'default/default exists');
    const bin = kubectlBinary('1.33') ?? kubectlBinary('1.32');
    let token: string;
    if (bin) {
      const r = await kubectl(t, bin, cluster, ['create', 'token', 'default', '--duration=20m'], { context: 'skew-a' });
      t.equal(r.code, 0, r.stderr);
      token = r.stdout.trim();
    } else {
      const r = await api(cluster, a, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', { body: { spec: { expirationSeconds: 1200 } } });
      token = r.json.status.token;
    }
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    t.equal(header.alg, 'RS256');
    t.match(header.kid, /^[A-Za-z0-9_-]{43}$/);
    t.same(Object.keys(payload), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub'], 'upstream\'s claims, sorted');
    t.same(payload.aud, ['https://kubernetes.default.svc.cluster.local']);
    t.equal(payload.exp - payload.iat, 1200);
    t.same(payload['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'default', uid: sa.value.json.metadata.uid } });

    const cms = await bearer(b, token, 'GET', '/api/v1/namespaces/default/configmaps');
    t.equal(cms.status, 200, 'the token lists configmaps on another server (shared key), as the policy allows');
    const pods = await bearer(a, token, 'GET', '/api/v1/namespaces/default/pods');
    t.equal(pods.status, 403);
    t.equal(pods.json.message, 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"');
    const me = await bearer(a, token, 'POST', SSR_PATH, SSR);
    t.same(me.json.status.userInfo, {
      username: 'system:serviceaccount:default:default',
      uid: sa.value.json.metadata.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${payload.jti}`] },
    });

    const review = await api(cluster, a, 'POST', TOKEN_REVIEWS, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    t.equal(review.status, 201);
    t.equal(review.json.status.authenticated, true);
    t.equal(review.json.status.user.username, 'system:serviceaccount:default:default');
    t.same(review.json.status.audiences, ['https://kubernetes.default.svc.cluster.local']);
    const bad = await api(cluster, a, 'POST', TOKEN_REVIEWS, { body: { spec: { token: 'not-a-jwt' } } });
    t.equal(bad.json.status.authenticated, undefined);
    t.equal(bad.json.status.error, 'invalid bearer token');
    const other = await api(cluster, a, 'POST', TOKEN_REVIEWS, { body: { spec: { token, audiences: ['vault'] } } });
    t.equal(other.json.status.error, 'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]');

    const wrongAud = await api(cluster, a, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', { body: { spec: { audiences: ['vault'] } } });
    t.equal(wrongAud.status, 201);
    t.equal(wrongAud.json.spec.expirationSeconds, 3600, 'default one hour');
    t.equal((await bearer(a, wrongAud.json.status.token, 'GET', '/api/v1/namespaces/default/configmaps')).status, 401, 'a token for another audience is a 401');
    t.equal((await bearer(a, 'garbage', 'GET', '/api/v1/namespaces/default/configmaps')).status, 401, 'an unknown bearer token is a 401, not anonymous');

    const short = await api(cluster, a, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', { body: { spec: { expirationSeconds: 60 } } });
    t.equal(short.status, 422);
    t.equal(short.json.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    t.equal((await api(cluster, a, 'POST', '/api/v1/namespaces/default/serviceaccounts/nobody/token', { body: {} })).json.message, 'serviceaccounts "nobody" not found');

    t.equal((await api(cluster, a, 'POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name: 'robot' } } })).status, 201);
    const robot = (await api(cluster, a, 'POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { body: {} })).json.status.token;
    t.equal((await bearer(a, robot, 'POST', SSR_PATH, SSR)).status, 201);
    t.equal((await api(cluster, a, 'DELETE', '/api/v1/namespaces/default/serviceaccounts/robot')).status, 200);
    t.equal((await bearer(a, robot, 'POST', SSR_PATH, SSR)).status, 401, 'the token of a deleted ServiceAccount is refused');

    // Last: moving the cluster's clock past the token's hour (and the minute of leeway) expires it.
    cluster.setClock({ advanceMs: 2 * 3600_000 });
    const expired = await poll(() => bearer(a, token, 'GET', '/api/v1/namespaces/default/configmaps'), (r) => r.status === 401, 20_000, 200);
    t.ok(expired.ok, 'an expired token is a 401');
  });

  t.test('anonymous requests', async (t) => {
    const ns = await send(cluster, 'anonymous', a, 'GET', '/api/v1/namespaces');
    t.equal(ns.status, 403, 'anonymous is authorized, and refused by the policy');
    t.equal(ns.json.message, 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope');
    t.equal((await send(cluster, 'anonymous', a, 'GET', '/healthz')).status, 200);
    t.equal((await send(cluster, 'anonymous', b, 'GET', '/healthz')).status, 401, '--anonymous-auth=false: 401');
    t.equal((await send(cluster, 'anonymous', b, 'GET', '/api/v1/namespaces')).status, 401);
  });
});
