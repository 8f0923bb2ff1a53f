/**
 * Client fidelity over HTTP, without kubectl: protobuf bodies on the wire (201, 400, 415), bodies
 * without a Content-Type, the scale subresource of every scalable kind, pods/log and its errors, the
 * review resources and their validation, and the Warning header of deprecated APIs.
 */
import t from 'tap';
import { request } from 'node:https';
import type { Cluster } from '../../server/cluster/cluster.js';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { decodeStatus, envelope, message, objectMeta, mapEntry, str, sub } from '../fixtures/protobuf.js';

/** Send `body` with no Content-Type header at all, as kubectl's `PUT …/scale` does. */
function withoutContentType(cluster: Cluster, url: string, method: string, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, ca: cluster.tls.ca, cert: cluster.tls.cert, key: cluster.tls.key, headers: { 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const PROTOBUF = { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/vnd.kubernetes.protobuf,application/json' };

t.test('client fidelity over HTTP', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.32' },
    { name: 'b', minor: '1.29' },
  ]);
  const url = urlOf(cluster, 'a');
  const call = (method: string, path: string, opts: Parameters<typeof api>[4] = {}) => api(cluster, url, method, path, opts);

  t.test('protobuf bodies', async (t) => {
    const ns = await call('POST', '/api/v1/namespaces', { raw: envelope('v1', 'Namespace', message(objectMeta('pb'))), headers: PROTOBUF });
    t.equal(ns.status, 201, ns.text);
    t.equal(ns.headers['content-type'], 'application/json', 'answered in JSON');
    t.equal(ns.json.metadata.name, 'pb');
    const cm = await call('POST', '/api/v1/namespaces/pb/configmaps', { raw: envelope('v1', 'ConfigMap', message(objectMeta('c'), mapEntry(2, 'k', 'v'))), headers: PROTOBUF });
    t.equal(cm.status, 201);
    t.same(cm.json.data, { k: 'v' });
    const garbage = await call('POST', '/api/v1/namespaces/pb/configmaps', { raw: Buffer.from('k8s\0\x0a\xff\xff'), headers: PROTOBUF });
    t.equal(garbage.status, 400);
    t.equal(garbage.headers['content-type'], 'application/vnd.kubernetes.protobuf', 'errors are negotiated: protobuf for a client that prefers it');
    t.equal(decodeStatus(garbage.raw).kind, 'Status');
    t.match(decodeStatus(garbage.raw).message, /^the object provided is unrecognized \(must be of type ConfigMap\): /);
    const json = await call('POST', '/api/v1/namespaces/pb/configmaps', { raw: '{"metadata":{"name":"j"}}', headers: PROTOBUF });
    t.equal(json.status, 400, 'JSON sent as protobuf');
    t.match(decodeStatus(json.raw).message, 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"metadata":{"name":"j"}})');
    const sc = await call('POST', '/apis/storage.k8s.io/v1/storageclasses', { raw: envelope('storage.k8s.io/v1', 'StorageClass', message(objectMeta('sc'), str(2, 'x'))), headers: PROTOBUF });
    t.equal(sc.status, 415, 'no tables for StorageClass');
    t.equal(decodeStatus(sc.raw).reason, 'UnsupportedMediaType');
    const empty = await call('POST', '/api/v1/namespaces/pb/configmaps', { raw: '{"metadata":{"name":"empty-ct"}}', headers: { 'content-type': '' } });
    t.equal(empty.status, 201, `an empty Content-Type is read as JSON: ${empty.text}`);
    const none = await withoutContentType(cluster, url, 'POST', '/api/v1/namespaces/pb/configmaps', '{"metadata":{"name":"no-ct"}}');
    t.equal(none.status, 201, `a body without a Content-Type is read as JSON: ${none.text}`);
  });

  t.test('scale on every scalable kind', async (t) => {
    const tpl = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const rc = await call('POST', '/api/v1/namespaces/default/replicationcontrollers', { body: { metadata: { name: 'rc' }, spec: { replicas: 1, selector: { tier: 'y', app: 'x' }, template: tpl({ app: 'x', tier: 'y' }) } } });
    t.equal(rc.status, 201, rc.text);
    const rcScale = await call('GET', '/api/v1/namespaces/default/replicationcontrollers/rc/scale');
    t.same(rcScale.json, {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'rc', namespace: 'default', uid: rc.json.metadata.uid, resourceVersion: rc.json.metadata.resourceVersion, creationTimestamp: rc.json.metadata.creationTimestamp },
      spec: { replicas: 1 },
      status: { replicas: 0, selector: 'app=x,tier=y' },
    });
    const sts = await call('POST', '/apis/apps/v1/namespaces/default/statefulsets', {
      body: { metadata: { name: 'sts' }, spec: { replicas: 2, serviceName: 'sts', selector: { matchLabels: { app: 's' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['b', 'a'] }] }, template: tpl({ app: 's', env: 'a' }) } },
    });
    t.equal(sts.status, 201, sts.text);
    const patched = await call('PATCH', '/apis/apps/v1/namespaces/default/statefulsets/sts/scale', { raw: '[{"op":"replace","path":"/spec/replicas","value":0}]', headers: { 'content-type': 'application/json-patch+json' } });
    t.equal(patched.status, 200, patched.text);
    t.same(patched.json.spec, {}, 'zero replicas: an empty spec, as omitempty writes it');
    t.equal(patched.json.status.selector, 'app=s,env in (a,b)');
    t.equal((await call('GET', '/apis/apps/v1/namespaces/default/statefulsets/sts')).json.spec.replicas, 0);
    const rs = await call('POST', '/apis/apps/v1/namespaces/default/replicasets', { body: { metadata: { name: 'rs' }, spec: { replicas: 1, selector: { matchLabels: { app: 'r' } }, template: tpl({ app: 'r' }) } } });
    t.equal(rs.status, 201, rs.text);
    const negative = await call('PUT', '/apis/apps/v1/namespaces/default/replicasets/rs/scale', { body: { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'rs' }, spec: { replicas: -1 } } });
    t.equal(negative.status, 422);
    t.equal(negative.json.message, 'Scale.autoscaling "rs" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const renamed = await call('PUT', '/apis/apps/v1/namespaces/default/replicasets/rs/scale', { body: { metadata: { name: 'other' }, spec: { replicas: 1 } } });
    t.equal(renamed.status, 400);
    t.equal(renamed.json.message, 'the name of the object (other) does not match the name on the URL (rs)');
    const put = await call('PUT', '/apis/apps/v1/namespaces/default/replicasets/rs/scale', { body: { metadata: { name: 'rs' }, spec: { replicas: 4 } } });
    t.equal(put.status, 200);
    t.same(put.json.spec, { replicas: 4 });
    const missing = await call('GET', '/apis/apps/v1/namespaces/default/deployments/nope/scale');
    t.equal(missing.status, 404);
    t.equal(missing.json.message, 'deployments.apps "nope" not found');
    t.equal((await call('DELETE', '/apis/apps/v1/namespaces/default/replicasets/rs/scale')).status, 405, 'scale has no delete');
  });

  t.test('pods/log', async (t) => {
    const pod = await call('POST', '/api/v1/namespaces/default/pods', {
      body: { metadata: { name: 'multi', annotations: { 'kube-skew.io/log.b': 'from b\n' } }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] } },
    });
    t.equal(pod.status, 201, pod.text);
    const which = await call('GET', '/api/v1/namespaces/default/pods/multi/log');
    t.equal(which.status, 400);
    t.equal(which.json.message, 'a container name must be specified for pod multi, choose one of: [a b]');
    const b = await call('GET', '/api/v1/namespaces/default/pods/multi/log?container=b', { headers: { accept: '*/*' } });
    t.equal(b.status, 200);
    t.equal(b.headers['content-type'], 'text/plain');
    t.equal(b.text, 'from b\n');
    t.equal((await call('GET', '/api/v1/namespaces/default/pods/multi/log?container=a')).text, '', 'no annotation: an empty log');
    const bad = await call('GET', '/api/v1/namespaces/default/pods/multi/log?container=a&tailLines=-1');
    t.equal(bad.status, 422);
    t.equal(bad.json.message, 'PodLogOptions "multi" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    t.equal((await call('GET', '/api/v1/namespaces/default/pods/multi/log?container=zz')).json.message, 'container zz is not valid for pod multi');
    t.equal((await call('GET', '/api/v1/namespaces/default/pods/gone/log')).json.message, 'pods "gone" not found');
  });

  t.test('reviews are answered, validated and not stored', async (t) => {
    const ssar = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } } });
    t.equal(ssar.status, 201);
    t.same(ssar.json, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { verb: 'get', resource: 'pods' } },
      status: { allowed: true },
    });
    const neither = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: { spec: {} } });
    t.equal(neither.status, 422);
    t.equal(neither.json.message, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
    const both = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: { spec: { resourceAttributes: {}, nonResourceAttributes: { path: '/x', verb: 'get' } } } });
    t.equal(both.status, 422);
    t.match(both.json.message, 'spec.nonResourceAttributes: Invalid value: ');
    const pbSsar = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', message(sub(1), sub(2, sub(2, str(1, '/healthz'), str(2, 'get')))));
    const viaPb = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { raw: pbSsar, headers: PROTOBUF });
    t.equal(viaPb.status, 201);
    t.same(viaPb.json.spec, { nonResourceAttributes: { path: '/healthz', verb: 'get' } });
    const sar = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } } });
    t.equal(sar.status, 422);
    t.match(sar.json.message, 'spec.user: Invalid value: "": at least one of user or group must be specified');
    const ssr = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: {} });
    t.equal(ssr.status, 201);
    t.same(ssr.json.status, { userInfo: { username: 'kube-skew-admin', groups: ['system:masters', 'system:authenticated'] } });
    const ssrr = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { body: { spec: { namespace: 'default' } } });
    t.equal(ssrr.status, 201);
    // The cluster runs RBAC: the admin's rules are those of every binding naming system:masters or
    // system:authenticated (cluster-admin's among them), in the listers' order.
    t.equal(ssrr.json.status.incomplete, false);
    t.ok(ssrr.json.status.resourceRules.some((r: unknown) => JSON.stringify(r) === JSON.stringify({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })), "cluster-admin's rule");
    t.ok(ssrr.json.status.nonResourceRules.some((r: unknown) => JSON.stringify(r) === JSON.stringify({ verbs: ['*'], nonResourceURLs: ['*'] })), "cluster-admin's non-resource rule");
    t.ok(ssrr.json.status.resourceRules.some((r: { resources?: string[] }) => r.resources?.includes('selfsubjectrulesreviews')), "system:basic-user's rule");
    t.equal((await call('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).status, 405, 'create only');
  });

  t.test('the Warning header of deprecated APIs', async (t) => {
    const cs = await call('GET', '/api/v1/componentstatuses');
    t.equal(cs.status, 200);
    t.equal(cs.headers.warning, '299 - "v1 ComponentStatus is deprecated in v1.19+"');
    t.equal((await call('GET', '/api/v1/namespaces')).headers.warning, undefined, 'none for a current API');
    const fs = await api(cluster, urlOf(cluster, 'b'), 'GET', '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas');
    t.equal(fs.status, 200);
    t.equal(fs.headers.warning, '299 - "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema"');
    const missing = await api(cluster, urlOf(cluster, 'b'), 'GET', '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas/nope');
    t.equal(missing.status, 404);
    t.ok(missing.headers.warning, 'errors carry the warning too');
  });
});
