/**
 * The official Python client (Debian `python3-kubernetes`, run with /usr/bin/python3) against one
 * real 1.32 server process: test/clients/python_client.py does ConfigMap CRUD with CoreV1Api (patch
 * with a dict = strategic merge, with a list = JSON patch), a label-selector list, and
 * `watch.Watch().stream(list_namespaced_config_map, …)` while a thread makes changes; in its
 * `dynamic-crd` mode it creates a CustomResourceDefinition and drives its custom objects through
 * `kubernetes.dynamic.DynamicClient`. It prints one JSON line per step, asserted here. Skipped when
 * the package is not installed.
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '../../server/cluster/cluster.js';
import { startCluster } from '../fixtures/cluster.js';

const PYTHON = '/usr/bin/python3';
// Compiled to dist/test/clients/; the script stays in test/clients/.
const SCRIPT = fileURLToPath(new URL('../../../test/clients/python_client.py', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' });
const missing = probe.error || probe.status !== 0;
const skip = missing ? 'python3-kubernetes is not installed (apt-get install python3-kubernetes)' : false;
t.test('python3-kubernetes client against a 1.32 server', { skip }, run);
t.test('python3-kubernetes dynamic client with a CRD against a 1.32 server', { skip }, runDynamicCRD);

/**
 * Runs the script in `mode` against context skew-s1 of `cluster` (killed after 90 s), asserts that it
 * exited 0 with JSON lines only and ran to its end, and returns a lookup of its steps by name.
 */
async function runScript(t: Test, cluster: Cluster, mode: string): Promise<(name: string) => any> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, cluster.kubeconfigPath, 'skew-s1', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  return step;
}

async function run(t: Test): Promise<void> {
  const cluster = await startCluster(t, '1.32');
  const step = await runScript(t, cluster, 'core');

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

async function runDynamicCRD(t: Test): Promise<void> {
  const cluster = await startCluster(t, '1.32');
  const step = await runScript(t, cluster, 'dynamic-crd');

  t.test('the CRD is created and becomes Established', async (t) => {
    t.equal(step('crd-create').name, 'gadgets.py.example.com');
    t.match(step('crd-create').uid, /\S/);
    t.equal(step('crd-established').established, true, 'Established=True');
    t.match(step('crd-established').acceptedNames, { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList', shortNames: ['gd'] });
    t.same(step('crd-established').storedVersions, ['v1']);
  });

  t.test('resources.get(api_version, kind) finds the custom resource through discovery', async (t) => {
    t.match(step('discover'), { name: 'gadgets', kind: 'Gadget', namespaced: true, group_version: 'py.example.com/v1', short_names: ['gd'] });
    t.same(step('discover').verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    t.same(step('discover').seen, [], 'no error but "not found yet" while discovery caught up');
  });

  t.test('create / get / list', async (t) => {
    t.match(step('create'), { name: 'py-g1', namespace: 'default', kind: 'Gadget', apiVersion: 'py.example.com/v1' });
    t.same(step('create').spec, { size: 3, mode: 'slow' }, 'the schema default was applied');
    t.match(step('create').resourceVersion, /^\d+$/);
    t.ok((step('create').seen ?? []).every((s: string) => s === 'NotFoundError 404'), 'before the CR was served, a 404 only', { seen: step('create').seen });
    t.equal(step('get').uid, step('create').uid);
    t.same(step('get').spec, { size: 3, mode: 'slow' });
    t.match(step('list'), { kind: 'GadgetList', apiVersion: 'py.example.com/v1', names: ['py-g1', 'py-g2'] });
    t.match(step('list').resourceVersion, /^\d+$/);
  });

  t.test('patch: strategic merge is refused with 415; merge and JSON patch apply', async (t) => {
    t.equal(step('patch-strategic').status, 415);
    t.match(step('patch-strategic').body, { kind: 'Status', status: 'Failure', reason: 'UnsupportedMediaType', code: 415 });
    t.same(step('patch-merge').spec, { size: 4, mode: 'fast', tags: ['a', 'b'] });
    t.same(step('patch-merge').labels, { suite: 'py-dyn', tier: 'b' });
    t.same(step('patch-json').spec, { size: 6, mode: 'fast' });
    t.ok(Number(step('patch-json').resourceVersion) > Number(step('patch-merge').resourceVersion), 'resourceVersion increases');
  });

  t.test('a patch breaking the CEL rule is a 422 with the rule message', async (t) => {
    t.equal(step('patch-rule').status, 422);
    t.match(step('patch-rule').body, {
      reason: 'Invalid',
      message: 'Gadget.py.example.com "py-g1" is invalid: spec: Invalid value: "object": only fast gadgets have tags',
      details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": only fast gadgets have tags' }] },
    });
  });

  t.test('a schema violation is a 422 ApiException with the Status body', async (t) => {
    t.match(step('invalid'), { status: 422, exception: 'UnprocessibleEntityError', is_api_exception: true });
    const body = step('invalid').body ?? {};
    t.match(body, { kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422, details: { name: 'py-bad', group: 'py.example.com', kind: 'Gadget' } });
    t.match(body.message, /^Gadget\.py\.example\.com "py-bad" is invalid: /);
    const causes: Array<{ field: string; reason: string; message: string }> = body.details?.causes ?? [];
    // An enum violation blocks the CEL rule; upstream says so in one cause with a nil field path.
    t.same(causes.map((c) => c.field).sort(), ['<nil>', 'spec.mode', 'spec.size'], 'one cause per violated field, and the rule not checked', { causes });
    t.match(causes.find((c) => c.field === 'spec.size'), { reason: 'FieldValueInvalid', message: /should be greater than or equal to 1/ });
    t.match(causes.find((c) => c.field === 'spec.mode'), { reason: 'FieldValueNotSupported', message: /supported values: "fast", "slow"/ });
  });

  t.test('delete, then get is a 404', async (t) => {
    const deleted = step('delete');
    t.ok((deleted.kind === 'Status' && deleted.status === 'Success') || deleted.uid === step('create').uid, 'delete answers Success or the deleted object', { deleted });
    t.match(step('get-after-delete'), { status: 404, exception: 'NotFoundError' });
    t.match(step('get-after-delete').body, { kind: 'Status', reason: 'NotFound', details: { name: 'py-g1', group: 'py.example.com', kind: 'gadgets' } });
  });
}
