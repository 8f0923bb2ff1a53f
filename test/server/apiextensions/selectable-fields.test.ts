/**
 * `spec.versions[].selectableFields` over real HTTPS, one store shared by a 1.29, a 1.30 (gate
 * CustomResourceFieldSelectors alpha, off), a 1.30 with the gate on and a 1.33 (GA) server:
 * list and watch of custom resources by the selectable fields (string, integer, enum, boolean;
 * `=`, `!=`, combined, metadata.name/namespace), upstream's 400 `field label not supported` for
 * any other label and on a server whose gate is off, the `x-kubernetes-selectable-fields`
 * extension of the kind's OpenAPI v3 schema only where the gate is on, the field dropped from a CRD
 * written with the gate off (unless the CRD already had it), unknown to 1.29, and the CRD checks
 * with upstream's messages.
 */
import t from 'tap';
import { api, startCluster, urlOf, type ApiOptions } from '../../fixtures/cluster.js';
import { openWatch, poll } from '../../peers/helpers.js';

type Obj = Record<string, any>;

const GROUP = 'tests.example.com';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const SPEC = {
  type: 'object',
  properties: {
    color: { type: 'string' },
    quantity: { type: 'integer' },
    size: { type: 'string', enum: ['S', 'M', 'L', 'XL'] },
    branded: { type: 'boolean' },
    nested: { type: 'object', properties: { a: { type: 'string' } } },
    ratio: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
  },
};
const crd = (plural: string, kind: string, selectableFields: Obj[] | undefined, extraRoot: Obj = {}) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural, singular: kind.toLowerCase(), kind },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: SPEC, ...extraRoot } } },
        ...(selectableFields ? { selectableFields } : {}),
      },
    ],
  },
});
const SHIRT_FIELDS = [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.quantity' }, { jsonPath: '.spec.size' }, { jsonPath: '.spec.branded' }];
const shirt = (name: string, spec: Obj) => ({ apiVersion: `${GROUP}/v1`, kind: 'Shirt', metadata: { name }, spec });

t.test('selectable fields of custom resources', async (t) => {
  const cluster = await startCluster(
    t,
    [
      { name: 'k129', minor: '1.29' },
      { name: 'k130', minor: '1.30' },
      { name: 'k130on', minor: '1.30', featureGates: 'CustomResourceFieldSelectors=true' },
      { name: 'k133', minor: '1.33' },
    ],
    { mvp: false },
  );
  const call = (server: string, method: string, path: string, opts: ApiOptions = {}) => api(cluster, urlOf(cluster, server), method, path, opts);
  const shirts = `/apis/${GROUP}/v1/namespaces/default/shirts`;
  const select = (server: string, selector: string) => call(server, 'GET', `${shirts}?fieldSelector=${encodeURIComponent(selector)}`);
  const names = (r: { json: Obj }) => r.json.items.map((i: Obj) => i.metadata.name).sort();

  const created = await call('k133', 'POST', CRDS, { body: crd('shirts', 'Shirt', SHIRT_FIELDS) });
  t.equal(created.status, 201, `CRD with selectable fields: ${JSON.stringify(created.json)}`);
  t.same(created.json.spec.versions[0].selectableFields, SHIRT_FIELDS, 'kept where the gate is on');
  for (const server of ['k130', 'k130on', 'k133']) t.ok((await poll(() => call(server, 'GET', shirts), (r) => r.status === 200)).ok, `${server} serves shirts`);
  for (const [name, spec] of [
    ['shirt1', { color: 'blue', quantity: 2, size: 'S', branded: true }],
    ['shirt2', { color: 'blue', quantity: 3, size: 'M', branded: false }],
    ['shirt3', { color: 'green', quantity: 2, branded: false }],
  ] as const) t.equal((await call('k133', 'POST', shirts, { body: shirt(name, spec) })).status, 201, name);

  await t.test('list by selectable fields on 1.33', async (t) => {
    const cases: Array<[string, string[]]> = [
      ['spec.color=blue', ['shirt1', 'shirt2']],
      ['spec.quantity=2', ['shirt1', 'shirt3']],
      ['spec.size=M', ['shirt2']],
      ['spec.size=', ['shirt3']],
      ['spec.branded=false', ['shirt2', 'shirt3']],
      ['spec.color=blue,spec.quantity=2', ['shirt1']],
      ['spec.color!=blue', ['shirt3']],
      ['metadata.name=shirt2', ['shirt2']],
      ['metadata.namespace=default,spec.branded=true', ['shirt1']],
    ];
    for (const [selector, want] of cases) {
      const r = await select('k133', selector);
      t.equal(r.status, 200, selector);
      t.same(names(r), want, selector);
    }
    const bad = await select('k133', 'spec.nosuchfield=xyz');
    t.equal(bad.status, 400);
    t.match(bad.json, { reason: 'BadRequest', message: 'field label not supported: spec.nosuchfield' });
    const notSelectable = await select('k133', 'spec.nested.a=x');
    t.equal(notSelectable.json.message, 'field label not supported: spec.nested.a', 'a field of the schema that is not selectable');
  });

  await t.test('watch by a selectable field', async (t) => {
    const rv = (await call('k133', 'GET', shirts)).json.metadata.resourceVersion;
    const w = openWatch(cluster, urlOf(cluster, 'k133'), `${shirts}?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent('spec.color=blue')}`);
    t.teardown(() => w.close());
    t.equal((await w.started).status, 200);
    const patched = await call('k133', 'PATCH', `${shirts}/shirt3`, { body: { spec: { color: 'blue' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(patched.status, 200);
    await call('k133', 'PATCH', `${shirts}/shirt2`, { body: { spec: { color: 'red' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    const seen = await poll(async () => w.events.length, (n) => n >= 2);
    t.ok(seen.ok, 'two events');
    t.same(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED shirt3', 'DELETED shirt2'], 'entering the selection is ADDED, leaving it DELETED');
    const badWatch = await call('k133', 'GET', `${shirts}?watch=true&fieldSelector=${encodeURIComponent('spec.nested.a=x')}`);
    t.equal(badWatch.status, 400);
    t.equal(badWatch.json.message, 'field label not supported: spec.nested.a');
  });

  await t.test('OpenAPI v3 lists the selectable fields where the gate is on', async (t) => {
    const doc = await poll(() => call('k133', 'GET', `/openapi/v3/apis/${GROUP}/v1`), (r) => r.status === 200);
    t.same(doc.value.json.components.schemas['com.example.tests.v1.Shirt']['x-kubernetes-selectable-fields'], [
      { fieldPath: 'spec.color' },
      { fieldPath: 'spec.quantity' },
      { fieldPath: 'spec.size' },
      { fieldPath: 'spec.branded' },
    ]);
    const off = await poll(() => call('k130', 'GET', `/openapi/v3/apis/${GROUP}/v1`), (r) => r.status === 200);
    t.notOk('x-kubernetes-selectable-fields' in off.value.json.components.schemas['com.example.tests.v1.Shirt'], 'not on 1.30 with the alpha gate off');
    const on = await poll(() => call('k130on', 'GET', `/openapi/v3/apis/${GROUP}/v1`), (r) => r.status === 200);
    t.ok('x-kubernetes-selectable-fields' in on.value.json.components.schemas['com.example.tests.v1.Shirt'], 'on 1.30 with the gate on');
  });

  await t.test('the gate decides per server', async (t) => {
    const off = await select('k130', 'spec.color=blue');
    t.equal(off.status, 400, '1.30 with the gate off refuses the label');
    t.equal(off.json.message, 'field label not supported: spec.color');
    t.same(names(await select('k130', 'metadata.name=shirt1')), ['shirt1'], 'metadata.name stays selectable');
    const on = await select('k130on', 'spec.quantity=2');
    t.equal(on.status, 200, '1.30 with the gate on selects');
    t.same(names(on), ['shirt1', 'shirt3']);

    const dropped = await call('k130', 'POST', CRDS, { body: crd('pants', 'Pants', [{ jsonPath: '.spec.color' }]) });
    t.equal(dropped.status, 201);
    t.notOk('selectableFields' in dropped.json.spec.versions[0], 'a new CRD loses the field while the gate is off');
    const kept = await call('k130', 'PATCH', `${CRDS}/shirts.${GROUP}`, {
      body: [{ op: 'replace', path: '/spec/versions/0/selectableFields', value: [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.quantity' }] }],
      headers: { 'content-type': 'application/json-patch+json' },
    });
    t.equal(kept.status, 200);
    t.same(kept.json.spec.versions[0].selectableFields, [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.quantity' }], 'a CRD that already has it keeps it');

    const unknown = await call('k129', 'POST', `${CRDS}?fieldValidation=Strict`, { body: crd('socks', 'Sock', [{ jsonPath: '.spec.color' }]) });
    t.equal(unknown.status, 400, '1.29 does not know the field');
    t.match(unknown.json.message, /strict decoding error: unknown field "spec\.versions\[0\]\.selectableFields"/);
    const warned = await call('k129', 'POST', CRDS, { body: crd('socks', 'Sock', [{ jsonPath: '.spec.color' }]) });
    t.equal(warned.status, 201);
    t.notOk('selectableFields' in warned.json.spec.versions[0], 'and drops it');
    for (const name of ['pants', 'socks']) await call('k133', 'DELETE', `${CRDS}/${name}.${GROUP}`);
  });

  await t.test('the CRD checks', async (t) => {
    const bad = await call(
      'k133',
      'POST',
      CRDS,
      {
        body: crd(
          'hats',
          'Hat',
          [
            { jsonPath: '.spec.color' },
            { jsonPath: '.spec.color' },
            { jsonPath: 'spec.size' },
            { jsonPath: '.spec.nope' },
            { jsonPath: '.spec.tags[0]' },
            { jsonPath: '.metadata.name' },
            { jsonPath: '.spec.nested' },
            { jsonPath: '.spec.ratio' },
            { jsonPath: '' },
          ],
          { metadata: { type: 'object', properties: { name: { type: 'string' } } } },
        ),
      },
    );
    t.equal(bad.status, 422);
    // One version: the internal form lifts its selectable fields to the spec, where upstream names them.
    const f = 'spec.selectableFields';
    const detail = 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.';
    t.same(bad.json.details.causes, [
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: ".spec.color"', field: `${f}[1].jsonPath` },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "spec.size": is an invalid path: expected [ or . but got: spec', field: `${f}[2].jsonPath` },
      { reason: 'FieldValueInvalid', message: 'Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field', field: `${f}[3].jsonPath` },
      { reason: 'FieldValueInvalid', message: 'Invalid value: ".spec.tags[0]": is an invalid path: array notation is not allowed', field: `${f}[4].jsonPath` },
      { reason: 'FieldValueInvalid', message: 'Invalid value: ".metadata.name": must not point to fields in metadata', field: `${f}[5].jsonPath` },
      { reason: 'FieldValueInvalid', message: `Invalid value: ".spec.nested": ${detail}`, field: `${f}[6].jsonPath` },
      { reason: 'FieldValueInvalid', message: `Invalid value: ".spec.ratio": ${detail}`, field: `${f}[7].jsonPath` },
      { reason: 'FieldValueRequired', message: 'Required value', field: `${f}[8].jsonPath` },
    ]);

    const many = { ...SPEC, properties: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}`, { type: 'string' }])) };
    const tooMany = crd('caps', 'Cap', Array.from({ length: 9 }, (_, i) => ({ jsonPath: `.spec.f${i}` })));
    tooMany.spec.versions[0]!.schema.openAPIV3Schema.properties.spec = many as typeof SPEC;
    const res = await call('k133', 'POST', CRDS, { body: tooMany });
    t.equal(res.status, 422);
    t.equal(res.json.message, 'CustomResourceDefinition.apiextensions.k8s.io "caps.tests.example.com" is invalid: spec.selectableFields: Too many: 9: must have at most 8 items');
  });

  t.equal((await call('k133', 'DELETE', `${CRDS}/shirts.${GROUP}`)).status, 200);
});
