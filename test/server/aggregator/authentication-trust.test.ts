/**
 * The extension-apiserver-authentication ConfigMap's data, as the clusterauthenticationtrust
 * controller merges it: JSON-array lists as ordered unions, certificate bundles deduplicated with
 * expired certificates dropped, request-header keys only with a front-proxy CA, and
 * `requestheader-uid-headers` only from servers whose minor has it.
 */
import t from 'tap';
import { createCA } from '../../../server/cluster/pki.js';
import { combineCertificates, mergedAuthenticationData, type AuthenticationInfo } from '../../../server/aggregator/authentication-trust.js';
import { publishesUidHeaders } from '../../../versions/authentication.js';

const now = new Date();
const headers = { usernameHeaders: ['X-Remote-User'], groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'] };

t.test('one server publishes its settings as JSON arrays', async (t) => {
  const [client, proxy] = await Promise.all([createCA('client'), createCA('proxy')]);
  const info: AuthenticationInfo = { clientCA: client.cert, requestHeaderCA: proxy.cert, requestHeaderAllowedNames: ['front-proxy-client'], ...headers, uidHeaders: [] };
  t.same(mergedAuthenticationData({}, info, now), {
    'client-ca-file': client.cert,
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-uid-headers': '[]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-client-ca-file': proxy.cert,
    'requestheader-allowed-names': '["front-proxy-client"]',
  });
});

t.test('servers with different settings end with the union, in order, without duplicates', async (t) => {
  const [client, proxyA, proxyB] = await Promise.all([createCA('client'), createCA('proxy-a'), createCA('proxy-b')]);
  const a: AuthenticationInfo = { clientCA: client.cert, requestHeaderCA: proxyA.cert, requestHeaderAllowedNames: ['front-proxy-client'], ...headers };
  const b: AuthenticationInfo = { clientCA: client.cert, requestHeaderCA: proxyB.cert, requestHeaderAllowedNames: ['aggregator', 'front-proxy-client'], ...headers, usernameHeaders: ['X-Remote-User', 'X-User'], uidHeaders: ['X-Remote-Uid'] };
  const afterA = mergedAuthenticationData({}, a, now);
  t.notOk('requestheader-uid-headers' in afterA, 'a minor without UID headers writes no such key');
  const afterB = mergedAuthenticationData(afterA, b, now);
  t.equal(afterB['client-ca-file'], client.cert, 'the same CA once');
  t.equal(afterB['requestheader-client-ca-file'], proxyA.cert + proxyB.cert, 'both front-proxy CAs, the existing first');
  t.equal(afterB['requestheader-allowed-names'], '["front-proxy-client","aggregator"]');
  t.equal(afterB['requestheader-username-headers'], '["X-Remote-User","X-User"]');
  t.equal(afterB['requestheader-uid-headers'], '["X-Remote-Uid"]');
  // The older server's next sync keeps the union, but it knows no UID headers: it writes the data
  // without that key, and the newer server adds it back at its next sync (upstream's skew as well).
  const { ['requestheader-uid-headers']: _uid, ...withoutUid } = afterB;
  t.same(mergedAuthenticationData(afterB, a, now), withoutUid);
});

t.test('no front-proxy CA: only client-ca-file; expired certificates are dropped', async (t) => {
  const [client, expired] = await Promise.all([createCA('client'), createCA('old', -1)]);
  t.same(mergedAuthenticationData({}, { clientCA: client.cert, requestHeaderAllowedNames: [], ...headers }, now), { 'client-ca-file': client.cert });
  t.equal(combineCertificates(now, expired.cert, client.cert), client.cert);
  t.same(mergedAuthenticationData({}, { requestHeaderAllowedNames: [], ...headers }, now), {});
});

t.test('the minors that publish requestheader-uid-headers', async (t) => {
  t.notOk(publishesUidHeaders(31));
  t.ok(publishesUidHeaders(32));
  t.ok(publishesUidHeaders(36));
});
