/**
 * Trust on the peer hop, on one real Gen A cluster (1.32: routing from StorageVersion objects, so a
 * source routes to its peer without first fetching the peer's discovery over the hop). `c` serves
 * Jobs; three sources with batch/v1 off forward Jobs to it, each misconfigured in one way:
 * - `w` trusts the wrong peer CA: it refuses c's serving certificate, and answers upstream's
 *   plain-text 503 with the TLS error;
 * - `x` presents a proxy-client certificate from a CA c does not trust, and `y` one from the right
 *   CA whose CN is not in c's `--requestheader-allowed-names`: c answers 401 (never anonymous), and
 *   the source relays it unchanged.
 * `c` also trusts the cluster CA for request headers, so a certificate that passes the request-header
 * CA but not the allowed names is then authenticated by the x509 authenticator as itself, as
 * upstream's union of authenticators does.
 */
import t from 'tap';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { startCluster, tempDir, urlOf } from '../fixtures/cluster.js';
import { ensurePKI } from '../../server/cluster/cluster.js';
import { createCA, signCert, writeKeyPair } from '../../server/cluster/pki.js';
import { header, metricsOf, poll, seriesValue } from '../peers/helpers.js';
import { FORGED, identities, send, SSR, SSR_PATH, UNAUTHORIZED_BODY } from './helpers.js';

const JOBS = '/apis/batch/v1/namespaces/default/jobs';
const SOURCE = { minor: '1.32', runtimeConfig: 'batch/v1=false' };

t.test('Gen A sources that do not trust, or are not trusted by, their peer', async (t) => {
  const dataDir = await tempDir(t, 'kube-skew-peer-trust-');
  // The cluster reuses this PKI; the misconfigured material is made from it (or beside it) first.
  const pki = await ensurePKI(dataDir);
  const certs = join(dataDir, 'wrong');
  const otherCA = await createCA('kube-skew-ca');
  const wrongPeerCA = join(certs, 'other-ca.crt');
  await writeKeyPair(certs, 'other-ca', otherCA);
  const stranger = await writeKeyPair(certs, 'stranger-proxy-client', await signCert(otherCA, { commonName: 'front-proxy-client', usage: 'client' }));
  const intruder = await writeKeyPair(certs, 'intruder-proxy-client', await signCert(pki.frontProxyCA, { commonName: 'intruder', usage: 'client' }));
  const bundle = join(certs, 'requestheader-bundle.crt');
  await writeFile(bundle, pki.frontProxyCA.cert + pki.ca.cert);
  const quiet = '--controllers=';
  const cluster = await startCluster(
    t,
    [
      { name: 'c', minor: '1.32', args: [`--requestheader-client-ca-file=${bundle}`] },
      { name: 'w', ...SOURCE, args: [quiet, `--peer-ca-file=${wrongPeerCA}`] },
      { name: 'x', ...SOURCE, args: [quiet, `--proxy-client-cert-file=${stranger.certFile}`, `--proxy-client-key-file=${stranger.keyFile}`] },
      { name: 'y', ...SOURCE, args: [quiet, `--proxy-client-cert-file=${intruder.certFile}`, `--proxy-client-key-file=${intruder.keyFile}`] },
    ],
    // Trust between servers is under test: AlwaysAllow, so that every caller (anonymous too) reaches
    // the proxy, as library clusters otherwise run RBAC and refuse anonymous before the hop.
    { dataDir, args: ['--authorization-mode=AlwaysAllow'] },
  );
  const id = await identities(cluster);
  const c = urlOf(cluster, 'c');
  const created = await send(cluster, id.admin, c, 'POST', JOBS, {
    body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'trust' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
  });
  t.equal(created.status, 201, created.text);
  /** Poll a source until it routes Jobs to c (no longer its local 404 or the no-endpoint Status 503). */
  const routed = (name: string, who: Parameters<typeof send>[1] = id.admin) =>
    poll(() => send(cluster, who, urlOf(cluster, name), 'GET', JOBS), (r) => r.status !== 404 && !(r.status === 503 && header(r, 'content-type') === 'application/json'), 30_000, 200);

  t.test('a source with the wrong peer CA refuses the peer: plain-text 503', async (t) => {
    const m0 = await metricsOf(cluster, urlOf(cluster, 'w'));
    const res = await routed('w');
    t.ok(res.ok, `w routes Jobs to c (last: ${res.value.status} ${res.value.text})`);
    t.equal(res.value.status, 503);
    t.equal(res.value.text, 'tls: failed to verify certificate: x509: certificate signed by unknown authority\n', 'the TLS error text and a newline, as http.Error writes it');
    t.equal(header(res.value, 'content-type'), 'text/plain; charset=utf-8');
    t.equal(header(res.value, 'x-content-type-options'), 'nosniff');
    t.equal(header(res.value, 'x-kube-skew-served-by'), 'w', 'w answered: nothing reached c');
    const m1 = await metricsOf(cluster, urlOf(cluster, 'w'));
    t.ok(seriesValue(m1, 'apiserver_rerouted_request_total{code="503"}') > seriesValue(m0, 'apiserver_rerouted_request_total{code="503"}'), 'counted as a rerouted 503');
    const anon = await send(cluster, 'anonymous', urlOf(cluster, 'w'), 'GET', JOBS);
    t.equal(anon.status, 503, 'whoever asks');
  });

  for (const [name, what] of [
    ['x', 'a proxy-client certificate from a CA the peer does not trust'],
    ['y', 'a proxy-client certificate whose CN is not an allowed name'],
  ] as const) {
    t.test(`a source with ${what}: the peer answers 401, relayed`, async (t) => {
      const res = await routed(name);
      t.ok(res.ok, `${name} routes Jobs to c (last: ${res.value.status} ${res.value.text})`);
      t.equal(res.value.status, 401, 'the admin through this source is not believed by c');
      t.equal(res.value.text, UNAUTHORIZED_BODY, "c's 401, relayed unchanged");
      t.equal(header(res.value, 'x-kube-skew-served-by'), 'c', 'c answered');
      t.equal(header(res.value, 'x-kube-skew-received-proxied'), 'true', 'over the peer hop');
      const anon = await send(cluster, 'anonymous', urlOf(cluster, name), 'GET', JOBS, { headers: FORGED });
      t.equal(anon.status, 401, 'an anonymous caller through it is refused too, not served as anonymous');
      const local = await send(cluster, id.admin, urlOf(cluster, name), 'GET', '/api/v1/namespaces/default');
      t.equal(local.status, 200, `${name} still serves what it has itself`);
    });
  }

  t.test('a request-header CN that is not allowed falls back to the x509 authenticator', async (t) => {
    const bob = await send(cluster, id.bob, c, 'POST', SSR_PATH, { body: SSR, headers: FORGED });
    t.equal(bob.status, 201, bob.text);
    t.same(bob.json.status.userInfo, { username: 'bob', groups: ['system:authenticated'] }, "c's request-header CA signed bob, but bob is not an allowed name: bob as himself, headers ignored");
    const admin = await send(cluster, id.admin, c, 'POST', SSR_PATH, { body: SSR, headers: FORGED });
    t.same(admin.json.status.userInfo, { username: 'kube-skew-admin', groups: ['system:masters', 'system:authenticated'] }, 'the admin stays the admin');
    const proxy = await send(cluster, id.frontProxy, c, 'POST', SSR_PATH, { body: SSR, headers: { 'x-remote-user': 'alice' } });
    t.same(proxy.json.status.userInfo, { username: 'alice', groups: ['system:authenticated'] }, 'the allowed front-proxy name is believed');
    const intruderAtC = await send(cluster, id.intruder, c, 'GET', JOBS, { headers: FORGED });
    t.equal(intruderAtC.status, 401, 'a CN that is not allowed and that the client CA did not sign: 401');
  });
});
