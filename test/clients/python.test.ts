/**
 * The official Python client (Debian `python3-kubernetes`, run with /usr/bin/python3) against one
 * real 1.32 server process: test/clients/python_client.py does ConfigMap CRUD with CoreV1Api (patch
 * with a dict = strategic merge, with a list = JSON patch), a label-selector list, and
 * `watch.Watch().stream(list_namespaced_config_map, …)` while a thread makes changes, and prints one
 * JSON line per step, asserted here. Skipped when the package is not installed.
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../fixtures/cluster.js';

const PYTHON = '/usr/bin/python3';
// Compiled to dist/test/clients/; the script stays in test/clients/.
const SCRIPT = fileURLToPath(new URL('../../../test/clients/python_client.py', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' });
const missing = probe.error || probe.status !== 0;
t.test('python3-kubernetes client against a 1.32 server', { skip: missing ? 'python3-kubernetes is not installed (apt-get install python3-kubernetes)' : false }, run);

async function run(t: Test): Promise<void> {
  const cluster = await startCluster(t, '1.32');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, cluster.kubeconfigPath, 'skew-s1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, stdout: out, stderr: err });
    });
  });

  const steps = new Map<string, any>();
  const badLines: string[] = [];
  for (const line of stdout.split('\n').filter((l) => l.trim() !== '')) {
    try {
      const obj = JSON.parse(line);
      steps.set(obj.step, obj);
    } catch {
      badLines.push(line);
    }
  }
  const step = (name: string): any => steps.get(name) ?? {};

  t.equal(code, 0, 'script exits 0', { stderr: stderr.slice(-4000), error: step('error').error });
  t.same(badLines, [], 'every stdout line is JSON');
  t.ok(steps.has('end'), 'script ran to the end');

  t.test('create / read', async (t) => {
    t.match(step('create'), { name: 'py-crud', namespace: 'default', data: { a: '1' } });
    t.match(step('create').uid, /\S/, 'created object has a uid');
    t.match(step('create').resourceVersion, /^\d+$/, 'created object has a resourceVersion');
    t.same(step('read').data, { a: '1' });
    t.same(step('read').labels, { suite: 'py-crud', tier: 'a' });
    t.equal(step('read').uid, step('create').uid);
  });

  t.test('patch with a dict (strategic merge) and with a list (json patch)', async (t) => {
    t.same(step('patch-dict').data, { a: '1', b: '2' }, 'dict patch merged data');
    t.same(step('patch-dict').labels, { suite: 'py-crud', tier: 'b' }, 'dict patch merged labels');
    t.same(step('patch-list').data, { a: 'one' }, 'json patch replaced a and removed b');
    t.ok(Number(step('patch-list').resourceVersion) > Number(step('patch-dict').resourceVersion), 'resourceVersion increases');
    t.same(step('read-after-patch').data, { a: 'one' }, 'patch persisted');
  });

  t.test('delete, then read is a 404 ApiException', async (t) => {
    t.match(step('delete'), { kind: 'Status', status: 'Success' });
    t.equal(step('read-after-delete').status, 404);
    t.equal(step('read-after-delete').reason, 'Not Found');
    t.match(step('read-after-delete').body, {
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      details: { name: 'py-crud', kind: 'configmaps' },
    });
  });

  t.test('list with label selector', async (t) => {
    t.same(step('list').suite, ['py-list-1', 'py-list-2', 'py-list-3']);
    t.same(step('list').red, ['py-list-1', 'py-list-3']);
    t.same(step('list').none, []);
  });

  t.test('watch stream sees ADDED/MODIFIED/DELETED for changes made meanwhile', async (t) => {
    const events: any[] = step('watch').events ?? [];
    t.same(
      events.map((e) => [e.type, e.name, e.data]),
      [
        ['ADDED', 'py-watch', { v: '1' }],
        ['MODIFIED', 'py-watch', { v: '2' }],
        ['DELETED', 'py-watch', { v: '2' }],
      ],
    );
    const rvs = events.map((e) => Number(e.resourceVersion));
    t.ok(rvs.length === 3 && rvs[0]! < rvs[1]! && rvs[1]! <= rvs[2]!, 'event resourceVersions increase', { rvs });
  });

  t.test('watch with no resourceVersion: synthetic ADDED, then timeout_seconds ends the stream', async (t) => {
    t.same(step('watch-timeout').events, [{ type: 'ADDED', name: 'py-existing', data: { v: 'e' } }]);
    const seconds = Number(step('watch-timeout').seconds);
    t.ok(seconds >= 1.5 && seconds < 10, 'stream ended by timeout_seconds=2', { seconds });
  });
}
