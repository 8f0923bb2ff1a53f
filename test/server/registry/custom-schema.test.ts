/**
 * Structural schema handling of custom resources, as apiextensions-apiserver's: pruning (with
 * `x-kubernetes-preserve-unknown-fields`, embedded resources and the root's type and object meta),
 * defaulting (missing and non-nullable null fields, map values, list items), validation with
 * upstream's field paths and messages, and the basic CRD rules.
 */
import t from 'tap';
import { pruneObject } from '../../../server/registry/custom/prune.js';
import { applyDefaults } from '../../../server/registry/custom/default.js';
import { validateAgainstSchema } from '../../../server/registry/custom/validate.js';
import { validateCrd } from '../../../server/registry/custom/crd-validation.js';
import { fieldErrorString } from '../../../server/errors/status.js';
import type { JsonSchemaProps } from '../../../server/registry/custom/structural.js';

const SCHEMA: JsonSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        name: { type: 'string', maxLength: 3, pattern: '^[a-z]+$' },
        mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string', default: 'x' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
      },
    },
  },
};

t.test('pruning', async (t) => {
  const obj: Record<string, unknown> = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    status: { x: 1 },
    spec: {
      size: 1,
      bogus: true,
      labels: { a: 'b' },
      free: { anything: [1], known: { a: 'x', b: 'pruned inside' } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 1 }, other: 1 },
      tags: ['a'],
    },
  };
  const pruned = pruneObject(obj, SCHEMA);
  t.same(pruned, ['spec.bogus', 'spec.free.known.b', 'spec.template.other', 'spec.template.spec.x', 'status'], 'sorted paths of what was dropped');
  t.same(obj, {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec: { size: 1, labels: { a: 'b' }, free: { anything: [1], known: { a: 'x' } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }, tags: ['a'] },
  });
  t.same(pruneObject({ spec: { x: 1 } }, undefined), [], 'no schema, nothing pruned');
});

t.test('defaulting', async (t) => {
  const obj: Record<string, unknown> = { spec: { size: 2, mode: null, note: null, tags: [null, 'b'] } };
  applyDefaults(obj, SCHEMA);
  t.same(obj, { spec: { size: 2, mode: 'a', note: null, tags: ['x', 'b'] } }, 'missing and non-nullable nulls take the default; a nullable null stays');
  const noDefault: Record<string, unknown> = { spec: { size: null, name: 'ab' } };
  applyDefaults(noDefault, SCHEMA);
  t.same(noDefault, { spec: { name: 'ab', mode: 'a' } }, 'a non-nullable null without a default is dropped');
});

t.test('validation messages', async (t) => {
  const errs = (spec: Record<string, unknown>) => validateAgainstSchema({ apiVersion: 'x', kind: 'y', metadata: {}, spec }, SCHEMA).map(fieldErrorString);
  t.same(errs({ size: 'big' }), ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']);
  t.same(errs({}), ['spec.size: Required value']);
  t.same(errs({ size: 0 }), ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1']);
  t.same(errs({ size: 11 }), ['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10']);
  t.same(errs({ size: 1, mode: 'c' }), ['spec.mode: Unsupported value: "c": supported values: "a", "b"']);
  t.same(errs({ size: 1, name: 'abcd' }), ['spec.name: Too long: may not be longer than 3']);
  t.same(errs({ size: 1, name: 'AB' }), ["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"]);
  t.same(errs({ size: 1, tags: ['a', 'b', 'c'] }), ['spec.tags: Too many: 3: must have at most 2 items']);
  t.same(errs({ size: 1, port: true }), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
  t.same(errs({ size: 1, port: 80, note: null, labels: { a: 1 } }), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
  t.same(errs({ size: 2.0, free: { anything: { goes: [1] } } }), [], 'an integral number is an integer; nothing below preserve-unknown-fields without a type');
});

t.test('CRD rules', async (t) => {
  // As the strategy leaves it: names defaulted, the storage version recorded.
  const crd = (name: string, spec: Record<string, unknown>) => ({ metadata: { name }, spec, status: { storedVersions: ['v1'] } });
  const schema = { openAPIV3Schema: SCHEMA };
  const ok = { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' }, versions: [{ name: 'v1', served: true, storage: true, schema }] };
  t.same(validateCrd(crd('widgets.example.com', ok)), []);
  t.same(validateCrd(crd('gadgets.example.com', ok)).map(fieldErrorString), ['metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group']);
  t.same(validateCrd(crd('widgets.example.com', { ...ok, scope: 'Global' })).map(fieldErrorString), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
  t.match(validateCrd(crd('widgets.example.com', { ...ok, versions: [{ name: 'v1', storage: false, schema }] })).map(fieldErrorString), [/^spec.versions: Invalid value: .*must have exactly one version marked as storage version$/]);
});
