/**
 * `/openapi/v2`: per minor, the Swagger 2.0 document built from the server's OpenAPI v3 documents
 * and its protobuf form (decoded back with the openapi.v2 messages) hold the definitions and paths
 * kubectl's v2 clients read (the Deployment kind with its GVK, the PATCH operation of a kind with
 * an inline `fieldValidation` query parameter and the operation GVK); `--runtime-config` removes a
 * group; the CRD v2 conversion rules; then over real HTTPS against a real 1.36 server: JSON and both
 * protobuf media types, 406, one ETag for both with 304 on If-None-Match, Vary, Last-Modified,
 * gzip, and a CRD appearing in the document (with a new ETag) once established.
 */
import t from 'tap';
import { gunzipSync } from 'node:zlib';
import { fromBinary } from '@bufbuild/protobuf';
import { parse as parseYaml } from 'yaml';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { createCrd, specCrd } from '../fixtures/crd.js';
import { SUPPORTED_MINORS } from '../../versions/manifest.js';
import { loadProfile } from '../../versions/profile.js';
import { OpenApiV3 } from '../../server/endpoints/openapi.js';
import { OpenApiV2 } from '../../server/endpoints/openapi-v2.js';
import { customKindSchemaV2 } from '../../server/endpoints/custom-openapi-v2.js';
import { encodeOpenApiV2 } from '../../server/protobuf/openapi-v2/encode.js';
import { openApiV2Message } from '../../server/protobuf/openapi-v2/messages.js';
import type { Crd } from '../../server/registry/custom/crd.js';

const PROTO = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTO_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const DEPLOYMENT_ITEM = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';

type Json = Record<string, any>;

/** The decoded protobuf Document as plain data (bufbuild's message objects). */
function decode(bytes: Uint8Array): Json {
  return fromBinary(openApiV2Message('Document'), bytes) as unknown as Json;
}

function extension(list: Json[], name: string): unknown {
  const yaml = list.find((e) => e.name === name)?.value?.yaml;
  return yaml === undefined ? undefined : parseYaml(yaml);
}

/** The inline query parameter names of a decoded operation. */
function queryParams(op: Json): string[] {
  return (op.parameters as Json[])
    .filter((p) => p.oneof.case === 'parameter' && p.oneof.value.oneof.case === 'nonBodyParameter')
    .map((p) => p.oneof.value.oneof.value.oneof.value)
    .filter((s) => s.in === 'query')
    .map((s) => s.name as string);
}

t.test('the document of every minor, in JSON and protobuf', async (t) => {
  for (const minor of SUPPORTED_MINORS) {
    const profile = loadProfile({ minor });
    const doc = new OpenApiV2(profile, new OpenApiV3(profile)).document() as Json;
    t.equal(doc.swagger, '2.0', `${minor}: swagger 2.0`);
    t.same(doc.info, { title: 'Kubernetes', version: `v${minor}.0` });
    t.same(doc.securityDefinitions, { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } });
    t.same(doc.security, [{ BearerToken: [] }]);
    t.same(doc.definitions[DEPLOYMENT]['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }], `${minor}: Deployment has its GVK`);
    t.ok(doc.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers, 'PodSpec is there');
    t.same(Object.keys(doc.definitions), Object.keys(doc.definitions).sort(), 'definitions sorted');
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/definitions\/[^"]+"/g) ?? [];
    t.same(refs.map((r) => r.slice('"$ref":"#/definitions/'.length, -1)).filter((n) => !doc.definitions[n]), [], `${minor}: every definition $ref resolves`);
    const patch = doc.paths[DEPLOYMENT_ITEM].patch;
    t.same(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    t.equal(patch['x-kubernetes-action'], 'patch');
    t.same(patch.consumes, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
    t.same(patch.schemes, ['https']);
    t.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'), 'fieldValidation inline');
    const post = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post;
    t.same(post.consumes, ['*/*']);
    t.same(post.responses['201'].schema, { $ref: `#/definitions/${DEPLOYMENT}` });
    t.same(post.parameters.find((p: Json) => p.in === 'body'), { in: 'body', name: 'body', required: true, schema: { $ref: `#/definitions/${DEPLOYMENT}` } }, 'the kind\'s body stays inline');

    const pb = decode(encodeOpenApiV2(doc));
    t.equal(pb.swagger, '2.0');
    t.equal(pb.info.version, `v${minor}.0`);
    t.same(pb.paths.path.map((p: Json) => p.name), Object.keys(doc.paths), `${minor}: protobuf paths in the JSON's order`);
    t.same(pb.definitions.additionalProperties.map((d: Json) => d.name), Object.keys(doc.definitions), 'protobuf definitions');
    const deployment = pb.definitions.additionalProperties.find((d: Json) => d.name === DEPLOYMENT).value;
    t.same(extension(deployment.vendorExtension, 'x-kubernetes-group-version-kind'), [{ group: 'apps', kind: 'Deployment', version: 'v1' }], 'GVK extension as YAML');
    t.same(deployment.type.value, ['object']);
    t.equal(deployment.properties.additionalProperties.find((p: Json) => p.name === 'spec').value.Ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
    const pbPatch = pb.paths.path.find((p: Json) => p.name === DEPLOYMENT_ITEM).value.patch;
    t.ok(queryParams(pbPatch).includes('fieldValidation'), 'the PATCH operation carries fieldValidation inline (client-go query param verifier)');
    t.same(extension(pbPatch.vendorExtension, 'x-kubernetes-group-version-kind'), { group: 'apps', kind: 'Deployment', version: 'v1' });
    t.equal(pb.securityDefinitions.additionalProperties[0].value.oneof.case, 'apiKeySecurity');
  }
});

t.test('shared parameters from 1.28, inline before', async (t) => {
  const of = (minor: string): Json => {
    const p = loadProfile({ minor });
    return new OpenApiV2(p, new OpenApiV3(p)).document() as Json;
  };
  const old = of('1.27');
  t.equal(old.parameters, undefined, '1.27 has no shared parameters');
  t.ok(old.paths[DEPLOYMENT_ITEM].parameters.some((p: Json) => p.name === 'pretty' && p.in === 'query'), '1.27 has pretty inline');
  const doc = of('1.28');
  const prettyRef = doc.paths[DEPLOYMENT_ITEM].parameters.find((p: Json) => typeof p.$ref === 'string' && p.$ref.startsWith('#/parameters/pretty-'));
  t.ok(prettyRef, 'pretty is shared');
  t.equal(doc.parameters[prettyRef.$ref.slice('#/parameters/'.length)].name, 'pretty');
  t.match(prettyRef.$ref, /^#\/parameters\/pretty-[A-Za-z0-9_-]{8}$/);
  const patchParams = doc.paths[DEPLOYMENT_ITEM].patch.parameters as Json[];
  t.ok(patchParams.some((p) => p.name === 'fieldValidation'), 'fieldValidation stays inline');
  t.ok(patchParams.some((p) => p.name === 'dryRun'), 'dryRun stays inline');
  t.ok(doc.paths[DEPLOYMENT_ITEM].parameters.some((p: Json) => p.name === 'name' && p.in === 'path'), 'the name path parameter stays inline');
});

t.test('--runtime-config and OpenAPIEnums shape the document', async (t) => {
  const profile = loadProfile({ minor: '1.33', runtimeConfig: 'batch/v1=false', featureGates: 'OpenAPIEnums=false' });
  const doc = new OpenApiV2(profile, new OpenApiV3(profile)).document() as Json;
  t.notOk(Object.keys(doc.paths).some((p) => p.startsWith('/apis/batch/v1/')), 'no batch/v1 paths');
  t.notOk(doc.definitions['io.k8s.api.batch.v1.Job'], 'no Job definition');
  t.ok(doc.paths[DEPLOYMENT_ITEM], 'apps/v1 still there');
  t.equal(doc.definitions['io.k8s.api.core.v1.Container'].properties.imagePullPolicy.enum, undefined, 'enums pruned');
});

t.test('CRD schemas in v2 (ToStructuralOpenAPIV2)', async (t) => {
  const crd = { spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [] } } as unknown as Crd;
  const schema = customKindSchemaV2('1.33', crd, {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['size', 'note'],
        properties: {
          size: { type: 'integer', default: 3, minimum: 1 },
          note: { type: 'string', nullable: true },
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          choice: { type: 'string', oneOf: [{ enum: ['a'] }, { enum: ['b'] }] },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { x: { type: 'string' } } },
          list: { type: 'array', nullable: true, items: { type: 'string' } },
          rules: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() > 0' }] },
          child: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
          embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
        },
      },
    },
  }) as Json;
  const spec = schema.properties.spec;
  t.same(Object.keys(schema.properties), ['apiVersion', 'kind', 'metadata', 'spec'], 'TypeMeta and ObjectMeta added, sorted');
  t.same(schema.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  t.same(spec.required, ['size'], 'a nullable field leaves required');
  t.same(spec.properties.size, { type: 'integer', minimum: 1 }, 'default pruned');
  t.same(spec.properties.note, {}, 'nullable loses its type');
  t.same(spec.properties.port, { 'x-kubernetes-int-or-string': true }, 'anyOf dropped');
  t.same(spec.properties.choice, { type: 'string' }, 'oneOf dropped');
  t.same(spec.properties.free, { 'x-kubernetes-preserve-unknown-fields': true }, 'preserve-unknown loses object type and properties');
  t.same(spec.properties.list, {}, 'nullable array loses items and type');
  t.same(spec.properties.rules['x-kubernetes-validations'], [{ rule: 'self.size() > 0' }], 'x-kubernetes-* kept');
  t.same(spec.properties.child, { 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }, 'no embedded properties under preserve-unknown');
  t.same(Object.keys(spec.properties.embedded.properties), ['apiVersion', 'kind', 'metadata', 'spec'], 'embedded resource properties');
  t.same(spec.properties.embedded.required, ['kind', 'apiVersion']);
  t.same(customKindSchemaV2('1.33', crd, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), { type: 'object' }, 'a root preserving unknown fields is just an object');
  t.same(customKindSchemaV2('1.33', crd, undefined), { type: 'object' }, 'no schema');
});

t.test('/openapi/v2 over HTTPS', async (t) => {
  const cluster = await startCluster(t, [{ name: 'a', minor: '1.36' }]);
  const url = urlOf(cluster, 'a');

  const json = await api(cluster, url, 'GET', '/openapi/v2?timeout=32s', { headers: { accept: 'application/json' } });
  t.equal(json.status, 200);
  t.equal(json.headers['content-type'], 'application/json');
  t.equal(json.json.swagger, '2.0');
  t.ok(json.json.definitions[DEPLOYMENT]);
  const etag = json.headers.etag as string;
  t.match(etag, /^"[0-9A-F]{128}"$/, 'a SHA-512 ETag');
  t.match(String(json.headers.vary), /Accept-Encoding.*Accept|Accept.*Accept-Encoding/, 'Vary: Accept-Encoding and Accept');
  t.ok(!Number.isNaN(Date.parse(json.headers['last-modified'] as string)), 'Last-Modified');

  for (const accept of [PROTO, PROTO_DEPRECATED, `${PROTO_DEPRECATED}, application/json`]) {
    const pb = await api(cluster, url, 'GET', '/openapi/v2', { headers: { accept } });
    t.equal(pb.status, 200, accept);
    t.equal(pb.headers['content-type'], PROTO, 'answered with the current protobuf media type');
    t.equal(pb.headers.etag, etag, 'the same ETag as JSON');
    const decoded = decode(pb.raw);
    t.equal(decoded.paths.path.length, Object.keys(json.json.paths).length, 'the same paths as JSON');
  }
  const anyType = await api(cluster, url, 'GET', '/openapi/v2', { headers: { accept: '*/*' } });
  t.equal(anyType.headers['content-type'], 'application/json', '*/* gets JSON');
  const preferred = await api(cluster, url, 'GET', '/openapi/v2', { headers: { accept: `application/json;q=0.5, ${PROTO}` } });
  t.equal(preferred.headers['content-type'], PROTO, 'the higher quality wins');
  const refused = await api(cluster, url, 'GET', '/openapi/v2', { headers: { accept: 'text/html' } });
  t.equal(refused.status, 406);
  t.equal(refused.text, '');

  const notModified = await api(cluster, url, 'GET', '/openapi/v2', { headers: { accept: PROTO, 'if-none-match': etag } });
  t.equal(notModified.status, 304, 'If-None-Match with the ETag → 304');
  t.equal(notModified.raw.length, 0);
  t.equal(notModified.headers.etag, etag);
  t.equal(notModified.headers['last-modified'], undefined, 'no Last-Modified beside an ETag on 304');
  const other = await api(cluster, url, 'GET', '/openapi/v2', { headers: { 'if-none-match': '"0123"' } });
  t.equal(other.status, 200, 'another ETag → 200');
  const since = await api(cluster, url, 'GET', '/openapi/v2', { headers: { 'if-modified-since': json.headers['last-modified'] as string } });
  t.equal(since.status, 304, 'If-Modified-Since the build time → 304');

  const gz = await api(cluster, url, 'GET', '/openapi/v2', { headers: { accept: 'application/json', 'accept-encoding': 'gzip' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.same(JSON.parse(gunzipSync(gz.raw).toString('utf8')).info, json.json.info, 'gzipped JSON');

  const crd = specCrd('example.com', 'widgets', 'Widget', { size: { type: 'integer', default: 1 } });
  const made = await createCrd(cluster, url, crd, '/apis/example.com/v1/widgets');
  t.ok(made.served, 'the CRD is served');
  const after = await api(cluster, url, 'GET', '/openapi/v2');
  t.not(after.headers.etag, etag, 'a new ETag once the CRD is in');
  const widget = after.json.definitions['com.example.v1.Widget'];
  t.same(widget['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  t.same(widget.properties.spec.properties.size, { type: 'integer' }, 'the default is pruned');
  t.ok(after.json.definitions['com.example.v1.WidgetList']);
  t.ok(after.json.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch.parameters.some((p: Json) => p.name === 'fieldValidation'));
  const stale = await api(cluster, url, 'GET', '/openapi/v2', { headers: { 'if-none-match': etag } });
  t.equal(stale.status, 200, 'the old ETag no longer matches');
});
