/**
 * CEL validation rules of custom resources: `self` at the rule's node, transition rules with
 * `oldSelf` (update only; `optionalOldSelf` with ratcheting), upstream's messages (message,
 * messageExpression, `failed rule: …`, reasons, fieldPath, `<nil>` at the root), runtime errors,
 * the cost bound, the rules skipped after a blocking schema error, and compile errors refusing a CRD.
 */
import t from 'tap';
import { validateRules } from '../../../../server/registry/custom/cel/validate.js';
import { validateCustomResource } from '../../../../server/registry/custom/validate-resource.js';
import { validateCrd } from '../../../../server/registry/custom/crd-validation.js';
import { fieldErrorString } from '../../../../server/errors/status.js';
import type { JsonSchemaProps } from '../../../../server/registry/custom/structural.js';

const SCHEMA: JsonSchemaProps = {
  type: 'object',
  'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('w')", message: 'name must start with w' }],
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.min <= self.max', message: 'min must not exceed max' },
        { rule: 'self.replicas == oldSelf.replicas || self.replicas > oldSelf.replicas', messageExpression: "'replicas may only grow, not to ' + string(self.replicas)" },
        { rule: "!has(self.mode) || self.mode in ['a', 'b']", reason: 'FieldValueForbidden', fieldPath: '.mode' },
        { rule: 'self.tags.all(t, t.matches("^[a-z]+$"))' },
        { rule: 'self.ratio < 2.0' },
      ],
      properties: {
        min: { type: 'integer' },
        max: { type: 'integer' },
        replicas: { type: 'integer' },
        mode: { type: 'string' },
        ratio: { type: 'number' },
        tags: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'size(self) <= 5', message: 'tag too long' }] } },
        labels: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'" }] } },
        'max-surge': { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0' }] },
        immutable: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'Value is immutable' }] },
        once: { type: 'string', 'x-kubernetes-validations': [{ rule: '!oldSelf.hasValue() || oldSelf.value() == self', optionalOldSelf: true, message: 'set once' }] },
      },
    },
  },
};

const OPTS = { optionalOldSelf: false };
const obj = (spec: Record<string, unknown>, name = 'w1') => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec: { min: 1, max: 2, replicas: 1, tags: ['a'], ratio: 1, ...spec } });
const errs = (o: unknown, old?: unknown, opts = OPTS) => validateRules(SCHEMA, o, old, opts).map(fieldErrorString);

t.test('rules on create', async (t) => {
  t.same(errs(obj({})), [], 'a valid object passes');
  t.same(errs(obj({}, 'x1')), ['<nil>: Invalid value: "object": name must start with w'], 'a root rule sees metadata.name; its path is <nil>');
  t.same(errs(obj({ min: 3 })), ['spec: Invalid value: "object": min must not exceed max']);
  t.same(errs(obj({ mode: 'c' })), ['spec.mode: Forbidden: failed rule: !has(self.mode) || self.mode in [\'a\', \'b\']'], 'reason and fieldPath');
  t.same(errs(obj({ tags: ['A'] })), ['spec: Invalid value: "object": failed rule: self.tags.all(t, t.matches("^[a-z]+$"))']);
  t.same(errs(obj({ tags: ['abcdefg'] })), ['spec.tags[0]: Invalid value: "string": tag too long'], 'a rule on list items');
  t.same(errs(obj({ labels: { k: 'bad' } })), ['spec.labels[k]: Invalid value: "string": failed rule: self != \'bad\''], 'a rule on map values');
  t.same(errs(obj({ 'max-surge': -1 })), ['spec.max-surge: Invalid value: "integer": failed rule: self >= 0']);
  t.same(errs(obj({ ratio: 3 })), ['spec: Invalid value: "object": failed rule: self.ratio < 2.0'], 'number is a double');
  t.same(errs(obj({ immutable: 'a', once: 'x' })), [], 'transition rules do not run without an old object');
});

t.test('transition rules on update', async (t) => {
  t.same(errs(obj({ replicas: 1 }), obj({ replicas: 2 })), ['spec: Invalid value: "object": replicas may only grow, not to 1'], 'messageExpression');
  t.same(errs(obj({ immutable: 'b' }), obj({ immutable: 'a' })), ['spec.immutable: Invalid value: "string": Value is immutable']);
  t.same(errs(obj({ immutable: 'b' }), obj({})), [], 'no old value at the node: not evaluated');
  t.same(errs(obj({ once: 'y' }), obj({ once: 'x' })), ['spec.once: Invalid value: "string": set once']);
  t.same(errs(obj({ once: 'y' }), undefined, { optionalOldSelf: true }), [], 'optionalOldSelf runs on create with ratcheting and sees no value');
});

t.test('runtime errors and the cost bound', async (t) => {
  const schema: JsonSchemaProps = { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a == 1' }, { rule: 'self.xs.all(a, self.xs.all(b, self.xs.all(c, a + b + c >= 0)))' }], properties: { a: { type: 'integer' }, xs: { type: 'array', items: { type: 'integer' } } } };
  const e = validateRules(schema, { xs: [1] }, undefined, OPTS).map(fieldErrorString);
  t.same(e, ['<nil>: Invalid value: "object": no such key: a evaluating rule: self.a == 1']);
  const big = validateRules(schema, { a: 1, xs: Array.from({ length: 200 }, (_, i) => i) }, undefined, OPTS).map(fieldErrorString);
  t.same(big, ["<nil>: Invalid value: \"object\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.xs.all(a, self.xs.all(b, self.xs.all(c, a + b + c >= 0)))"]);
});

t.test('a blocking schema error skips the rules', async (t) => {
  const info = { crdName: 'widgets.example.com', crdUid: '', schema: SCHEMA, printerColumns: [], terminating: false };
  const e = validateCustomResource(info, obj({ min: 'x' }, 'x1')).map(fieldErrorString);
  t.same(e, ['spec.min: Invalid value: "string": spec.min in body must be of type integer: "string"', '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation']);
});

t.test('a schema without rules reports only its own errors', async (t) => {
  const plain = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { color: { type: 'string', enum: ['red', 'blue'] }, items: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } } } } },
  };
  const info = { crdName: 'widgets.example.com', crdUid: '', schema: plain, printerColumns: [], terminating: false };
  const e = validateCustomResource(info, obj({ color: 'green' }, 'x1')).map(fieldErrorString);
  t.same(e, ['spec.color: Unsupported value: "green": supported values: "red", "blue"'], 'no rule validator, so no "rules were not checked" error');
  const nested = { ...plain, properties: { spec: { ...plain.properties.spec, properties: { ...plain.properties.spec.properties, items: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self != ""' }] } } } } } } };
  const withRule = validateCustomResource({ ...info, schema: nested }, obj({ color: 'green' }, 'x1')).map(fieldErrorString);
  t.equal(withRule.length, 2, 'a rule deep in map values of list items counts: the "not checked" error is there');
});

t.test('a rule that does not compile refuses the CRD', async (t) => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a +' }, { rule: 'foo == 1', message: 'm' }] } } } } }],
    },
    status: { storedVersions: ['v1'] },
  };
  const e = validateCrd(crd).map(fieldErrorString);
  t.equal(e.length, 2);
  t.match(e[0], /^spec\.validation\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"self\.a \+", Message:"", MessageExpression:"", Reason:\(\*apiextensions\.FieldValueErrorReason\)\(nil\), FieldPath:"", OptionalOldSelf:\(\*bool\)\(nil\)\}: compilation failed: ERROR: <input>:1:\d+: /);
  t.equal(e[1], 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule: Invalid value: apiextensions.ValidationRule{Rule:"foo == 1", Message:"m", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:1: undeclared reference to \'foo\' (in container \'\')\n | foo == 1\n | ^', 'cel-go\'s Issues.String(): the source line and a caret follow');
});
