/**
 * Server-side apply of custom resources over real HTTPS against a real 1.33 server, following the
 * CRD's schema markers as upstream's structured-merge-diff type of the CRD does: two field managers
 * share an `x-kubernetes-list-type: set` list and a `map` list (keyed by
 * `x-kubernetes-list-map-keys`, a key's schema default filling in for an item that omits it), a
 * granular map and a granular struct, each owning its own items; an `atomic` list, a list with no
 * list type, an `x-kubernetes-map-type: atomic` map and struct are replaced whole, so changing
 * them is a 409 with upstream's text until `force=true` takes them; an applier that stops applying
 * an item removes it unless another manager owns it. A set or map list with repeated values or keys
 * is upstream's 422 `Duplicate value`.
 */
import t from 'tap';
import { api, startCluster, urlOf, type ApiOptions } from '../../fixtures/cluster.js';
import { createCrd, specCrd } from '../../fixtures/crd.js';

type Obj = Record<string, any>;

const GROUP = 'apply.example.com';
const CRD = specCrd(GROUP, 'gizmos', 'Gizmo', {
  tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
  ports: {
    type: 'array',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['port', 'protocol'],
    items: {
      type: 'object',
      required: ['port'],
      properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' }, name: { type: 'string' } },
    },
  },
  args: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } },
  plain: { type: 'array', items: { type: 'string' } },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
  settings: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } },
  config: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'string' }, b: { type: 'string' } } },
});

const gizmo = (spec: Obj) => ({ apiVersion: `${GROUP}/v1`, kind: 'Gizmo', metadata: { name: 'g1' }, spec });

t.test('server-side apply of custom resources follows the schema markers', async (t) => {
  const cluster = await startCluster(t, '1.33', { mvp: false });
  const url = urlOf(cluster, 's1');
  const call = (method: string, path: string, opts: ApiOptions = {}) => api(cluster, url, method, path, opts);
  const path = `/apis/${GROUP}/v1/namespaces/default/gizmos/g1`;
  const apply = (manager: string, spec: Obj, force = false) =>
    call('PATCH', `${path}?fieldManager=${manager}${force ? '&force=true' : ''}`, { body: gizmo(spec), headers: { 'content-type': 'application/apply-patch+yaml' } });
  const fieldsOf = (obj: Obj, manager: string) => obj.metadata.managedFields.find((e: Obj) => e.manager === manager)?.fieldsV1;

  const crd = await createCrd(cluster, url, CRD, `/apis/${GROUP}/v1/namespaces/default/gizmos`);
  t.equal(crd.status, 201, 'CRD created');
  t.ok(crd.served, 'the custom resource is served');

  const first = await apply('alpha', {
    tags: ['a', 'b'],
    ports: [{ port: 80, name: 'http' }],
    args: ['x', 'y'],
    plain: ['p'],
    labels: { one: '1' },
    selector: { app: 'a' },
    settings: { a: '1' },
    config: { a: '1' },
  });
  t.equal(first.status, 201, `alpha creates the object: ${JSON.stringify(first.json)}`);
  t.same(first.json.spec.ports, [{ port: 80, name: 'http', protocol: 'TCP' }], 'the key default is filled in');
  t.same(fieldsOf(first.json, 'alpha'), {
    'f:spec': {
      'f:args': {},
      'f:config': {},
      'f:labels': { 'f:one': {} },
      'f:plain': {},
      'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
      'f:selector': {},
      'f:settings': { 'f:a': {} },
      'f:tags': { 'v:"a"': {}, 'v:"b"': {} },
    },
  }, 'alpha owns set values, map-list items by their keys, atomic lists and atomic maps whole');

  const second = await apply('beta', { tags: ['a', 'c'], ports: [{ port: 443, name: 'https' }], labels: { two: '2' }, settings: { b: '2' } });
  t.equal(second.status, 200, `beta applies beside alpha without a conflict: ${JSON.stringify(second.json)}`);
  t.same(second.json.spec.tags, ['a', 'b', 'c'], 'a set merges');
  t.same(second.json.spec.ports, [{ port: 80, name: 'http', protocol: 'TCP' }, { port: 443, name: 'https', protocol: 'TCP' }], 'a map list merges by key');
  t.same(second.json.spec.labels, { one: '1', two: '2' }, 'a granular map merges');
  t.same(second.json.spec.settings, { a: '1', b: '2' }, 'a granular struct merges');
  t.same(fieldsOf(second.json, 'beta'), {
    'f:spec': {
      'f:labels': { 'f:two': {} },
      'f:ports': { 'k:{"port":443,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
      'f:settings': { 'f:b': {} },
      'f:tags': { 'v:"a"': {}, 'v:"c"': {} },
    },
  }, 'beta owns what it applied; "a" is shared');

  const args = await apply('beta', { args: ['z'] });
  t.equal(args.status, 409, 'an atomic list another manager owns is a conflict');
  t.match(args.json, {
    kind: 'Status',
    status: 'Failure',
    reason: 'Conflict',
    code: 409,
    message: 'Apply failed with 1 conflict: conflict with "alpha": .spec.args',
    details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alpha"', field: '.spec.args' }] },
  });

  const several = await apply('beta', { plain: ['q'], selector: { app: 'b' }, config: { b: '2' }, ports: [{ port: 80, name: 'web' }] });
  t.equal(several.status, 409);
  t.equal(
    several.json.message,
    'Apply failed with 4 conflicts: conflicts with "alpha":\n- .spec.config\n- .spec.plain\n- .spec.ports[port=80,protocol="TCP"].name\n- .spec.selector',
    'a list without a list type and atomic maps and structs are owned whole; a map-list item field by its key',
  );
  t.same((await call('GET', path)).json.spec.args, ['x', 'y'], 'a conflict changes nothing');

  const granular = await apply('beta', { labels: { one: 'changed' } });
  t.equal(granular.status, 409, 'in a granular map each key is owned');
  t.equal(granular.json.message, 'Apply failed with 1 conflict: conflict with "alpha": .spec.labels.one');

  const forced = await apply('beta', { args: ['z'], selector: { other: 'x' }, config: { b: '2' } }, true);
  t.equal(forced.status, 200, 'force takes the fields');
  t.same(forced.json.spec.args, ['z'], 'an atomic list is replaced whole');
  t.same(forced.json.spec.selector, { other: 'x' }, 'an atomic map is replaced whole');
  t.same(forced.json.spec.config, { b: '2' }, 'an atomic struct is replaced whole');
  t.same(forced.json.spec.tags, ['a', 'b'], 'beta no longer applies its tags: "c" goes, the shared "a" stays with alpha');
  t.same(forced.json.spec.ports, [{ port: 80, name: 'http', protocol: 'TCP' }], 'so does its port');
  t.same(forced.json.spec.labels, { one: '1' }, 'and its map key');
  t.same(forced.json.spec.settings, { a: '1' }, 'and its struct field');
  const alphaNow = fieldsOf(forced.json, 'alpha')['f:spec'];
  t.notOk('f:args' in alphaNow || 'f:selector' in alphaNow || 'f:config' in alphaNow, 'alpha lost what beta took');

  const dropped = await apply('alpha', {
    tags: ['a'],
    ports: [{ port: 80, name: 'http' }],
    plain: ['p'],
    labels: { one: '1' },
    settings: { a: '1' },
  });
  t.equal(dropped.status, 200);
  t.same(dropped.json.spec.tags, ['a'], 'alpha stops applying "b": removed');
  t.same(dropped.json.spec.args, ['z'], "beta's args stay");

  const shared = await apply('beta', { tags: ['a'], ports: [{ port: 8080 }] });
  t.equal(shared.status, 200, 'applying a value another manager applies too is no conflict');
  t.same(shared.json.spec.ports, [{ port: 80, name: 'http', protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }]);
  t.same(fieldsOf(shared.json, 'beta')['f:spec'], { 'f:ports': { 'k:{"port":8080,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:tags': { 'v:"a"': {} } });

  const duplicates = await call('POST', `/apis/${GROUP}/v1/namespaces/default/gizmos`, {
    body: { ...gizmo({ tags: ['a', 'b', 'a', 'a'], ports: [{ port: 80 }, { port: 80, protocol: 'TCP', name: 'again' }, { port: 80, protocol: 'UDP' }], plain: ['p', 'p'] }), metadata: { name: 'g2' } },
  });
  t.equal(duplicates.status, 422, 'set and map lists must be unique');
  t.same(duplicates.json.details.causes, [
    { reason: 'FieldValueDuplicate', message: 'Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}', field: 'spec.ports[1]' },
    { reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.tags[2]' },
  ], 'the first repeat of each key (defaults applied first) or value; a list without a list type may repeat');

  t.equal((await call('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.${GROUP}`)).status, 200);
});
