/**
 * Server-side apply and managed fields over real HTTPS against one real 1.32 server process: apply
 * creates (201), updates, leaves an unchanged object alone (same resourceVersion), refuses a missing
 * fieldManager and `force` on other patches with upstream's 422s, answers conflicts with upstream's
 * 409 text and `FieldManagerConflict` causes, takes fields with `force=true`, removes fields an
 * applier stops applying unless someone else owns them, and records ordinary writes as operation
 * Update under their fieldManager or user agent. Also strategic merge patch over HTTP.
 */
import t from 'tap';
import { api, startCluster, urlOf, type ApiOptions } from '../fixtures/cluster.js';

type Obj = Record<string, any>;

t.test('server-side apply', async (t) => {
  const cluster = await startCluster(t, '1.32');
  const url = urlOf(cluster, 's1');
  const call = (method: string, path: string, opts: ApiOptions = {}) => api(cluster, url, method, path, opts);
  const cm = (ns: string, name = '') => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
  const applyHeaders = { 'content-type': 'application/apply-patch+yaml' };
  const apply = (path: string, body: unknown, query = 'fieldManager=tester') =>
    call('PATCH', `${path}?${query}`, typeof body === 'string' ? { raw: body, headers: applyHeaders } : { body, headers: applyHeaders });
  const configMap = (name: string, data: Record<string, string>, extra: Obj = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data });
  let nsCount = 0;
  const namespace = async (prefix: string) => {
    const name = `${prefix}-${++nsCount}`;
    const res = await call('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
    t.equal(res.status, 201, `namespace ${name}`);
    return name;
  };
  const managers = (obj: Obj) => (obj.metadata.managedFields ?? []).map((e: Obj) => `${e.manager}/${e.operation}`);

  t.test('apply creates, updates and leaves an unchanged object alone', async (t) => {
    const ns = await namespace('create');
    const created = await apply(cm(ns, 'app'), configMap('app', { key: 'one' }, { labels: { app: 'demo' } }));
    t.equal(created.status, 201, 'apply to a missing object creates it');
    t.equal(created.json.data.key, 'one');
    t.equal(created.json.metadata.namespace, ns);
    const entry = created.json.metadata.managedFields[0];
    t.same(Object.keys(entry), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1'], 'entry fields in upstream order');
    t.match(entry, { manager: 'tester', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1' });
    t.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    t.same(entry.fieldsV1, { 'f:data': { 'f:key': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } }, 'the applied fields, in FieldsV1');

    const again = await apply(cm(ns, 'app'), configMap('app', { key: 'one' }, { labels: { app: 'demo' } }));
    t.equal(again.status, 200);
    t.equal(again.json.metadata.resourceVersion, created.json.metadata.resourceVersion, 'an unchanged apply keeps the resourceVersion');
    t.same(again.json.metadata.managedFields, created.json.metadata.managedFields, 'and the managed fields, time included');

    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels:\n    app: demo\ndata:\n  key: two\n`;
    const changed = await apply(cm(ns, 'app'), yaml);
    t.equal(changed.status, 200, 'a YAML body applies');
    t.equal(changed.json.data.key, 'two');
    t.not(changed.json.metadata.resourceVersion, created.json.metadata.resourceVersion, 'a change bumps the resourceVersion');

    const dry = await apply(cm(ns, 'dry'), configMap('dry', { a: 'b' }), 'fieldManager=tester&dryRun=All');
    t.equal(dry.status, 201, 'a dry-run apply answers as a create');
    t.equal((await call('GET', cm(ns, 'dry'))).status, 404, 'and persists nothing');
  });

  t.test('PatchOptions checks', async (t) => {
    const ns = await namespace('options');
    const missing = await apply(cm(ns, 'x'), configMap('x', {}), '');
    t.equal(missing.status, 422);
    t.same(missing.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: 'Invalid',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
      code: 422,
    });
    await call('POST', cm(ns), { body: configMap('x', { a: 'b' }) });
    const force = await call('PATCH', `${cm(ns, 'x')}?force=true`, { body: { data: { a: 'c' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(force.status, 422);
    t.equal(force.json.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    const version = await apply(cm(ns, 'x'), { ...configMap('x', {}), apiVersion: 'v2' });
    t.equal(version.status, 400);
    t.equal(version.json.message, 'Incorrect version specified in apply patch. Specified patch version: v2, expected: v1');
    const managed = await apply(cm(ns, 'x'), configMap('x', {}, { managedFields: [{ manager: 'x' }] }));
    t.equal(managed.status, 400);
    t.equal(managed.json.message, 'metadata.managedFields must be nil');
    const bad = await apply(cm(ns, 'x'), 'data: [unclosed');
    t.equal(bad.status, 400);
    t.match(bad.json.message, /^error decoding YAML: /);
    const tooLong = await apply(cm(ns, 'x'), configMap('x', {}), `fieldManager=${'m'.repeat(129)}`);
    t.equal(tooLong.status, 422);
    t.match(tooLong.json.message, /^PatchOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long/);
  });

  t.test('conflicts, force and ownership', async (t) => {
    const ns = await namespace('conflict');
    const created = await call('POST', `${cm(ns)}?fieldManager=kubectl-client-side-apply`, { body: configMap('app', { key: 'one', other: 'x' }) });
    t.equal(created.status, 201);
    t.match(created.json.metadata.managedFields, [
      { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', fieldsV1: { 'f:data': { '.': {}, 'f:key': {}, 'f:other': {} } } },
    ], 'a create is recorded as an Update of every field it set');

    const same = await apply(cm(ns, 'app'), configMap('app', { key: 'one' }));
    t.equal(same.status, 200, 'applying the value another manager set is no conflict');
    t.same(managers(same.json), ['tester/Apply', 'kubectl-client-side-apply/Update'], 'both own data.key now');

    const conflict = await apply(cm(ns, 'app'), configMap('app', { key: 'two' }));
    t.equal(conflict.status, 409);
    t.same(conflict.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.key' }] },
      code: 409,
    });
    t.equal((await call('GET', cm(ns, 'app'))).json.data.key, 'one', 'a conflict changes nothing');

    const two = await apply(cm(ns, 'app'), configMap('app', { key: 'two', other: 'y' }));
    t.equal(two.status, 409);
    t.equal(
      two.json.message,
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .data.key\n- .data.other',
    );
    t.same(two.json.details.causes.map((c: Obj) => c.field), ['.data.key', '.data.other']);

    const forced = await apply(cm(ns, 'app'), configMap('app', { key: 'two' }), 'fieldManager=tester&force=true');
    t.equal(forced.status, 200, 'force=true takes the field');
    t.equal(forced.json.data.key, 'two');
    const byManager = Object.fromEntries(forced.json.metadata.managedFields.map((e: Obj) => [e.manager, e.fieldsV1]));
    t.same(byManager.tester, { 'f:data': { 'f:key': {} } });
    t.same(byManager['kubectl-client-side-apply'], { 'f:data': { '.': {}, 'f:other': {} } }, 'the other manager lost data.key');

    const updated = await call('PATCH', `${cm(ns, 'app')}?fieldManager=editor`, { body: { data: { key: 'three' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(updated.status, 200, 'an ordinary write never conflicts');
    const after = Object.fromEntries(updated.json.metadata.managedFields.map((e: Obj) => [e.manager, e]));
    t.equal(after.tester, undefined, 'the applier lost its only field to the update');
    t.match(after.editor, { operation: 'Update', apiVersion: 'v1', fieldsV1: { 'f:data': { 'f:key': {} } } });
  });

  t.test('fields an applier stops applying are removed unless someone else owns them', async (t) => {
    const ns = await namespace('prune');
    await apply(cm(ns, 'app'), configMap('app', { a: '1', b: '2', shared: 's' }, { labels: { x: 'y' } }));
    await apply(cm(ns, 'app'), configMap('app', { shared: 's' }), 'fieldManager=other');
    await call('PATCH', `${cm(ns, 'app')}?fieldManager=editor`, { body: { data: { c: '3' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    const pruned = await apply(cm(ns, 'app'), configMap('app', { a: '1' }));
    t.equal(pruned.status, 200);
    t.same(pruned.json.data, { a: '1', shared: 's', c: '3' }, 'b is gone; shared (another applier) and c (an updater) stay');
    t.equal(pruned.json.metadata.labels, undefined, 'a map emptied by the removal goes too');
  });

  t.test('lists: containers by name, conflicts named by key', async (t) => {
    const ns = await namespace('lists');
    const deploy = (image: string, containers: Obj[] = []) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }, ...containers] } },
      },
    });
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/web`;
    const created = await apply(path, deploy('nginx:1'));
    t.equal(created.status, 201);
    t.same(created.json.metadata.managedFields[0].fieldsV1['f:spec']['f:template']['f:spec'], {
      'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
    }, 'list items are keyed by their list map keys');
    const sidecarConfig = (containers: Obj[]) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers } } } });
    const sidecar = await apply(path, sidecarConfig([{ name: 'sidecar', image: 'busybox' }]), 'fieldManager=second');
    t.equal(sidecar.status, 200, 'another applier adds its own container');
    t.same(sidecar.json.spec.template.spec.containers.map((c: Obj) => c.name), ['nginx', 'sidecar'], 'live items keep their place, new ones follow');
    const conflict = await apply(path, sidecarConfig([{ name: 'sidecar', image: 'busybox' }, { name: 'nginx', image: 'nginx:2' }]), 'fieldManager=second');
    t.equal(conflict.status, 409);
    t.equal(conflict.json.message, 'Apply failed with 1 conflict: conflict with "tester": .spec.template.spec.containers[name="nginx"].image');
    t.same(conflict.json.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "tester"', field: '.spec.template.spec.containers[name="nginx"].image' }]);
    const again = await apply(path, deploy('nginx:1'));
    t.equal(again.json.metadata.resourceVersion, sidecar.json.metadata.resourceVersion, 'an unchanged apply changes nothing');
    t.same(again.json.spec.template.spec.containers.map((c: Obj) => c.name), ['nginx', 'sidecar'], "the other applier's container stays");
    const image = await apply(path, deploy('nginx:2'));
    t.equal(image.json.metadata.generation, sidecar.json.metadata.generation + 1, 'a spec change bumps the generation');
  });

  t.test('ordinary writes are recorded as Update', async (t) => {
    const ns = await namespace('update');
    const created = await call('POST', cm(ns), { body: configMap('app', { a: '1' }), headers: { 'user-agent': 'my-controller/v0.1 (linux/amd64)' } });
    t.match(created.json.metadata.managedFields, [{ manager: 'my-controller', operation: 'Update', apiVersion: 'v1' }], 'the user agent prefix names the manager');
    const noop = await call('PATCH', `${cm(ns, 'app')}?fieldManager=patcher`, { body: { data: { a: '1' } }, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
    t.equal(noop.json.metadata.resourceVersion, created.json.metadata.resourceVersion, 'a no-op strategic patch keeps the resourceVersion');
    t.same(noop.json.metadata.managedFields, created.json.metadata.managedFields, 'and records nobody');
    const put = await call('PUT', `${cm(ns, 'app')}?fieldManager=replacer`, { body: { ...configMap('app', { a: '1', b: '2' }), metadata: { name: 'app', resourceVersion: created.json.metadata.resourceVersion } } });
    t.equal(put.status, 200);
    t.same(managers(put.json), ['my-controller/Update', 'replacer/Update'], 'a PUT without managedFields keeps the live ones and adds its own');
    const reset = await call('PATCH', `${cm(ns, 'app')}?fieldManager=patcher`, { body: { metadata: { managedFields: [{}] } }, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(reset.json.metadata.managedFields, undefined, 'managedFields: [{}] clears them');
    const untracked = await call('PATCH', `${cm(ns, 'app')}?fieldManager=patcher`, { body: { data: { c: '3' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(untracked.json.metadata.managedFields, undefined, 'an object without managed fields stays untracked on update');
    const first = await apply(cm(ns, 'app'), configMap('app', { c: '4' }), 'fieldManager=tester');
    t.equal(first.status, 409, 'the first apply meets the fields that existed before it');
    t.equal(first.json.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.c');
  });

  t.test('strategic merge patch over HTTP', async (t) => {
    const ns = await namespace('smp');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:1' }] },
    };
    const created = await call('POST', `/api/v1/namespaces/${ns}/pods`, { body: pod });
    t.equal(created.status, 201);
    const smp = (body: unknown) => call('PATCH', `/api/v1/namespaces/${ns}/pods/p`, { body, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
    const patched = await smp({ spec: { containers: [{ name: 'b', image: 'b:2' }] } });
    t.equal(patched.status, 200);
    t.same(patched.json.spec.containers.map((c: Obj) => `${c.name}=${c.image}`), ['a=a:1', 'b=b:2'], 'merged by name');
    const noop = await smp({ spec: { containers: [{ name: 'b', image: 'b:2' }] } });
    t.equal(noop.json.metadata.resourceVersion, patched.json.metadata.resourceVersion, 'no change, same resourceVersion');
    // The delete directive removes container a; a Pod may not lose a container, so upstream's
    // validation refuses the patched object (which shows the directive took effect).
    const deleted = await smp({ spec: { containers: [{ name: 'a', $patch: 'delete' }] } });
    t.equal(deleted.status, 422);
    t.same(deleted.json.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not add or remove containers', field: 'spec.containers' }]);
    const bad = await smp({ spec: { containers: [{ image: 'x' }] } });
    t.equal(bad.status, 500);
    t.same(bad.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'map: map[image:x] does not contain declared merge key: name', code: 500 });
    const retain = await smp({ spec: { $retainKeys: 5 } });
    t.equal(retain.status, 400);
    t.equal(retain.json.message, 'invalid patch format of retainKeys');
  });
});
