/**
 * Bound ServiceAccount tokens on real server processes (a 1.36 server `a` and a 1.28 server `o`),
 * with the real kubectl 1.33 (`kubectl create token --bound-object-kind Pod|Secret|Node`): the
 * `kubernetes.io` claim of each binding (a pod's node included), `warnafter` for a 3607 s pod
 * token, the user's extra fields, upstream's errors for a missing bound object, a mismatched uid,
 * another ServiceAccount's pod, an unknown kind (a Node on 1.28, which predates Node binding),
 * the expirationSeconds bounds (600 s and 2^32 s), and the authenticator refusing a token once its
 * bound object is deleted ("service account token has been invalidated") or recreated with a new
 * uid; a 1.28 server, whose claims have no `node`, takes a node-bound token as a plain one, even
 * after the Node is gone.
 */
import t from 'tap';
import { api, kubectl, kubectlBinary, startCluster, urlOf } from '../fixtures/cluster.js';
import { httpsRequest } from '../../server/cluster/https-client.js';
import { SSR, SSR_PATH } from './helpers.js';
import { poll } from '../peers/helpers.js';

const KUBECTL = kubectlBinary('1.33');
const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
const SA_TOKEN = (sa: string) => `/api/v1/namespaces/default/serviceaccounts/${sa}/token`;
const EXTRA = 'authentication.kubernetes.io';

function claimsOf(token: string): any {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

t.test('bound ServiceAccount tokens', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.36' },
    { name: 'o', minor: '1.28' },
  ]);
  const a = urlOf(cluster, 'a');
  const o = urlOf(cluster, 'o');
  const admin = (method: string, path: string, body?: unknown, url = a) => api(cluster, url, method, path, body === undefined ? {} : { body });
  const bearer = (url: string, token: string, method: string, path: string, body?: unknown) =>
    httpsRequest(`${url}${path}`, { method, headers: { accept: 'application/json', authorization: `Bearer ${token}` }, ...(body ? { body } : {}), tls: { ca: cluster.tls.ca } });
  const review = async (token: string, url = a) => (await admin('POST', TOKEN_REVIEWS, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }, url)).json.status;
  const request = (sa: string, spec: Record<string, unknown>, url = a) => admin('POST', SA_TOKEN(sa), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec }, url);
  const createToken = async (args: string[], context = 'skew-a') => {
    if (!KUBECTL) throw new Error('kubectl.1.33 is missing');
    return kubectl(t, KUBECTL, cluster, ['create', 'token', ...args], { context });
  };

  const robot = (await admin('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } })).json;
  t.ok(robot.metadata?.uid, 'robot exists');
  const node = (await admin('POST', '/api/v1/nodes', { metadata: { name: 'node-1' } })).json;
  t.ok(node.metadata?.uid, 'node-1 exists');
  const pod = (await admin('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p1' }, spec: { serviceAccountName: 'robot', nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] } })).json;
  t.ok(pod.metadata?.uid, 'p1 exists');
  const secret = (await admin('POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 's1' }, data: {} })).json;
  t.ok(secret.metadata?.uid, 's1 exists');
  const saRef = { name: 'robot', uid: robot.metadata.uid };
  const podRef = { apiVersion: 'v1', kind: 'Pod', name: 'p1' };

  t.test('a Pod-bound token from kubectl names the pod and its node', { skip: KUBECTL ? false : 'kubectl.1.33 missing' }, async (t) => {
    const r = await createToken(['robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1']);
    t.equal(r.code, 0, r.stderr);
    const claims = claimsOf(r.stdout.trim());
    t.same(claims['kubernetes.io'], { namespace: 'default', serviceaccount: saRef, pod: { name: 'p1', uid: pod.metadata.uid }, node: { name: 'node-1', uid: node.metadata.uid } });
    t.equal(claims.exp - claims.iat, 3600, 'the default hour, not extended');
    const me = await bearer(a, r.stdout.trim(), 'POST', SSR_PATH, SSR);
    t.equal(me.status, 201);
    t.same(me.json.status.userInfo.extra, {
      [`${EXTRA}/credential-id`]: [`JTI=${claims.jti}`],
      [`${EXTRA}/node-name`]: ['node-1'],
      [`${EXTRA}/node-uid`]: [node.metadata.uid],
      [`${EXTRA}/pod-name`]: ['p1'],
      [`${EXTRA}/pod-uid`]: [pod.metadata.uid],
    });
  });

  t.test('a 3607 s pod token warns after its hour and lives a year', async (t) => {
    const r = await request('robot', { expirationSeconds: 3607, boundObjectRef: podRef });
    t.equal(r.status, 201);
    t.equal(r.json.spec.expirationSeconds, 3607);
    t.same(r.json.spec.boundObjectRef, podRef);
    const claims = claimsOf(r.json.status.token);
    t.equal(claims['kubernetes.io'].warnafter, claims.iat + 3607);
    t.equal(claims.exp - claims.iat, 365 * 24 * 3600);
    const expiry = Date.parse(r.json.status.expirationTimestamp) / 1000;
    t.ok(Math.abs(expiry - (claims.iat + 3607)) <= 1, 'the reported expiry is the requested one');
    const secretBound = await request('robot', { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 's1' } });
    const sc = claimsOf(secretBound.json.status.token);
    t.equal(sc['kubernetes.io'].warnafter, undefined, 'only pod tokens are extended');
    t.equal(sc.exp - sc.iat, 3607);
  });

  t.test('Secret- and Node-bound tokens from kubectl', { skip: KUBECTL ? false : 'kubectl.1.33 missing' }, async (t) => {
    const s = await createToken(['robot', '--bound-object-kind', 'Secret', '--bound-object-name', 's1', '--duration=10m']);
    t.equal(s.code, 0, s.stderr);
    const sc = claimsOf(s.stdout.trim());
    t.same(sc['kubernetes.io'], { namespace: 'default', serviceaccount: saRef, secret: { name: 's1', uid: secret.metadata.uid } });
    t.equal(sc.exp - sc.iat, 600, 'ten minutes, the minimum, is accepted');
    const n = await createToken(['robot', '--bound-object-kind', 'Node', '--bound-object-name', 'node-1']);
    t.equal(n.code, 0, n.stderr);
    const nc = claimsOf(n.stdout.trim());
    t.same(nc['kubernetes.io'], { namespace: 'default', serviceaccount: saRef, node: { name: 'node-1', uid: node.metadata.uid } });
    const me = await bearer(a, n.stdout.trim(), 'POST', SSR_PATH, SSR);
    t.same(me.json.status.userInfo.extra, { [`${EXTRA}/credential-id`]: [`JTI=${nc.jti}`], [`${EXTRA}/node-name`]: ['node-1'], [`${EXTRA}/node-uid`]: [node.metadata.uid] });
    // 1.28's claims have no `node`: the token is a plain one there.
    const old = await bearer(o, n.stdout.trim(), 'POST', SSR_PATH, SSR);
    t.equal(old.status, 201, old.text);
    t.same(old.json.status?.userInfo.extra, undefined, '1.28 ignores the node claim (and has no jti)');
    t.equal((await review(n.stdout.trim(), o)).authenticated, true);
  });

  t.test('errors of the TokenRequest', async (t) => {
    const ghost = await request('robot', { boundObjectRef: { ...podRef, name: 'ghost' } });
    t.equal(ghost.status, 404);
    t.equal(ghost.json.message, 'pods "ghost" not found');
    t.same(ghost.json.details, { name: 'ghost', kind: 'pods' });
    t.equal((await request('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 'ghost' } })).json.message, 'secrets "ghost" not found');
    t.equal((await request('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Node', name: 'ghost' } })).json.message, 'nodes "ghost" not found');

    const wrong = await request('robot', { boundObjectRef: { ...podRef, uid: 'not-the-uid' } });
    t.equal(wrong.status, 409);
    t.equal(wrong.json.reason, 'Conflict');
    t.equal(wrong.json.message, 'Operation cannot be fulfilled on Pod "p1": the UID in the bound object reference (not-the-uid) does not match the UID in record. The object might have been deleted and then recreated');
    t.same(wrong.json.details, { name: 'p1', kind: 'Pod' });
    t.equal((await request('robot', { boundObjectRef: { ...podRef, uid: pod.metadata.uid } })).status, 201, 'the right uid is accepted');

    const other = await request('default', { boundObjectRef: podRef });
    t.equal(other.status, 400);
    t.equal(other.json.message, 'cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.');
    const cm = await request('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' } });
    t.equal(cm.status, 400);
    t.equal(cm.json.message, 'cannot bind token to object of type /v1, Kind=ConfigMap');
    const oldNode = await request('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } }, o);
    t.equal(oldNode.status, 400);
    t.equal(oldNode.json.message, 'cannot bind token to object of type /v1, Kind=Node', '1.28 does not know Node binding');

    const short = await request('robot', { expirationSeconds: 599 });
    t.equal(short.status, 422);
    t.equal(short.json.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
    const long = await request('robot', { expirationSeconds: 2 ** 32 + 1 });
    t.equal(long.status, 422);
    t.equal(long.json.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds');
    const max = await request('robot', { expirationSeconds: 2 ** 32 });
    t.equal(max.status, 201, '2^32 s itself is allowed');
    const mc = claimsOf(max.json.status.token);
    t.equal(mc.exp - mc.iat, 2 ** 32);

    if (KUBECTL) {
      const k = await createToken(['robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'ghost']);
      t.not(k.code, 0);
      t.equal(k.stderr.trim(), 'error: failed to create token: pods "ghost" not found');
    }
  });

  t.test('a token stops authenticating when its bound object is deleted or recreated', async (t) => {
    const podToken = (await request('robot', { boundObjectRef: podRef })).json.status.token;
    const secretToken = (await request('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 's1' } })).json.status.token;
    const nodeToken = (await request('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } })).json.status.token;
    for (const token of [podToken, secretToken, nodeToken]) t.equal((await review(token)).authenticated, true);

    t.equal((await admin('DELETE', '/api/v1/namespaces/default/pods/p1?gracePeriodSeconds=0')).status, 200);
    t.equal((await admin('DELETE', '/api/v1/namespaces/default/secrets/s1')).status, 200);
    t.equal((await admin('DELETE', '/api/v1/nodes/node-1')).status, 200);
    for (const [what, token] of [['pod', podToken], ['secret', secretToken], ['node', nodeToken]] as const) {
      const status = await review(token);
      t.equal(status.authenticated, undefined, `${what}: not authenticated`);
      t.equal(status.error, 'service account token has been invalidated', `${what}: upstream's text`);
      t.equal((await bearer(a, token, 'GET', '/api/v1/namespaces/default/pods')).status, 401, `${what}: the bearer is a 401`);
      // 1.28 does not read the node claim, so the node-bound token still authenticates there (RBAC then refuses it).
      t.equal((await bearer(o, token, 'GET', '/api/v1/namespaces/default/pods')).status, what === 'node' ? 403 : 401, `${what}: on 1.28`);
    }

    const again = (await admin('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p1' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } })).json;
    t.not(again.metadata.uid, pod.metadata.uid, 'a new p1');
    const recreated = await poll(() => review(podToken), (s) => s.error !== 'service account token has been invalidated', 10_000, 200);
    t.equal(recreated.value.error, `pod UID (${again.metadata.uid}) does not match service account pod ref claim (${pod.metadata.uid})`);
  });
});
