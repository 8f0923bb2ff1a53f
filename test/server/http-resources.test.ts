/**
 * Resource endpoints over real HTTPS against one real 1.32 server process: create, get, update,
 * patch, list (paging, selectors), delete (finalizers, collections), output negotiation (Table,
 * PartialObjectMetadataList), the error Statuses with upstream's reasons and texts, hostile bodies
 * (deep nesting, YAML alias tricks, odd field names), and namespace lifecycle. Every subtest works in its own namespace so they do not see each other's objects.
 */
import t from 'tap';
import { api, startCluster, urlOf, WITHOUT_ROOT_CA_PUBLISHER, type ApiOptions, type ApiResponse } from '../fixtures/cluster.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const RV = /^[1-9]\d*$/;

/** A failure Status as upstream writes it. */
function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details === undefined ? {} : { details }), code };
}

function names(res: ApiResponse): string[] {
  return (res.json?.items ?? []).map((o: { metadata: { name: string } }) => o.metadata.name);
}

/** Poll `fn` until it returns a truthy value or `ms` pass. */
async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 10_000, stepMs = 50): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

function deployment(name: string, replicas = 1, labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

t.test('resources', async (t) => {
  // The lists below are exactly the ConfigMaps each test writes.
  const cluster = await startCluster(t, '1.32', { args: [WITHOUT_ROOT_CA_PUBLISHER] });
  const url = urlOf(cluster, 's1');
  // Node's client sends a DELETE body with neither Content-Length nor chunked encoding unless told,
  // so a body always goes out with its length (the 413 test streams one on purpose).
  const call = (method: string, path: string, opts: ApiOptions = {}) => {
    if (opts.body !== undefined && method === 'DELETE') {
      opts = { ...opts, raw: JSON.stringify(opts.body), headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(JSON.stringify(opts.body))), ...opts.headers } };
      delete opts.body;
    }
    return api(cluster, url, method, path, opts);
  };
  const cm = (ns: string, name = '') => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
  const deploy = (ns: string, name = '') => `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;
  const mergePatch = (path: string, body: unknown) => call('PATCH', path, { body, headers: { 'content-type': 'application/merge-patch+json' } });
  const jsonPatch = (path: string, body: unknown) => call('PATCH', path, { body, headers: { 'content-type': 'application/json-patch+json' } });
  const namespace = async (name: string): Promise<string> => {
    const res = await call('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
    if (res.status !== 201) throw new Error(`namespace ${name}: ${res.status} ${res.text}`);
    return name;
  };

  t.test('create and get', async (t) => {
    const ns = await namespace('create');
    const created = await call('POST', cm(ns), { body: { metadata: { name: 'x', labels: { a: 'b' } }, data: { k: 'v' } } });
    t.equal(created.status, 201);
    t.equal(created.headers['content-type'], 'application/json');
    t.equal(created.json.kind, 'ConfigMap');
    t.equal(created.json.apiVersion, 'v1');
    t.equal(created.json.metadata.name, 'x');
    t.equal(created.json.metadata.namespace, ns, 'namespace filled in from the path');
    t.match(created.json.metadata.uid, UID);
    t.match(created.json.metadata.creationTimestamp, TIMESTAMP);
    t.match(created.json.metadata.resourceVersion, RV);
    t.notOk('generation' in created.json.metadata, 'ConfigMaps have no generation');
    t.same(created.json.data, { k: 'v' });

    const got = await call('GET', cm(ns, 'x'));
    t.equal(got.status, 200);
    t.same(got.json, created.json, 'GET returns what create returned');

    const generated = await call('POST', cm(ns), { body: { metadata: { generateName: 'gen-' } } });
    t.equal(generated.status, 201);
    t.match(generated.json.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/, 'generateName + 5 random characters');
    t.equal(generated.json.metadata.generateName, 'gen-');

    // server-owned fields in the body are replaced
    const stamped = await call('POST', cm(ns), { body: { metadata: { name: 'stamped', uid: 'mine', resourceVersion: '12345', creationTimestamp: '2000-01-01T00:00:00Z' } } });
    t.equal(stamped.status, 201);
    t.not(stamped.json.metadata.uid, 'mine');
    t.not(stamped.json.metadata.creationTimestamp, '2000-01-01T00:00:00Z');
    t.not(stamped.json.metadata.resourceVersion, '12345');

    const d = await call('POST', deploy(ns), { body: deployment('web') });
    t.equal(d.status, 201);
    t.equal(d.json.kind, 'Deployment');
    t.equal(d.json.apiVersion, 'apps/v1');
    t.equal(d.json.metadata.generation, 1, 'a new Deployment has generation 1');

    // the body's type meta must match the endpoint
    const wrongKind = await call('POST', cm(ns), { body: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'wk' } } });
    t.equal(wrongKind.status, 400);
    t.equal(wrongKind.json.reason, 'BadRequest');
    const wrongNs = await call('POST', cm(ns), { body: { metadata: { name: 'wn', namespace: 'default' } } });
    t.same(wrongNs.json, failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'));
  });

  t.test('AlreadyExists, NotFound and a missing namespace', async (t) => {
    const ns = await namespace('errors');
    t.equal((await call('POST', cm(ns), { body: { metadata: { name: 'x' } } })).status, 201);
    const dup = await call('POST', cm(ns), { body: { metadata: { name: 'x' } } });
    t.equal(dup.status, 409);
    t.equal(dup.headers['content-type'], 'application/json');
    t.same(dup.json, failure(409, 'AlreadyExists', 'configmaps "x" already exists', { name: 'x', kind: 'configmaps' }));

    t.equal((await call('POST', deploy(ns), { body: deployment('web') })).status, 201);
    const dupDeploy = await call('POST', deploy(ns), { body: deployment('web') });
    t.same(dupDeploy.json, failure(409, 'AlreadyExists', 'deployments.apps "web" already exists', { name: 'web', group: 'apps', kind: 'deployments' }));

    const missing = await call('GET', cm(ns, 'nope'));
    t.equal(missing.status, 404);
    t.same(missing.json, failure(404, 'NotFound', 'configmaps "nope" not found', { name: 'nope', kind: 'configmaps' }));
    const missingDeploy = await call('GET', deploy(ns, 'nope'));
    t.same(missingDeploy.json, failure(404, 'NotFound', 'deployments.apps "nope" not found', { name: 'nope', group: 'apps', kind: 'deployments' }));
    for (const method of ['PUT', 'DELETE']) {
      const res = await call(method, cm(ns, 'nope'), method === 'PUT' ? { body: { metadata: { name: 'nope' } } } : {});
      t.same(res.json, failure(404, 'NotFound', 'configmaps "nope" not found', { name: 'nope', kind: 'configmaps' }), `${method} of a missing object`);
    }
    const patchMissing = await mergePatch(cm(ns, 'nope'), { data: { a: 'b' } });
    t.equal(patchMissing.status, 404, 'PATCH of a missing object');

    const noNamespace = await call('POST', cm('nope'), { body: { metadata: { name: 'x' } } });
    t.equal(noNamespace.status, 404);
    t.same(noNamespace.json, failure(404, 'NotFound', 'namespaces "nope" not found', { name: 'nope', kind: 'namespaces' }));
    const getInMissingNs = await call('GET', cm('nope', 'x'));
    t.same(getInMissingNs.json, failure(404, 'NotFound', 'configmaps "x" not found', { name: 'x', kind: 'configmaps' }), 'GET in a missing namespace: the object is not found');
    const listInMissingNs = await call('GET', cm('nope'));
    t.equal(listInMissingNs.status, 200, 'a list in a missing namespace is empty, not an error');
    t.same(listInMissingNs.json.items, []);
  });

  t.test('update: conflicts, no-op writes, generation', async (t) => {
    const ns = await namespace('update');
    const created = (await call('POST', cm(ns), { body: { metadata: { name: 'x' }, data: { a: '1' } } })).json;
    const rv0 = created.metadata.resourceVersion as string;

    const updated = await call('PUT', cm(ns, 'x'), { body: { ...created, data: { a: '2' } } });
    t.equal(updated.status, 200);
    t.same(updated.json.data, { a: '2' });
    t.ok(Number(updated.json.metadata.resourceVersion) > Number(rv0), 'resourceVersion moves forward');
    t.equal(updated.json.metadata.uid, created.metadata.uid, 'uid kept');
    t.equal(updated.json.metadata.creationTimestamp, created.metadata.creationTimestamp, 'creationTimestamp kept');

    const stale = await call('PUT', cm(ns, 'x'), { body: { ...created, data: { a: '3' } } });
    t.equal(stale.status, 409);
    t.same(
      stale.json,
      failure(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "x": the object has been modified; please apply your changes to the latest version and try again', { name: 'x', kind: 'configmaps' }),
    );
    t.same((await call('GET', cm(ns, 'x'))).json.data, { a: '2' }, 'the stale write changed nothing');

    // a no-op update keeps the resourceVersion (kubectl prints "unchanged"/"no change" from this)
    const current = (await call('GET', cm(ns, 'x'))).json;
    const noop = await call('PUT', cm(ns, 'x'), { body: current });
    t.equal(noop.status, 200);
    t.equal(noop.json.metadata.resourceVersion, current.metadata.resourceVersion, 'no-op PUT keeps resourceVersion');
    const noopPatch = await mergePatch(cm(ns, 'x'), { data: { a: '2' } });
    t.equal(noopPatch.json.metadata.resourceVersion, current.metadata.resourceVersion, 'no-op merge patch keeps resourceVersion');

    // an unconditional update (no resourceVersion) is allowed for ConfigMaps
    const { resourceVersion: _rv, ...metaWithoutRV } = current.metadata;
    void _rv;
    const unconditional = await call('PUT', cm(ns, 'x'), { body: { ...current, metadata: metaWithoutRV, data: { a: '4' } } });
    t.equal(unconditional.status, 200);
    t.same(unconditional.json.data, { a: '4' });

    const renamed = await call('PUT', cm(ns, 'x'), { body: { metadata: { name: 'y' } } });
    t.same(renamed.json, failure(400, 'BadRequest', 'the name of the object (y) does not match the name on the URL (x)'));

    // Deployment generation: spec changes bump it, metadata changes do not
    const d = (await call('POST', deploy(ns), { body: deployment('web') })).json;
    t.equal(d.metadata.generation, 1);
    const scaled = await call('PUT', deploy(ns, 'web'), { body: { ...d, spec: { ...d.spec, replicas: 3 } } });
    t.equal(scaled.status, 200);
    t.equal(scaled.json.metadata.generation, 2, 'spec change bumps generation');
    const labelled = await mergePatch(deploy(ns, 'web'), { metadata: { labels: { tier: 'fe' } } });
    t.equal(labelled.status, 200);
    t.equal(labelled.json.metadata.generation, 2, 'label change keeps generation');
    t.ok(Number(labelled.json.metadata.resourceVersion) > Number(scaled.json.metadata.resourceVersion), 'label change bumps resourceVersion');
    const patchedSpec = await mergePatch(deploy(ns, 'web'), { spec: { replicas: 5 } });
    t.equal(patchedSpec.json.metadata.generation, 3, 'spec patch bumps generation');
    t.equal(patchedSpec.json.spec.replicas, 5);
  });

  t.test('patch: merge, JSON patch, test failures, bad types', async (t) => {
    const ns = await namespace('patch');
    await call('POST', cm(ns), { body: { metadata: { name: 'x', labels: { keep: 'me', drop: 'me' } }, data: { a: '1', b: '2' } } });

    const merged = await mergePatch(cm(ns, 'x'), { metadata: { labels: { drop: null, add: 'yes' } }, data: { a: null, c: '3' } });
    t.equal(merged.status, 200);
    t.equal(merged.headers['content-type'], 'application/json');
    t.same(merged.json.metadata.labels, { keep: 'me', add: 'yes' });
    t.same(merged.json.data, { b: '2', c: '3' });

    const patched = await jsonPatch(cm(ns, 'x'), [
      { op: 'add', path: '/data/d', value: '4' },
      { op: 'replace', path: '/data/b', value: 'two' },
      { op: 'remove', path: '/data/c' },
      { op: 'test', path: '/data/d', value: '4' },
    ]);
    t.equal(patched.status, 200);
    t.same(patched.json.data, { b: 'two', d: '4' });

    const before = (await call('GET', cm(ns, 'x'))).json;
    const failedTest = await jsonPatch(cm(ns, 'x'), [{ op: 'replace', path: '/data/b', value: 'x' }, { op: 'test', path: '/data/d', value: 'not-4' }]);
    t.equal(failedTest.status, 422);
    t.same(failedTest.json, failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
    t.same((await call('GET', cm(ns, 'x'))).json, before, 'a failed JSON patch changes nothing');

    const missingPath = await jsonPatch(cm(ns, 'x'), [{ op: 'remove', path: '/data/nope' }]);
    t.equal(missingPath.status, 422, 'removing a missing path is refused');

    const malformed = await call('PATCH', cm(ns, 'x'), { raw: '{"data":', headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(malformed.json?.kind, 'Status', 'a malformed merge patch is refused with a Status');
    t.equal(malformed.json?.status, 'Failure');
    const notAList = await jsonPatch(cm(ns, 'x'), { op: 'add' });
    t.equal(notAList.status, 400, 'a JSON patch must be an array');

    for (const type of ['text/plain', 'application/json', 'application/x-unknown-patch']) {
      const res = await call('PATCH', cm(ns, 'x'), { body: { data: { z: '1' } }, headers: { 'content-type': type } });
      t.equal(res.status, 415, `${type}: 415`);
      t.equal(res.json?.reason, 'UnsupportedMediaType');
      t.match(res.json?.message, /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/);
    }
    const unsupported = await call('PATCH', cm(ns, 'x'), { body: {}, headers: { 'content-type': 'text/plain' } });
    t.equal(
      unsupported.json?.message,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
      "upstream's full list of patch types for built-in resources",
    );
    t.same((await call('GET', cm(ns, 'x'))).json, before, 'refused patches change nothing');
  });

  t.test('list: limit and continue', async (t) => {
    const ns = await namespace('paging');
    for (const n of ['a', 'b', 'c', 'd', 'e']) await call('POST', cm(ns), { body: { metadata: { name: n } } });
    const page1 = await call('GET', `${cm(ns)}?limit=2`);
    t.equal(page1.status, 200);
    t.equal(page1.json.kind, 'ConfigMapList');
    t.equal(page1.json.apiVersion, 'v1');
    t.same(names(page1), ['a', 'b']);
    t.match(page1.json.metadata.resourceVersion, RV);
    t.type(page1.json.metadata.continue, 'string');
    t.equal(page1.json.metadata.remainingItemCount, 3);
    const token = JSON.parse(Buffer.from(page1.json.metadata.continue, 'base64url').toString('utf8'));
    t.same(token, { v: 'meta.k8s.io/v1', rv: Number(page1.json.metadata.resourceVersion), start: 'b\u0000' }, "upstream's continue token format");

    // a write between pages is not seen: the pages are one snapshot
    await call('POST', cm(ns), { body: { metadata: { name: 'bb' } } });
    const page2 = await call('GET', `${cm(ns)}?limit=2&continue=${encodeURIComponent(page1.json.metadata.continue)}`);
    t.equal(page2.status, 200);
    t.same(names(page2), ['c', 'd']);
    t.equal(page2.json.metadata.resourceVersion, page1.json.metadata.resourceVersion, 'same snapshot resourceVersion');
    t.equal(page2.json.metadata.remainingItemCount, 1);
    const page3 = await call('GET', `${cm(ns)}?limit=2&continue=${encodeURIComponent(page2.json.metadata.continue)}`);
    t.same(names(page3), ['e']);
    t.notOk(page3.json.metadata.continue, 'last page has no continue');
    t.notOk('remainingItemCount' in page3.json.metadata, 'last page has no remainingItemCount');

    const all = await call('GET', cm(ns));
    t.same(names(all), ['a', 'b', 'bb', 'c', 'd', 'e'], 'an unpaged list is complete and in name order');
    t.notOk(all.json.metadata.continue);

    const withRV = await call('GET', `${cm(ns)}?limit=2&resourceVersion=1&continue=${encodeURIComponent(page1.json.metadata.continue)}`);
    t.same(withRV.json, failure(400, 'BadRequest', 'specifying resource version is not allowed when using continue'));
    const badToken = await call('GET', `${cm(ns)}?limit=2&continue=not-a-token!`);
    t.equal(badToken.status, 400);
    t.equal(badToken.json.reason, 'BadRequest');
    const badLimit = await call('GET', `${cm(ns)}?limit=ten`);
    t.equal(badLimit.status, 400);

    // all-namespaces list
    const everywhere = await call('GET', '/api/v1/configmaps?limit=500');
    t.equal(everywhere.status, 200);
    t.ok(names(everywhere).includes('bb'));
  });

  t.test('list: label selectors', async (t) => {
    const ns = await namespace('labels');
    const objects: Record<string, Record<string, string>> = {
      l1: { env: 'prod', tier: 'fe' },
      l2: { env: 'dev' },
      l3: { env: 'qa', tier: 'be' },
      l4: {},
    };
    for (const [name, labels] of Object.entries(objects)) await call('POST', cm(ns), { body: { metadata: { name, labels } } });
    const cases: Array<[string, string[]]> = [
      ['env=prod', ['l1']],
      ['env==prod', ['l1']],
      ['env!=prod', ['l2', 'l3', 'l4']],
      ['env in (prod,dev)', ['l1', 'l2']],
      ['env notin (prod,dev)', ['l3', 'l4']],
      ['tier', ['l1', 'l3']],
      ['!tier', ['l2', 'l4']],
      ['env,!tier', ['l2']],
      ['env in (prod, qa),tier notin (be)', ['l1']],
      ['', ['l1', 'l2', 'l3', 'l4']],
    ];
    for (const [selector, want] of cases) {
      const res = await call('GET', `${cm(ns)}?labelSelector=${encodeURIComponent(selector)}`);
      t.equal(res.status, 200, `${selector}: 200`);
      t.same(names(res), want, `labelSelector=${selector}`);
    }
    for (const bad of ['env in (', 'env in (a', '!', 'Bad Key=x', 'env=a b']) {
      const res = await call('GET', `${cm(ns)}?labelSelector=${encodeURIComponent(bad)}`);
      t.equal(res.status, 400, `labelSelector=${bad}: 400`);
      t.equal(res.json?.reason, 'BadRequest');
      t.equal(res.json?.kind, 'Status');
    }
  });

  t.test('list: field selectors', async (t) => {
    const ns = await namespace('fields');
    for (const n of ['f1', 'f2', 'f3']) await call('POST', cm(ns), { body: { metadata: { name: n } } });
    t.same(names(await call('GET', `${cm(ns)}?fieldSelector=${encodeURIComponent('metadata.name=f2')}`)), ['f2']);
    t.same(names(await call('GET', `${cm(ns)}?fieldSelector=${encodeURIComponent('metadata.name!=f2')}`)), ['f1', 'f3']);
    t.same(names(await call('GET', `${cm(ns)}?fieldSelector=${encodeURIComponent(`metadata.namespace=${ns}`)}`)), ['f1', 'f2', 'f3']);
    t.same(names(await call('GET', `/api/v1/configmaps?fieldSelector=${encodeURIComponent(`metadata.namespace=${ns},metadata.name=f3`)}`)), ['f3']);

    const unknown = await call('GET', `${cm(ns)}?fieldSelector=${encodeURIComponent('data.a=b')}`);
    t.equal(unknown.status, 400);
    t.same(unknown.json, failure(400, 'BadRequest', '"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"'));
    const unparsable = await call('GET', `${cm(ns)}?fieldSelector=${encodeURIComponent('metadata.name')}`);
    t.equal(unparsable.status, 400);
    t.equal(unparsable.json.reason, 'BadRequest');

    // events by involvedObject.*, terms in any order (kubectl describe)
    const event = (name: string, pod: string, uid: string) => ({
      metadata: { name },
      involvedObject: { kind: 'Pod', namespace: ns, name: pod, uid, apiVersion: 'v1' },
      reason: 'Scheduled',
      message: `Successfully assigned ${ns}/${pod} to node-1`,
      type: 'Normal',
      source: { component: 'default-scheduler' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:00:00Z',
      count: 1,
    });
    for (const [name, pod, uid] of [['e1', 'p1', 'u1'], ['e2', 'p2', 'u2'], ['e3', 'p1', 'u1']] as const) {
      const res = await call('POST', `/api/v1/namespaces/${ns}/events`, { body: event(name, pod, uid) });
      t.equal(res.status, 201, `event ${name} created`);
    }
    const orders = [
      `involvedObject.uid=u1,involvedObject.name=p1,involvedObject.namespace=${ns}`,
      `involvedObject.name=p1,involvedObject.namespace=${ns},involvedObject.uid=u1`,
      `involvedObject.namespace=${ns},involvedObject.uid=u1,involvedObject.name=p1`,
    ];
    for (const selector of orders) {
      const res = await call('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(selector)}&limit=500`);
      t.equal(res.status, 200);
      t.same(names(res), ['e1', 'e3'], selector);
    }
    t.same(names(await call('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent('involvedObject.kind=Pod,reason=Scheduled,involvedObject.name=p2')}`)), ['e2']);
  });

  t.test('delete: Status, finalizers, collections', async (t) => {
    const ns = await namespace('delete');
    const created = (await call('POST', cm(ns), { body: { metadata: { name: 'd1' } } })).json;
    const deleted = await call('DELETE', cm(ns, 'd1'), { body: { propagationPolicy: 'Background' } });
    t.equal(deleted.status, 200);
    t.equal(deleted.headers['content-type'], 'application/json');
    t.same(deleted.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'd1', kind: 'configmaps', uid: created.metadata.uid } });
    t.equal((await call('GET', cm(ns, 'd1'))).status, 404, 'gone');
    const again = await call('DELETE', cm(ns, 'd1'));
    t.same(again.json, failure(404, 'NotFound', 'configmaps "d1" not found', { name: 'd1', kind: 'configmaps' }));

    const d = (await call('POST', deploy(ns), { body: deployment('web') })).json;
    const deletedDeploy = await call('DELETE', deploy(ns, 'web'));
    t.same(deletedDeploy.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'web', group: 'apps', kind: 'deployments', uid: d.metadata.uid } });

    // with a finalizer the object stays, marked for deletion
    await call('POST', cm(ns), { body: { metadata: { name: 'fin', finalizers: ['example.com/hold'] } } });
    const marked = await call('DELETE', cm(ns, 'fin'));
    t.equal(marked.status, 200);
    t.equal(marked.json.kind, 'ConfigMap', 'the object comes back, not a Status');
    t.match(marked.json.metadata.deletionTimestamp, TIMESTAMP);
    t.equal(marked.json.metadata.deletionGracePeriodSeconds, 0);
    t.same(marked.json.metadata.finalizers, ['example.com/hold']);
    const still = await call('GET', cm(ns, 'fin'));
    t.equal(still.status, 200, 'still there');
    t.equal(still.json.metadata.deletionTimestamp, marked.json.metadata.deletionTimestamp);
    const deleteAgain = await call('DELETE', cm(ns, 'fin'));
    t.equal(deleteAgain.status, 200, 'deleting again is fine');
    t.equal(deleteAgain.json.metadata.deletionTimestamp, marked.json.metadata.deletionTimestamp, 'deletionTimestamp is not moved');
    const released = await mergePatch(cm(ns, 'fin'), { metadata: { finalizers: null } });
    t.equal(released.status, 200);
    t.equal((await call('GET', cm(ns, 'fin'))).status, 404, 'removing the last finalizer deletes the object');

    // preconditions
    const pre = (await call('POST', cm(ns), { body: { metadata: { name: 'pre' } } })).json;
    const wrongUid = await call('DELETE', cm(ns, 'pre'), { body: { preconditions: { uid: 'not-the-uid' } } });
    t.equal(wrongUid.status, 409);
    t.equal(wrongUid.json.reason, 'Conflict');
    // rest.BeforeDelete's early check names the kind, not the resource
    t.same(
      wrongUid.json,
      failure(409, 'Conflict', `Operation cannot be fulfilled on ConfigMap "pre": the UID in the precondition (not-the-uid) does not match the UID in record (${pre.metadata.uid}). The object might have been deleted and then recreated`, { name: 'pre', kind: 'ConfigMap' }),
    );
    const wrongRV = await call('DELETE', cm(ns, 'pre'), { body: { preconditions: { resourceVersion: '1' } } });
    t.same(
      wrongRV.json,
      failure(409, 'Conflict', `Operation cannot be fulfilled on ConfigMap "pre": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${pre.metadata.resourceVersion}). The object might have been modified`, { name: 'pre', kind: 'ConfigMap' }),
    );
    t.equal((await call('GET', cm(ns, 'pre'))).status, 200, 'a failed precondition deletes nothing');
    const rightPre = await call('DELETE', cm(ns, 'pre'), { body: { preconditions: { uid: pre.metadata.uid, resourceVersion: pre.metadata.resourceVersion } } });
    t.equal(rightPre.json.status, 'Success', 'matching preconditions delete');

    // deletecollection with a label selector
    for (const [name, del] of [['c1', 'yes'], ['c2', 'yes'], ['c3', 'no']] as const) await call('POST', cm(ns), { body: { metadata: { name, labels: { del } } } });
    const collection = await call('DELETE', `${cm(ns)}?labelSelector=${encodeURIComponent('del=yes')}`);
    t.equal(collection.status, 200);
    t.equal(collection.json.kind, 'ConfigMapList');
    t.same(names(collection), ['c1', 'c2'], 'the deleted objects come back');
    t.same(names(await call('GET', `${cm(ns)}?labelSelector=del`)), ['c3']);
    const rest = await call('DELETE', cm(ns));
    t.equal(rest.status, 200);
    t.same(names(await call('GET', cm(ns))), [], 'deletecollection without a selector empties the namespace');
  });

  t.test('bad input is refused and changes nothing', async (t) => {
    const ns = await namespace('bad');
    const countOf = async (): Promise<number> => (await call('GET', cm(ns))).json.items.length;

    const malformed = await call('POST', cm(ns), { raw: '{"metadata":{"name":"half"', headers: { 'content-type': 'application/json' } });
    t.equal(malformed.status, 400);
    t.equal(malformed.json.kind, 'Status');
    t.equal(malformed.json.reason, 'BadRequest');
    t.match(malformed.json.message, /^couldn't get version\/kind; json parse error: /);
    const notObject = await call('POST', cm(ns), { raw: '[1,2]', headers: { 'content-type': 'application/json' } });
    t.equal(notObject.status, 400);
    const empty = await call('POST', cm(ns), { raw: '', headers: { 'content-type': 'application/json' } });
    t.equal(empty.status, 400);
    t.equal((await call('GET', cm(ns, 'half'))).status, 404);
    t.equal(await countOf(), 0, 'nothing stored');

    const invalid = await call('POST', cm(ns), { body: { metadata: { name: 'Bad_Name' } } });
    t.equal(invalid.status, 422);
    const detail =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    t.same(
      invalid.json,
      failure(422, 'Invalid', `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${detail}`, {
        name: 'Bad_Name',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${detail}`, field: 'metadata.name' }],
      }),
    );
    const noName = await call('POST', cm(ns), { body: { data: { a: 'b' } } });
    t.equal(noName.status, 422);
    t.same(noName.json.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    t.equal(await countOf(), 0, 'nothing stored');

    const unsupportedBody = await call('POST', cm(ns), { raw: 'name: x', headers: { 'content-type': 'text/plain' } });
    t.equal(unsupportedBody.status, 415);
    t.equal(unsupportedBody.json.reason, 'UnsupportedMediaType');

    // bodies over kube-apiserver's 3 MiB limit: 413, whether the length is declared or streamed
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } });
    const tooLarge = failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    const declared = await call('POST', cm(ns), { raw: big, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) } });
    t.equal(declared.status, 413);
    t.same(declared.json, tooLarge);
    const streamed = await call('POST', cm(ns), { raw: big, headers: { 'content-type': 'application/json' } });
    t.equal(streamed.status, 413);
    t.same(streamed.json, tooLarge);
    t.equal((await call('GET', cm(ns, 'big'))).status, 404, 'nothing stored');
    const bigPatch = await call('PATCH', cm(ns, 'big'), { raw: big, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(bigPatch.status, 413);
    t.equal((await call('POST', cm(ns), { body: { metadata: { name: 'after' } } })).status, 201, 'the server still works');

    const badDryRun = await call('POST', `${cm(ns)}?dryRun=Some`, { body: { metadata: { name: 'dry' } } });
    t.equal(badDryRun.json.status, 'Failure', 'an unknown dryRun value is refused');
    t.equal((await call('GET', cm(ns, 'dry'))).status, 404, 'and nothing is stored');
    // upstream validates CreateOptions: a 422, not a 400
    t.same(
      badDryRun.json,
      failure(422, 'Invalid', 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"', {
        group: 'meta.k8s.io',
        kind: 'CreateOptions',
        causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: []string{"Some"}: supported values: "All"', field: 'dryRun' }],
      }),
      "upstream's CreateOptions validation",
    );
    const dry = await call('POST', `${cm(ns)}?dryRun=All`, { body: { metadata: { name: 'dry' } } });
    t.equal(dry.status, 201);
    t.equal((await call('GET', cm(ns, 'dry'))).status, 404, 'dryRun=All stores nothing');
  });

  t.test('hostile bodies: deep nesting, YAML alias tricks, odd unknown fields', async (t) => {
    const ns = await namespace('hostile');
    const tooDeep = failure(400, 'BadRequest', "couldn't get version/kind; json parse error: exceeded max depth");
    const deep = (n: number, inner: string): string => '{"a":'.repeat(n) + inner + '}'.repeat(n);
    // Once a stack overflow: a 500 from field validation, or V8 aborting in the YAML composer.
    const deepJson = await call('POST', cm(ns), { raw: deep(10_001, '1'), headers: { 'content-type': 'application/json' } });
    t.same(deepJson.json, tooDeep, 'JSON past 10,000 levels');
    const deepField = await call('POST', cm(ns), { raw: `{"metadata":{"name":"deep"},"extra":${deep(5000, '1')}}`, headers: { 'content-type': 'application/json' } });
    t.same(deepField.json, tooDeep, "JSON past kube-skew's 500 levels, in an unknown field");
    const deepYaml = await call('POST', cm(ns), { raw: `metadata: {name: deep}\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, headers: { 'content-type': 'application/yaml' } });
    t.same(deepYaml.json, tooDeep, 'YAML flow collections 5,000 deep');
    const deepPatch = await call('PATCH', cm(ns, 'x'), { raw: deep(600, '1'), headers: { 'content-type': 'application/merge-patch+json' } });
    t.same(deepPatch.json, failure(400, 'BadRequest', 'exceeded max depth'), 'a merge patch 600 deep');
    const shallow = await call('POST', cm(ns), { raw: `{"metadata":{"name":"shallow"},"extra":${deep(400, '1')}}`, headers: { 'content-type': 'application/json' } });
    t.equal(shallow.status, 201, 'an unknown field 400 deep is dropped with a warning');

    const selfRef = await call('POST', cm(ns), { raw: 'metadata: &m\n  name: loop\n  labels: *m\n', headers: { 'content-type': 'application/yaml' } });
    t.same(selfRef.json, failure(400, 'BadRequest', "error converting YAML to JSON: yaml: anchor 'm' value contains itself"), 'an anchor containing its own alias');
    const laughs = ['a0: &a0 ["lol"]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n');
    const bomb = await call('POST', cm(ns), { raw: `metadata: {name: bomb}\n${laughs}\n`, headers: { 'content-type': 'application/yaml' } });
    t.same(bomb.json, failure(400, 'BadRequest', 'error converting YAML to JSON: yaml: document contains excessive aliasing'), 'billion laughs');
    const applyLoop = await call('PATCH', `${cm(ns, 'loop')}?fieldManager=t`, { raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: loop\n  annotations: *m\n', headers: { 'content-type': 'application/apply-patch+yaml' } });
    t.same(applyLoop.json, failure(400, 'BadRequest', "error decoding YAML: yaml: anchor 'm' value contains itself"), 'the same in an apply patch');
    t.same(names(await call('GET', cm(ns))), ['shallow'], 'only the shallow object was stored');

    // Unknown fields named with control characters or non-ASCII: the warning follows upstream's
    // NewWarningHeader (dropped, or sent as UTF-8), where once setting the header failed with a 500
    // after the object was written.
    const odd = await call('POST', cm(ns), { raw: '{"metadata":{"name":"odd"},"a\\u0001b":1,"caf\u00e9\ufffd":2}', headers: { 'content-type': 'application/json' } });
    t.equal(odd.status, 201);
    const warning = ([] as string[]).concat(odd.headers.warning ?? []).map((w) => Buffer.from(w, 'latin1').toString('utf8'));
    t.same(warning, ['299 - "unknown field \\"caf\u00e9\ufffd\\""'], 'the control-character warning is dropped, the other sent as UTF-8');
  });

  t.test('routing errors: unknown resources, scopes, methods', async (t) => {
    const notFoundStatus = failure(404, 'NotFound', 'the server could not find the requested resource', {});
    // a served group/version with an unknown resource: go-restful's 404 Status
    for (const path of ['/api/v1/namespaces/default/foos', '/api/v1/foos/x', '/apis/apps/v1/namespaces/default/foos/x', '/apis/apps/v1/foos']) {
      const res = await call('GET', path);
      t.equal(res.status, 404, path);
      t.equal(res.headers['content-type'], 'application/json');
      t.same(res.json, notFoundStatus, `${path}: NotFound Status`);
    }
    // a cluster-scoped resource addressed inside a namespace has no route
    for (const path of ['/api/v1/namespaces/default/nodes', '/api/v1/namespaces/default/nodes/n1', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/clusterroles']) {
      const res = await call('GET', path);
      t.same(res.json, notFoundStatus, `${path}: cluster-scoped under a namespace`);
    }
    const unknownSub = await call('GET', '/api/v1/namespaces/default/configmaps/x/status');
    t.same(unknownSub.json, notFoundStatus, 'configmaps have no status subresource');

    // group/versions this minor does not serve: the plain-text 404
    for (const path of ['/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas', '/apis/batch/v1beta1/namespaces/default/cronjobs', '/apis/nope.example.com/v1/things', '/api/v2/pods']) {
      const res = await call('GET', path);
      t.equal(res.status, 404, path);
      t.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
      t.equal(res.text, '404 page not found\n', `${path}: text 404`);
    }

    // methods without a route: go-restful's 405
    const methodNotAllowed = failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    const putCollection = await call('PUT', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'x' } } });
    t.equal(putCollection.status, 405);
    t.same(putCollection.json, methodNotAllowed);
    const postNamed = await call('POST', '/api/v1/namespaces/default/configmaps/x', { body: { metadata: { name: 'x' } } });
    t.same(postNamed.json, methodNotAllowed, 'POST to a named object');
    const patchCollection = await call('PATCH', '/api/v1/namespaces/default/configmaps', { body: {}, headers: { 'content-type': 'application/merge-patch+json' } });
    t.same(patchCollection.json, methodNotAllowed, 'PATCH to a collection');

    // a special verb with nothing after it: upstream's RequestInfo failure, a plain-text 500
    const watchRoot = await call('GET', '/api/v1/watch');
    t.equal(watchRoot.status, 500);
    t.equal(watchRoot.headers['content-type'], 'text/plain; charset=utf-8');
    t.equal(watchRoot.text, 'Internal Server Error: "/api/v1/watch": failed to create RequestInfo: unable to determine kind and namespace from url, /api/v1/watch\n');
  });

  t.test('output: Table and PartialObjectMetadataList', async (t) => {
    const ns = await namespace('output');
    await call('POST', cm(ns), { body: { metadata: { name: 'one', labels: { app: 'x' } }, data: { a: '1', b: '2' } } });
    await call('POST', cm(ns), { body: { metadata: { name: 'two' } } });

    const table = await call('GET', `${cm(ns)}?limit=500`, { headers: { accept: TABLE_ACCEPT } });
    t.equal(table.status, 200);
    t.equal(table.headers['content-type'], 'application/json', 'upstream writes transformed responses as application/json');
    t.equal(table.json.kind, 'Table');
    t.equal(table.json.apiVersion, 'meta.k8s.io/v1');
    t.match(table.json.metadata.resourceVersion, RV);
    t.same(
      table.json.columnDefinitions.map((c: { name: string; type: string; format: string; priority: number }) => [c.name, c.type, c.format, c.priority]),
      [['Name', 'string', 'name', 0], ['Data', 'string', '', 0], ['Age', 'string', '', 0]],
    );
    t.equal(table.json.rows.length, 2);
    const row = table.json.rows[0];
    t.equal(row.cells[0], 'one');
    t.equal(row.cells[1], 2, 'Data column counts the keys');
    t.match(row.cells[2], /^\d+s$/, 'Age in seconds');
    t.same(row.object.kind, 'PartialObjectMetadata', 'default includeObject=Metadata');
    t.equal(row.object.apiVersion, 'meta.k8s.io/v1');
    t.equal(row.object.metadata.name, 'one');
    t.equal(row.object.metadata.namespace, ns);
    t.same(row.object.metadata.labels, { app: 'x' });

    const withObject = await call('GET', `/api/v1/configmaps?includeObject=Object&fieldSelector=${encodeURIComponent(`metadata.namespace=${ns}`)}`, { headers: { accept: TABLE_ACCEPT } });
    t.equal(withObject.json.kind, 'Table');
    t.equal(withObject.json.rows[0].object.kind, 'ConfigMap', 'includeObject=Object carries the full object');
    t.equal(withObject.json.rows[0].object.apiVersion, 'v1');
    t.same(withObject.json.rows[0].object.data, { a: '1', b: '2' });
    const none = await call('GET', `${cm(ns)}?includeObject=None`, { headers: { accept: TABLE_ACCEPT } });
    t.notOk(none.json.rows[0].object, 'includeObject=None: no object');
    const badInclude = await call('GET', `${cm(ns)}?includeObject=All`, { headers: { accept: TABLE_ACCEPT } });
    t.same(badInclude.json, failure(400, 'BadRequest', 'Unable to convert to Table as requested: includeObject: Unsupported value: "All": supported values: "Metadata", "None", "Object"'));

    const single = await call('GET', cm(ns, 'one'), { headers: { accept: TABLE_ACCEPT } });
    t.equal(single.json.kind, 'Table');
    t.equal(single.json.rows.length, 1, 'a GET of one object is a one-row Table');
    t.equal(single.json.rows[0].cells[0], 'one');

    const v1beta1 = await call('GET', cm(ns), { headers: { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' } });
    t.equal(v1beta1.json.apiVersion, 'meta.k8s.io/v1beta1');

    const paged = await call('GET', `${cm(ns)}?limit=1`, { headers: { accept: TABLE_ACCEPT } });
    t.equal(paged.json.rows.length, 1);
    t.type(paged.json.metadata.continue, 'string', 'Table pages carry continue');

    const partial = await call('GET', cm(ns), { headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json' } });
    t.equal(partial.status, 200);
    t.equal(partial.headers['content-type'], 'application/json');
    t.equal(partial.json.kind, 'PartialObjectMetadataList');
    t.equal(partial.json.apiVersion, 'meta.k8s.io/v1');
    t.match(partial.json.metadata.resourceVersion, RV);
    t.same(partial.json.items.map((i: { kind: string; apiVersion: string; metadata: { name: string } }) => [i.kind, i.apiVersion, i.metadata.name]), [
      ['PartialObjectMetadata', 'meta.k8s.io/v1', 'one'],
      ['PartialObjectMetadata', 'meta.k8s.io/v1', 'two'],
    ]);
    t.notOk('data' in partial.json.items[0], 'metadata only');
    const partialOne = await call('GET', cm(ns, 'one'), { headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } });
    t.equal(partialOne.json.kind, 'PartialObjectMetadata');
    t.equal(partialOne.json.metadata.name, 'one');

    const yaml = await call('GET', cm(ns, 'one'), { headers: { accept: 'application/yaml' } });
    t.equal(yaml.status, 200);
    t.equal(yaml.headers['content-type'], 'application/yaml');
    t.match(yaml.text, /^apiVersion: v1\n/m);
    const refused = await call('GET', cm(ns, 'one'), { headers: { accept: 'text/html' } });
    t.equal(refused.status, 406);
    t.same(refused.json, failure(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf'));
  });

  t.test('namespace lifecycle', async (t) => {
    const ns = await namespace('doomed');
    const created = (await call('GET', `/api/v1/namespaces/${ns}`)).json;
    t.same(created.spec, { finalizers: ['kubernetes'] });
    t.same(created.status, { phase: 'Active' });
    await call('POST', cm(ns), { body: { metadata: { name: 'plain' } } });
    await call('POST', cm(ns), { body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });

    const deleted = await call('DELETE', `/api/v1/namespaces/${ns}`);
    t.equal(deleted.status, 200);
    t.equal(deleted.json.kind, 'Namespace', 'the namespace comes back while it terminates');
    t.match(deleted.json.metadata.deletionTimestamp, TIMESTAMP);
    t.equal(deleted.json.status.phase, 'Terminating');

    const refused = await call('POST', cm(ns), { body: { metadata: { name: 'late' } } });
    t.equal(refused.status, 403);
    t.same(
      refused.json,
      failure(403, 'Forbidden', `configmaps "late" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        name: 'late',
        kind: 'configmaps',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      }),
    );

    // the controller deletes what it can; the finalizer holds the rest and the namespace
    const emptied = await eventually(async () => {
      const res = await call('GET', cm(ns));
      return res.json.items.length === 1 && res.json.items[0].metadata.deletionTimestamp ? res : undefined;
    });
    t.ok(emptied, 'content without finalizers is deleted; the held object is marked');
    const waiting = await eventually(async () => {
      const res = await call('GET', `/api/v1/namespaces/${ns}`);
      const cond = (res.json?.status?.conditions ?? []).find((c: { type: string }) => c.type === 'NamespaceFinalizersRemaining');
      return cond?.status === 'True' ? res : undefined;
    });
    t.ok(waiting, 'the namespace reports the remaining finalizers');
    const contentRemaining = (waiting?.json.status.conditions ?? []).find((c: { type: string }) => c.type === 'NamespaceContentRemaining');
    // upstream prints `<resource>.<group>`: a core resource ends in a bare dot
    t.match(contentRemaining, { status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    const finalizersRemaining = (waiting?.json.status.conditions ?? []).find((c: { type: string }) => c.type === 'NamespaceFinalizersRemaining');
    t.match(finalizersRemaining, { reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    t.equal((await call('GET', `/api/v1/namespaces/${ns}`)).status, 200, 'the namespace stays while content remains');

    await mergePatch(cm(ns, 'held'), { metadata: { finalizers: null } });
    const gone = await eventually(async () => ((await call('GET', `/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined));
    t.ok(gone, 'the namespace is removed once empty');
    const after = await call('GET', `/api/v1/namespaces/${ns}`);
    t.same(after.json, failure(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }));

    // a namespace with ordinary content goes away on its own
    const quick = await namespace('quick');
    await call('POST', cm(quick), { body: { metadata: { name: 'a' } } });
    await call('POST', deploy(quick), { body: deployment('web') });
    t.equal((await call('DELETE', `/api/v1/namespaces/${quick}`)).status, 200);
    t.ok(await eventually(async () => ((await call('GET', `/api/v1/namespaces/${quick}`)).status === 404 ? true : undefined)), 'emptied and removed');
    t.equal((await call('GET', deploy(quick, 'web'))).status, 404, 'its deployment is gone');
  });
});
