/**
 * OpenAPI v3 and server-side field validation over real HTTPS against real server processes: the
 * `/openapi/v3` index per minor, a group/version document with the Pod schema and its GVK, the
 * patch operation's `fieldValidation` parameter, ETag/304, `/openapi/v2` served beside it, the `enum` of +enum
 * fields (and their absence under OpenAPIEnums=false), Strict/Warn/Ignore with upstream's texts
 * (enum values not enforced there); then real kubectl: `create -f` with validation on, and
 * `explain` (with its ENUM section from kubectl 1.30 on).
 */
import t from 'tap';
import { api, kubectl, kubectlBinary, startCluster, urlOf, type ApiResponse } from '../fixtures/cluster.js';
import { patchMetaFor, definitionsOf, openApiSource } from '../../versions/openapi.js';

function warnings(res: ApiResponse): string[] {
  const raw = res.headers.warning;
  if (raw === undefined) return [];
  // Node joins repeated headers with ", "; split on the boundaries between `299 - "…"` values.
  return (Array.isArray(raw) ? raw.join(', ') : raw).split(/, (?=299 - ")/);
}

const INVALID_DEPLOYMENT = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "NAME", "name": "NAME", "unknownMeta": "x", "labels": {"app": "nginx"}},
  "spec": {
    "unknown1": "val1",
    "unknownDupe": "valDupe",
    "unknownDupe": "valDupe2",
    "paused": true,
    "paused": false,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {
      "metadata": {"labels": {"app": "nginx"}},
      "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}
    }
  }
}`;

const EXPECTED_ISSUES = [
  'duplicate field "metadata.name"',
  'unknown field "metadata.unknownMeta"',
  'unknown field "spec.unknown1"',
  'unknown field "spec.unknownDupe"',
  'duplicate field "spec.paused"',
  'unknown field "spec.template.spec.containers[0].unknownNested"',
  'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
];

const VALID_DEPLOYMENT = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});

/**
 * What a real server (OpenAPIEnums on, the default since 1.24) serves for three +enum fields, as
 * upstream's enum-enabled v1.36 spec has them: `enum` and the paragraph after the description.
 */
const ENUMS = [
  {
    def: 'io.k8s.api.core.v1.Container', field: 'imagePullPolicy', values: ['Always', 'IfNotPresent', 'Never'],
    paragraph: '\n\nPossible enum values:\n - `"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.\n - `"IfNotPresent"` means that kubelet pulls if the image isn\'t present on disk. Container will fail if the image isn\'t present and the pull fails.\n - `"Never"` means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn\'t present',
  },
  {
    def: 'io.k8s.api.core.v1.ServiceSpec', field: 'type', values: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    paragraph: "\n\nPossible enum values:\n - `\"ClusterIP\"` means a service will only be accessible inside the cluster, via the cluster IP.\n - `\"ExternalName\"` means a service consists of only a reference to an external name that kubedns or equivalent will return as a CNAME record, with no exposing or proxying of any pods involved.\n - `\"LoadBalancer\"` means a service will be exposed via an external load balancer (if the cloud provider supports it), in addition to 'NodePort' type.\n - `\"NodePort\"` means a service will be exposed on one port of every node, in addition to 'ClusterIP' type.",
  },
  {
    def: 'io.k8s.api.core.v1.PodSpec', field: 'restartPolicy', values: ['Always', 'Never', 'OnFailure'],
    paragraph: '\n\nPossible enum values:\n - `"Always"`\n - `"Never"`\n - `"OnFailure"`',
  },
];

/** `kubectl explain pods.spec.containers.imagePullPolicy` against a server serving the enum. */
const EXPLAIN_PULL_POLICY = (enumSection: boolean): string => [
  'KIND:       Pod',
  'VERSION:    v1',
  '',
  'FIELD: imagePullPolicy <string>',
  ...(enumSection ? ['ENUM:', '    Always', '    IfNotPresent', '    Never'] : []),
  '',
  'DESCRIPTION:',
  '    Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if',
  '    :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More',
  '    info: https://kubernetes.io/docs/concepts/containers/images#updating-images',
  '    ',
  '    Possible enum values:',
  '     - `"Always"` means that kubelet always attempts to pull the latest image.',
  '    Container will fail If the pull fails.',
  '     - `"IfNotPresent"` means that kubelet pulls if the image isn\'t present on',
  '    disk. Container will fail if the image isn\'t present and the pull fails.',
  '     - `"Never"` means that kubelet never pulls an image, but only uses a local',
  '    image. Container will fail if the image isn\'t present',
  '    ',
  '',
  '',
].join('\n');

t.test('schema data', async (t) => {
  const meta = patchMetaFor({ group: 'apps', version: 'v1', kind: 'Deployment' }, '1.32');
  t.same(meta('spec.template.spec.containers'), { mergeKey: 'name', strategy: 'merge' });
  t.same(meta(['spec', 'template', 'spec', 'containers', 'ports']), { mergeKey: 'containerPort', strategy: 'merge', listType: 'map', mapKeys: ['containerPort', 'protocol'] });
  t.same(meta('spec.template.spec.volumes'), { mergeKey: 'name', strategy: 'merge,retainKeys' });
  t.same(meta('spec.replicas'), {});
  t.same(meta('no.such.field'), {});
  t.same(patchMetaFor({ group: '', version: 'v1', kind: 'Pod' }, '1.27')('spec.schedulingGates').mergeKey, 'name', 'a post-1.22 field from the overlay');
  for (const minor of ['1.25', '1.26', '1.31', '1.35', '1.36']) {
    t.ok(definitionsOf(minor).get('io.k8s.api.core.v1.Pod'), `${minor} has Pod`);
    t.match(openApiSource(minor), /client-node|pulumi/);
  }
  for (const minor of ['1.25', '1.29', '1.32', '1.36']) {
    for (const e of ENUMS) {
      const prop = definitionsOf(minor).get(e.def)?.properties?.[e.field];
      t.same(prop?.enum, e.values, `${minor} ${e.def}.${e.field} enum`);
      t.equal(prop?.type, 'string');
      t.ok((prop?.description as string).endsWith(e.paragraph), `${minor} ${e.field}: upstream's enum paragraph ends the description`);
      t.equal((prop?.description as string).indexOf('Possible enum values:'), (prop?.description as string).lastIndexOf('Possible enum values:'), 'one paragraph');
    }
  }
  t.notOk(definitionsOf('1.36').get('io.k8s.api.core.v1.Container')?.properties?.restartPolicy?.enum, "1.36's Container.restartPolicy has no enum upstream either");
  t.notOk(definitionsOf('1.25').get('io.k8s.api.core.v1.PodSpec')?.properties?.schedulingGates, '1.25 PodSpec has no schedulingGates');
  t.ok(definitionsOf('1.27').get('io.k8s.api.core.v1.PodSpec')?.properties?.schedulingGates, '1.27 PodSpec has schedulingGates');
});

t.test('OpenAPI v3 and field validation on 1.32 and 1.29', async (t) => {
  const cluster = await startCluster(t, [
    { name: 's1', minor: '1.32' },
    { name: 's2', minor: '1.29' },
    { name: 's3', minor: '1.32', featureGates: 'OpenAPIEnums=false' },
  ]);
  const url = urlOf(cluster, 's1');
  const old = urlOf(cluster, 's2');

  t.test('the index lists every served group/version with its hash', async (t) => {
    for (const u of [url, old]) {
      const root = await api(cluster, u, 'GET', '/openapi/v3?timeout=32s');
      t.equal(root.status, 200);
      const paths = Object.keys(root.json.paths);
      // Legacy /apis lists the APIServices of the mixed cluster, which the other minor's server may
      // have deleted (#96486); aggregated discovery has what this server serves, as the index does.
      const groups = await api(cluster, u, 'GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' } });
      const expected = ['api', 'api/v1', 'apis', 'version'];
      for (const g of groups.json.items as Array<{ metadata: { name: string }; versions: Array<{ version: string }> }>) {
        expected.push(`apis/${g.metadata.name}`, ...g.versions.map((v) => `apis/${g.metadata.name}/${v.version}`));
      }
      t.same(paths.sort(), expected.sort(), 'api, api/v1, apis, each group and each served group/version');
      t.match(root.json.paths['apis/apps/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    }
    const newer = await api(cluster, url, 'GET', '/openapi/v3');
    const older = await api(cluster, old, 'GET', '/openapi/v3');
    t.notOk(newer.json.paths['apis/flowcontrol.apiserver.k8s.io/v1beta3'], '1.32 no longer serves flowcontrol v1beta3');
    t.ok(older.json.paths['apis/flowcontrol.apiserver.k8s.io/v1beta3'], '1.29 does');
  });

  t.test('a group/version document', async (t) => {
    const root = await api(cluster, url, 'GET', '/openapi/v3');
    const href = root.json.paths['api/v1'].serverRelativeURL as string;
    const doc = await api(cluster, url, 'GET', `${href}&timeout=32s`);
    t.equal(doc.status, 200);
    t.equal(doc.headers['content-type'], 'application/json');
    t.equal(doc.json.openapi, '3.0.0');
    const pod = doc.json.components.schemas['io.k8s.api.core.v1.Pod'];
    t.same(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    t.same(pod.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }], 'refs with descriptions go through allOf');
    const containers = doc.json.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    t.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    t.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    const item = doc.json.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    t.same(item.patch['x-kubernetes-group-version-kind'], { group: '', kind: 'ConfigMap', version: 'v1' });
    t.ok(item.patch.parameters.some((p: { name: string; in: string }) => p.name === 'fieldValidation' && p.in === 'query'), 'patch has fieldValidation');
    t.ok(doc.json.paths['/api/v1/namespaces/{namespace}/configmaps'].post.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));

    const etag = doc.headers.etag as string;
    t.equal(etag, `"${href.split('hash=')[1]}"`, 'the ETag is the hash of the index');
    t.equal(doc.headers['cache-control'], 'public, immutable', 'a URL with the current hash is immutable');
    const again = await api(cluster, url, 'GET', '/openapi/v3/api/v1', { headers: { 'if-none-match': etag } });
    t.equal(again.status, 304);
    t.equal(again.text, '');
    const stale = await api(cluster, url, 'GET', '/openapi/v3/api/v1?hash=0123');
    t.equal(stale.status, 301);
    t.equal(stale.headers.location, href);
    const apps = await api(cluster, url, 'GET', '/openapi/v3/apis/apps/v1');
    t.same(apps.json.components.schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    t.ok(apps.json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch, 'scale subresource');
    t.ok(apps.json.components.schemas['io.k8s.api.autoscaling.v1.Scale'], 'Scale schema');
    t.equal((await api(cluster, url, 'GET', '/openapi/v3/apis/nope/v1')).status, 404);
  });

  t.test('/openapi/v2 is served beside v3 (openapi-v2.test.ts covers it)', async (t) => {
    const res = await api(cluster, url, 'GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    t.equal(res.status, 200);
    t.equal(res.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  });

  t.test('enums of +enum fields, where upstream puts them', async (t) => {
    for (const u of [url, old]) {
      const core = (await api(cluster, u, 'GET', '/openapi/v3/api/v1')).json.components.schemas;
      for (const e of ENUMS) {
        const prop = core[e.def].properties[e.field];
        t.same(Object.keys(prop), ['description', 'enum', 'type'], `${e.field}: a plain string property with its enum`);
        t.same(prop.enum, e.values);
        t.ok(prop.description.endsWith(e.paragraph));
      }
      const apps = (await api(cluster, u, 'GET', '/openapi/v3/apis/apps/v1')).json.components.schemas;
      t.same(apps['io.k8s.api.core.v1.Container'].properties.imagePullPolicy, core['io.k8s.api.core.v1.Container'].properties.imagePullPolicy, 'the same in every document');
    }
    const on = (await api(cluster, url, 'GET', '/openapi/v3/api/v1')).json.components.schemas;
    const off = (await api(cluster, urlOf(cluster, 's3'), 'GET', '/openapi/v3/api/v1')).json.components.schemas;
    for (const e of ENUMS) {
      const prop = off[e.def].properties[e.field];
      t.same(prop, { description: on[e.def].properties[e.field].description.slice(0, -e.paragraph.length), type: 'string' }, `OpenAPIEnums=false prunes ${e.field}`);
    }
    const ext = (await api(cluster, urlOf(cluster, 's3'), 'GET', '/openapi/v3/apis/apiextensions.k8s.io/v1')).json.components.schemas;
    t.equal(ext['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'].properties.enum.type, 'array', 'a field named enum is a field, not a keyword');
  });

  t.test('enum values are not enforced by field validation', async (t) => {
    // Upstream checks enum values in Go validation (422 Invalid), never while decoding: Strict and
    // Warn find nothing unknown in a well-formed field holding an unlisted value.
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Sometimes' }] } });
    for (const mode of ['Strict', 'Warn']) {
      const res = await api(cluster, url, 'POST', `/api/v1/namespaces/default/pods?fieldValidation=${mode}&dryRun=All`, { body: pod(`enum-${mode.toLowerCase()}`) });
      t.not(res.status, 400, `${mode}: ${res.text}`);
      t.notMatch(res.text, 'strict decoding error');
      t.same(warnings(res), [], `${mode}: no warning`);
    }
  });

  t.test('fieldValidation on create', async (t) => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const strict = await api(cluster, url, 'POST', `${path}?fieldValidation=Strict`, { raw: INVALID_DEPLOYMENT.replace(/NAME/g, 'strict') });
    t.equal(strict.status, 400);
    t.same(strict.json, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ${EXPECTED_ISSUES.join(', ')}`,
      reason: 'BadRequest', code: 400,
    });
    t.equal((await api(cluster, url, 'GET', `${path}/strict`)).status, 404, 'nothing was created');

    const warn = await api(cluster, url, 'POST', `${path}?fieldValidation=Warn`, { raw: INVALID_DEPLOYMENT.replace(/NAME/g, 'warn') });
    t.equal(warn.status, 201);
    t.same(warnings(warn), EXPECTED_ISSUES.map((m) => `299 - "${m.replace(/"/g, '\\"')}"`));
    t.notOk(warn.json.spec.unknown1, 'unknown fields are dropped');
    t.equal(warn.json.spec.paused, false, 'the last duplicate wins');

    const byDefault = await api(cluster, url, 'POST', path, { raw: INVALID_DEPLOYMENT.replace(/NAME/g, 'default') });
    t.equal(byDefault.status, 201);
    t.equal(warnings(byDefault).length, EXPECTED_ISSUES.length, 'Warn is the default');

    const ignore = await api(cluster, url, 'POST', `${path}?fieldValidation=Ignore`, { raw: INVALID_DEPLOYMENT.replace(/NAME/g, 'ignore') });
    t.equal(ignore.status, 201);
    t.same(warnings(ignore), []);
    t.notOk(ignore.json.metadata.unknownMeta);

    const bad = await api(cluster, url, 'POST', `${path}?fieldValidation=Loud`, { body: VALID_DEPLOYMENT('loud') });
    t.equal(bad.status, 422);
    t.equal(bad.json.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"');

    const wrongType = VALID_DEPLOYMENT('typed') as any;
    wrongType.spec.replicas = 'three';
    const typed = await api(cluster, url, 'POST', `${path}?fieldValidation=Ignore`, { body: wrongType });
    t.equal(typed.status, 400);
    t.equal(typed.json.message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');

    const cm = await api(cluster, url, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'numbers' }, data: { a: 1 } } });
    t.equal(cm.status, 400);
    t.equal(cm.json.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    const quantities = VALID_DEPLOYMENT('quantities') as any;
    quantities.spec.template.spec.containers[0].resources = { limits: { cpu: 1, memory: '1Gi' } };
    quantities.spec.strategy = { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } };
    t.equal((await api(cluster, url, 'POST', `${path}?fieldValidation=Strict`, { body: quantities })).status, 201, 'Quantity and IntOrString take numbers');

    const yaml = [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: yml', '  name: yml', 'data:', '  a: b', 'bogus: 1', '',
    ].join('\n');
    const yamlStrict = await api(cluster, url, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { raw: yaml, headers: { 'content-type': 'application/yaml' } });
    t.equal(yamlStrict.status, 400);
    t.equal(yamlStrict.json.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map, unknown field "bogus"');
    const yamlWarn = await api(cluster, url, 'POST', '/api/v1/namespaces/default/configmaps', { raw: yaml, headers: { 'content-type': 'application/yaml' } });
    t.equal(yamlWarn.status, 201);
    t.same(warnings(yamlWarn), ['299 - "line 5: key \\"name\\" already set in map"', '299 - "unknown field \\"bogus\\""']);

    const preserved = await api(cluster, url, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldValidation=Strict&dryRun=All', {
      body: {
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'foos.example.com' },
        spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'foos', kind: 'Foo' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: { anything: 1 } } } }] },
      },
    });
    t.not(preserved.status, 400, `JSON values inside a schema are opaque: ${preserved.text}`);
  });

  t.test('fieldValidation on update and patch', async (t) => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    t.equal((await api(cluster, url, 'POST', path, { body: VALID_DEPLOYMENT('p') })).status, 201);
    const put = await api(cluster, url, 'PUT', `${path}/p?fieldValidation=Strict`, { raw: INVALID_DEPLOYMENT.replace(/NAME/g, 'p') });
    t.equal(put.status, 400);
    t.match(put.json.message, /^Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "metadata.name"/);

    const mergeBody = '{"spec":{"unknown1":"v","paused":true,"paused":false,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx","unknownNested":"v"}]}}}}';
    const strictMerge = await api(cluster, url, 'PATCH', `${path}/p?fieldValidation=Strict`, { raw: mergeBody, headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(strictMerge.status, 400);
    t.equal(strictMerge.json.message, 'strict decoding error: duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1"');
    const warnSmp = await api(cluster, url, 'PATCH', `${path}/p?fieldValidation=Warn`, { raw: mergeBody, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
    t.equal(warnSmp.status, 200, warnSmp.text);
    t.same(warnings(warnSmp), [
      '299 - "duplicate field \\"spec.paused\\""',
      '299 - "unknown field \\"spec.template.spec.containers[0].unknownNested\\""',
      '299 - "unknown field \\"spec.unknown1\\""',
    ]);
    t.notOk(warnSmp.json.spec.unknown1, 'dropped');

    const jsonPatch = '[{"op":"add","path":"/spec/unknown1","value":"v","foo":"bar"},{"op":"replace","path":"/spec/paused","path":"/spec/paused","value":true}]';
    const strictJson = await api(cluster, url, 'PATCH', `${path}/p?fieldValidation=Strict`, { raw: jsonPatch, headers: { 'content-type': 'application/json-patch+json' } });
    t.equal(strictJson.status, 400);
    t.equal(strictJson.json.message, 'strict decoding error: json patch unknown field "[0].foo", json patch duplicate field "[1].path", unknown field "spec.unknown1"');
    const ignored = await api(cluster, url, 'PATCH', `${path}/p?fieldValidation=Ignore`, { raw: jsonPatch, headers: { 'content-type': 'application/json-patch+json' } });
    t.equal(ignored.status, 200);
    t.same(warnings(ignored), []);

    const typed = await api(cluster, url, 'PATCH', `${path}/p`, { raw: '{"spec":{"replicas":"x"}}', headers: { 'content-type': 'application/merge-patch+json' } });
    t.equal(typed.status, 422);
    t.match(typed.json.message, /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32$/);
  });

  const CM_AND_DEPLOY = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
`;
  const BAD = `apiVersion: v1
kind: ConfigMap
metadata:
  name: bad-config
data:
  a: b
spec:
  foo: bar
`;

  // kubectl 1.27 and 1.28 validate and explain through /openapi/v2 (protobuf): see
  // kubectl-openapi-v2.test.ts; 1.29 is the first kubectl that uses v3 for both.
  for (const [minor, server] of [['1.32', 's1'], ['1.29', 's2']] as const) {
    const binary = kubectlBinary(minor);
    t.test(`kubectl ${minor}: create -f with validation, explain`, { skip: binary ? false : `kubectl.${minor} is not installed on this machine` }, async (t) => {
      const context = `skew-${server}`;
      const ns = `kc${minor.replace('.', '')}`;
      const run = (args: string[], stdin?: string) => kubectl(t, binary!, cluster, args, { context, ...(stdin ? { stdin } : {}) });
      t.equal((await run(['create', 'namespace', ns])).code, 0);
      const created = await run(['create', '-n', ns, '-f', '-'], CM_AND_DEPLOY);
      t.equal(created.code, 0, `create: ${created.stderr}`);
      t.match(created.stdout, /configmap\/app-config created\ndeployment\.apps\/web created/);
      const bad = await run(['create', '-n', ns, '-f', '-'], BAD);
      t.equal(bad.code, 1);
      t.match(bad.stderr, 'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"');
      const lenient = await run(['create', '-n', ns, '--validate=false', '-f', '-'], BAD);
      t.equal(lenient.code, 0, `--validate=false: ${lenient.stderr}`);
      const warned = await run(['create', '-n', ns, '--validate=warn', '-f', '-'], BAD.replace('bad-config', 'warned-config'));
      t.equal(warned.code, 0);
      t.match(warned.stderr, 'Warning: unknown field "spec"');

      const explain = await run(['explain', 'pods.spec.containers']);
      t.equal(explain.code, 0, `explain: ${explain.stderr}`);
      t.match(explain.stdout, /KIND:\s+Pod/);
      t.match(explain.stdout, /FIELD:\s+containers <\[\]Container>/);
      t.match(explain.stdout, /imagePullPolicy\s+<string>/);
      t.match(explain.stdout, /name\s+<string> -required-/);
      // kubectl 1.30 added the ENUM section (1.29's template has none); both show the paragraph.
      const pullPolicy = await run(['explain', 'pods.spec.containers.imagePullPolicy']);
      t.equal(pullPolicy.code, 0, `explain imagePullPolicy: ${pullPolicy.stderr}`);
      t.equal(pullPolicy.stdout, EXPLAIN_PULL_POLICY(Number(minor.split('.')[1]) >= 30));
      const deploy = await run(['explain', 'deployments']);
      t.equal(deploy.code, 0, `explain deployments: ${deploy.stderr}`);
      t.match(deploy.stdout, /GROUP:\s+apps/);
      t.match(deploy.stdout, /Deployment enables declarative updates for Pods and ReplicaSets/);
      const replicas = await run(['explain', 'deployment.spec.replicas']);
      t.match(replicas.stdout, /FIELD:\s+replicas <integer>/);
    });
  }
});
