/**
 * CustomResourceDefinitions served, with real kubectl against a real server process of its minor:
 * `apply -f` a CRD, `wait --for=condition=Established`, the CRD's status (accepted names, stored
 * versions, conditions), `apply`/`get` by plural, short name and category, `patch` (merge and JSON;
 * strategic merge refused with upstream's 415), server-side apply (create, update, a conflict with
 * another field manager, `--force-conflicts`), defaulting and pruning, a 422 for a schema
 * violation, `delete`, a cluster-scoped kind, then deleting the CRD: Terminating, its custom
 * resources removed, the CRD gone and the resource no longer served.
 */
import t from 'tap';
import { api } from '../../fixtures/cluster.js';
import { forEachKubectlCase } from './kubectl-cases.js';

/** A CRD manifest of group example.com with one served storage version `v1`. */
const crdYaml = (plural: string, scope: string, names: string, schema: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.example.com
spec:
  group: example.com
  scope: ${scope}
  names: ${names}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
${schema}`;

const WIDGETS = crdYaml(
  'widgets',
  'Namespaced',
  '{plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all-widgets]}',
  `        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size:
                type: integer
                minimum: 1
              color:
                type: string
                default: blue
                enum: [blue, red]
              port:
                x-kubernetes-int-or-string: true
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              note:
                type: string
                nullable: true
`,
);

const GADGETS = crdYaml('gadgets', 'Cluster', '{plural: gadgets, kind: Gadget}', '        type: object\n        x-kubernetes-preserve-unknown-fields: true\n');

const widget = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

t.test('CRDs with real kubectl', async (t) => {
  await forEachKubectlCase(t, async (t, { cluster, url, run }) => {

    const applied = await run(['apply', '-f', '-'], WIDGETS);
    t.equal(applied.code, 0, `apply the CRD: ${applied.stderr}`);
    t.match(applied.stdout, /customresourcedefinition.apiextensions.k8s.io\/widgets.example.com (created|unchanged|configured)/);
    const waited = await run(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=60s']);
    t.equal(waited.code, 0, `wait Established: ${waited.stderr}`);
    t.match(waited.stdout, /condition met/);

    const crd = JSON.parse((await run(['get', 'crd', 'widgets.example.com', '-o', 'json'])).stdout);
    t.same(crd.status.acceptedNames, { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList', categories: ['all-widgets'] }, 'accepted names');
    t.same(crd.status.storedVersions, ['v1'], 'stored versions');
    const byType = Object.fromEntries(crd.status.conditions.map((x: { type: string }) => [x.type, x]));
    t.match(byType.NamesAccepted, { status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
    t.match(byType.Established, { status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
    t.equal(crd.spec.conversion.strategy, 'None', 'conversion defaulted');

    const created = await run(['apply', '-n', 'default', '-f', '-'], widget('w1', '  size: 3\n  port: http\n  extra: {anything: [1, 2]}\n'));
    t.equal(created.code, 0, `apply a Widget: ${created.stderr}`);
    t.match(created.stdout, /widget.example.com\/w1 created/);
    const got = JSON.parse((await run(['get', 'widgets', 'w1', '-n', 'default', '-o', 'json'])).stdout);
    t.equal(got.spec.color, 'blue', 'defaulted from the schema');
    t.same(got.spec.extra, { anything: [1, 2] }, 'x-kubernetes-preserve-unknown-fields keeps what it holds');
    t.equal(got.spec.port, 'http', 'int-or-string takes a string');
    t.equal(got.metadata.generation, 1);

    const table = await run(['get', 'wd', '-n', 'default']);
    t.equal(table.code, 0, `get by short name: ${table.stderr}`);
    t.match(table.stdout, /^NAME\s+AGE\n/, 'printer columns: NAME and AGE');
    t.match(table.stdout, /\nw1\s+\d+s\n/);
    t.match((await run(['get', 'all-widgets', '-n', 'default', '-o', 'name'])).stdout, /widget.example.com\/w1/, 'get by category');

    const merged = await run(['patch', 'widget', 'w1', '-n', 'default', '--type=merge', '-p', '{"spec":{"size":5,"note":null}}']);
    t.equal(merged.code, 0, `merge patch: ${merged.stderr}`);
    t.match(merged.stdout, /widget.example.com\/w1 patched/);
    const json = await run(['patch', 'widget', 'w1', '-n', 'default', '--type=json', '-p', '[{"op":"replace","path":"/spec/color","value":"red"}]']);
    t.equal(json.code, 0, `json patch: ${json.stderr}`);
    const strategic = await run(['patch', 'widget', 'w1', '-n', 'default', '--type=strategic', '-p', '{"spec":{"size":6}}']);
    t.not(strategic.code, 0, 'strategic merge patch is refused');
    t.match(strategic.stderr, /the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
    const after = JSON.parse((await run(['get', 'widget', 'w1', '-n', 'default', '-o', 'json'])).stdout);
    t.match(after.spec, { size: 5, color: 'red' });
    t.equal(after.metadata.generation, 3, 'every spec change counts a generation');

    // Server-side apply of a custom resource: create, change a field, a conflict with another
    // manager (kubectl's error and its advice), then taking the field over with --force-conflicts.
    const ssaCreated = await run(['apply', '--server-side', '-n', 'default', '-f', '-'], widget('s1', '  size: 2\n'));
    t.equal(ssaCreated.code, 0, `apply --server-side create: ${ssaCreated.stderr}`);
    t.match(ssaCreated.stdout, /widget.example.com\/s1 serverside-applied/);
    const ssaUpdated = await run(['apply', '--server-side', '-n', 'default', '-f', '-'], widget('s1', '  size: 4\n'));
    t.equal(ssaUpdated.code, 0, `apply --server-side update: ${ssaUpdated.stderr}`);
    t.match(ssaUpdated.stdout, /widget.example.com\/s1 serverside-applied/);
    const ssaObject = JSON.parse((await run(['get', 'widget', 's1', '-n', 'default', '-o', 'json', '--show-managed-fields'])).stdout);
    t.match(ssaObject.spec, { size: 4, color: 'blue' }, 'the applied field changed, the defaulted one is there');
    t.match(ssaObject.metadata.managedFields, [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'example.com/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:size': {} } } }], 'kubectl owns spec.size');
    const other = await run(['patch', 'widget', 's1', '-n', 'default', '--type=merge', '-p', '{"spec":{"size":7}}']);
    t.equal(other.code, 0, `another manager (kubectl-patch) changes spec.size: ${other.stderr}`);
    const conflict = await run(['apply', '--server-side', '-n', 'default', '-f', '-'], widget('s1', '  size: 4\n'));
    t.equal(conflict.code, 1, 'applying a field another manager owns fails');
    t.match(conflict.stderr, /error: Apply failed with 1 conflict: conflict with "kubectl-patch" using example.com\/v1: \.spec\.size/);
    t.match(conflict.stderr, /--force-conflicts/, "kubectl's advice about forcing");
    t.equal(JSON.parse((await run(['get', 'widget', 's1', '-n', 'default', '-o', 'json'])).stdout).spec.size, 7, 'the conflict changed nothing');
    const forced = await run(['apply', '--server-side', '--force-conflicts', '-n', 'default', '-f', '-'], widget('s1', '  size: 4\n'));
    t.equal(forced.code, 0, `--force-conflicts: ${forced.stderr}`);
    t.match(forced.stdout, /widget.example.com\/s1 serverside-applied/);
    const taken = JSON.parse((await run(['get', 'widget', 's1', '-n', 'default', '-o', 'json', '--show-managed-fields'])).stdout);
    t.equal(taken.spec.size, 4, 'forced: the applied value');
    const owners = taken.metadata.managedFields.filter((m: { fieldsV1?: { 'f:spec'?: Record<string, unknown> } }) => m.fieldsV1?.['f:spec']?.['f:size']).map((m: { manager: string }) => m.manager);
    t.same(owners, ['kubectl'], 'and spec.size is kubectl\'s alone again');

    const invalid = await run(['apply', '-n', 'default', '-f', '-'], widget('w2', '  size: big\n  color: green\n'));
    t.not(invalid.code, 0, 'a schema violation is refused');
    t.match(invalid.stderr, /The Widget "w2" is invalid:/);
    t.match(invalid.stderr, /spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"/);
    t.match(invalid.stderr, /spec.color: Unsupported value: "green": supported values: "blue", "red"/);
    const raw = await api(cluster, url, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w3' }, spec: {} } });
    t.equal(raw.status, 422);
    t.match(raw.json, { reason: 'Invalid', details: { name: 'w3', group: 'example.com', kind: 'Widget', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.size' }] } });

    const unknown = await run(['apply', '-n', 'default', '-f', '-'], widget('w4', '  size: 1\n  bogus: 1\n'));
    t.not(unknown.code, 0, 'kubectl apply asks for strict field validation');
    t.match(unknown.stderr, /strict decoding error: unknown field "spec.bogus"/);
    const pruned = await api(cluster, url, 'POST', '/apis/example.com/v1/namespaces/default/widgets', {
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w5' }, spec: { size: 1, bogus: 1 }, top: true },
    });
    t.equal(pruned.status, 201, 'without fieldValidation (Warn) the write succeeds');
    t.notOk('bogus' in pruned.json.spec, 'unknown fields are pruned');
    t.notOk('top' in pruned.json);
    t.match(String(pruned.headers.warning), /unknown field \\"spec.bogus\\"/);

    const gadgets = await run(['apply', '-f', '-'], GADGETS);
    t.equal(gadgets.code, 0, `cluster-scoped CRD: ${gadgets.stderr}`);
    t.equal((await run(['wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=60s'])).code, 0);
    const gadget = await run(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g1\nanything: goes\n');
    t.equal(gadget.code, 0, `apply a Gadget: ${gadget.stderr}`);
    t.match((await run(['get', 'gadgets', '-o', 'name'])).stdout, /gadget.example.com\/g1/);
    const deletedGadget = await run(['delete', 'gadget', 'g1']);
    t.match(deletedGadget.stdout, /gadget.example.com "g1" deleted/);

    const removedCrd = await run(['delete', 'crd', 'widgets.example.com', '--timeout=90s']);
    t.equal(removedCrd.code, 0, `delete the CRD: ${removedCrd.stderr}`);
    t.match(removedCrd.stdout, /customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted/);
    const gone = await api(cluster, url, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    t.equal(gone.status, 404, 'the CRD is gone once its custom resources are');
    const listed = await api(cluster, url, 'GET', '/apis/example.com/v1/namespaces/default/widgets');
    t.equal(listed.status, 404, 'and its resource is no longer served');
    t.equal((await run(['delete', 'crd', 'gadgets.example.com'])).code, 0);
  });
});
