import t from 'tap';
import { fieldErrorString, invalid } from '../../../server/errors/status.js';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  nameValidatorFor,
  validateConfigMapData,
  validateObjectMeta,
  validateSecretData,
} from '../../../server/registry/validation.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

t.test('DNS names', async (t) => {
  t.same(isDNS1123Subdomain('example.com'), []);
  t.same(isDNS1123Subdomain('Bad_Name'), [SUBDOMAIN_MSG]);
  t.same(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  t.same(isDNS1123Subdomain(`-${'a'.repeat(253)}`), ['must be no more than 253 characters', SUBDOMAIN_MSG]);
  t.same(isDNS1123Label('my-name'), []);
  t.same(isDNS1123Label('a.b'), ['must not contain dots']);
  t.same(isDNS1123Label('Bad'), [LABEL_MSG]);
  t.same(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  t.same(isDNS1035Label('abc-123'), []);
  t.same(isDNS1035Label('1abc'), [DNS1035_MSG]);
  t.same(isValidPathSegmentName('..'), ["may not be '..'"]);
  t.same(isValidPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
  t.same(isValidPathSegmentName('system:controller:x'), []);
});

t.test('qualified names, label values, config keys', async (t) => {
  t.same(isQualifiedName('example.com/My_Name'), []);
  t.same(isQualifiedName('-a'), [NAME_PART_MSG]);
  t.same(isQualifiedName('/a'), ['prefix part must be non-empty']);
  t.same(isQualifiedName('Example.com/a'), [`prefix part ${SUBDOMAIN_MSG}`]);
  t.same(isQualifiedName('a/'), ['name part must be non-empty', NAME_PART_MSG]);
  t.same(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters']);
  t.same(isValidLabelValue(''), []);
  t.same(isValidLabelValue('bad value'), [LABEL_VALUE_MSG]);
  t.same(isConfigMapKey('key.name'), []);
  t.same(isConfigMapKey('bad key'), [CONFIG_KEY_MSG]);
  t.same(isConfigMapKey('..'), ["must not be '..'"]);
  t.same(isConfigMapKey('..a'), ["must not start with '..'"]);
});

t.test('name validators and the resource table', async (t) => {
  t.same(nameIsDNSSubdomain('web-', true), [], 'a generateName may end with a dash');
  t.same(nameIsDNSSubdomain('web-', false), [SUBDOMAIN_MSG]);
  t.same(nameIsDNSLabel('ns-', true), []);
  t.same(nameIsPathSegment('a/', true), ["may not contain '/'"]);
  t.equal(nameValidatorFor('', 'namespaces'), nameIsDNSLabel);
  t.equal(nameValidatorFor('', 'services'), nameIsDNS1035Label);
  t.equal(nameValidatorFor('', 'configmaps'), nameIsDNSSubdomain);
  t.equal(nameValidatorFor('', 'secrets'), nameIsDNSSubdomain);
  t.equal(nameValidatorFor('', 'pods'), nameIsDNSSubdomain);
  t.equal(nameValidatorFor('apps', 'deployments'), nameIsDNSSubdomain);
  t.equal(nameValidatorFor('rbac.authorization.k8s.io', 'clusterroles'), nameIsPathSegment);
  t.equal(nameValidatorFor('rbac.authorization.k8s.io', 'rolebindings'), nameIsPathSegment);
  t.equal(nameValidatorFor('apps', 'statefulsets', 'dns-subdomain'), nameIsDNSSubdomain);
  t.equal(nameValidatorFor('apps', 'statefulsets', 'dns-label'), nameIsDNSLabel);
  t.equal(nameValidatorFor('apps', 'statefulsets'), nameIsDNSLabel, 'the newest rule by default');
  t.same(nameValidatorFor('certificates.k8s.io', 'certificatesigningrequests')('Any Thing!', false), []);
});

t.test('validateObjectMeta', async (t) => {
  const cm = { namespaced: true, nameValidator: nameIsDNSSubdomain, isCreate: true };
  t.same(validateObjectMeta({ name: 'ok', namespace: 'default' }, cm), []);
  t.same(validateObjectMeta({ namespace: 'default' }, cm).map(fieldErrorString), ['metadata.name: Required value: name or generateName is required']);
  t.same(validateObjectMeta({ name: 'Bad', namespace: 'default' }, cm).map(fieldErrorString), [`metadata.name: Invalid value: "Bad": ${SUBDOMAIN_MSG}`]);
  t.same(validateObjectMeta({ generateName: 'Bad-', name: 'bad-x1y2z', namespace: 'default' }, cm).map(fieldErrorString), [
    `metadata.generateName: Invalid value: "Bad-": ${SUBDOMAIN_MSG}`,
  ]);
  t.same(validateObjectMeta({ name: 'ok' }, cm).map(fieldErrorString), ['metadata.namespace: Required value']);
  t.same(validateObjectMeta({ name: 'ok', namespace: 'Bad' }, cm).map(fieldErrorString), [`metadata.namespace: Invalid value: "Bad": ${LABEL_MSG}`]);
  t.same(
    validateObjectMeta({ name: 'n', namespace: 'x' }, { namespaced: false, nameValidator: nameIsDNSLabel, isCreate: true }).map(fieldErrorString),
    ['metadata.namespace: Forbidden: not allowed on this type'],
  );
  t.same(validateObjectMeta({ name: 'ok', namespace: 'd', labels: { '-bad': 'bad value' } }, cm).map(fieldErrorString), [
    `metadata.labels: Invalid value: "-bad": ${NAME_PART_MSG}`,
    `metadata.labels: Invalid value: "bad value": ${LABEL_VALUE_MSG}`,
  ]);
  t.same(validateObjectMeta({ name: 'ok', namespace: 'd', annotations: { 'Example.COM/Key': 'v' } }, cm), [], 'annotation keys are case-insensitive');
  t.same(validateObjectMeta({ name: 'ok', namespace: 'd', annotations: { 'a b': 'v' } }, cm).map(fieldErrorString), [
    `metadata.annotations: Invalid value: "a b": ${NAME_PART_MSG}`,
  ]);
  t.same(validateObjectMeta({ name: 'ok', namespace: 'd', annotations: { big: 'x'.repeat(262141) } }, cm), [], '262144 bytes in total is allowed');
  t.same(validateObjectMeta({ name: 'ok', namespace: 'd', annotations: { big: 'x'.repeat(262141), c: '' } }, cm).map(fieldErrorString), [
    'metadata.annotations: Too long: must have at most 262144 bytes',
  ]);
  t.same(validateObjectMeta({ name: 'ok', namespace: 'd', finalizers: ['kubernetes', 'example.com/f', 'custom', 'a b/c'] }, cm).map(fieldErrorString), [
    `metadata.finalizers: Invalid value: "a b/c": prefix part ${SUBDOMAIN_MSG}`,
    'metadata.finalizers[2]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  t.same(validateObjectMeta({ name: 'ok', namespace: 'd', generation: -1 }, cm).map(fieldErrorString), [
    'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
  ]);
  t.same(
    validateObjectMeta({ name: 'ok', namespace: 'd', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: '' }] }, cm).map(fieldErrorString)[0],
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
  );
  const err = invalid({ group: '', kind: 'ConfigMap' }, 'x', validateObjectMeta({ name: 'x', namespace: 'default', labels: { 'a b': 'c' } }, cm));
  t.equal(err.status.message, `ConfigMap "x" is invalid: metadata.labels: Invalid value: "a b": ${NAME_PART_MSG}`);
});

t.test('validateObjectMeta on update', async (t) => {
  const old = { name: 'a', namespace: 'd', uid: 'u1', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z' };
  const opts = { namespaced: true, nameValidator: nameIsDNSSubdomain, isCreate: false, old };
  t.same(validateObjectMeta({ ...old }, opts), []);
  t.same(validateObjectMeta({ ...old, resourceVersion: '' }, opts).map(fieldErrorString), ['metadata.resourceVersion: Invalid value: "": must be specified for an update']);
  t.same(validateObjectMeta({ ...old, uid: 'u2' }, opts).map(fieldErrorString), ['metadata.uid: Invalid value: "u2": field is immutable']);
  t.same(
    validateObjectMeta({ ...old, finalizers: ['example.com/x'] }, { ...opts, old: { ...old, deletionTimestamp: '2024-01-02T00:00:00Z' } })
      .map(fieldErrorString)
      .filter((s) => s.includes('finalizers')),
    ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}'],
  );
});

t.test('ConfigMap and Secret data', async (t) => {
  t.same(validateConfigMapData({ data: { ok: 'v' } }), []);
  t.same(validateConfigMapData({ data: { 'bad key': 'v' } }).map(fieldErrorString), [`data[bad key]: Invalid value: "bad key": ${CONFIG_KEY_MSG}`]);
  t.same(validateConfigMapData({ binaryData: { 'bad key': 'AA==' } }).map(fieldErrorString), [`binaryData[bad key]: Invalid value: "bad key": ${CONFIG_KEY_MSG}`]);
  t.same(validateConfigMapData({ data: { k: 'v' }, binaryData: { k: 'AA==' } }).map(fieldErrorString), [
    'data[k]: Invalid value: "k": duplicate of key present in binaryData',
  ]);
  t.same(validateConfigMapData({ data: { a: 'x'.repeat(1024 * 1024) } }), [], '1 MiB is allowed');
  t.same(validateConfigMapData({ data: { a: 'x'.repeat(1024 * 1024), b: 'y' } }).map(fieldErrorString), [': Too long: must have at most 1048576 bytes']);
  const cause = invalid({ group: '', kind: 'ConfigMap' }, 'app-config', validateConfigMapData({ data: { 'bad key': 'v' } })).status.details?.causes?.[0];
  t.same(cause, { reason: 'FieldValueInvalid', message: `Invalid value: "bad key": ${CONFIG_KEY_MSG}`, field: 'data[bad key]' });

  t.same(validateSecretData({ type: 'Opaque', data: { k: 'dg==' } }), []);
  t.same(validateSecretData({ type: 'Opaque', stringData: { 'bad key': 'v' } }).map(fieldErrorString), [`data[bad key]: Invalid value: "bad key": ${CONFIG_KEY_MSG}`]);
  const big = Buffer.alloc(1024 * 1024 + 1).toString('base64');
  t.same(validateSecretData({ data: { a: big } }).map(fieldErrorString), ['data: Too long: must have at most 1048576 bytes']);
  t.same(validateSecretData({ type: 'kubernetes.io/tls', data: {} }).map(fieldErrorString), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  t.same(validateSecretData({ type: 'kubernetes.io/service-account-token', metadata: {} }).map(fieldErrorString), [
    'metadata.annotations[kubernetes.io/service-account.name]: Required value',
  ]);
});
