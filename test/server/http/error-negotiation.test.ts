/**
 * Error Statuses in the media type the client negotiates, as upstream's ErrorNegotiated writes
 * them: YAML for a YAML client, protobuf for a protobuf client, JSON otherwise; clauses asking for a
 * transformation (as=Table) are skipped, and an Accept nothing matches gets JSON. Through the Mixed Version Proxy too: the 503 of a peer that has gone.
 */
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { api, startCluster, urlOf } from '../../fixtures/cluster.js';
import { decodeStatus } from '../../fixtures/protobuf.js';
import { statusFormat } from '../../../server/http/media.js';
import { MAP_PATH, poll } from '../../peers/helpers.js';

const MISSING = '/api/v1/namespaces/default/configmaps/missing';
const NOT_FOUND = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'configmaps "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'configmaps' }, code: 404 };

t.test('statusFormat follows the Accept clauses in order', async (t) => {
  t.equal(statusFormat(undefined), 'json');
  t.equal(statusFormat(''), 'json');
  t.equal(statusFormat('application/yaml'), 'yaml');
  t.equal(statusFormat('application/vnd.kubernetes.protobuf, application/json'), 'protobuf');
  t.equal(statusFormat('application/json;q=0.5, application/yaml'), 'yaml', 'q-values order the clauses');
  t.equal(statusFormat('application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml'), 'yaml', 'a transformation clause is skipped');
  t.equal(statusFormat('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io'), 'json', 'nothing left: JSON');
  t.equal(statusFormat('application/*'), 'json', 'the first serializer of the type');
  t.equal(statusFormat('text/html'), 'json');
  t.equal(statusFormat('*/*'), 'json');
});

t.test('errors from a real server, directly and through the proxy', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35' },
    { name: 'b', minor: '1.36', args: ['--peer-endpoint-lease-ttl-seconds=6', '--peer-endpoint-reconcile-interval-seconds=1'] },
  ]);
  const a = urlOf(cluster, 'a');
  const get = (path: string, accept: string) => api(cluster, a, 'GET', path, { headers: { accept } });

  t.test('a plain 404', async (t) => {
    const yaml = await get(MISSING, 'application/yaml');
    t.equal(yaml.status, 404);
    t.equal(yaml.headers['content-type'], 'application/yaml');
    t.same(parseYaml(yaml.text), { ...NOT_FOUND, metadata: {} });
    const pb = await get(MISSING, 'application/vnd.kubernetes.protobuf, application/json');
    t.equal(pb.headers['content-type'], 'application/vnd.kubernetes.protobuf');
    t.match(decodeStatus(pb.raw), { apiVersion: 'v1', kind: 'Status', status: 'Failure', message: NOT_FOUND.message, reason: 'NotFound', details: { name: 'missing', group: '', kind: 'configmaps', causes: [] }, code: 404 });
    const refused = await get(MISSING, 'text/html');
    t.equal(refused.status, 406, 'a resource GET negotiates its answer first');
    t.equal(refused.headers['content-type'], 'application/json', 'and the 406 itself, matching no serializer, is JSON');
    t.match(refused.json, { kind: 'Status', reason: 'NotAcceptable', code: 406 });
  });

  t.test('a 422 keeps its causes in protobuf', async (t) => {
    const res = await api(cluster, a, 'POST', '/api/v1/namespaces/default/configmaps', {
      body: { metadata: { name: 'Bad_Name' } },
      headers: { accept: 'application/vnd.kubernetes.protobuf, application/json' },
    });
    t.equal(res.status, 422);
    const status = decodeStatus(res.raw);
    t.equal(status.reason, 'Invalid');
    t.equal(status.details?.causes[0]?.field, 'metadata.name');
    t.equal(status.details?.causes[0]?.reason, 'FieldValueInvalid');
  });

  t.test("the proxy's 503 once the peer has gone", async (t) => {
    const first = await poll(() => api(cluster, a, 'GET', MAP_PATH), (r) => r.status === 200, 60_000);
    t.ok(first.ok, 'a proxies to b');
    await cluster.killServer('b');
    const gone = await poll(() => get(MAP_PATH, 'application/yaml'), (r) => r.status === 503 && r.headers['content-type'] === 'application/yaml', 30_000, 250);
    t.ok(gone.ok, `the 503 Status in YAML once b's endpoint lease expired (last: ${gone.value.status} ${String(gone.value.headers['content-type'])})`);
    t.match(parseYaml(gone.value.text), { kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
  });
});
