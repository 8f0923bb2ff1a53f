/**
 * `kube-skew up --servers a=1.36,b=1.37,c=1.37`, the middle of a rolling upgrade to 1.37, as a user
 * starts it: every server answers `/version` as its own minor, 1.37's discovery lists
 * storagemigration.k8s.io/v1 (new and on in 1.37) and not the group/versions 1.37 removed, the 1.36
 * server's own discovery lacks it while its peer-merged `/apis` has it, and a request for it sent
 * to the 1.36 server is proxied to a 1.37 server.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpsRequest, type HttpsResponse } from '../../server/cluster/https-client.js';
import { CLI } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';

const SVM_PATH = '/apis/storagemigration.k8s.io/v1/storageversionmigrations';
const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2_NOPEER = `${V2};profile=nopeer`;

interface GroupDiscovery {
  metadata: { name: string };
  versions: Array<{ version: string; resources: Array<{ resource: string }> }>;
}

/** `group/version` of every entry of an aggregated discovery document. */
function groupVersions(body: string): string[] {
  return (JSON.parse(body) as { items: GroupDiscovery[] }).items.flatMap((g) => g.versions.map((v) => `${g.metadata.name}/${v.version}`));
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await sleep(200);
  return check();
}

t.test('up --servers a=1.36,b=1.37,c=1.37: version, discovery and a proxied request', async (t) => {
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', 'a=1.36,b=1.37,c=1.37', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => up.kill('SIGKILL'));
  let out = '';
  let err = '';
  up.stdout.on('data', (d: Buffer) => (out += d.toString()));
  up.stderr.on('data', (d: Buffer) => (err += d.toString()));
  t.ok(await until(() => out.includes('ready') || up.exitCode !== null, 120_000), 'up finishes starting');
  t.match(out, /ready: 3 server\(s\)/, `up is ready (stderr: ${err.slice(0, 500)})`);
  if (!out.includes('ready')) return;

  const cluster = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { servers: Array<{ name: string; url: string; pid: number }> };
  const url = (name: string): string => cluster.servers.find((s) => s.name === name)!.url;
  const tls = {
    ca: await readFile(join(dir, 'pki', 'ca.crt'), 'utf8'),
    cert: await readFile(join(dir, 'pki', 'admin.crt'), 'utf8'),
    key: await readFile(join(dir, 'pki', 'admin.key'), 'utf8'),
  };
  const get = (name: string, path: string, accept = 'application/json'): Promise<HttpsResponse> =>
    httpsRequest(`${url(name)}${path}`, { method: 'GET', headers: { accept }, tls });

  for (const [name, minor] of [['a', '36'], ['b', '37'], ['c', '37']] as const) {
    const version = JSON.parse((await get(name, '/version')).text) as Record<string, string>;
    t.match(version, { major: '1', minor, gitVersion: `v1.${minor}.0`, emulationMinor: minor, minCompatibilityMinor: String(Number(minor) - 1) }, `${name} answers /version as 1.${minor}`);
  }

  const own37 = groupVersions((await get('b', '/apis', V2_NOPEER)).text);
  t.ok(own37.includes('storagemigration.k8s.io/v1'), '1.37 serves storagemigration.k8s.io/v1');
  for (const gone of ['networking.k8s.io/v1beta1', 'storage.k8s.io/v1beta1', 'certificates.k8s.io/v1alpha1', 'scheduling.k8s.io/v1alpha2', 'lifecycle.k8s.io/v1alpha1']) {
    t.notOk(own37.includes(gone), `1.37 does not serve ${gone} by default`);
  }
  const own36 = groupVersions((await get('a', '/apis', V2_NOPEER)).text);
  t.notOk(own36.includes('storagemigration.k8s.io/v1'), '1.36 does not serve storagemigration.k8s.io/v1 itself');

  // The 1.36 server learns its peers' discovery within seconds; then its merged /apis and its
  // proxy know the 1.37-only API.
  t.ok(
    await until(async () => (await get('a', SVM_PATH)).status === 200, 60_000),
    'the 1.36 server answers the 1.37-only API once it knows its peers',
  );
  const merged36 = groupVersions((await get('a', '/apis', V2)).text);
  t.ok(merged36.includes('storagemigration.k8s.io/v1'), "the 1.36 server's peer-merged /apis lists storagemigration.k8s.io/v1");
  // kube-skew's trace header names the server that answered and whether it received the request as proxied.
  const proxied = await httpsRequest(`${url('a')}${SVM_PATH}`, { method: 'GET', headers: { accept: 'application/json', 'x-kube-skew-trace': '1' }, tls });
  t.equal(proxied.status, 200, 'a list of storageversionmigrations sent to the 1.36 server succeeds');
  t.match(proxied.headers['x-kube-skew-served-by'], /^[bc]$/, 'served by a 1.37 server');
  t.equal(proxied.headers['x-kube-skew-received-proxied'], 'true', 'which received it through the proxy');
  t.equal((JSON.parse(proxied.text) as { kind: string }).kind, 'StorageVersionMigrationList');

  const metrics37 = (await get('b', '/metrics', 'text/plain')).text;
  t.match(metrics37, /^aggregator_discovery_peer_aggregated_cache_misses_total \d+$/m, 'with --peer-ca-file the 1.37 server builds peer-aggregated discovery and registers its counters');

  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'up stops cleanly');
});

t.test('up --no-peer-ca-file: 1.36 registers the peer discovery counters, 1.37 does not build them', async (t) => {
  const dir = await tempDir(t);
  const up = spawn(process.execPath, [CLI, 'up', '--servers', 'a=1.36,b=1.37', '--data-dir', dir, '--no-peer-ca-file'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => up.kill('SIGKILL'));
  let out = '';
  up.stdout.on('data', (d: Buffer) => (out += d.toString()));
  t.ok(await until(() => out.includes('ready') || up.exitCode !== null, 120_000), 'up finishes starting');
  if (!out.includes('ready')) return;
  const cluster = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { servers: Array<{ name: string; url: string }> };
  const tls = {
    ca: await readFile(join(dir, 'pki', 'ca.crt'), 'utf8'),
    cert: await readFile(join(dir, 'pki', 'admin.crt'), 'utf8'),
    key: await readFile(join(dir, 'pki', 'admin.key'), 'utf8'),
  };
  const metrics = async (name: string): Promise<string> =>
    (await httpsRequest(`${cluster.servers.find((s) => s.name === name)!.url}/metrics`, { method: 'GET', headers: { accept: 'text/plain' }, tls })).text;
  const counter = /^aggregator_discovery_peer_aggregated_cache_hits_total /m;
  t.match(await metrics('a'), counter, '1.36: registered because the proxy gate is on');
  t.notMatch(await metrics('b'), counter, '1.37: not registered, no peer-aggregated discovery without --peer-ca-file');
  t.match(await metrics('b'), /^apiserver_rerouted_request_total|# TYPE apiserver_rerouted_request_total counter/m, '1.37 still has the proxy metrics');
  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'up stops cleanly');
});
