/**
 * The aggregation layer over a real server process with real kubectl: Local APIServices
 * (`Local`, `True`, automanaged `onstart`), and a remote APIService served by an HTTPS extension
 * server started by the test, reached through its Endpoints: requests proxied with the caller's
 * identity; once the server stops, the 503, `Available=False FailedDiscoveryCheck` and kubectl's
 * discovery warning; after it returns, recovery.
 */
import t from 'tap';
import { createServer, type Server } from 'node:https';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { api, kubectl, kubectlBinary, startCluster, tempDir, urlOf } from '../../fixtures/cluster.js';
import { poll } from '../../peers/helpers.js';
import { selfSignedServing } from '../../../server/cluster/pki.js';
import { endpointAddress } from '../../../server/cluster/endpoint-address.js';

const GV = 'wardle.example.com/v1alpha1';
const RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GV,
  resources: [{ name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list'] }],
};

async function extensionServer(dir: string, seen: Array<Record<string, unknown>>, port = 0): Promise<Server> {
  const files = await selfSignedServing(dir, 'api.wardle.svc', ['127.0.0.1']);
  const server = createServer({ cert: await readFile(files.certFile), key: await readFile(files.keyFile) }, (req, res) => {
    seen.push({ path: req.url, user: req.headers['x-remote-user'], group: req.headers['x-remote-group'] });
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith(`/apis/${GV}/namespaces/default/flunders`)) {
      res.end(JSON.stringify({ kind: 'FlunderList', apiVersion: GV, metadata: {}, items: [{ kind: 'Flunder', apiVersion: GV, metadata: { name: 'f1', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' } }] }));
    } else res.end(JSON.stringify(RESOURCES));
  });
  await new Promise<void>((r) => server.listen(port, endpointAddress(), () => r()));
  return server;
}

t.test('APIServices with kubectl 1.33', async (t) => {
  const binary = kubectlBinary('1.33');
  if (!binary) return t.plan(0, 'kubectl 1.33 is not installed on this machine');
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.33' }], { mvp: false });
  const url = urlOf(cluster, 's1');
  const run = (args: string[], stdin?: string) => kubectl(t, binary, cluster, args, { context: 'skew-s1', ...(stdin ? { stdin } : {}) });

  const local = await poll(() => run(['get', 'apiservices']), (r) => /v1\.apps\s+Local\s+True/.test(r.stdout));
  t.ok(local.ok, `kubectl get apiservices shows Local True: ${local.value.stdout.slice(0, 400)}${local.value.stderr}`);
  const apps = (await api(cluster, url, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.apps')).json;
  t.equal(apps.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'onstart');
  t.equal(apps.spec.groupPriorityMinimum, 17800);
  t.match(apps.status.conditions[0], { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' });

  const seen: Array<Record<string, unknown>> = [];
  const dir = await tempDir(t, 'wardle-');
  let ext = await extensionServer(dir, seen);
  t.teardown(() => new Promise<void>((r) => (ext.listening ? ext.close(() => r()) : r())));
  const port = (ext.address() as AddressInfo).port;
  const manifests = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec: {ports: [{port: 443, targetPort: ${port}}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: api, namespace: default}
subsets: [{addresses: [{ip: ${endpointAddress()}}], ports: [{port: ${port}}]}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.wardle.example.com}
spec: {group: wardle.example.com, version: v1alpha1, service: {namespace: default, name: api, port: 443}, insecureSkipTLSVerify: true, groupPriorityMinimum: 1000, versionPriority: 15}
`;
  const applied = await run(['apply', '-f', '-'], manifests);
  t.equal(applied.code, 0, `apply: ${applied.stderr}`);
  const up = await poll(() => run(['get', 'apiservice', 'v1alpha1.wardle.example.com']), (r) => /default\/api\s+True/.test(r.stdout), 60_000, 500);
  t.ok(up.ok, `the remote APIService becomes available: ${up.value.stdout}${up.value.stderr}`);
  const flunders = await run(['get', 'flunders', '-n', 'default']);
  t.equal(flunders.code, 0, `kubectl get flunders: ${flunders.stderr}`);
  t.match(flunders.stdout, /f1/);
  t.ok(seen.some((s) => String(s.path).includes('flunders') && s.user === 'kubernetes-admin' || (String(s.path).includes('flunders') && typeof s.user === 'string')), 'the caller is named in X-Remote-User');

  await new Promise<void>((r) => ext.close(() => r()));
  ext.closeAllConnections();
  const down = await poll(
    async () => (await api(cluster, url, 'GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.wardle.example.com')).json,
    (s) => s.status?.conditions?.[0]?.reason === 'FailedDiscoveryCheck',
    90_000,
    500,
  );
  t.ok(down.ok, 'Available=False FailedDiscoveryCheck once the server is gone');
  t.match(down.value.status.conditions[0].message, new RegExp(`^failing or missing response from https://${endpointAddress().replace(/\./g, '\\.')}:\\d+/apis/wardle\\.example\\.com/v1alpha1: `));
  const refused = await api(cluster, url, 'GET', `/apis/${GV}/namespaces/default/flunders`);
  t.equal(refused.status, 503);
  t.equal(refused.text, 'service unavailable\n');
  // Aggregated discovery marks the version Stale, as kube-aggregator does when its discovery fetch
  // fails; legacy discovery still lists it and answers its /apis/<g>/<v> with the 503 (what legacy
  // clients turn into `unable to retrieve the complete list of server APIs`, see
  // test/cluster/sample-apiserver.test.ts with a 1.26 server). client-go's aggregated discovery
  // leaves a Stale version out of its group, and kubectl asks only for listed versions: kubectl
  // 1.33 against a 1.33 server prints no warning, as against kube-apiserver.
  const v2 = await api(cluster, url, 'GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  const wardle = v2.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'wardle.example.com');
  t.match(wardle?.versions, [{ version: 'v1alpha1', freshness: 'Stale' }], 'aggregated discovery: Stale');
  const legacyList = await api(cluster, url, 'GET', '/apis');
  t.ok(legacyList.json.groups.some((g: { name: string }) => g.name === 'wardle.example.com'), 'legacy discovery still lists the group');
  const legacyGV = await api(cluster, url, 'GET', `/apis/${GV}`);
  t.equal(legacyGV.status, 503, 'legacy /apis/<g>/<v>: 503');
  const warned = await run(['api-resources']);
  t.equal(warned.code, 0, `kubectl 1.33 api-resources: ${warned.stderr}`);
  t.notMatch(warned.stderr, /unable to retrieve the complete list of server APIs/, 'kubectl 1.33 with aggregated discovery stays silent, as against kube-apiserver');
  t.notMatch(warned.stdout, /flunders/, 'the Stale version is left out');

  ext = await extensionServer(dir, seen, port);
  const back = await poll(() => run(['get', 'flunders', '-n', 'default']), (r) => r.code === 0 && /f1/.test(r.stdout), 90_000, 500);
  t.ok(back.ok, `recovers when the server returns: ${back.value.stderr}`);
});
