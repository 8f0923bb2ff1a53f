/**
 * A CRD's `status` and `scale` subresources, its printer columns and its OpenAPI v3 document, with
 * real kubectl against a real server process of its minor: status ignored on create and on main
 * writes, `patch --subresource=status` writing only status without a new generation, `scale`
 * through the CRD's replicas paths (and upstream's 500 when the object has no replicas), `get` with
 * the columns (a JSONPath filter, a priority-1 column in `-o wide`), `explain` on a custom field, and
 * the group/version's document leaving `/openapi/v3` with the CRD.
 */
import t from 'tap';
import { api } from '../../fixtures/cluster.js';
import { forEachKubectlCase } from './kubectl-cases.js';
import { poll } from '../../peers/helpers.js';

const GROUP = 'stable.example.com';

const CRONTABS = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.${GROUP}
spec:
  group: ${GROUP}
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.labelSelector}
    additionalPrinterColumns:
    - {name: Spec, type: string, description: The cron spec, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    - {name: Image, type: string, priority: 1, jsonPath: .spec.image}
    schema:
      openAPIV3Schema:
        type: object
        description: CronTab runs a command on a schedule.
        properties:
          spec:
            type: object
            description: The desired state of the CronTab.
            properties:
              cronSpec: {type: string, description: The schedule in cron format.}
              image: {type: string}
              replicas: {type: integer, minimum: 0, description: How many copies run.}
              port: {x-kubernetes-int-or-string: true}
          status:
            type: object
            properties:
              replicas: {type: integer}
              labelSelector: {type: string}
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
`;

const cronTab = (name: string, spec: string, status = '') => `apiVersion: ${GROUP}/v1\nkind: CronTab\nmetadata:\n  name: ${name}\nspec:\n${spec}${status}`;

t.test('CRD subresources, printer columns and explain with real kubectl', async (t) => {
  await forEachKubectlCase(t, async (t, { cluster, url, run }) => {
    const get = async (name: string) => JSON.parse((await run(['get', 'crontab', name, '-n', 'default', '-o', 'json'])).stdout);

    t.equal((await run(['apply', '-f', '-'], CRONTABS)).code, 0, 'apply the CRD');
    const waited = await run(['wait', '--for=condition=Established', `crd/crontabs.${GROUP}`, '--timeout=60s']);
    t.equal(waited.code, 0, `wait Established: ${waited.stderr}`);

    const created = await run(['apply', '-n', 'default', '-f', '-'], cronTab('c1', '  cronSpec: "* * * * */5"\n  image: my-cron\n  replicas: 1\n', 'status:\n  replicas: 9\n'));
    t.equal(created.code, 0, `apply a CronTab: ${created.stderr}`);
    let c1 = await get('c1');
    t.notOk('status' in c1, 'status is dropped on create when the status subresource is on');
    t.equal(c1.metadata.generation, 1);

    const status = await run(['patch', 'crontab', 'c1', '-n', 'default', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"labelSelector":"app=c1","conditions":[{"type":"Ready","status":"True"}]},"spec":{"image":"ignored"}}']);
    t.equal(status.code, 0, `patch --subresource=status: ${status.stderr}`);
    t.match(status.stdout, /crontab.stable.example.com\/c1 patched/);
    c1 = await get('c1');
    t.same(c1.status, { replicas: 1, labelSelector: 'app=c1', conditions: [{ type: 'Ready', status: 'True' }] }, 'the status subresource writes status');
    t.equal(c1.spec.image, 'my-cron', 'and nothing else');
    t.equal(c1.metadata.generation, 1, 'a status write keeps the generation');

    const main = await run(['patch', 'crontab', 'c1', '-n', 'default', '--type=merge', '-p', '{"status":{"replicas":7}}']);
    t.equal(main.code, 0, `main resource patch of status: ${main.stderr}`);
    c1 = await get('c1');
    t.equal(c1.status.replicas, 1, 'the main resource ignores status');
    t.equal(c1.metadata.generation, 1, 'and an ignored change is no new generation');

    const scaled = await run(['scale', 'crontab', 'c1', '-n', 'default', '--replicas=3']);
    t.equal(scaled.code, 0, `kubectl scale: ${scaled.stderr}`);
    t.match(scaled.stdout, /crontab.stable.example.com\/c1 scaled/);
    c1 = await get('c1');
    t.equal(c1.spec.replicas, 3, 'scale writes the spec replicas path');
    t.equal(c1.metadata.generation, 2, 'a spec change is a new generation');
    const scale = await api(cluster, url, 'GET', `/apis/${GROUP}/v1/namespaces/default/crontabs/c1/scale`);
    t.equal(scale.status, 200);
    t.match(scale.json, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'c1', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 1, selector: 'app=c1' } });
    const negative = await api(cluster, url, 'PUT', `/apis/${GROUP}/v1/namespaces/default/crontabs/c1/scale`, { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'c1', namespace: 'default' }, spec: { replicas: -1 } } });
    t.equal(negative.status, 422, 'a negative Scale is invalid');
    t.match(negative.json, { reason: 'Invalid', details: { group: 'autoscaling', kind: 'Scale', causes: [{ field: 'spec.replicas' }] } });

    t.equal((await run(['apply', '-n', 'default', '-f', '-'], cronTab('c2', '  cronSpec: "@daily"\n  port: http\n'))).code, 0);
    const noReplicas = await api(cluster, url, 'GET', `/apis/${GROUP}/v1/namespaces/default/crontabs/c2/scale`);
    t.equal(noReplicas.status, 500, 'the Scale of an object without replicas is upstream’s 500');
    t.match(noReplicas.json, { reason: 'InternalError', message: 'Internal error occurred: the spec replicas field ".spec.replicas" does not exist' });
    const emptyPatch = await api(cluster, url, 'PATCH', `/apis/${GROUP}/v1/namespaces/default/crontabs/c2/scale`, { body: { metadata: { labels: { a: 'b' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(emptyPatch.status, 400);
    t.match(emptyPatch.json, { message: 'the spec replicas field ".spec.replicas" cannot be empty' });
    const scaledC2 = await run(['scale', 'crontab', 'c2', '-n', 'default', '--replicas=2']);
    t.equal(scaledC2.code, 0, `scale an object without replicas: ${scaledC2.stderr}`);
    t.equal((await get('c2')).spec.replicas, 2);

    const table = await run(['get', 'crontabs', '-n', 'default']);
    t.equal(table.code, 0, `get with printer columns: ${table.stderr}`);
    t.match(table.stdout, /^NAME\s+SPEC\s+REPLICAS\s+READY\s+AGE\n/, 'the columns, in order; priority 1 hidden');
    t.match(table.stdout, /\nc1\s+\* \* \* \* \*\/5\s+3\s+True\s+\d+s\n/, 'string, integer, a JSONPath filter and a date');
    t.match(table.stdout, /\nc2\s+@daily\s+2\s+\d+s\n/, 'a path that finds nothing is an empty cell');
    const wide = await run(['get', 'ct', 'c1', '-n', 'default', '-o', 'wide']);
    t.match(wide.stdout, /^NAME\s+SPEC\s+REPLICAS\s+READY\s+AGE\s+IMAGE\n/, '-o wide adds the priority-1 column');
    t.match(wide.stdout, /\nc1\s+.*\s+my-cron\n/);

    const explain = await run(['explain', 'crontabs.spec']);
    t.equal(explain.code, 0, `explain: ${explain.stderr}`);
    t.match(explain.stdout, /KIND:\s+CronTab/);
    t.match(explain.stdout, /GROUP:\s+stable.example.com\n/);
    t.match(explain.stdout, /VERSION:\s+v1\n/);
    t.match(explain.stdout, /The desired state of the CronTab\./);
    t.match(explain.stdout, /cronSpec\s+<string>/);
    t.match(explain.stdout, /replicas\s+<integer>/);
    const field = await run(['explain', 'ct.spec.replicas']);
    t.match(field.stdout, /How many copies run\./, 'explain on a custom field');
    const top = await run(['explain', 'crontab']);
    t.match(top.stdout, /CronTab runs a command on a schedule\./);
    t.match(top.stdout, /metadata\s+<ObjectMeta>/, 'metadata refers to ObjectMeta');

    const index = await api(cluster, url, 'GET', '/openapi/v3');
    t.ok(index.json.paths[`apis/${GROUP}/v1`], 'the index lists the custom group/version');
    const doc = await api(cluster, url, 'GET', `/openapi/v3/apis/${GROUP}/v1`);
    t.equal(doc.status, 200);
    const schemas = doc.json.components.schemas;
    t.same(schemas['com.example.stable.v1.CronTab']['x-kubernetes-group-version-kind'], [{ group: GROUP, kind: 'CronTab', version: 'v1' }]);
    t.same(schemas['com.example.stable.v1.CronTabList']['x-kubernetes-group-version-kind'], [{ group: GROUP, kind: 'CronTabList', version: 'v1' }]);
    t.same(schemas['com.example.stable.v1.CronTab'].properties.spec.properties.port.anyOf, [{ type: 'integer' }, { type: 'string' }], 'int-or-string unfolded');
    t.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'ObjectMeta comes along');
    t.ok(schemas['io.k8s.api.autoscaling.v1.Scale'], 'and Scale, for the scale subresource');
    const paths = Object.keys(doc.json.paths);
    t.ok(paths.includes(`/apis/${GROUP}/v1/namespaces/{namespace}/crontabs/{name}/status`));
    t.ok(paths.includes(`/apis/${GROUP}/v1/namespaces/{namespace}/crontabs/{name}/scale`));
    t.ok(paths.includes(`/apis/${GROUP}/v1/crontabs`), 'list across namespaces');
    t.match(doc.json.paths[`/apis/${GROUP}/v1/namespaces/{namespace}/crontabs`].post, { operationId: 'createStableExampleComV1NamespacedCronTab', 'x-kubernetes-action': 'post', parameters: [{ name: 'dryRun' }, { name: 'fieldManager' }, { name: 'fieldValidation' }] });

    const strict = await run(['create', '-n', 'default', '--validate=strict', '-f', '-'], cronTab('c3', '  cronSpec: x\n  bogus: 1\n'));
    t.not(strict.code, 0, 'kubectl validation knows the kind');
    t.match(strict.stderr, /unknown field "spec.bogus"/);

    const removed = await run(['delete', 'crd', `crontabs.${GROUP}`, '--timeout=90s']);
    t.equal(removed.code, 0, `delete the CRD: ${removed.stderr}`);
    const gone = await poll(async () => (await api(cluster, url, 'GET', `/openapi/v3/apis/${GROUP}/v1`)).status, (status) => status === 404, 30_000);
    t.ok(gone.ok, 'the document goes with the CRD');
    t.notOk((await api(cluster, url, 'GET', '/openapi/v3')).json.paths[`apis/${GROUP}/v1`], 'and so does its index entry');
  });
});
