/**
 * `kube-skew up --with-sample-apiserver` as a user runs it, with real kubectl 1.33: the
 * sample-apiserver listed in cluster.json, its APIService available, flunders created and listed
 * through kube-apiserver, the published extension-apiserver-authentication ConfigMap; the
 * sample-apiserver killed by its pid: 503, `Available=False`, and kubectl's discovery warning where
 * upstream prints it (legacy discovery, a 1.26 server); started again on its port: recovery, its
 * flunder still there. Delegated authorization: the sample-apiserver asks the cluster with
 * SubjectAccessReviews, caches the answers, and its 403 reaches the caller through the aggregator.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpsRequest } from '../../server/cluster/https-client.js';
import { writeKubeconfig } from '../../server/cluster/kubeconfig.js';
import { signCert } from '../../server/cluster/pki.js';
import { registerSampleApiServer, sampleArgs, sampleServingCert, startSampleProcess } from '../../server/cluster/sample-apiserver.js';
import { alive, CLI } from '../fixtures/cli.js';
import { KUBECTL_DIR, kubectlBinary, startCluster, tempDir, urlOf, type KubectlResult } from '../fixtures/cluster.js';
import { metricSum, metricsOf, poll } from '../peers/helpers.js';
import { endpointAddress } from '../../server/cluster/endpoint-address.js';

const FLUNDER = `apiVersion: wardle.example.com/v1alpha1
kind: Flunder
metadata: {name: f1, namespace: default}
`;

function killIfAlive(pid: number | undefined): void {
  if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
}

t.test('up --with-sample-apiserver: flunders through kube-apiserver, failure and recovery', async (t) => {
  const binary = kubectlBinary('1.33');
  if (!binary) return t.plan(0, `kubectl 1.33 is not installed in ${KUBECTL_DIR}`);
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', 'a=1.26,b=1.33', '--data-dir', dir, '--with-sample-apiserver'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pids: number[] = [];
  const children: ChildProcess[] = [];
  t.teardown(() => {
    up.kill('SIGKILL');
    for (const c of children) c.kill('SIGKILL');
    for (const pid of pids) killIfAlive(pid);
  });
  let out = '';
  let err = '';
  up.stdout.on('data', (d: Buffer) => (out += d.toString()));
  up.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const started = await poll(async () => out, (o) => o.includes('ready') || up.exitCode !== null, 90_000, 100);
  t.ok(started.ok && out.includes('ready'), `up prints ready: ${out}${err.slice(-2000)}`);
  if (!out.includes('ready')) return;

  const info = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'));
  pids.push(...info.servers.map((s: { pid: number }) => s.pid));
  const [sample] = info.aggregatedApiServers;
  t.match(sample, { name: 'sample-apiserver', pid: Number, url: new RegExp(`^https://${endpointAddress().replace(/\./g, '\\.')}:\\d+$`) }, 'cluster.json lists the sample-apiserver at the address its Endpoints name');
  pids.push(sample.pid);
  t.ok(alive(sample.pid), 'the sample-apiserver runs');

  const kubectl = async (context: string, args: string[], stdin = ''): Promise<KubectlResult> => {
    const cache = await tempDir(t, 'kubecache-');
    const child = spawn(binary, [`--kubeconfig=${join(dir, 'kubeconfig')}`, `--context=${context}`, ...args], { env: { ...process.env, KUBECACHEDIR: cache, HOME: cache }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code] = (await once(child, 'close')) as [number | null];
    clearTimeout(timer);
    return { code, stdout, stderr };
  };
  const apiService = async (): Promise<{ status?: { conditions?: Array<Record<string, string>> } }> => {
    const r = await kubectl('skew-b', ['get', 'apiservice', 'v1alpha1.wardle.example.com', '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : {};
  };
  const available = (s: Awaited<ReturnType<typeof apiService>>): Record<string, string> | undefined => s.status?.conditions?.find((c) => c.type === 'Available');

  const ready = await poll(apiService, (s) => available(s)?.status === 'True', 90_000, 500);
  t.match(available(ready.value), { status: 'True', reason: 'Passed' }, 'the APIService becomes available');

  // The sample-apiserver serves no OpenAPI and kube-skew aggregates none: kubectl's client-side validation is off.
  const created = await kubectl('skew-b', ['create', '--validate=false', '-f', '-'], FLUNDER);
  t.equal(created.code, 0, `kubectl create a flunder: ${created.stderr}`);
  t.match(created.stdout, /flunder\.wardle\.example\.com\/f1 created/);
  const listed = await kubectl('skew-b', ['get', 'flunders', '-n', 'default']);
  t.equal(listed.code, 0, `kubectl get flunders: ${listed.stderr}`);
  t.match(listed.stdout, /^f1\s/m);
  const again = await kubectl('skew-b', ['create', '--validate=false', '-f', '-'], FLUNDER);
  t.match(again.stderr, /Error from server \(AlreadyExists\).*flunders\.wardle\.example\.com "f1" already exists/, 'Status errors from the sample-apiserver reach kubectl');
  const fischers = await kubectl('skew-b', ['get', 'fischers']);
  t.equal(fischers.code, 0, `fischers are cluster-scoped: ${fischers.stderr}`);

  const cm = await kubectl('skew-b', ['get', 'configmap', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'json']);
  const data = JSON.parse(cm.stdout).data as Record<string, string>;
  // The 1.33 server writes requestheader-uid-headers and the 1.26 server, which has no such key, drops
  // it again at its next sync: either may have written last.
  t.same(Object.keys(data).filter((k) => k !== 'requestheader-uid-headers').sort(), [
    'client-ca-file',
    'requestheader-allowed-names',
    'requestheader-client-ca-file',
    'requestheader-extra-headers-prefix',
    'requestheader-group-headers',
    'requestheader-username-headers',
  ]);
  t.equal(data['requestheader-allowed-names'], '["front-proxy-client"]');
  t.equal(data['requestheader-username-headers'], '["X-Remote-User"]');
  t.ok(data['requestheader-uid-headers'] === undefined || data['requestheader-uid-headers'] === '[]', 'requestheader-uid-headers, when there, is the 1.33 server\'s empty list');
  t.equal(data['requestheader-client-ca-file'], await readFile(join(dir, 'pki', 'front-proxy-ca.crt'), 'utf8'));

  // Anonymous and certificate-less callers are refused by the sample-apiserver itself.
  const ca = await readFile(join(dir, 'pki', 'ca.crt'), 'utf8');
  const direct = await httpsRequest(`${sample.url}/apis/wardle.example.com/v1alpha1/flunders`, { tls: { ca } });
  t.equal(direct.status, 401, 'no front-proxy certificate: 401');

  process.kill(sample.pid, 'SIGKILL');
  const down = await poll(apiService, (s) => available(s)?.reason === 'FailedDiscoveryCheck', 120_000, 1000);
  t.match(available(down.value), { status: 'False', reason: 'FailedDiscoveryCheck' }, 'Available=False once the sample-apiserver is killed');
  const admin = { ca, cert: await readFile(join(dir, 'pki', 'admin.crt'), 'utf8'), key: await readFile(join(dir, 'pki', 'admin.key'), 'utf8') };
  const serverB = info.servers.find((s: { name: string }) => s.name === 'b').url;
  const refused = await httpsRequest(`${serverB}/apis/wardle.example.com/v1alpha1/namespaces/default/flunders`, { tls: admin });
  t.equal(refused.status, 503);
  t.equal(refused.text, 'service unavailable\n');

  // Legacy discovery (the 1.26 server): kubectl asks for the group/version and warns. Its /apis
  // also lists the group/versions the 1.33 server registered APIServices for (#96486), which the
  // 1.26 server does not serve: kubectl names those too, before the aggregated one.
  const legacy = await kubectl('skew-a', ['api-resources']);
  t.match(legacy.stderr, /unable to retrieve the complete list of server APIs: .*wardle\.example\.com\/v1alpha1: the server is currently unable to handle the request/);
  t.match(legacy.stderr, /flowcontrol\.apiserver\.k8s\.io\/v1: the server could not find the requested resource/, "the 1.33 server's flowcontrol v1, which 1.26 does not serve");
  // Aggregated discovery (the 1.33 server): the version is Stale, client-go leaves it out of the group and kubectl stays silent, as against kube-apiserver.
  const aggregated = await kubectl('skew-b', ['api-resources']);
  t.equal(aggregated.code, 0, `api-resources against 1.33: ${aggregated.stderr}`);
  t.notMatch(aggregated.stdout, /flunders/);
  const missing = await kubectl('skew-b', ['get', 'flunders']);
  t.match(missing.stderr, /the server doesn't have a resource type "flunders"/);

  // Started again on its port, with the flags cluster.json recorded.
  const restarted = spawn(process.execPath, [CLI, 'sample-apiserver', ...sample.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(restarted);
  const back = await poll(() => kubectl('skew-b', ['get', 'flunders', '-n', 'default']), (r) => r.code === 0 && /^f1\s/m.test(r.stdout), 120_000, 1000);
  t.ok(back.ok, `recovers, the flunder kept in its own store: ${back.value.stderr}`);

  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'up exits cleanly');
  for (const pid of info.servers.map((s: { pid: number }) => s.pid)) t.notOk(alive(pid), `server ${pid} is gone`);
});

t.test('up stops the sample-apiserver when its parent goes away', async (t) => {
  const dir = await tempDir(t);
  // A wrapper that does not pass signals on: killing it re-parents up, whose lifeline stops the cluster.
  const wrapper = spawn('/bin/sh', ['-c', `"${process.execPath}" "${CLI}" up --servers 1.33 --data-dir "${dir}" --with-sample-apiserver & wait`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pids: number[] = [];
  t.teardown(() => {
    wrapper.kill('SIGKILL');
    for (const pid of pids) killIfAlive(pid);
  });
  let out = '';
  wrapper.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const started = await poll(async () => out, (o) => o.includes('ready'), 90_000, 100);
  t.ok(started.ok, 'up prints ready');
  const info = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'));
  const sample = info.aggregatedApiServers[0].pid as number;
  pids.push(sample, ...info.servers.map((s: { pid: number }) => s.pid));
  t.ok(alive(sample), 'the sample-apiserver runs');
  wrapper.kill('SIGKILL');
  const gone = await poll(async () => alive(sample), (a) => !a, 30_000, 200);
  t.ok(gone.ok, 'the sample-apiserver stops once up loses its parent');
});

t.test('the sample-apiserver asks the cluster with SubjectAccessReviews', async (t) => {
  // Two servers with different policies, so that the answer shows who decided: "front" (where the
  // callers send their requests) lets everyone at wardle.example.com, and "authz" (the only server
  // the sample-apiserver's --authorization-kubeconfig names) lets only the group wardle-readers list
  // flunders, in namespace default. A 403 for jane can then only come from the sample-apiserver.
  const policyDir = await tempDir(t, 'policy-');
  const frontPolicy = join(policyDir, 'front.yaml');
  const authzPolicy = join(policyDir, 'authz.yaml');
  await writeFile(frontPolicy, '- {user: "*", verbs: ["*"], apiGroups: [wardle.example.com], resources: ["*"]}\n');
  await writeFile(authzPolicy, '- {group: wardle-readers, verbs: [get, list], apiGroups: [wardle.example.com], resources: [flunders], namespaces: [default]}\n');
  const cluster = await startCluster(t, [
    { name: 'front', minor: '1.33', args: [`--authorization-policy-file=${frontPolicy}`, '--controllers='] },
    { name: 'authz', minor: '1.33', args: [`--authorization-policy-file=${authzPolicy}`, '--controllers='] },
  ], { mvp: false });
  const front = urlOf(cluster, 'front');
  const authz = urlOf(cluster, 'authz');

  const authzKubeconfig = join(cluster.options.dataDir, 'authz-kubeconfig');
  await writeKubeconfig(authzKubeconfig, [{ name: 'skew-authz', server: authz }], 'skew-authz', cluster.tls as { ca: string; cert: string; key: string });
  const serving = await sampleServingCert(cluster.pki.dir, cluster.pki.ca);
  const args = [
    ...sampleArgs(serving, cluster.kubeconfigPath, ':memory:', 0).filter((a) => !a.startsWith('--authorization-kubeconfig=')),
    `--authorization-kubeconfig=${authzKubeconfig}`,
    // Denials are kept for an hour, so that the second identical request shows the cache whatever the machine's load.
    '--authorization-webhook-cache-unauthorized-ttl=1h',
  ];
  const sample = await startSampleProcess(args);
  t.teardown(() => sample.stop());
  await registerSampleApiServer(front, cluster.tls, sample.info!.port, cluster.pki.ca.cert);

  const flunders = (ns: string): string => `/apis/wardle.example.com/v1alpha1/namespaces/${ns}/flunders`;
  const asAdmin = await poll(() => httpsRequest(`${front}${flunders('default')}`, { tls: cluster.tls }), (r) => r.status === 200, 60_000, 500);
  t.equal(asAdmin.value.status, 200, `system:masters lists flunders once the APIService is available: ${asAdmin.value.text}`);

  const userTLS = async (name: string, groups: string[]) => ({ ca: cluster.pki.ca.cert, ...(await signCert(cluster.pki.ca, { commonName: name, organizations: groups, usage: 'client' })) });
  const jane = await userTLS('jane', ['devs']);
  const bob = await userTLS('bob', ['wardle-readers']);
  const reviews = async (): Promise<number> => metricSum(await metricsOf(cluster, authz), 'apiserver_request_total', { resource: 'subjectaccessreviews', code: '201' });
  const get = (tls: typeof jane, path: string) => httpsRequest(`${front}${path}`, { tls, headers: { accept: 'application/json', 'x-kube-skew-trace': '1' } });

  const before = await reviews();
  t.equal((await httpsRequest(`${front}${flunders('default')}`, { tls: cluster.tls })).status, 200);
  t.equal(await reviews(), before, 'system:masters is allowed without a review');

  const denied = await get(jane, flunders('default'));
  t.equal(denied.status, 403, 'jane may not list flunders by the policy of the server that answers reviews');
  t.equal(denied.headers['x-kube-skew-served-by'], 'sample-apiserver', 'the 403 is the sample-apiserver\'s, relayed by the aggregator');
  t.same(denied.json, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'flunders.wardle.example.com is forbidden: User "jane" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "default"',
    reason: 'Forbidden',
    details: { group: 'wardle.example.com', kind: 'flunders' },
    code: 403,
  });
  const afterDenied = await reviews();
  t.equal(afterDenied, before + 1, 'the review reached the cluster');
  t.equal((await get(jane, flunders('default'))).status, 403);
  t.equal(await reviews(), afterDenied, 'the denial is answered from the cache');

  const allowed = await get(bob, flunders('default'));
  t.equal(allowed.status, 200, `bob lists flunders through his group: ${allowed.text}`);
  t.equal(allowed.headers['x-kube-skew-served-by'], 'sample-apiserver');
  t.equal(await reviews(), afterDenied + 1, 'one review for bob');
  const otherNamespace = await get(bob, flunders('other'));
  t.equal(otherNamespace.status, 403, 'the namespace is part of the review');
  t.match(otherNamespace.json, { message: 'flunders.wardle.example.com is forbidden: User "bob" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "other"' });

  // The server answering reviews gone: the review fails and, as upstream's filter, the sample-apiserver answers 500.
  await cluster.stopServer('authz');
  const failed = await get(bob, `${flunders('default')}/f1`);
  t.equal(failed.status, 500, 'a review that cannot be made is an internal error');
  t.match(failed.json, { kind: 'Status', reason: 'InternalError', message: /^Internal error occurred: / });
});
