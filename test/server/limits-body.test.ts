/**
 * The request body cap, upstream's `MaxRequestBodyBytes` (3 MiB) read through `limitedReadBody`:
 * one byte over is a 413 Status `Request entity too large: limit is 3145728` (reason
 * RequestEntityTooLarge, no details) whatever the media type (JSON, YAML, protobuf), the verb
 * (create, update, every patch type, delete with options, a subresource, a review), and whether the
 * length is declared or the body is chunked; exactly 3 MiB is read. Through the peer hop the
 * receiving server streams the body on and the peer's 413 comes back unchanged. Nothing is stored,
 * and the servers keep serving, on the same keep-alive connection: a refused body is read to its
 * end (regression: a chunked one, or one the peer refused, left its rest in the connection and the
 * next request on it hung).
 */
import t from 'tap';
import { Agent, request } from 'node:https';
import { api, startCluster, urlOf, type ApiResponse } from '../fixtures/cluster.js';
import { MAP_PATH, poll } from '../peers/helpers.js';

const LIMIT = 3 * 1024 * 1024;
const TOO_LARGE = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `Request entity too large: limit is ${LIMIT}`,
  reason: 'RequestEntityTooLarge',
  code: 413,
};
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

/** A body of exactly `size` bytes: `prefix`, filler, `suffix`. */
function sized(size: number, prefix: string, suffix: string): Buffer {
  const fill = size - Buffer.byteLength(prefix) - Buffer.byteLength(suffix);
  return Buffer.from(prefix + 'x'.repeat(fill) + suffix, 'utf8');
}

const jsonConfigMap = (name: string, size: number) => sized(size, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"a":"`, '"}}');
const yamlConfigMap = (name: string, size: number) => sized(size, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "`, '"\n');

t.test('the 3 MiB request body cap', async (t) => {
  const cluster = await startCluster(t, [
    { name: 'a', minor: '1.35' },
    { name: 'b', minor: '1.36' },
  ]);
  const a = urlOf(cluster, 'a');
  const b = urlOf(cluster, 'b');
  // One keep-alive connection per server, reused by every request: a refused body must leave it usable.
  const agents = new Map([a, b].map((url) => [url, new Agent({ keepAlive: true, maxSockets: 1, ...cluster.tls })]));
  t.teardown(() => agents.forEach((agent) => agent.destroy()));
  let reused = 0;
  const fresh: string[] = [];
  const send = (url: string, method: string, path: string, body: Buffer, contentType: string, chunked = false) =>
    new Promise<ApiResponse>((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType, 'x-kube-skew-trace': '1' };
      if (!chunked) headers['content-length'] = String(body.length);
      const req = request(`${url}${path}`, { method, headers, agent: agents.get(url)!, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, raw, json });
        });
      });
      req.on('socket', () => {
        if (req.reusedSocket) reused++;
        else fresh.push(`${method} ${path}`);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.on('error', reject);
      // Sent in 64 KiB writes; without a length they go out chunked.
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
      req.end();
    });
  t.ok((await api(cluster, a, 'POST', CONFIGMAPS, { body: { metadata: { name: 'target' }, data: { a: 'b' } } })).status === 201, 'a configmap to update and patch');

  const cases: Array<{ name: string; method: string; path: string; body: Buffer; type: string; chunked?: boolean }> = [
    { name: 'JSON create, declared length', method: 'POST', path: CONFIGMAPS, body: jsonConfigMap('big', LIMIT + 1), type: 'application/json' },
    { name: 'JSON create, chunked', method: 'POST', path: CONFIGMAPS, body: jsonConfigMap('big', LIMIT + 1), type: 'application/json', chunked: true },
    { name: 'YAML create', method: 'POST', path: CONFIGMAPS, body: yamlConfigMap('big', LIMIT + 1), type: 'application/yaml' },
    { name: 'YAML create, chunked', method: 'POST', path: CONFIGMAPS, body: yamlConfigMap('big', LIMIT + 1), type: 'application/yaml', chunked: true },
    { name: 'protobuf create', method: 'POST', path: CONFIGMAPS, body: Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.alloc(LIMIT - 3, 0x0a)]), type: 'application/vnd.kubernetes.protobuf' },
    { name: 'JSON update', method: 'PUT', path: `${CONFIGMAPS}/target`, body: jsonConfigMap('target', LIMIT + 1), type: 'application/json' },
    { name: 'JSON patch', method: 'PATCH', path: `${CONFIGMAPS}/target`, body: sized(LIMIT + 1, '[{"op":"add","path":"/data/b","value":"', '"}]'), type: 'application/json-patch+json' },
    { name: 'merge patch', method: 'PATCH', path: `${CONFIGMAPS}/target`, body: sized(LIMIT + 1, '{"data":{"b":"', '"}}'), type: 'application/merge-patch+json' },
    { name: 'strategic merge patch', method: 'PATCH', path: `${CONFIGMAPS}/target`, body: sized(LIMIT + 1, '{"data":{"b":"', '"}}'), type: 'application/strategic-merge-patch+json' },
    { name: 'server-side apply', method: 'PATCH', path: `${CONFIGMAPS}/target?fieldManager=limits`, body: yamlConfigMap('target', LIMIT + 1), type: 'application/apply-patch+yaml' },
    { name: 'delete with options', method: 'DELETE', path: `${CONFIGMAPS}/target`, body: sized(LIMIT + 1, '{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["', '"]}'), type: 'application/json' },
    { name: 'a subresource update', method: 'PUT', path: '/api/v1/namespaces/default/status', body: sized(LIMIT + 1, '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default","annotations":{"a":"', '"}}}'), type: 'application/json' },
    { name: 'a review', method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body: sized(LIMIT + 1, '{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"nonResourceAttributes":{"path":"/', '","verb":"get"}}}'), type: 'application/json' },
  ];
  for (const c of cases) {
    t.test(`${c.name}: one byte over the cap is a 413`, async (t) => {
      const res = await send(a, c.method, c.path, c.body, c.type, c.chunked);
      t.equal(res.status, 413);
      t.equal(res.headers['content-type'], 'application/json');
      t.same(res.json, TOO_LARGE);
      t.equal(res.headers['x-kube-skew-served-by'], 'a');
    });
  }

  t.test('exactly 3 MiB is read', async (t) => {
    const atLimit = await send(a, 'POST', CONFIGMAPS, jsonConfigMap('at-limit', LIMIT), 'application/json');
    t.not(atLimit.status, 413, 'not refused for its size');
    // Read and decoded: what stops it is ConfigMap validation (at most 1 MiB of data).
    t.equal(atLimit.json?.reason, 'Invalid', `refused by validation instead (${atLimit.text.slice(0, 200)})`);
  });

  t.test('the refused bodies left the keep-alive connections usable', async (t) => {
    t.ok(reused > fresh.length, `most requests went out on a reused connection (${reused} reused; new ones for: ${fresh.join('; ')})`);
    for (const url of [a, b]) {
      const res = await send(url, 'GET', CONFIGMAPS, Buffer.alloc(0), 'application/json');
      t.equal(res.status, 200, `${url === a ? 'a' : 'b'} answers on the same connection`);
    }
  });

  t.test('chunked bodies over the cap, one after the other on one connection', async (t) => {
    for (const name of ['first', 'second', 'third']) {
      const res = await send(b, 'POST', CONFIGMAPS, jsonConfigMap(name, LIMIT + 64 * 1024), 'application/json', true);
      t.equal(res.status, 413, `${name}: 413`);
      t.same(res.json, TOO_LARGE);
    }
    const after = await send(b, 'GET', CONFIGMAPS, Buffer.alloc(0), 'application/json');
    t.equal(after.status, 200, 'the connection still serves');
  });

  t.test('nothing was stored and nothing changed', async (t) => {
    t.equal((await api(cluster, a, 'GET', `${CONFIGMAPS}/big`)).status, 404);
    const target = await api(cluster, a, 'GET', `${CONFIGMAPS}/target`);
    t.same(target.json.data, { a: 'b' }, 'the target configmap is unchanged');
    t.notOk(target.json.metadata.deletionTimestamp, 'and not deleted');
  });

  t.test('through the peer hop', async (t) => {
    const proxying = await poll(() => api(cluster, a, 'GET', MAP_PATH, { headers: { 'x-kube-skew-trace': '1' } }), (r) => r.status === 200 && r.headers['x-kube-skew-served-by'] === 'b', 30_000);
    t.ok(proxying.ok, `a forwards ${MAP_PATH} to b`);
    const policy = (size: number) => sized(size, '{"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingAdmissionPolicy","metadata":{"name":"big","annotations":{"a":"', '"}}}');
    for (const chunked of [false, true]) {
      const res = await send(a, 'POST', MAP_PATH, policy(LIMIT + 1), 'application/json', chunked);
      t.equal(res.status, 413, `${chunked ? 'chunked' : 'declared'}: 413`);
      t.same(res.json, TOO_LARGE, 'the peer\'s Status, unchanged');
      t.equal(res.headers['x-kube-skew-served-by'], 'b', 'answered by b');
    }
    const yaml = await send(a, 'POST', MAP_PATH, sized(LIMIT + 1, 'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicy\nmetadata:\n  name: big\n  annotations:\n    a: "', '"\n'), 'application/yaml');
    t.equal(yaml.status, 413, 'YAML through the hop: 413');
    t.same(yaml.json, TOO_LARGE);
    t.equal((await api(cluster, b, 'GET', `${MAP_PATH}/big`)).status, 404, 'nothing stored on b');
    const after = await api(cluster, a, 'GET', MAP_PATH);
    t.equal(after.status, 200, 'the hop still works');
  });
});
