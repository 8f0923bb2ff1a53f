/**
 * CEL validation rules and several versions of a CRD, with real kubectl against a real server: a
 * failed rule, a failed transition rule and a failing library function (quantity()) are 422 Invalid
 * with upstream's messages, a rule that
 * does not compile refuses the CRD, a deprecated version answers with its `Warning`, a version with
 * `served: false` is 404, conversion `None` rewrites only apiVersion, and `status.storedVersions`
 * names the storage version.
 */
import t from 'tap';
import { api } from '../../fixtures/cluster.js';
import { forEachKubectlCase } from './kubectl-cases.js';

const SCHEMA = `        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-validations:
              - rule: self.min <= self.max
                message: min must not exceed max
              properties:
                min: {type: integer}
                max: {type: integer}
                immutable:
                  type: string
                  x-kubernetes-validations:
                  - {rule: self == oldSelf, message: Value is immutable}
                memory:
                  type: string
                  maxLength: 16
                  x-kubernetes-validations:
                  - rule: "quantity(self).compareTo(quantity('1Gi')) <= 0"
                    message: at most 1Gi
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: false
    deprecated: true
    schema:
${SCHEMA}  - name: v2
    served: true
    storage: true
    schema:
${SCHEMA}  - name: v3alpha1
    served: false
    storage: false
    schema:
${SCHEMA}`;

const BAD_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: bads.example.com}
spec: {group: example.com, scope: Namespaced, names: {plural: bads, kind: Bad}, versions: [{name: v1, served: true, storage: true,
  schema: {openAPIV3Schema: {type: object, x-kubernetes-validations: [{rule: nope == 1}]}}}]}
`;

const widget = (version: string, name: string, spec: string) => `apiVersion: example.com/${version}\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

t.test('CEL rules and CRD versions with real kubectl', async (t) => {
  await forEachKubectlCase(t, async (t, { cluster, url, run }) => {

    const applied = await run(['apply', '-f', '-'], CRD);
    t.equal(applied.code, 0, `apply the CRD: ${applied.stderr}`);
    t.equal((await run(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=60s'])).code, 0, 'Established');

    const bad = await run(['apply', '-f', '-'], BAD_CRD);
    t.not(bad.code, 0, 'a rule that does not compile refuses the CRD');
    t.match(bad.stderr, /spec\.validation\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"nope == 1".*compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope' \(in container ''\)/);

    const failed = await run(['apply', '-n', 'default', '-f', '-'], widget('v2', 'w1', '  min: 3\n  max: 1\n'));
    t.not(failed.code, 0, 'a failed rule is refused');
    t.match(failed.stderr, /The Widget "w1" is invalid: spec: Invalid value: "object": min must not exceed max/);
    const raw = await api(cluster, url, 'POST', '/apis/example.com/v2/namespaces/default/widgets', { body: { apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name: 'w1' }, spec: { min: 3, max: 1 } } });
    t.equal(raw.status, 422);
    t.match(raw.json, { reason: 'Invalid', details: { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "object": min must not exceed max', field: 'spec' }] } });

    const unparsable = await run(['apply', '-n', 'default', '-f', '-'], widget('v2', 'w2', '  min: 1\n  max: 2\n  memory: lots\n'));
    t.not(unparsable.code, 0, 'a library function that fails refuses the object');
    t.match(unparsable.stderr, `The Widget "w2" is invalid: spec.memory: Invalid value: "string": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' evaluating rule: quantity(self).compareTo(quantity('1Gi')) <= 0`);
    const tooMuch = await run(['apply', '-n', 'default', '-f', '-'], widget('v2', 'w2', '  min: 1\n  max: 2\n  memory: 2Gi\n'));
    t.match(tooMuch.stderr, 'The Widget "w2" is invalid: spec.memory: Invalid value: "string": at most 1Gi', 'quantities compare by value');

    const created = await run(['apply', '-n', 'default', '-f', '-'], widget('v2', 'w1', '  min: 1\n  max: 2\n  immutable: a\n  memory: 512Mi\n'));
    t.equal(created.code, 0, `a valid Widget: ${created.stderr}`);
    const changed = await run(['patch', 'widget', 'w1', '-n', 'default', '--type=merge', '-p', '{"spec":{"immutable":"b"}}']);
    t.not(changed.code, 0, 'a failed transition rule is refused');
    t.match(changed.stderr, /The Widget "w1" is invalid: spec.immutable: Invalid value: "string": Value is immutable/);
    const same = await run(['patch', 'widget', 'w1', '-n', 'default', '--type=merge', '-p', '{"spec":{"max":3}}']);
    t.equal(same.code, 0, `an update keeping the value passes: ${same.stderr}`);

    const v1 = await run(['get', 'widgets.v1.example.com', 'w1', '-n', 'default', '-o', 'json']);
    t.equal(v1.code, 0, `get through the deprecated version: ${v1.stderr}`);
    t.equal(JSON.parse(v1.stdout).apiVersion, 'example.com/v1', 'conversion None rewrites apiVersion');
    t.match(v1.stderr, /Warning: example.com\/v1 Widget is deprecated; use example.com\/v2 Widget/);
    const v2 = await api(cluster, url, 'GET', '/apis/example.com/v2/namespaces/default/widgets/w1');
    t.equal(v2.json.apiVersion, 'example.com/v2');
    t.notOk(v2.headers.warning, 'no warning for the served, non-deprecated version');
    const unserved = await api(cluster, url, 'GET', '/apis/example.com/v3alpha1/namespaces/default/widgets/w1');
    t.equal(unserved.status, 404, 'served: false is not served');

    const crd = JSON.parse((await run(['get', 'crd', 'widgets.example.com', '-o', 'json'])).stdout);
    t.same(crd.status.storedVersions, ['v2'], 'stored versions');
    t.equal((await run(['delete', 'crd', 'widgets.example.com', '--timeout=90s'])).code, 0);
  });
});
