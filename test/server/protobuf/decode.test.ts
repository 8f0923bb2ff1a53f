/**
 * Protobuf request bodies: kube-skew's field tables and decoder against byte fixtures — the real
 * `kubectl create ns scratch` envelope from the client contract, and bodies built with the writer
 * counterpart of the reader the server uses — plus the 400/415 answers for everything malformed.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { decodeProtobufBody, summarizeData } from '../../../server/protobuf/body.js';
import { formatDuration } from '../../../server/protobuf/decode.js';
import { parseMessage, Schema } from '../../../server/protobuf/table.js';
import { PROTOBUF_KINDS, SCHEMA } from '../../../server/protobuf/kinds.js';
import { isStatusError, type StatusError } from '../../../server/errors/status.js';
import type { RequestInfo } from '../../../server/request-info.js';
import { bool, bytes, envelope, mapBytesEntry, mapEntry, message, objectMeta, str, sub, varint } from '../../fixtures/protobuf.js';

function ctxFor(apiGroup: string, apiVersion: string, resource: string, subresource = ''): { info: RequestInfo } {
  return { info: { isResourceRequest: true, path: '', verb: 'create', apiPrefix: apiGroup ? 'apis' : 'api', apiGroup, apiVersion, namespace: 'default', resource, subresource, name: '', parts: [resource] } };
}

const CORE = (resource: string) => ctxFor('', 'v1', resource);

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (isStatusError(err)) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

t.test('the real kubectl create namespace envelope (client contract §9)', async (t) => {
  const hex =
    '6b387300' +
    '0a0f0a0276311209' + Buffer.from('Namespace').toString('hex') +
    '121f0a170a07' + Buffer.from('scratch').toString('hex') + '12001a0022002a00320038004200' + '1200' + '1a020a00' +
    '1a002200';
  const body = Buffer.from(hex, 'hex');
  t.equal(body.length, 58, 'the 58 observed bytes');
  t.same(decodeProtobufBody(body, CORE('namespaces')), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } }, 'zero values dropped like omitempty');
});

t.test('ConfigMap and Secret from kubectl create configmap|secret generic', async (t) => {
  const cm = envelope('v1', 'ConfigMap', message(objectMeta('lit'), mapEntry(2, 'a', 'b')));
  t.same(decodeProtobufBody(cm, CORE('configmaps')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lit' }, data: { a: 'b' } });
  const secret = envelope('v1', 'Secret', message(objectMeta('s1'), mapBytesEntry(2, 'p', Buffer.from('q')), str(3, '')));
  t.same(decodeProtobufBody(secret, CORE('secrets')), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { p: 'cQ==' } }, 'bytes as base64, empty type dropped');
  const immutable = envelope('v1', 'ConfigMap', message(objectMeta('imm'), bool(4, false)));
  t.same(decodeProtobufBody(immutable, CORE('configmaps')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'imm' }, immutable: false }, 'a pointer bool keeps false');
  const labels = envelope('v1', 'ServiceAccount', message(objectMeta('sa', mapEntry(11, 'app', 'x'), mapEntry(12, 'note', ''))));
  t.same(decodeProtobufBody(labels, CORE('serviceaccounts')), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', labels: { app: 'x' }, annotations: { note: '' } } }, 'map entries keep empty values');
});

/** A container as gogo writes one from `kubectl create deployment d1 --image=nginx --port=80`. */
function nginxContainer(): Uint8Array {
  return message(
    str(1, 'nginx'),
    str(2, 'nginx'),
    sub(6, str(1, ''), varint(2, 0), varint(3, 80), str(4, ''), str(5, '')),
    sub(8),
    str(13, ''),
    str(14, ''),
    bool(16, false),
    bool(17, false),
    bool(18, false),
    str(20, ''),
  );
}

t.test('Deployment with the PodSpec tree (kubectl create deployment)', async (t) => {
  const podSpec = message(bytes(2, nginxContainer()), str(3, ''), str(6, ''), str(8, ''), bool(11, false), bool(12, false), bool(13, false));
  const selector = message(mapEntry(1, 'app', 'd1'));
  const template = message(sub(1, str(1, ''), mapEntry(11, 'app', 'd1'), sub(8)), bytes(2, podSpec));
  const spec = message(varint(1, 2), bytes(2, selector), bytes(3, template), sub(4, str(1, '')), varint(5, 0), bool(7, false));
  const body = envelope('apps/v1', 'Deployment', message(objectMeta('d1', mapEntry(11, 'app', 'd1')), bytes(2, spec), sub(3)));
  t.same(decodeProtobufBody(body, ctxFor('apps', 'v1', 'deployments')), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd1', labels: { app: 'd1' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'd1' } },
      template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
    },
  });
  const zero = envelope('apps/v1', 'Deployment', message(objectMeta('z'), sub(2, varint(1, 0))));
  t.same(decodeProtobufBody(zero, ctxFor('apps', 'v1', 'deployments')).spec, { replicas: 0 }, '--replicas=0 is kept (a pointer)');
});

t.test('special types: quantities, int-or-string, times, inline structs, meaningful empty messages', async (t) => {
  const quantity = (q: string) => message(str(1, q));
  const container = message(
    str(1, 'c'),
    sub(8, sub(1, str(1, 'cpu'), bytes(2, quantity('500m'))), sub(2, str(1, 'memory'), bytes(2, quantity('64Mi')))),
    sub(7, str(1, 'FROM'), str(2, ''), sub(3, sub(3, sub(1, str(1, 'cm')), str(2, 'k')))),
    sub(10, sub(1, sub(2, str(1, '/healthz'), sub(2, varint(1, 0), varint(2, 8080), str(3, '')))), varint(2, 3)),
    sub(11, sub(1, sub(3, sub(1, varint(1, 1), varint(2, 0), str(3, 'http'))))),
  );
  const volume = message(str(1, 'scratch'), sub(2, sub(2, str(1, ''))));
  const pod = envelope('v1', 'Pod', message(objectMeta('p', sub(9, varint(1, 1700000000), varint(2, 0))), sub(2, bytes(1, volume), bytes(2, container))));
  const decoded = decodeProtobufBody(pod, CORE('pods')) as any;
  t.equal(decoded.metadata.deletionTimestamp, '2023-11-14T22:13:20Z', 'Time as RFC 3339');
  t.same(decoded.spec.volumes, [{ name: 'scratch', emptyDir: {} }], 'VolumeSource inline, emptyDir {} kept');
  const c = decoded.spec.containers[0];
  t.same(c.resources, { limits: { cpu: '500m' }, requests: { memory: '64Mi' } }, 'Quantity maps');
  t.same(c.env, [{ name: 'FROM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }], 'LocalObjectReference inlined');
  t.same(c.livenessProbe, { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 3 }, 'ProbeHandler inlined, int port');
  t.same(c.readinessProbe, { tcpSocket: { port: 'http' } }, 'string port');
});

t.test('RBAC, PDB, batch and reviews decode with their tables', async (t) => {
  const role = envelope('rbac.authorization.k8s.io/v1', 'Role', message(objectMeta('r'), sub(2, str(1, 'get'), str(1, 'list'), str(2, ''), str(3, 'pods'))));
  t.same(decodeProtobufBody(role, ctxFor('rbac.authorization.k8s.io', 'v1', 'roles')), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'r' },
    rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
  });
  const binding = envelope('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', message(objectMeta('b'), sub(2, str(1, 'User'), str(2, 'rbac.authorization.k8s.io'), str(3, 'jane'), str(4, '')), sub(3, str(1, 'rbac.authorization.k8s.io'), str(2, 'ClusterRole'), str(3, 'view'))));
  t.same((decodeProtobufBody(binding, ctxFor('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')) as any).roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
  const pdb = envelope('policy/v1', 'PodDisruptionBudget', message(objectMeta('pdb'), sub(2, sub(1, varint(1, 1), varint(2, 0), str(3, '50%')), sub(2, mapEntry(1, 'app', 'x')))));
  t.same((decodeProtobufBody(pdb, ctxFor('policy', 'v1', 'poddisruptionbudgets')) as any).spec, { minAvailable: '50%', selector: { matchLabels: { app: 'x' } } });
  const cron = envelope('batch/v1', 'CronJob', message(objectMeta('cj'), sub(2, str(1, '*/1 * * * *'), sub(5, sub(1, str(1, '')), sub(2, sub(6, sub(2, str(3, 'Never'))))))));
  t.same((decodeProtobufBody(cron, ctxFor('batch', 'v1', 'cronjobs')) as any).spec, { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never' } } } } });
  const ssar = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', message(sub(1), sub(2, sub(1, str(1, 'default'), str(2, 'create'), str(3, 'apps'), str(4, ''), str(5, 'deployments'), str(6, ''), str(7, ''))), sub(3, bool(1, false), str(2, ''), str(3, ''))));
  t.same(decodeProtobufBody(ssar, ctxFor('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews')), {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace: 'default', verb: 'create', group: 'apps', resource: 'deployments' } },
    status: { allowed: false },
  }, 'kubectl auth can-i create deployments');
  const ssr = envelope('authentication.k8s.io/v1beta1', 'SelfSubjectReview', message(sub(1), sub(2, sub(1))));
  t.same(decodeProtobufBody(ssr, ctxFor('authentication.k8s.io', 'v1beta1', 'selfsubjectreviews')), { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'SelfSubjectReview' }, 'empty metadata and status dropped');
  const scale = envelope('autoscaling/v1', 'Scale', message(objectMeta('web', str(6, '42')), sub(2, varint(1, 5))));
  t.same(decodeProtobufBody(scale, ctxFor('apps', 'v1', 'deployments', 'scale')), { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', resourceVersion: '42' }, spec: { replicas: 5 } });
});

t.test('an empty envelope type meta takes the endpoint kind (copyKindDefaults)', async (t) => {
  const body = envelope('', '', message(objectMeta('x')));
  t.same(decodeProtobufBody(body, CORE('configmaps')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
});

t.test('malformed bodies answer 400 and unknown kinds 415, never a crash', async (t) => {
  const noMagic = statusOf(() => decodeProtobufBody(Buffer.from('{"kind":"Namespace"}'), CORE('namespaces')));
  t.equal(noMagic.code, 400);
  t.equal(noMagic.status.reason, 'BadRequest');
  t.equal(noMagic.status.message, 'the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"Namespace"})');

  const onlyMagic = statusOf(() => decodeProtobufBody(Buffer.from([0x6b, 0x38, 0x73, 0x00]), CORE('namespaces')));
  t.match(onlyMagic.status.message, /unrecognized \(must be of type Namespace\): empty body/);

  const good = envelope('v1', 'Namespace', message(objectMeta('scratch')));
  const truncated = statusOf(() => decodeProtobufBody(good.subarray(0, good.length - 5), CORE('namespaces')));
  t.equal(truncated.code, 400);
  t.match(truncated.status.message, /unexpected EOF/);

  const badRaw = envelope('v1', 'Namespace', Uint8Array.from([0x0a, 0x20, 0x01]));
  const raw = statusOf(() => decodeProtobufBody(badRaw, CORE('namespaces')));
  t.equal(raw.status.message, 'Namespace in version "v1" cannot be handled as a Namespace: unexpected EOF');

  const wrongWire = envelope('v1', 'Namespace', message(varint(1, 7)));
  t.equal(statusOf(() => decodeProtobufBody(wrongWire, CORE('namespaces'))).status.message, 'Namespace in version "v1" cannot be handled as a Namespace: proto: wrong wireType = 0 for field Metadata');

  const unknownKind = envelope('v1', 'Frobnicator', message(objectMeta('x')));
  const notRegistered = statusOf(() => decodeProtobufBody(unknownKind, CORE('namespaces')));
  t.equal(notRegistered.code, 400);
  t.match(notRegistered.status.message, /^Frobnicator in version "v1" cannot be handled as a Namespace: no kind "Frobnicator" is registered for version "v1"/);

  const noTables = statusOf(() => decodeProtobufBody(good, ctxFor('storage.k8s.io', 'v1', 'storageclasses')));
  t.equal(noTables.code, 415);
  t.equal(noTables.status.message, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');

  // Fields a newer client knows and kube-skew's tables do not are skipped, however deep.
  let deep: Uint8Array = message(str(1, 'x'));
  for (let i = 0; i < 200; i++) deep = message(bytes(99, deep));
  const forward = envelope('v1', 'ConfigMap', message(objectMeta('fw'), bytes(77, deep), mapEntry(2, 'k', 'v')));
  t.same(decodeProtobufBody(forward, CORE('configmaps')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fw' }, data: { k: 'v' } }, 'unknown fields skipped');

  let crashes = 0;
  for (let i = 0; i < 3000; i++) {
    const junk = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), randomBytes(1 + (i % 200))]);
    try {
      decodeProtobufBody(junk, CORE(i % 2 ? 'configmaps' : 'pods'));
    } catch (err) {
      if (!isStatusError(err) || err.code !== 400) crashes++;
    }
  }
  t.equal(crashes, 0, 'random garbage only ever yields a 400 Status');
});

t.test('tables: every kind resolves, references are checked, the parser refuses junk', async (t) => {
  for (const k of PROTOBUF_KINDS) t.ok(SCHEMA.message(k.pkg, k.message), `${k.kind} has a message`);
  t.ok(SCHEMA.size > 150, `the schema holds ${SCHEMA.size} messages`);
  t.throws(() => parseMessage('x', 'Bad', 'name=one'), { code: 'PROTOBUF_TABLE' });
  t.throws(() => parseMessage('x', 'Dup', 'a=1 b=1'), { code: 'PROTOBUF_TABLE', message: 'x.Dup: field number 1 is used twice' });
  t.throws(() => new Schema({ x: { A: 'b=1:Missing' } }), /unknown message x\.Missing/);
  const f = parseMessage('core', 'T', 'a=1 b=2:[]int32! c=3:meta.Time d=4:Inner^').fields;
  t.same([f.get(1)!.type, f.get(2)!.repeated, f.get(2)!.keep, f.get(3)!.type, f.get(4)!.inline], [{ kind: 'scalar', type: 'string' }, true, true, { kind: 'special', type: 'time' }, true]);
});

t.test('helpers', async (t) => {
  t.equal(formatDuration(0), '0s');
  t.equal(formatDuration(1.5e9), '1.5s');
  t.equal(formatDuration(3.6e12 + 6e10 + 2e9), '1h1m2s');
  t.equal(formatDuration(250e6), '250ms');
  t.equal(summarizeData(new Uint8Array()), '<empty>');
  t.equal(summarizeData(Buffer.from('0102', 'hex')), '0102');
  t.equal(summarizeData(Buffer.alloc(40, 1)), `${'01'.repeat(30)} ...`);
});
