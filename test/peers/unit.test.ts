/**
 * In-process tables for the peer layer, without servers: the discovery merge, the APIServerID, peer
 * endpoint resolution by release, Go's query encoding, transport error texts, the proxy filter's
 * decision flow with its metrics, flag validation, StorageVersion bookkeeping, and the front door.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { createConnection, createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { mergeGroups, mergePreservingRelativeOrder } from '../../server/peers/merged-discovery.js';
import type { APIGroupDiscovery, APIResourceDiscovery } from '../../server/endpoints/discovery-docs.js';
import { apiServerID } from '../../server/peers/identity.js';
import { resolvePeers, type GVR, type PeerRouter, type RouteDecision } from '../../server/peers/routing.js';
import { PEER_LEASE_PREFIX, getPeerEndpoint, joinHostPort, splitHostPort } from '../../server/peers/endpoint-lease.js';
import { encodeQuerySorted, identityHeaders, transportErrorText, type ForwardResult, type PeerTransport } from '../../server/peers/transport.js';
import { NO_ENDPOINT_MESSAGE, withPeerProxy } from '../../server/peers/proxy-filter.js';
import { MvpMetrics } from '../../server/peers/metrics.js';
import { peerAddress, validatePeerFlags } from '../../server/peers/peers.js';
import { withCommonVersion, storageVersionName } from '../../server/peers/storage-versions.js';
import { leaseExpired, microTime } from '../../server/peers/identity-lease.js';
import { FrontDoor, parseLbPolicy, type Backend } from '../../server/cluster/front-door.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { loadProfile } from '../../versions/profile.js';
import { parseServerConfig } from '../../server/config.js';
import { parseFlags } from '../../server/main.js';
import { isStatusError } from '../../server/errors/status.js';
import type { RequestContext } from '../../server/http/context.js';

t.test('mergePreservingRelativeOrder', async (t) => {
  const cases: Array<{ name: string; lists: string[][]; want: string[] }> = [
    { name: 'no lists', lists: [], want: [] },
    { name: 'a list holding every item is used as is', lists: [['a', 'b', 'c'], ['b', 'c']], want: ['a', 'b', 'c'] },
    { name: 'the first list holding every item wins', lists: [['b', 'c', 'a'], ['a', 'b', 'c']], want: ['b', 'c', 'a'] },
    { name: 'ties broken lexicographically', lists: [['a', 'c'], ['b', 'c']], want: ['a', 'b', 'c'] },
    { name: 'ties broken lexicographically (inputs swapped)', lists: [['b', 'c'], ['a', 'c']], want: ['a', 'b', 'c'] },
    { name: 'relative order kept across lists', lists: [['x', 'a'], ['x', 'b'], ['c']], want: ['c', 'x', 'a', 'b'] },
    { name: 'a chain through two lists', lists: [['z', 'y'], ['y', 'a']], want: ['z', 'y', 'a'] },
    { name: 'contradicting orders fall back to a full lexicographic sort', lists: [['b', 'a'], ['a', 'b'], ['c']], want: ['a', 'b', 'c'] },
    { name: 'a list with duplicates never takes the shortcut', lists: [['a', 'a'], ['b', 'a']], want: ['b', 'a'] },
  ];
  for (const c of cases) t.same(mergePreservingRelativeOrder(c.lists.map((l) => [...l])), c.want, c.name);
  const input = [['kube', 'apps', 'batch'], ['apps', 'policy'], ['kube', 'zeta']];
  t.same(mergePreservingRelativeOrder(input), mergePreservingRelativeOrder(structuredClone(input)), 'deterministic');
  t.same(mergePreservingRelativeOrder(input), ['kube', 'apps', 'batch', 'policy', 'zeta']);
  const lists = [['a'], ['b']];
  mergePreservingRelativeOrder(lists);
  t.same(lists, [['a'], ['b']], 'inputs are not modified');
});

function resource(name: string, verbs: string[], extra: Partial<APIResourceDiscovery> = {}): APIResourceDiscovery {
  return { resource: name, responseKind: { group: '', version: '', kind: name }, scope: 'Cluster', verbs, ...extra } as APIResourceDiscovery;
}

function group(name: string, versions: Array<[string, APIResourceDiscovery[]]>, freshness = 'Current'): APIGroupDiscovery {
  return { metadata: { name }, versions: versions.map(([version, resources]) => ({ version, resources, freshness })) } as APIGroupDiscovery;
}

t.test('mergeGroups', async (t) => {
  const first = [
    group('apps', [['v1', [resource('deployments', ['get', 'list']), resource('daemonsets', ['get'])]]]),
    group('admissionregistration.k8s.io', [['v1', [resource('validatingadmissionpolicies', ['get'])]]]),
  ];
  const second = [
    group('apps', [['v1', [resource('deployments', ['watch', 'create', 'get'], { scope: 'Namespaced', subresources: [{ subresource: 'status', verbs: ['get'] }] as never }), resource('daemonsets', ['get'])]]]),
    group('admissionregistration.k8s.io', [
      ['v1', [resource('mutatingadmissionpolicies', ['get']), resource('validatingadmissionpolicies', ['get'])]],
      ['v1beta1', [resource('mutatingadmissionpolicies', ['get'])]],
    ], 'Stale'),
    group('batch', [['v1', [resource('jobs', ['get'])]]]),
  ];
  const merged = mergeGroups([first, second]);
  t.same(merged.map((g) => g.metadata.name), ['apps', 'admissionregistration.k8s.io', 'batch'], 'a new group is added after the known ones');
  const deployments = merged[0]!.versions[0]!.resources.find((r) => r.resource === 'deployments')!;
  t.same(deployments.verbs, ['create', 'get', 'list', 'watch'], 'differing resource: union of verbs, sorted');
  t.equal(deployments.scope, 'Cluster', "differing resource: the first-seen resource's other fields");
  t.same((deployments.subresources ?? []).map((s) => s.subresource), ['status'], 'and the union of subresources');
  const daemonsets = merged[0]!.versions[0]!.resources.find((r) => r.resource === 'daemonsets')!;
  t.same(daemonsets, first[0]!.versions[0]!.resources[1], 'an identical resource is kept as is');
  const admission = merged[1]!;
  t.same(admission.versions.map((v) => v.version), ['v1', 'v1beta1'], 'a new version is added');
  t.same(admission.versions[0]!.resources.map((r) => r.resource), ['mutatingadmissionpolicies', 'validatingadmissionpolicies'], 'a new resource is added, in relative order');
  t.equal(admission.versions[0]!.freshness, 'Current', "a merged version keeps the first side's freshness");
  t.same(mergeGroups([first, second]), merged, 'deterministic');
  t.same(mergeGroups([first]), first, 'one server: its own list');

  const subsA = [group('g', [['v1', [resource('r', ['get'], { subresources: [{ subresource: 'scale', verbs: ['get'] }, { subresource: 'status', verbs: ['get'] }] as never })]]])];
  const subsB = [group('g', [['v1', [resource('r', ['get'], { subresources: [{ subresource: 'eviction', verbs: ['create'] }, { subresource: 'status', verbs: ['patch'] }] as never })]]])];
  const subs = mergeGroups([subsA, subsB])[0]!.versions[0]!.resources[0]!.subresources!;
  t.same(subs.map((s) => s.subresource), ['eviction', 'scale', 'status'], 'subresources by name, sorted');
  t.same(subs.find((s) => s.subresource === 'status')!.verbs, ['get'], 'a subresource seen first is kept');
});

/** Go's base32.StdEncoding.WithPadding(NoPadding), written independently of the server's encoder. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

t.test('apiServerID', async (t) => {
  const expected = (host: string): string => {
    const h = Buffer.from(host);
    const k = Buffer.from('kube-apiserver');
    const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
    const sum = createHash('sha256').update(Buffer.concat([u16(h.length), h, u16(k.length), k])).digest();
    return `apiserver-${base32(sum.subarray(0, 16)).toLowerCase()}`;
  };
  for (const host of ['a', 'b', 'my-host.example.com', 'x'.repeat(300)]) {
    const id = apiServerID(host);
    t.equal(id, expected(host), `${host.slice(0, 20)}: SHA-256 of length-prefixed host and "kube-apiserver", base32`);
    t.match(id, /^apiserver-[a-z2-7]{26}$/, '26 lower-case base32 characters, no padding');
    t.equal(apiServerID(host), id, 'deterministic');
  }
  t.equal(apiServerID('my-host.example.com'), 'apiserver-fla7u2v73kndc6gnnxly3bamji', 'known value (computed with Python hashlib/base64)');
  t.not(apiServerID('a'), apiServerID('b'));
});

t.test('peer endpoint resolution', async (t) => {
  let now = 1_000_000_000_000;
  const store = openSqliteStore(':memory:', { now: () => now });
  t.teardown(() => store.close());
  const lease = (id: string, ip: string, port: number) => ({
    kind: 'Endpoints',
    apiVersion: 'v1',
    metadata: { labels: { apiserverIdentity: id }, generation: 1 },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  });
  await store.setTtl(`${PEER_LEASE_PREFIX}up`, lease('up', '10.0.0.1', 6443), 15);
  await store.setTtl(`${PEER_LEASE_PREFIX}v6`, lease('v6', '::1', 6443), 15);
  await store.setTtl(`${PEER_LEASE_PREFIX}short`, lease('short', '10.0.0.3', 443), 1);

  t.equal(await getPeerEndpoint(store, 'up'), '10.0.0.1:6443');
  t.equal(await getPeerEndpoint(store, 'v6'), '[::1]:6443', 'IPv6 is bracketed');
  t.equal(await getPeerEndpoint(store, 'missing'), '', 'no lease: "" and no error');
  await t.rejects(getPeerEndpoint(store, ''), /server id is empty/);

  const table: Array<{ name: string; peers: string[]; allMustResolve: boolean; want: RouteDecision['kind']; endpoints?: string[] }> = [
    { name: 'no peers → local', peers: [], allMustResolve: false, want: 'local' },
    { name: 'one resolvable peer → proxy', peers: ['up'], allMustResolve: false, want: 'proxy', endpoints: ['10.0.0.1:6443'] },
    { name: '1.32+: an unresolvable peer is skipped', peers: ['missing', 'up'], allMustResolve: false, want: 'proxy', endpoints: ['10.0.0.1:6443'] },
    { name: '1.28–1.31: any unresolvable peer → 503', peers: ['up', 'missing'], allMustResolve: true, want: 'unresolvable' },
    { name: 'none resolvable → 503 (1.32+)', peers: ['missing'], allMustResolve: false, want: 'unresolvable' },
    { name: 'none resolvable → 503 (1.28–1.31)', peers: ['missing'], allMustResolve: true, want: 'unresolvable' },
    { name: 'every resolvable peer is a candidate', peers: ['up', 'v6', 'short'], allMustResolve: true, want: 'proxy', endpoints: ['10.0.0.1:6443', '[::1]:6443', '10.0.0.3:443'] },
  ];
  for (const c of table) {
    const d = await resolvePeers(store, c.peers, c.allMustResolve);
    t.equal(d.kind, c.want, c.name);
    if (c.endpoints) t.same(d.kind === 'proxy' ? d.endpoints : undefined, c.endpoints, `${c.name}: endpoints`);
    if (d.kind === 'unresolvable') t.match(d.error, /failed to resolve host and port for server missing: address : missing port in address/, `${c.name}: the SplitHostPort error`);
  }
  now += 2_000;
  const expired = await resolvePeers(store, ['short'], false);
  t.equal(expired.kind, 'unresolvable', 'an expired endpoint lease no longer resolves');
  t.same(splitHostPort('[fe80::1]:8443'), { host: 'fe80::1', port: 8443 });
  t.throws(() => splitHostPort('10.0.0.1'), /missing port in address/);
  t.equal(joinHostPort('fe80::1', 1), '[fe80::1]:1');
});

t.test('encodeQuerySorted is url.Values.Encode', async (t) => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['watch=true&allowWatchBookmarks=true&resourceVersion=5', 'allowWatchBookmarks=true&resourceVersion=5&watch=true'],
    ['b=2&a=1&a=0', 'a=1&a=0&b=2'],
    ['labelSelector=app%20in%20(a,b)', 'labelSelector=app+in+%28a%2Cb%29'],
    ['fieldSelector=metadata.name%3Dx&limit=500', 'fieldSelector=metadata.name%3Dx&limit=500'],
    ['x=~*!\'', 'x=~%2A%21%27'],
    ['k=%C3%A9&j=a%2Bb', 'j=a%2Bb&k=%C3%A9'],
    ['flag&x=1', 'flag=&x=1'],
  ];
  for (const [raw, want] of cases) t.equal(encodeQuerySorted(new URLSearchParams(raw)), want, JSON.stringify(raw));
});

t.test('transportErrorText speaks like net/http', async (t) => {
  const err = (code: string, message = 'x') => Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(message), { code }) });
  const cases: Array<[unknown, string]> = [
    [err('ECONNREFUSED'), 'dial tcp 1.2.3.4:8080: connect: connection refused'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'dial tcp 1.2.3.4:8080: connect: connection refused'],
    [err('ETIMEDOUT'), 'dial tcp 1.2.3.4:8080: i/o timeout'],
    [err('UND_ERR_CONNECT_TIMEOUT'), 'dial tcp 1.2.3.4:8080: i/o timeout'],
    [err('EHOSTUNREACH'), 'dial tcp 1.2.3.4:8080: connect: no route to host'],
    [err('SELF_SIGNED_CERT_IN_CHAIN'), 'tls: failed to verify certificate: x509: certificate signed by unknown authority'],
    [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls: failed to verify certificate: x509: certificate signed by unknown authority'],
    [err('EWHATEVER', 'something odd'), 'something odd'],
  ];
  for (const [e, want] of cases) t.equal(transportErrorText(e, '1.2.3.4:8080'), want, want);
});

t.test('identityHeaders', async (t) => {
  const user = { name: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: { 'scopes.example.com/x': ['a', 'b'] } };
  t.same(identityHeaders(user, true), { 'x-remote-user': 'alice', 'x-remote-uid': 'u-1', 'x-remote-group': ['dev', 'system:authenticated'], 'x-remote-extra-scopes.example.com%2Fx': ['a', 'b'] }, '1.32+: with the UID');
  t.same(identityHeaders(user, false), { 'x-remote-user': 'alice', 'x-remote-group': ['dev', 'system:authenticated'], 'x-remote-extra-scopes.example.com%2Fx': ['a', 'b'] }, 'before 1.32: no UID');
  t.same(identityHeaders({ name: 'bob', groups: [], extra: {} }, true), { 'x-remote-user': 'bob' }, 'no empty headers');
});

t.test('the proxy filter decision flow', async (t) => {
  type Call = { kind: 'next' } | { kind: 'forward'; endpoint: string };
  const setup = (opts: { synced?: boolean; decision?: RouteDecision; status?: number; textError?: boolean; random?: number; gvrLabels?: boolean }) => {
    const calls: Call[] = [];
    const routed: GVR[] = [];
    const router: PeerRouter = {
      hasFinishedSync: () => opts.synced ?? true,
      route: async (gvr) => {
        routed.push(gvr);
        return opts.decision ?? { kind: 'local' };
      },
      start: async () => undefined,
      stop: () => undefined,
    };
    const transport = {
      forward: async (_ctx: RequestContext, endpoint: string): Promise<ForwardResult> => {
        calls.push({ kind: 'forward', endpoint });
        return { code: opts.status ?? 200, transportFailed: opts.textError === true, answered: true };
      },
    } as unknown as PeerTransport;
    const registry = new Registry();
    const metrics = new MvpMetrics(registry, opts.gvrLabels ?? true);
    const handler = withPeerProxy({ router, transport, metrics, random: () => opts.random ?? 0 })(async () => {
      calls.push({ kind: 'next' });
    });
    const run = (info: Partial<RequestContext['info']>, headers: Record<string, string> = {}) =>
      handler({
        info: { isResourceRequest: true, apiGroup: '', apiVersion: 'foo', resource: 'bar', subresource: '', ...info },
        req: { headers },
        res: {},
        log: pino({ level: 'silent' }),
      } as unknown as RequestContext);
    return { calls, routed, run, registry };
  };

  let s = setup({ decision: { kind: 'proxy', endpoints: ['1.1.1.1:1'] } });
  await s.run({ isResourceRequest: false, resource: '' });
  t.same(s.calls, [{ kind: 'next' }], 'non-resource path → local');
  t.same(s.routed, [], 'not even routed');

  s = setup({ decision: { kind: 'proxy', endpoints: ['1.1.1.1:1'] } });
  await s.run({}, { 'x-kubernetes-peer-proxied': 'true' });
  t.same(s.calls, [{ kind: 'next' }], 'already proxied → local');
  s = setup({ decision: { kind: 'proxy', endpoints: ['1.1.1.1:1'] } });
  await s.run({}, { 'x-kubernetes-peer-proxied': 'TRUE' });
  t.same(s.calls, [{ kind: 'forward', endpoint: '1.1.1.1:1' }], 'the header value is case-sensitive');

  s = setup({ synced: false, decision: { kind: 'proxy', endpoints: ['1.1.1.1:1'] } });
  await s.run({});
  t.same(s.calls, [{ kind: 'next' }], 'sync not finished → local');

  s = setup({ decision: { kind: 'local' } });
  await s.run({ subresource: 'status' });
  t.same(s.calls, [{ kind: 'next' }], 'served here or by nobody → local');
  t.same(s.routed, [{ group: '', version: 'foo', resource: 'bar' }], 'routed on group/version/resource: the subresource is ignored');

  s = setup({ decision: { kind: 'unresolvable', error: 'nope' } });
  const err = await s.run({}).then(() => undefined, (e: unknown) => e);
  t.ok(isStatusError(err), 'no endpoint → a Status error');
  t.same(isStatusError(err) ? err.status : undefined, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: NO_ENDPOINT_MESSAGE, reason: 'ServiceUnavailable', code: 503 });
  t.same(s.calls, [], 'neither local nor forwarded');
  const m6 = await s.registry.metrics();
  t.match(m6, /^apiserver_peer_proxy_errors_total\{group="",resource="bar",type="endpoint_resolution",version="foo"\} 1$/m, '1.36 endpoint_resolution error, labels as client_golang writes them');
  t.notMatch(m6, /^apiserver_rerouted_request_total\{/m, 'not a rerouted request');

  s = setup({ decision: { kind: 'proxy', endpoints: ['1.2.3.4:8080'] }, status: 503, textError: true });
  await s.run({});
  const m7 = await s.registry.metrics();
  t.match(m7, /^apiserver_rerouted_request_total\{code="503",group="",resource="bar",version="foo"\} 1$/m, 'a failed forward is rerouted with code 503');
  t.match(m7, /^apiserver_peer_proxy_errors_total\{group="",resource="bar",type="proxy_transport",version="foo"\} 1$/m, 'and a proxy_transport error');

  s = setup({ decision: { kind: 'proxy', endpoints: ['e1', 'e2', 'e3'] }, random: 0.5 });
  await s.run({ apiGroup: 'batch', apiVersion: 'v1', resource: 'jobs' });
  t.same(s.calls, [{ kind: 'forward', endpoint: 'e2' }], 'the injected random picks the peer; one forward, no retry');
  s = setup({ decision: { kind: 'proxy', endpoints: ['e1', 'e2', 'e3'] }, random: 0.999 });
  await s.run({});
  t.same(s.calls, [{ kind: 'forward', endpoint: 'e3' }]);

  s = setup({ decision: { kind: 'proxy', endpoints: ['e1'] }, status: 404, gvrLabels: false });
  await s.run({});
  const m135 = await s.registry.metrics();
  t.match(m135, /^apiserver_rerouted_request_total\{code="404"\} 1$/m, 'before 1.36: by code only, the peer status as is');
  t.notMatch(m135, /apiserver_peer_proxy_errors_total/, 'and no error counter');
});

t.test('peer flag validation and address fallback', async (t) => {
  const config = (args: string[]) => parseServerConfig(parseFlags(['--storage-path=/tmp/unused.db', ...args]));
  const cases: Array<{ minor: string; gates?: string; args: string[]; error?: string }> = [
    { minor: '1.27', args: ['--peer-ca-file=/ca'], error: 'unknown flag: --peer-ca-file' },
    { minor: '1.35', args: ['--peer-ca-file=/ca'], error: '--peer-ca-file requires UnknownVersionInteroperabilityProxy feature to be turned on' },
    { minor: '1.35', args: ['--peer-advertise-ip=10.0.0.1'], error: '--peer-advertise-ip requires UnknownVersionInteroperabilityProxy feature to be turned on' },
    { minor: '1.35', args: ['--peer-advertise-port=1'], error: '--peer-advertise-port requires UnknownVersionInteroperabilityProxy feature to be turned on' },
    { minor: '1.36', args: ['--peer-ca-file=/ca'], error: 'error building peer proxy handler, proxy-cert-file not specified' },
    { minor: '1.36', args: ['--peer-ca-file=/ca', '--proxy-client-cert-file=/c'], error: 'error building peer proxy handler, proxy-key-file not specified' },
    { minor: '1.36', args: ['--peer-ca-file=/ca', '--proxy-client-cert-file=/c', '--proxy-client-key-file=/k'] },
    { minor: '1.36', gates: 'UnknownVersionInteroperabilityProxy=false', args: [] },
    { minor: '1.35', gates: 'UnknownVersionInteroperabilityProxy=true', args: ['--peer-advertise-ip=10.0.0.1'] },
  ];
  for (const c of cases) {
    const profile = loadProfile({ minor: c.minor, ...(c.gates ? { featureGates: c.gates } : {}) });
    const name = `${c.minor} ${c.gates ?? ''} ${c.args.join(' ')}`;
    if (c.error) t.throws(() => validatePeerFlags(config(c.args), profile), { message: c.error }, name);
    else t.doesNotThrow(() => validatePeerFlags(config(c.args), profile), name);
  }
  t.equal(peerAddress(config(['--peer-advertise-ip=10.0.0.9', '--peer-advertise-port=7443']), '127.0.0.1', 6443), '10.0.0.9:7443', 'both set: ip:port');
  t.equal(peerAddress(config(['--peer-advertise-ip=10.0.0.9']), '127.0.0.1', 6443), '127.0.0.1:6443', 'only the IP: ignored');
  t.equal(peerAddress(config(['--peer-advertise-port=7443']), '127.0.0.1', 6443), '127.0.0.1:6443', 'only the port: ignored');
  t.equal(peerAddress(config([]), '::1', 6443), '[::1]:6443');
});

t.test('StorageVersion bookkeeping', async (t) => {
  t.equal(storageVersionName('', 'pods'), 'core.pods');
  t.equal(storageVersionName('networking.k8s.io', 'ingresses'), 'networking.k8s.io.ingresses');
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:10:00Z');
  const entry = (id: string, enc: string) => ({ apiServerID: id, encodingVersion: enc, decodableVersions: [enc], servedVersions: [enc] });
  const equal = withCommonVersion({ metadata: { name: 'apps.deployments', generation: 1 }, status: { storageVersions: [entry('a', 'apps/v1'), entry('b', 'apps/v1')] } }, t0);
  t.same(equal.status, {
    storageVersions: [entry('a', 'apps/v1'), entry('b', 'apps/v1')],
    commonEncodingVersion: 'apps/v1',
    conditions: [{ type: 'AllEncodingVersionsEqual', status: 'True', reason: 'CommonEncodingVersionSet', message: 'Common encoding version set', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z' }],
  });
  const same = withCommonVersion(equal, t1);
  t.equal((same.status as any).conditions[0].lastTransitionTime, '2026-01-01T00:00:00Z', 'unchanged condition keeps its transition time');
  const split = withCommonVersion({ ...equal, status: { ...(equal.status as object), storageVersions: [entry('a', 'apps/v1'), entry('b', 'apps/v1beta2')] } }, t1);
  t.equal((split.status as any).commonEncodingVersion, undefined, 'different encodings: no common version');
  t.match((split.status as any).conditions[0], { status: 'False', reason: 'CommonEncodingVersionUnset', message: 'Common encoding version unset', lastTransitionTime: '2026-01-01T00:10:00Z' });
});

t.test('identity lease expiry', async (t) => {
  const now = new Date('2026-01-01T00:01:00Z');
  const lease = (spec: Record<string, unknown>) => ({ metadata: { name: 'x' }, spec });
  t.equal(leaseExpired(lease({}), now), true, 'no renewTime');
  t.equal(leaseExpired(lease({ renewTime: microTime(now) }), now), true, 'no duration');
  t.equal(leaseExpired(lease({ renewTime: '2026-01-01T00:00:00.000000Z', leaseDurationSeconds: 60 }), now), false, 'renewTime + duration == now is not expired');
  t.equal(leaseExpired(lease({ renewTime: '2026-01-01T00:00:00.000000Z', leaseDurationSeconds: 59 }), now), true, 'renewTime + duration < now');
  t.equal(microTime(new Date('2026-01-01T00:00:00.123Z')), '2026-01-01T00:00:00.123000Z');
});

t.test('lb policies', async (t) => {
  t.same(parseLbPolicy('round-robin'), { kind: 'round-robin' });
  t.same(parseLbPolicy('random'), { kind: 'random' });
  t.same(parseLbPolicy('pinned'), { kind: 'pinned' });
  t.same(parseLbPolicy('pinned=b'), { kind: 'pinned', server: 'b' });
  t.throws(() => parseLbPolicy('least-conn'), { message: '--lb-policy: unknown policy "least-conn": use round-robin, random, pinned or pinned=<server>' });
});

t.test('front door', async (t) => {
  // Three TCP backends that greet with their name.
  const servers: Server[] = [];
  const up = new Map<string, boolean>();
  const addresses = new Map<string, string>();
  for (const name of ['a', 'b', 'c']) {
    const server = createServer((socket) => socket.end(name));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    up.set(name, true);
    addresses.set(name, `127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  t.teardown(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
  const backends = (): Backend[] => ['a', 'b', 'c'].map((name) => ({ name, address: () => (up.get(name) ? addresses.get(name) : undefined) }));
  const greet = async (door: FrontDoor): Promise<string> => {
    const { port } = new URL(door.url);
    const socket = createConnection(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    await once(socket, 'close');
    return text;
  };

  const rr = await FrontDoor.listen(backends, { kind: 'round-robin' });
  t.teardown(() => rr.close());
  t.match(rr.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) seen.push(await greet(rr));
  t.same(seen, ['a', 'b', 'c', 'a', 'b', 'c'], 'round-robin: one backend after the other, per connection');
  up.set('b', false);
  t.same([rr.pick()?.name, rr.pick()?.name, rr.pick()?.name, rr.pick()?.name].sort(), ['a', 'a', 'c', 'c'], 'a down backend is skipped');
  up.set('b', true);

  const pinned = await FrontDoor.listen(backends, { kind: 'pinned', server: 'b' });
  t.teardown(() => pinned.close());
  t.same([await greet(pinned), await greet(pinned), await greet(pinned)], ['b', 'b', 'b'], 'pinned=b sticks to b');
  up.set('b', false);
  t.equal(pinned.pick(), undefined, 'pinned to a down server: nothing');
  const refused = await greet(pinned);
  t.equal(refused, '', 'the client connection is closed');
  up.set('b', true);
  const first = await FrontDoor.listen(backends, { kind: 'pinned' });
  t.teardown(() => first.close());
  up.set('a', false);
  t.equal(first.pick()?.name, 'b', 'pinned without a name: the first server up');
  up.set('a', true);

  const draws = [0.1, 0.5, 0.9, 0.0];
  const random = await FrontDoor.listen(backends, { kind: 'random' }, { random: () => draws.shift() ?? 0 });
  t.teardown(() => random.close());
  t.same([random.pick()?.name, random.pick()?.name, random.pick()?.name, random.pick()?.name], ['a', 'b', 'c', 'a'], 'random: the injected draw picks the backend');
});
