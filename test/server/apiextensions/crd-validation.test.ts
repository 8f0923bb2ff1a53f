/**
 * CRDs that upstream refuses are refused the same way, over real HTTPS against one 1.33 server:
 * 422 Invalid with upstream's field paths and messages for non-structural schemas, the root type,
 * metadata restrictions, x-kubernetes-* combinations, defaults (type and pruning), list-map keys,
 * the status subresource's root, missing schemas, names, versions, conversion webhooks and
 * `spec.preserveUnknownFields`, printer columns, the scale subresource's paths, deprecation
 * warnings and the API approval annotation of community groups (with the condition it gives); on
 * update, the immutable group, plural and (once Established) scope, `status.storedVersions`, and
 * a conversion caBundle that must stay loadable on 1.33 while the 1.30 server (a second process
 * over the same store) does not check it. A CRD with every valid feature is still accepted.
 */
import t, { type Test } from 'tap';
import { api, startCluster, urlOf, type ApiOptions } from '../../fixtures/cluster.js';
import { poll } from '../../peers/helpers.js';

type Obj = Record<string, any>;

const GROUP = 'val.example.com';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const SPEC = { type: 'object', properties: { size: { type: 'integer' } } };

const crd = (plural: string, kind: string, schema: Obj | undefined, more: { version?: Obj; spec?: Obj; versions?: Obj[] } = {}): Obj => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${more.spec?.group ?? GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural, kind },
    versions: more.versions ?? [{ name: 'v1', served: true, storage: true, ...(schema ? { schema: { openAPIV3Schema: schema } } : {}), ...more.version }],
    ...more.spec,
  },
});
const root = (props: Obj, extra: Obj = {}) => ({ type: 'object', properties: props, ...extra });
const V = 'spec.validation.openAPIV3Schema';
const cause = (reason: string, field: string, message: string) => ({ reason, message, field });

t.test('CRD validation', async (t) => {
  const cluster = await startCluster(t, [{ name: 'k133', minor: '1.33' }, { name: 'k130', minor: '1.30' }], { mvp: false });
  const call = (method: string, path: string, opts: ApiOptions = {}) => api(cluster, urlOf(cluster, 'k133'), method, path, opts);
  const call130 = (method: string, path: string, opts: ApiOptions = {}) => api(cluster, urlOf(cluster, 'k130'), method, path, opts);
  const established = async (name: string) =>
    (await poll(() => call('GET', `${CRDS}/${name}`), (r) => (r.json.status?.conditions ?? []).some((c: Obj) => c.type === 'Established' && c.status === 'True'))).value;
  const refused = async (t: Test, body: Obj, causes: Obj[], message?: string) => {
    const res = await call('POST', CRDS, { body });
    t.equal(res.status, 422, JSON.stringify(res.json));
    t.equal(res.json.reason, 'Invalid');
    t.same(res.json.details, { name: body.metadata.name, group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', causes });
    if (message) t.equal(res.json.message, `CustomResourceDefinition.apiextensions.k8s.io "${body.metadata.name}" is invalid: ${message}`);
    return res;
  };

  await t.test('structural schemas', async (t) => {
    await refused(
      t,
      crd('notypes', 'NoType', root({ spec: { properties: { a: { type: 'string' } } } })),
      [cause('FieldValueRequired', `${V}.properties[spec].type`, 'Required value: must not be empty for specified object fields')],
      `${V}.properties[spec].type: Required value: must not be empty for specified object fields`,
    );
    await refused(t, crd('strings', 'String', { type: 'string' }), [cause('FieldValueInvalid', `${V}.type`, 'Invalid value: "string": must be object at the root')]);
    await refused(t, crd('nulls', 'Null', { properties: { spec: SPEC } }), [cause('FieldValueRequired', `${V}.type`, 'Required value: must not be empty at the root')]);
    await refused(t, crd('arrays', 'Array', root({ spec: { type: 'array' } })), [cause('FieldValueRequired', `${V}.properties[spec].items`, 'Required value: must be specified')]);
    await refused(t, crd('metas', 'Meta', root({ metadata: { type: 'object', properties: { labels: { type: 'object' } } } })), [
      cause('FieldValueForbidden', `${V}.properties[metadata]`, 'Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified'),
    ]);
    await refused(t, crd('intors', 'IntOr', root({ spec: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true } })), [
      cause('FieldValueInvalid', `${V}.properties[spec].x-kubernetes-preserve-unknown-fields`, 'Invalid value: true: must be false if x-kubernetes-int-or-string is true'),
    ]);
    await refused(t, crd('embeds', 'Embed', root({ spec: { type: 'object', 'x-kubernetes-embedded-resource': true } })), [
      cause('FieldValueRequired', `${V}.properties[spec].properties`, 'Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'),
    ]);
    await refused(t, crd('allofs', 'AllOf', root({ spec: SPEC }, { allOf: [{ properties: { spec: { properties: { x: { type: 'string' } } } } }] })), [
      cause('FieldValueForbidden', `${V}.allOf[0].properties[spec].properties[x].type`, 'Forbidden: must be empty to be structural'),
      cause('FieldValueRequired', `${V}.properties[spec].properties[x]`, `Required value: because it is defined in ${V}.allOf[0].properties[spec].properties[x]`),
    ]);
    await refused(t, crd('preserves', 'Preserve', root({ spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } })), [
      cause('FieldValueInvalid', `${V}.properties[spec].x-kubernetes-preserve-unknown-fields`, 'Invalid value: false: must be true or undefined'),
    ]);
    await refused(t, crd('refs', 'Ref', root({ spec: { type: 'object', $ref: '#/definitions/x' } })), [cause('FieldValueForbidden', `${V}.properties[spec].$ref`, 'Forbidden: $ref is not supported')]);
  });

  await t.test('defaults', async (t) => {
    await refused(t, crd('dtypes', 'DType', root({ spec: { type: 'object', properties: { n: { type: 'integer', default: 'x' } } } })), [
      cause('FieldValueTypeInvalid', `${V}.properties[spec].properties[n].default`, 'Invalid value: "string":  in body must be of type integer: "string"'),
    ]);
    await refused(t, crd('dprunes', 'DPrune', root({ spec: { type: 'object', default: { a: 1 }, properties: { b: { type: 'integer' } } } })), [
      cause('FieldValueInvalid', `${V}.properties[spec].default`, 'Invalid value: map[string]interface {}{"a":1}: must not have unknown fields'),
    ]);
    await refused(t, crd('dmetas', 'DMeta', root({ metadata: { type: 'object', default: { name: 'x' } } })), [
      cause('FieldValueForbidden', `${V}.properties[metadata].default`, 'Forbidden: must not be set in top-level metadata'),
    ]);
  });

  await t.test('list and map markers', async (t) => {
    const list = (l: Obj) => crd('lists', 'List', root({ spec: { type: 'object', properties: { l } } }));
    const L = `${V}.properties[spec].properties[l]`;
    await refused(t, list({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } }), [
      cause('FieldValueRequired', `${L}.items.properties[name].default`, 'Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'),
    ]);
    await refused(t, list({ type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { name: { type: 'string' } } } }), [
      cause('FieldValueRequired', `${L}.x-kubernetes-list-map-keys`, 'Required value: must not be empty if x-kubernetes-list-type is map'),
    ]);
    await refused(t, list({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }), [
      cause('FieldValueInvalid', `${L}.x-kubernetes-list-map-keys`, 'Invalid value: []string{"id"}: entries must all be names of item properties'),
    ]);
    await refused(t, list({ type: 'array', 'x-kubernetes-list-type': 'bag', items: { type: 'string' } }), [
      cause('FieldValueNotSupported', `${L}.x-kubernetes-list-type`, 'Unsupported value: "bag": supported values: "atomic", "set", "map"'),
    ]);
    await refused(t, list({ type: 'string', 'x-kubernetes-list-type': 'set' }), [cause('FieldValueInvalid', `${L}.type`, 'Invalid value: "string": must be array if x-kubernetes-list-type is specified')]);
    await refused(t, list({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: { a: { type: 'string' } } } }), [
      cause('FieldValueInvalid', `${L}.items.x-kubernetes-map-type`, 'Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set'),
    ]);
    await refused(t, list({ type: 'array', items: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' }), [cause('FieldValueInvalid', `${L}.type`, 'Invalid value: "array": must be object if x-kubernetes-map-type is specified')]);
  });

  await t.test('schemas per version and the status subresource', async (t) => {
    await refused(t, crd('bares', 'Bare', undefined), [cause('FieldValueRequired', 'spec.versions[0].schema.openAPIV3Schema', 'Required value: schemas are required')]);
    const two = crd('twos', 'Two', undefined, {
      versions: [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: root({ spec: { properties: {} } }) } },
        { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: root({ spec: SPEC }) } },
      ],
    });
    await refused(t, two, [cause('FieldValueRequired', 'spec.versions[0].schema.openAPIV3Schema.properties[spec].type', 'Required value: must not be empty for specified object fields')]);
    await refused(t, crd('stats', 'Stat', root({ spec: SPEC }, { nullable: true }), { version: { subresources: { status: {} } } }), [
      cause(
        'FieldValueInvalid',
        'spec.validation.openAPIV3Schema',
        'Invalid value: apiextensions.JSONSchemaProps{…}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled',
      ),
      cause('FieldValueForbidden', `${V}.nullable`, 'Forbidden: nullable cannot be true at the root'),
    ]);
  });

  await t.test('names, group and versions', async (t) => {
    const body = crd('1bads', 'bad kind', root({ spec: SPEC }), {
      spec: { group: 'nodot', names: { plural: '1bads', kind: 'bad kind', listKind: 'bad kind', shortNames: ['OK'], categories: ['all'] } },
      version: { name: 'V1' },
    });
    const dns1035 = (_v: string) => `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;
    await refused(t, body, [
      cause('FieldValueInvalid', 'spec.group', 'Invalid value: "nodot": should be a domain with at least one dot'),
      cause('FieldValueInvalid', 'spec.versions[0].name', `Invalid value: "V1": ${dns1035('V1')}`),
      cause('FieldValueInvalid', 'spec.version', `Invalid value: "V1": ${dns1035('V1')}`),
      cause('FieldValueInvalid', 'spec.names.plural', `Invalid value: "1bads": ${dns1035('1bads')}`),
      // singular is defaulted from the kind, lowercased.
      cause('FieldValueInvalid', 'spec.names.singular', `Invalid value: "bad kind": ${dns1035('bad kind')}`),
      cause('FieldValueInvalid', 'spec.names.kind', `Invalid value: "bad kind": may have mixed case, but should otherwise match: ${dns1035('bad kind')}`),
      cause('FieldValueInvalid', 'spec.names.listKind', `Invalid value: "bad kind": may have mixed case, but should otherwise match: ${dns1035('bad kind')}`),
      cause('FieldValueInvalid', 'spec.names.shortNames[0]', `Invalid value: "OK": ${dns1035('OK')}`),
      cause('FieldValueInvalid', 'spec.names.listKind', 'Invalid value: "bad kind": kind and listKind may not be the same'),
    ]);
    await refused(t, crd('dups', 'Dup', undefined, { versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: root({ spec: SPEC }) } },
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: root({ spec: SPEC }) } },
    ] }), [
      cause('FieldValueInvalid', 'spec.versions', 'Invalid value: []string{"v1", "v1"}: must contain unique version names'),
      cause('FieldValueInvalid', 'spec.versions', 'Invalid value: []string{"v1", "v1"}: must have exactly one version marked as storage version'),
      // Upstream's check walks spec.versions and crosses off each stored version once: the second v1 is missing.
      cause('FieldValueInvalid', 'status.storedVersions', 'Invalid value: []string{"v1"}: must have the storage version v1'),
    ]);
  });

  await t.test('conversion and preserveUnknownFields', async (t) => {
    const conv = (conversion: Obj) => crd('convs', 'Conv', root({ spec: SPEC }), { spec: { conversion } });
    await refused(t, conv({ strategy: 'Webhook' }), [
      cause('FieldValueRequired', 'spec.conversion.webhookClientConfig', 'Required value: required when strategy is set to Webhook'),
      cause('FieldValueRequired', 'spec.conversion.conversionReviewVersions', 'Required value'),
    ]);
    await refused(t, conv({ strategy: 'Webhook', webhook: { clientConfig: { url: 'http://example.com/convert?x=1' }, conversionReviewVersions: ['v2'] } }), [
      cause('FieldValueInvalid', 'spec.conversion.webhookClientConfig.url', `Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`),
      cause('FieldValueInvalid', 'spec.conversion.webhookClientConfig.url', 'Invalid value: "x=1": query parameters are not permitted in the URL'),
      cause('FieldValueInvalid', 'spec.conversion.conversionReviewVersions', 'Invalid value: []string{"v2"}: must include at least one of v1, v1beta1'),
    ]);
    await refused(t, conv({ strategy: 'Webhook', webhook: { clientConfig: { url: 'https://example.com', service: { name: 's', namespace: 'n' } }, conversionReviewVersions: ['v1'] } }), [
      cause('FieldValueRequired', 'spec.conversion.webhookClientConfig', 'Required value: exactly one of url or service is required'),
    ]);
    await refused(t, conv({ strategy: 'Magic' }), [cause('FieldValueNotSupported', 'spec.conversion.strategy', 'Unsupported value: "Magic": supported values: "None", "Webhook"')]);
    await refused(t, conv({ strategy: 'None', webhook: { conversionReviewVersions: ['v1'] } }), [
      cause('FieldValueForbidden', 'spec.conversion.conversionReviewVersions', 'Forbidden: should not be set when strategy is not set to Webhook'),
    ]);
    await refused(t, crd('puffs', 'Puff', root({ spec: SPEC }), { spec: { preserveUnknownFields: true } }), [
      cause('FieldValueInvalid', 'spec.preserveUnknownFields', 'Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'),
    ]);
  });

  await t.test('printer columns, the scale subresource and deprecation warnings', async (t) => {
    const P = 'spec.additionalPrinterColumns';
    const types = 'must be one of boolean,date,integer,number,string';
    await refused(t, crd('cols', 'Col', root({ spec: SPEC }), { version: { additionalPrinterColumns: [{ name: '', type: 'float', format: 'uuid', jsonPath: 'spec.size' }, { name: 'B', type: '', jsonPath: '' }] } }), [
      cause('FieldValueRequired', `${P}[0].name`, 'Required value'),
      cause('FieldValueInvalid', `${P}[0].type`, `Invalid value: "float": ${types}`),
      cause('FieldValueInvalid', `${P}[0].format`, 'Invalid value: "uuid": must be one of byte,date,date-time,double,float,int32,int64,password'),
      cause('FieldValueInvalid', `${P}[0].JSONPath`, 'Invalid value: "spec.size": must be a simple json path starting with .'),
      cause('FieldValueRequired', `${P}[1].type`, `Required value: ${types}`),
      cause('FieldValueRequired', `${P}[1].JSONPath`, 'Required value'),
    ]);
    const S = 'spec.subresources.scale';
    await refused(t, crd('scales', 'Scale', root({ spec: SPEC }), { version: { subresources: { status: {}, scale: { specReplicasPath: '.status.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: '.metadata.labels' } } } }), [
      cause('FieldValueInvalid', `${S}.specReplicasPath`, 'Invalid value: ".status.replicas": should be a json path under .spec'),
      cause('FieldValueInvalid', `${S}.statusReplicasPath`, 'Invalid value: "status.replicas": must be a simple json path starting with .'),
      cause('FieldValueInvalid', `${S}.labelSelectorPath`, 'Invalid value: ".metadata.labels": should be a json path under either .spec or .status'),
    ]);
    // Versions with different subresources are validated each at its own path; the shared schema is lifted.
    await refused(t, crd('vscales', 'VScale', undefined, { versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: root({ spec: SPEC }) } },
      { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: root({ spec: SPEC }) }, subresources: { scale: { specReplicasPath: '.spec.size' } } },
    ] }), [cause('FieldValueRequired', 'spec.versions[1].subresources.scale.statusReplicasPath', 'Required value')]);
    await refused(t, crd('deps', 'Dep', root({ spec: SPEC }), { version: { deprecationWarning: 'gone soon' } }), [
      cause('FieldValueInvalid', 'spec.versions[0].deprecationWarning', 'Invalid value: "gone soon": can only be set for deprecated versions'),
    ]);
    await refused(t, crd('deps', 'Dep', root({ spec: SPEC }), { version: { deprecated: true, deprecationWarning: 'bad\tone' } }), [
      cause('FieldValueInvalid', 'spec.versions[0].deprecationWarning', 'Invalid value: "bad\\tone": must only contain printable UTF-8 characters; non-printable character found at index 3'),
    ]);
  });

  await t.test('community groups need the API approval annotation', async (t) => {
    const K8S = 'example.k8s.io';
    const approved = (annotation: string | undefined) => {
      const body = crd('widgets', 'Widget', root({ spec: SPEC }), { spec: { group: K8S } });
      if (annotation !== undefined) body.metadata.annotations = { 'api-approved.kubernetes.io': annotation };
      return body;
    };
    const A = 'metadata.annotations[api-approved.kubernetes.io]';
    await refused(t, approved(undefined), [
      cause('FieldValueRequired', A, 'Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'),
    ]);
    const invalid = 'Invalid value: "soon": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111';
    await refused(t, approved('soon'), [cause('FieldValueInvalid', A, invalid)]);

    const created = await call('POST', CRDS, { body: approved('unapproved, testing only') });
    t.equal(created.status, 201, JSON.stringify(created.json));
    const name = `widgets.${K8S}`;
    const conditionOf = (r: { json: Obj }) => (r.json.status?.conditions ?? []).find((c: Obj) => c.type === 'KubernetesAPIApprovalPolicyConformant');
    const bypassed = (await poll(() => call('GET', `${CRDS}/${name}`), (r) => conditionOf(r) !== undefined)).value;
    t.match(conditionOf(bypassed), { status: 'False', reason: 'UnapprovedAnnotation', message: 'not approved: "unapproved, testing only"' });

    const url = 'https://github.com/kubernetes/enhancements/pull/1111';
    const next = structuredClone((await established(name)).json);
    next.metadata.annotations['api-approved.kubernetes.io'] = url;
    const approvedNow = await call('PUT', `${CRDS}/${name}`, { body: next });
    t.equal(approvedNow.status, 200, JSON.stringify(approvedNow.json));
    const approval = (await poll(() => call('GET', `${CRDS}/${name}`), (r) => conditionOf(r)?.status === 'True')).value;
    t.match(conditionOf(approval), { status: 'True', reason: 'ApprovedAnnotation', message: `approved in ${url}` });

    // Dropping the annotation changes the approval state: refused. A spec-only change keeps it: accepted.
    const dropped = structuredClone(approval.json);
    delete dropped.metadata.annotations['api-approved.kubernetes.io'];
    const refusedDrop = await call('PUT', `${CRDS}/${name}`, { body: dropped });
    t.equal(refusedDrop.status, 422);
    t.same(refusedDrop.json.details.causes.map((c: Obj) => c.field), [A]);
    const respec = structuredClone(approval.json);
    respec.spec.names.shortNames = ['wg'];
    t.equal((await call('PUT', `${CRDS}/${name}`, { body: respec })).status, 200);
    t.equal((await call('DELETE', `${CRDS}/${name}`)).status, 200);
  });

  await t.test('an Established CRD keeps a loadable conversion caBundle from 1.31 on', async (t) => {
    const name = `cabs.${GROUP}`;
    const webhook = (caBundle: string) => ({ strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'conv', namespace: 'default' }, caBundle: Buffer.from(caBundle).toString('base64') }, conversionReviewVersions: ['v1'] } });
    // On create an invalid caBundle is allowed: the CRD is not Established yet.
    const created = await call('POST', CRDS, { body: crd('cabs', 'Cab', root({ spec: SPEC }), { spec: { conversion: webhook('placeholder') } }) });
    t.equal(created.status, 201, JSON.stringify(created.json));
    await established(name);
    t.equal((await call('DELETE', `${CRDS}/${name}`)).status, 200);
    await poll(() => call('GET', `${CRDS}/${name}`), (r) => r.status === 404);

    t.equal((await call('POST', CRDS, { body: crd('cabs', 'Cab', root({ spec: SPEC })) })).status, 201);
    await established(name);
    // Each update starts from a fresh read: the CRD controllers may still write its status.
    const putBundle = async (bundle: string, via: typeof call = call) => {
      for (let attempt = 1; ; attempt++) {
        const next = structuredClone((await via('GET', `${CRDS}/${name}`)).json);
        next.spec.conversion = webhook(bundle);
        const res = await via('PUT', `${CRDS}/${name}`, { body: next });
        if (res.status !== 409 || attempt === 5) return res;
      }
    };
    const notPem = await putBundle('not a pem');
    t.equal(notPem.status, 422, JSON.stringify(notPem.json));
    t.same(notPem.json.details.causes, [
      cause('FieldValueInvalid', 'spec.conversion.webhookClientConfig.caBundle', 'Invalid value: []byte{0x6e, 0x6f, 0x74, 0x20, 0x61, 0x20, 0x70, 0x65, 0x6d}: unable to load root certificates: unable to parse bytes as PEM block'),
    ]);
    const garbage = '-----BEGIN CERTIFICATE-----\nYWJj\n-----END CERTIFICATE-----\n';
    const notCert = await putBundle(garbage);
    t.equal(notCert.status, 422);
    t.match(notCert.json.details.causes[0].message, /: unable to load root certificates: failed to parse certificate: x509: malformed certificate$/);
    // 1.30 does not check the caBundle; once an invalid one is stored, 1.33 lets updates keep an invalid one.
    const old = await putBundle('not a pem', call130);
    t.equal(old.status, 200, JSON.stringify(old.json));
    const ratcheted = await putBundle('still not a pem');
    t.equal(ratcheted.status, 200, JSON.stringify(ratcheted.json));
    t.equal((await call('DELETE', `${CRDS}/${name}`)).status, 200);
  });

  await t.test('CEL rules: typed against the schema, and refused by estimated cost', async (t) => {
    const goRule = (rule: string) => `apiextensions.ValidationRule{Rule:${JSON.stringify(rule)}, Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}`;
    const RULE = (i: number) => `${V}.properties[spec].x-kubernetes-validations[${i}].rule`;
    const ruled = (plural: string, kind: string, rules: string[], properties: Obj = { size: { type: 'integer' } }) =>
      crd(plural, kind, root({ spec: { type: 'object', properties, 'x-kubernetes-validations': rules.map((rule) => ({ rule })) } }));
    await refused(t, ruled('fieldless', 'Fieldless', ['self.foo == 1']), [
      cause('FieldValueInvalid', RULE(0), `Invalid value: ${goRule('self.foo == 1')}: compilation failed: ERROR: <input>:1:5: undefined field 'foo'\n | self.foo == 1\n | ....^`),
    ]);
    await refused(t, ruled('mixeds', 'Mixed', ["self.size > 'a'", 'self.size']), [
      cause('FieldValueInvalid', RULE(0), `Invalid value: ${goRule("self.size > 'a'")}: compilation failed: ERROR: <input>:1:11: found no matching overload for '_>_' applied to '(int, string)'\n | self.size > 'a'\n | ..........^`),
      cause('FieldValueInvalid', RULE(1), `Invalid value: ${goRule('self.size')}: cel expression must evaluate to a bool`),
    ]);
    const hint = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
    const matchesAll = "self.names.all(n, n.matches('^[a-z]+$'))";
    await refused(t, ruled('unboundeds', 'Unbounded', [matchesAll], { names: { type: 'array', items: { type: 'string' } } }), [
      cause('FieldValueForbidden', RULE(0), `Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${hint}`),
      cause('FieldValueForbidden', RULE(0), 'Forbidden: contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema'),
      cause('FieldValueForbidden', V, `Forbidden: x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${hint}`),
    ]);
    const bounded = ruled('boundeds', 'Bounded', [matchesAll, "self.names.all(n, isURL('https://' + n + '.example.com'))"], { names: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 63 } } });
    const created = await call('POST', CRDS, { body: bounded });
    t.equal(created.status, 201, `with maxItems and maxLength the same rule is accepted: ${JSON.stringify(created.json)}`);
    t.equal((await call('DELETE', `${CRDS}/boundeds.${GROUP}`)).status, 200);
  });

  await t.test('a CRD with every valid feature is accepted, and updated under the update rules', async (t) => {
    const schema = root({
      spec: {
        type: 'object',
        properties: {
          size: { type: 'integer', default: 1, minimum: 0 },
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, v: { type: 'string', default: 'x' } } } },
          tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'granular' },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
        'x-kubernetes-validations': [{ rule: 'self.size >= 0', message: 'size' }],
      },
      status: { type: 'object', properties: { ready: { type: 'boolean' } } },
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
    }, { description: 'A thing' });
    const good = crd('goods', 'Good', schema, { version: { subresources: { status: {} } }, spec: { names: { plural: 'goods', kind: 'Good', shortNames: ['gd'], categories: ['all'] } } });
    const created = await call('POST', CRDS, { body: good });
    t.equal(created.status, 201, JSON.stringify(created.json));
    const name = `goods.${GROUP}`;
    t.ok((await poll(() => call('GET', `${CRDS}/${name}`), (r) => (r.json.status?.conditions ?? []).some((c: Obj) => c.type === 'Established' && c.status === 'True'))).ok, 'Established');

    const current = (await call('GET', `${CRDS}/${name}`)).json;
    const update = async (mutate: (c: Obj) => void) => {
      const next = structuredClone(current);
      mutate(next);
      return call('PUT', `${CRDS}/${name}`, { body: next });
    };
    const scoped = await update((c) => (c.spec.scope = 'Cluster'));
    t.equal(scoped.status, 422);
    t.same(scoped.json.details.causes, [cause('FieldValueInvalid', 'spec.scope', 'Invalid value: "Cluster": field is immutable')]);
    const regrouped = await update((c) => (c.spec.group = 'other.example.com'));
    t.equal(regrouped.status, 422);
    t.same(regrouped.json.details.causes.map((c: Obj) => c.field), ['metadata.name', 'spec.group']);
    t.equal(regrouped.json.details.causes[1].message, 'Invalid value: "other.example.com": field is immutable');

    // A second version becomes the storage version; then dropping v1 from spec.versions is refused while v1 is stored.
    const v2 = await update((c) => {
      c.spec.versions[0].storage = false;
      c.spec.versions.push({ ...structuredClone(c.spec.versions[0]), name: 'v2', storage: true });
    });
    t.equal(v2.status, 200, JSON.stringify(v2.json));
    t.same(v2.json.status.storedVersions, ['v1', 'v2']);
    const next = structuredClone(v2.json);
    next.spec.versions = next.spec.versions.filter((v: Obj) => v.name !== 'v1');
    const dropped = await call('PUT', `${CRDS}/${name}`, { body: next });
    t.equal(dropped.status, 422);
    t.same(dropped.json.details.causes, [
      cause(
        'FieldValueInvalid',
        'status.storedVersions[0]',
        'Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions',
      ),
    ]);
    t.equal((await call('DELETE', `${CRDS}/${name}`)).status, 200);
  });
});
