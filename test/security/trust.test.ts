/**
 * Trust between clients and servers, and between servers, on one real cluster: `a` (1.35, with
 * authentication.k8s.io/v1 and authorization.k8s.io/v1 switched off, so its self reviews and the
 * 1.36-only mutatingadmissionpolicies go through the peer hop) and `b` (1.36), both with an
 * authorization policy file. The policy lets `alice` do everything and `bob` (a certificate the
 * cluster CA signed) only read namespaces and list mutatingadmissionpolicies, so a forged identity
 * that were believed would show as an answer bob cannot get.
 *
 * Proved here, directly and through the peer hop (where `b` sees the user `a` passes on with the
 * proxy-client certificate):
 * - X-Remote-User, -Group, -Uid and -Extra-* from a client without the front-proxy certificate change
 *   nothing: SelfSubjectReview, SelfSubjectAccessReview and the policy all see the real user;
 * - the admin certificate with those headers stays the admin; the front-proxy certificate with them
 *   is believed (the control that shows the headers would work from the right certificate);
 * - a client certificate that no authenticator accepts is a 401 with upstream's body, never
 *   anonymous: an unknown CA, a front-proxy CN outside `--requestheader-allowed-names`, the
 *   front-proxy certificate without X-Remote-User, a certificate not made for client auth;
 * - `x-kubernetes-peer-proxied: true` from a client only stops proxying;
 * - plain HTTP on a secure port gets Go's `400 Client sent an HTTP request to an HTTPS server.`;
 * - `kube-skew up` writes no credential but the kubeconfig outside its PKI directory, every file
 *   0600 and every directory it makes 0700.
 * A source with a wrong peer CA or a wrong proxy-client certificate is in peer-trust.test.ts; what a
 * proxied request carries (headers, Audit-ID, no Authorization) and the 404 shapes of the
 * peer-proxied header are in test/peers/proxy.test.ts.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CLI } from '../fixtures/cli.js';
import { startCluster, tempDir, urlOf } from '../fixtures/cluster.js';
import { createCA } from '../../server/cluster/pki.js';
import { PLAIN_HTTP_ANSWER } from '../../server/http/plain-http.js';
import { header, MAP_PATH, metricsOf, metricSum, NOT_FOUND_STATUS, poll } from '../peers/helpers.js';
import { FORGED, identities, rawExchange, send, SSAR_PATH, ssar, SSR, SSR_PATH, UNAUTHORIZED_BODY } from './helpers.js';

const POLICY = `
- {user: alice, verbs: ["*"], resources: ["*"]}
- {user: alice, verbs: ["*"], nonResourceURLs: ["*"]}
- {user: bob, verbs: [get, list], resources: [namespaces]}
- {user: bob, verbs: [list], apiGroups: [admissionregistration.k8s.io], resources: [mutatingadmissionpolicies]}
`;
const SECRETS = '/api/v1/namespaces/default/secrets';
const BOB = { username: 'bob', groups: ['system:authenticated'] };
const ADMIN = { username: 'kube-skew-admin', groups: ['system:masters', 'system:authenticated'] };

t.test('trust between clients and servers, and across the peer hop', async (t) => {
  const dir = await tempDir(t, 'kube-skew-trust-');
  const policyFile = join(dir, 'policy.yaml');
  await writeFile(policyFile, POLICY);
  // No controllers: their identity is not in the policy, and nothing here needs them.
  const common = [`--authorization-policy-file=${policyFile}`, '--controllers='];
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35', runtimeConfig: 'authentication.k8s.io/v1=false,authorization.k8s.io/v1=false', args: common },
    { name: 'b', minor: '1.36', args: common },
  ]);
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');
  const id = await identities(cluster);
  const synced = await poll(() => send(cluster, id.admin, a, 'POST', SSR_PATH, { body: SSR }), (r) => r.status === 201, 20_000);
  t.ok(synced.ok, `a proxies its self reviews to b once it has synced (last: ${synced.value.status} ${synced.value.text})`);

  /** A SelfSubjectReview's user as `url` (directly or through the hop) sees it. */
  const whoAmI = async (who: Parameters<typeof send>[1], url: string, headers: Record<string, string> = {}) => {
    const res = await send(cluster, who, url, 'POST', SSR_PATH, { body: SSR, headers });
    return { status: res.status, servedBy: header(res, 'x-kube-skew-served-by'), proxied: header(res, 'x-kube-skew-received-proxied'), user: res.json?.status?.userInfo, text: res.text };
  };
  const canI = async (who: Parameters<typeof send>[1], url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await send(cluster, who, url, 'POST', SSAR_PATH, { body, headers });
    return { status: res.status, servedBy: header(res, 'x-kube-skew-served-by'), allowed: res.json?.status?.allowed, text: res.text };
  };

  t.test('forged X-Remote-* from a client without the front-proxy certificate change nothing', async (t) => {
    for (const [where, url] of [['directly at b', b], ['through a, proxied to b', a]] as const) {
      const me = await whoAmI(id.bob, url, FORGED);
      t.equal(me.status, 201, `${where}: ${me.text}`);
      t.equal(me.servedBy, 'b', `${where}: b answered`);
      t.equal(me.proxied, url === a ? 'true' : 'false', `${where}: ${url === a ? 'over the peer hop' : 'not proxied'}`);
      t.same(me.user, BOB, `${where}: SelfSubjectReview sees bob, without the forged group, extra or uid`);
      const review = await canI(id.bob, url, ssar('list', 'secrets', 'default'), FORGED);
      t.equal(review.status, 201, review.text);
      t.equal(review.allowed, false, `${where}: SelfSubjectAccessReview answers for bob, who may not list secrets`);
      t.equal((await canI(id.bob, url, ssar('list', 'namespaces'), FORGED)).allowed, true, `${where}: and may list namespaces`);
    }
    const denied = await send(cluster, id.bob, b, 'GET', SECRETS, { headers: FORGED });
    t.equal(denied.status, 403, 'the policy denies bob what the forged alice/system:masters could do');
    t.equal(denied.json.message, 'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default"');
    const deniedAtA = await send(cluster, id.bob, a, 'GET', SECRETS, { headers: FORGED });
    t.equal(deniedAtA.status, 403, 'a denies it too');
    t.equal(deniedAtA.json.message, denied.json.message);
    const createAtA = await send(cluster, id.bob, a, 'POST', MAP_PATH, { headers: FORGED, body: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingAdmissionPolicy', metadata: { name: 'forged' } } });
    t.equal(createAtA.status, 403, 'a create bob may not do is refused by the source, never proxied');
    t.equal(header(createAtA, 'x-kube-skew-served-by'), 'a');
    t.equal(createAtA.json.message, 'mutatingadmissionpolicies.admissionregistration.k8s.io is forbidden: User "bob" cannot create resource "mutatingadmissionpolicies" in API group "admissionregistration.k8s.io" at the cluster scope');

    for (const url of [a, b]) {
      const anon = await send(cluster, 'anonymous', url, 'GET', SECRETS, { headers: FORGED });
      t.equal(anon.status, 403, 'an anonymous client with forged headers stays anonymous');
      t.equal(anon.json.message, 'secrets is forbidden: User "system:anonymous" cannot list resource "secrets" in API group "" in the namespace "default"');
      t.equal((await whoAmI('anonymous', url, FORGED)).status, 403, 'and may not even ask who it is (self reviews are for authenticated users)');
    }
  });

  t.test('the admin certificate with X-Remote-* stays the admin; the front-proxy certificate is believed', async (t) => {
    for (const url of [b, a]) {
      t.same((await whoAmI(id.admin, url, { ...FORGED, 'x-remote-group': 'ordinary' })).user, ADMIN, `admin at ${url === a ? 'a (proxied)' : 'b'}`);
      const control = await whoAmI(id.frontProxy, url, { 'x-remote-user': 'alice', 'x-remote-group': 'devs', 'x-remote-extra-scopes': 'all' });
      t.same(control.user, { username: 'alice', groups: ['devs', 'system:authenticated'], extra: { scopes: ['all'] } }, 'the front-proxy certificate acts as alice');
      t.equal((await send(cluster, id.frontProxy, url, 'GET', SECRETS, { headers: { 'x-remote-user': 'alice' } })).status, 200, 'and alice may list secrets');
    }
  });

  t.test('a client certificate no authenticator accepts is a 401, never anonymous', async (t) => {
    const m0 = await metricsOf(cluster, a);
    const cases = [
      ['a certificate from an unknown CA (same CA name, other key)', id.stranger, {}],
      ['the same with forged identity headers', id.stranger, FORGED],
      ['a front-proxy certificate whose CN is not an allowed name', id.intruder, FORGED],
      ['the front-proxy certificate without X-Remote-User', id.frontProxy, { 'x-remote-group': 'system:masters' }],
      ['a certificate of the cluster CA made for server auth only', id.serving, {}],
    ] as const;
    for (const [what, who, headers] of cases) {
      for (const url of [b, a]) {
        const res = await send(cluster, who, url, 'GET', '/api/v1/namespaces', { headers });
        t.equal(res.status, 401, `${what} at ${url === a ? 'a' : 'b'}`);
        t.equal(res.text, UNAUTHORIZED_BODY, 'upstream\'s 401 body');
        t.equal(header(res, 'content-type'), 'application/json');
      }
      const review = await whoAmI(who, a);
      t.equal(review.status, 401, `${what}: a self review through a is refused by a`);
      t.equal(review.servedBy, 'a', 'the source answers it, never proxied');
    }
    const m1 = await metricsOf(cluster, a);
    t.equal(metricSum(m1, 'apiserver_rerouted_request_total'), metricSum(m0, 'apiserver_rerouted_request_total'), 'a rerouted none of them');
    const open = await send(cluster, 'anonymous', b, 'GET', '/version');
    t.equal(open.status, 200, 'without any certificate a client is anonymous and reads /version');
  });

  t.test('x-kubernetes-peer-proxied from a client stops proxying and grants nothing', async (t) => {
    const marked = { ...FORGED, 'x-kubernetes-peer-proxied': 'true' };
    const local = await send(cluster, id.bob, a, 'GET', MAP_PATH, { headers: marked });
    t.equal(local.status, 404, 'a serves the 1.36-only list itself: its local 404');
    t.same(local.json, NOT_FOUND_STATUS);
    t.equal((await send(cluster, id.bob, a, 'GET', MAP_PATH, { headers: FORGED })).status, 200, 'without the header it is proxied to b, and bob may list it');
    const review = await whoAmI(id.bob, a, marked);
    t.equal(review.status, 404, 'a self review marked as proxied stays at a, which does not serve the group');
    t.equal(review.text, '404 page not found\n');
    const atB = await whoAmI(id.bob, b, marked);
    t.same(atB.user, BOB, 'at b the marked request is still bob, not the forged user');
    t.equal(atB.proxied, 'true', 'b saw the header');
    t.equal((await canI(id.bob, b, ssar('list', 'secrets', 'default'), marked)).allowed, false, 'and bob still may not list secrets');
    t.equal((await send(cluster, id.bob, b, 'GET', SECRETS, { headers: marked })).status, 403, 'the policy still applies');
    t.equal((await send(cluster, 'anonymous', b, 'GET', SECRETS, { headers: marked })).status, 403, 'anonymous with the header: still anonymous, still denied');
    t.equal((await send(cluster, id.stranger, b, 'GET', SECRETS, { headers: marked })).status, 401, 'an unknown CA with the header: still 401');
  });

  t.test('plain HTTP on a secure port is answered as Go answers it, never served', async (t) => {
    for (const name of ['a', 'b']) {
      const port = cluster.server(name).info!.port;
      for (const request of ['GET /version HTTP/1.1\r\nHost: x\r\n\r\n', 'POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}', 'PUT /api HTTP/1.1\r\n\r\n', 'HEAD /version HTTP/1.1\r\n\r\n', 'OPTIONS * HTTP/1.1\r\n\r\n']) {
        const { reply, closed } = await rawExchange(port, request);
        t.equal(reply, PLAIN_HTTP_ANSWER, `${name}: ${request.split(' ')[0]}: HTTP/1.0 400, "Client sent an HTTP request to an HTTPS server."`);
        t.ok(closed, 'and the connection is closed');
      }
      const other = await rawExchange(port, 'DELETE /api/v1/namespaces/default HTTP/1.1\r\n\r\n');
      t.same(other, { reply: '', closed: true }, `${name}: other starts fail the TLS handshake: closed without an answer (as in Go)`);
      const split = await rawExchange(port, 'GE', 1_000);
      t.same(split, { reply: '', closed: false }, 'fewer than five bytes: the server waits for the rest of the record header');
    }
    t.equal((await send(cluster, id.admin, a, 'GET', '/api/v1/namespaces/default')).status, 200, 'HTTPS on the same port still works');
    const { reply } = await rawExchange(Number(new URL(cluster.frontDoorURL).port), 'GET /api/v1/namespaces/default HTTP/1.1\r\nHost: x\r\n\r\n');
    t.equal(reply, PLAIN_HTTP_ANSWER, 'through the front door (TCP passthrough) too');
  });
});

/** Every entry under `dir`, relative, with its mode. */
async function tree(dir: string, prefix = ''): Promise<Array<{ path: string; dir: boolean; mode: number }>> {
  const out: Array<{ path: string; dir: boolean; mode: number }> = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = join(prefix, entry.name);
    out.push({ path, dir: entry.isDirectory(), mode: (await stat(join(dir, path))).mode & 0o777 });
    if (entry.isDirectory()) out.push(...(await tree(dir, path)));
  }
  return out;
}

/** Run `kube-skew up` in `dataDir` until ready, then stop it with SIGTERM. */
async function upOnce(t: Test, dataDir: string): Promise<void> {
  const up = spawn(process.execPath, [CLI, 'up', '--servers', '1.36', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => up.kill('SIGKILL'));
  let out = '';
  up.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('ready') && up.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.match(out, /ready/, 'up is ready');
  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'up stopped cleanly');
}

const KEY_PEM_BASE64 = Buffer.from('-----BEGIN PRIVATE KEY-----').toString('base64').slice(0, 32);

t.test('up writes the kubeconfig as its only credential outside pki/, all of it owner-only', async (t) => {
  const root = await tempDir(t, 'kube-skew-files-');
  const fresh = join(root, 'fresh');
  await upOnce(t, fresh);
  const entries = await tree(fresh);
  t.equal((await stat(fresh)).mode & 0o777, 0o700, 'the data directory up makes is 0700');
  t.same(entries.filter((e) => e.dir).map((e) => [e.path, e.mode]).sort(), [['logs', 0o700], ['pki', 0o700]], 'two directories: logs and pki, 0700');
  t.same(entries.filter((e) => !e.dir && e.mode !== 0o600).map((e) => e.path), [], 'every file is 0600');
  const outside = entries.filter((e) => !e.dir && !e.path.startsWith('pki/')).map((e) => e.path).sort();
  t.same(outside.filter((p) => !p.startsWith('store.db')), ['clock.json', 'cluster.json', 'kubeconfig', 'logs/s1.log'], 'outside pki/: the kubeconfig, cluster.json, the clock file, the server\'s log and the store');
  const withKeys: string[] = [];
  for (const path of outside) {
    const text = await readFile(join(fresh, path), 'latin1');
    if (text.includes('PRIVATE KEY') || text.includes(KEY_PEM_BASE64)) withKeys.push(path);
  }
  t.same(withKeys, ['kubeconfig'], 'only the kubeconfig holds a private key');
  const kubeconfig = parseYaml(await readFile(join(fresh, 'kubeconfig'), 'utf8'));
  t.same(kubeconfig.users.map((u: { name: string }) => u.name), ['skew-admin'], 'one user: the admin');

  // A data directory the user made, with files a looser earlier run left: up narrows what it writes.
  const kept = join(root, 'kept');
  await mkdir(join(kept, 'pki'), { recursive: true, mode: 0o755 });
  await chmod(join(kept, 'pki'), 0o755);
  const oldCA = await createCA('kube-skew-ca');
  await writeFile(join(kept, 'pki', 'ca.crt'), oldCA.cert, { mode: 0o644 });
  await writeFile(join(kept, 'pki', 'ca.key'), oldCA.key, { mode: 0o644 });
  await writeFile(join(kept, 'kubeconfig'), 'stale\n', { mode: 0o644 });
  await writeFile(join(kept, 'store.db'), '', { mode: 0o644 });
  await mkdir(join(kept, 'logs'), { mode: 0o755 });
  await chmod(join(kept, 'logs'), 0o755);
  await writeFile(join(kept, 'logs', 's1.log'), '', { mode: 0o644 });
  await chmod(kept, 0o755);
  await upOnce(t, kept);
  const after = await tree(kept);
  t.equal((await readFile(join(kept, 'pki', 'ca.crt'), 'utf8')), oldCA.cert, 'the earlier CA is reused');
  t.same(after.filter((e) => e.dir).map((e) => [e.path, e.mode]).sort(), [['logs', 0o700], ['pki', 0o700]], 'pki/ and logs/ narrowed to 0700');
  t.same(after.filter((e) => !e.dir && e.mode !== 0o600).map((e) => e.path), [], 'every file narrowed to 0600 (kubeconfig, reused keys, store, log)');
  t.not((await readFile(join(kept, 'kubeconfig'), 'utf8')), 'stale\n', 'the kubeconfig was rewritten');
  t.equal((await stat(kept)).mode & 0o777, 0o755, "the user's own data directory keeps its mode");
});
