/**
 * `x-kubernetes-embedded-resource` over real HTTPS against a real 1.33 server: an embedded object
 * keeps its apiVersion, kind and metadata through pruning, its metadata goes through ObjectMeta
 * (unknown fields dropped with upstream's `unknown field` warning, or refused under Strict; empty
 * ones left out), apiVersion and kind are required and checked (group/version syntax, DNS-1035 kind
 * once lower-cased), a non-string apiVersion is a 400 from decoding, and the embedded metadata is
 * validated as ObjectMeta — in a single embedded object and in a list of them.
 */
import t from 'tap';
import { api, startCluster, urlOf, type ApiOptions } from '../../fixtures/cluster.js';
import { createCrd, specCrd } from '../../fixtures/crd.js';

type Obj = Record<string, any>;

const GROUP = 'embed.example.com';
const CRD = specCrd(GROUP, 'wrappers', 'Wrapper', {
  template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
  items: {
    type: 'array',
    items: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { data: { type: 'object', properties: { key: { type: 'string' } } } } },
  },
  plain: { type: 'object', properties: { name: { type: 'string' } } },
});

const wrapper = (name: string, spec: Obj) => ({ apiVersion: `${GROUP}/v1`, kind: 'Wrapper', metadata: { name }, spec });

t.test('embedded resources in custom resources', async (t) => {
  const cluster = await startCluster(t, '1.33', { mvp: false });
  const url = urlOf(cluster, 's1');
  const call = (method: string, path: string, opts: ApiOptions = {}) => api(cluster, url, method, path, opts);
  const list = `/apis/${GROUP}/v1/namespaces/default/wrappers`;
  const create = (body: Obj, query = '') => call('POST', `${list}${query}`, { body });

  const crd = await createCrd(cluster, url, CRD, list);
  t.equal(crd.status, 201, 'CRD created');
  t.ok(crd.served, 'the custom resource is served');

  const created = await create(
    wrapper('w1', {
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' }, bogus: 1, generation: 0, annotations: {} }, spec: { anything: true } },
      items: [{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'i0', extra: 'x' }, data: { key: 'k', dropped: 1 } }],
      plain: { name: 'n', other: 1 },
    }),
  );
  t.equal(created.status, 201, `created: ${JSON.stringify(created.json)}`);
  const spec = created.json.spec;
  t.same(spec.template, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' } }, spec: { anything: true } }, 'apiVersion, kind and metadata kept; metadata through ObjectMeta: unknown and empty fields gone');
  t.same(spec.items, [{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'i0' }, data: { key: 'k' } }], 'the same in a list; the schema prunes the rest');
  t.same(spec.plain, { name: 'n' }, 'a plain object is pruned as usual');
  const warnings = ([] as string[]).concat(created.headers.warning ?? []).join('\n');
  t.match(warnings, /unknown field \\"spec.items\[0\].data.dropped\\"/, 'pruned fields are reported');
  t.match(warnings, /unknown field \\"spec.items\[0\].metadata.extra\\"/, 'so are the embedded metadata fields ObjectMeta does not have');
  t.match(warnings, /unknown field \\"spec.template.metadata.bogus\\"/);
  t.match(warnings, /unknown field \\"spec.plain.other\\"/);

  const strict = await create(wrapper('w2', { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 } } }), '?fieldValidation=Strict');
  t.equal(strict.status, 400, 'Strict refuses an unknown embedded metadata field');
  t.equal(strict.json.message, 'Wrapper in version "v1" cannot be handled as a Wrapper: strict decoding error: unknown field "spec.template.metadata.bogus"');

  const missing = await create(wrapper('w3', { template: { metadata: { name: 'p' } }, items: [{ apiVersion: 'v1', kind: 'Thing' }, { apiVersion: 'v1' }] }));
  t.equal(missing.status, 422, 'apiVersion and kind are required');
  t.equal(missing.json.message, 'Wrapper.embed.example.com "w3" is invalid: [spec.items[1].kind: Required value, spec.template.apiVersion: Required value, spec.template.kind: Required value]');
  t.same(missing.json.details.causes, [
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.items[1].kind' },
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.apiVersion' },
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.kind' },
  ]);

  const badNames = await create(wrapper('w4', { template: { apiVersion: 'a/b/c', kind: 'Not_A_Kind', metadata: { name: 'a/b', labels: { 'bad key!': 'v' } } } }));
  t.equal(badNames.status, 422);
  const fields = Object.fromEntries(badNames.json.details.causes.map((c: Obj) => [c.field, c.message]));
  t.equal(fields['spec.template.apiVersion'], 'Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c');
  t.equal(
    fields['spec.template.kind'],
    `Invalid value: "Not_A_Kind": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
  );
  t.equal(fields['spec.template.metadata.name'], `Invalid value: "a/b": may not contain '/'`, 'embedded names are path segments');
  t.match(fields['spec.template.metadata.labels'], /^Invalid value: "bad key!": name part must consist of alphanumeric characters/, 'labels validated as ObjectMeta');

  const noName = await create(wrapper('w5', { template: { apiVersion: 'v1', kind: 'ConfigMap' } }));
  t.equal(noName.status, 201, 'metadata, and a name in it, are optional');

  const notString = await create(wrapper('w6', { template: { apiVersion: 1, kind: 'Pod' } }));
  t.equal(notString.status, 400, `a non-string apiVersion fails decoding: ${JSON.stringify(notString.json)}`);
  t.equal(notString.json.message, 'Wrapper in version "v1" cannot be handled as a Wrapper: spec.template.apiVersion: Invalid value: 1: must be a string');

  const patched = await call('PATCH', `${list}/w1`, { body: { spec: { template: { kind: '' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(patched.status, 422, 'an update is validated too');
  t.equal(patched.json.message, 'Wrapper.embed.example.com "w1" is invalid: spec.template.kind: Required value');

  t.equal((await call('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/wrappers.${GROUP}`)).status, 200);
});
