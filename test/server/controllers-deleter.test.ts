/**
 * The namespace deleter against a scripted API server, for the answers a real cluster rarely gives on
 * demand: a group/version whose discovery fails (NamespaceDeletionDiscoveryFailure, the namespace
 * not finalized), a false 404 on DeleteCollection and list (taken as "not supported": the namespace
 * is finalized although content remains), a 405 (list + delete each), and a 503 on DeleteCollection
 * (NamespaceDeletionContentFailure). Also client-go's error texts for answers that are not a Status.
 */
import t from 'tap';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { selfSignedServing } from '../../server/cluster/pki.js';
import { ApiClient, errorFromResponse } from '../../server/controllers/client.js';
import { NamespaceController } from '../../server/controllers/namespace.js';
import { systemClock } from '../../server/clock.js';
import { tempDir, type TestLike } from '../fixtures/cluster.js';

type Route = (req: IncomingMessage, body: string) => { status: number; body?: unknown; text?: string } | undefined;

interface Fake {
  client: ApiClient;
  calls: string[];
  statusWrites: Array<{ conditions?: Array<Record<string, string>> }>;
  finalized: boolean;
}

const NAMESPACE = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'doomed', uid: 'uid-1', resourceVersion: '7', deletionTimestamp: '2020-01-01T00:00:00Z' },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Terminating' },
};

const RESOURCES = (extra: Array<Record<string, unknown>>) => ({
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }, ...extra],
});

/** A fake API server answering the legacy discovery documents plus `routes`; everything else 404s as text. */
async function fake(t: TestLike, routes: Route[], apis: Array<{ name: string; version: string }> = []): Promise<Fake> {
  const dir = await tempDir(t);
  const files = await selfSignedServing(dir, 'fake', ['127.0.0.1']);
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  const state: Fake = { client: undefined as unknown as ApiClient, calls: [], statusWrites: [], finalized: false };
  const server = createServer({ cert, key }, (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      state.calls.push(`${req.method} ${path}`);
      const send = (status: number, payload: unknown, contentType = 'application/json'): void => {
        res.writeHead(status, { 'content-type': contentType });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      for (const route of routes) {
        const answer = route(req, body);
        if (answer) return send(answer.status, answer.text ?? answer.body, answer.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json');
      }
      if (req.method === 'GET' && path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'] });
      if (req.method === 'GET' && path === '/apis') return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: apis.map((g) => ({ name: g.name, versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }], preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version } })) });
      if (req.method === 'GET' && path === '/api/v1/namespaces/doomed') return send(200, NAMESPACE);
      if (req.method === 'PUT' && path === '/api/v1/namespaces/doomed/status') {
        state.statusWrites.push(JSON.parse(body).status);
        return send(200, JSON.parse(body));
      }
      if (req.method === 'PUT' && path === '/api/v1/namespaces/doomed/finalize') {
        state.finalized = true;
        return send(200, JSON.parse(body));
      }
      if (req.method === 'DELETE' && path === '/api/v1/namespaces/doomed/configmaps') return send(200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      if (req.method === 'GET' && path === '/api/v1/namespaces/doomed/configmaps') return send(200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [] });
      send(404, '404 page not found\n', 'text/plain; charset=utf-8');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  state.client = new ApiClient({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, tls: { cas: [], pinned: [cert] }, userAgent: 'test' });
  t.teardown(() => state.client.close());
  return state;
}

function controller(client: ApiClient): NamespaceController {
  return new NamespaceController({ client, clock: systemClock, log: pino({ level: 'silent' }), resyncMs: 0, gracePeriodMs: 0 });
}

function condition(write: { conditions?: Array<Record<string, string>> } | undefined, type: string): Record<string, string> | undefined {
  return write?.conditions?.find((c) => c.type === type);
}

t.test('client-go error texts for answers that are not a Status', async (t) => {
  const notFound = errorFromResponse(404, 'text/plain; charset=utf-8', '404 page not found\n', 'DELETE', { group: 'example.com', resource: 'widgets' });
  t.equal(notFound.reason, 'NotFound');
  t.equal(notFound.message, 'the server could not find the requested resource (delete widgets.example.com)');
  const unavailable = errorFromResponse(503, 'text/plain; charset=utf-8', 'dial tcp 127.0.0.1:1: connect: connection refused\n', 'GET', { resource: 'pods', name: 'p' });
  t.equal(unavailable.message, 'the server is currently unable to handle the request (get pods p)');
  t.equal(unavailable.status.details?.causes?.[0]?.message, 'dial tcp 127.0.0.1:1: connect: connection refused', 'the body is kept as the cause');
  const status = errorFromResponse(503, 'application/json', JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Error getting ip and port info of the remote server while proxying', reason: 'ServiceUnavailable', code: 503 }), 'GET', {});
  t.equal(status.message, 'Error getting ip and port info of the remote server while proxying', 'a Status keeps its message');
});

t.test('a discovery failure: conditions, and the namespace stays', async (t) => {
  const f = await fake(
    t,
    [(req) => ((req.url ?? '').startsWith('/apis/example.com/v1') ? { status: 503, text: 'boom\n' } : undefined), (req) => (req.url === '/api/v1' ? { status: 200, body: RESOURCES([]) } : undefined)],
    [{ name: 'example.com', version: 'v1' }],
  );
  await t.rejects(controller(f.client).delete('doomed'), /unable to retrieve the complete list of server APIs: example.com\/v1: the server is currently unable to handle the request/);
  t.notOk(f.finalized, 'not finalized');
  t.ok(f.calls.includes('DELETE /api/v1/namespaces/doomed/configmaps'), 'what was discovered is deleted anyway');
  const write = f.statusWrites.at(-1);
  t.match(condition(write, 'NamespaceDeletionDiscoveryFailure'), {
    status: 'True',
    reason: 'DiscoveryFailed',
    message: 'Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: example.com/v1: the server is currently unable to handle the request',
  });
  t.match(condition(write, 'NamespaceDeletionGroupVersionParsingFailure'), { status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' });
  t.match(condition(write, 'NamespaceDeletionContentFailure'), { status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' });
  t.match(condition(write, 'NamespaceContentRemaining'), { status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' });
  t.match(condition(write, 'NamespaceFinalizersRemaining'), { status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' });
});

t.test('a false 404 on DeleteCollection and list is taken as "not supported": finalized with content left', async (t) => {
  const widgets = { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'] };
  const f = await fake(t, [(req) => (req.url === '/api/v1' ? { status: 200, body: RESOURCES([widgets]) } : undefined)]);
  await controller(f.client).delete('doomed');
  t.ok(f.calls.includes('DELETE /api/v1/namespaces/doomed/widgets'), 'DeleteCollection was tried');
  t.ok(f.calls.filter((c) => c === 'GET /api/v1/namespaces/doomed/widgets').length >= 1, 'then list');
  t.ok(f.finalized, 'the namespace is finalized: the 404s counted as an empty collection');
  t.match(condition(f.statusWrites.at(-1), 'NamespaceDeletionContentFailure'), { status: 'False' });
});

t.test('MethodNotAllowed on DeleteCollection: list and delete each', async (t) => {
  const widgets = { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'] };
  let remaining = ['w1', 'w2'];
  const f = await fake(t, [
    (req) => (req.url === '/api/v1' ? { status: 200, body: RESOURCES([widgets]) } : undefined),
    (req) => (req.method === 'DELETE' && req.url === '/api/v1/namespaces/doomed/widgets' ? { status: 405, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405, message: 'the server does not allow this method on the requested resource' } } : undefined),
    (req) => (req.method === 'GET' && req.url === '/api/v1/namespaces/doomed/widgets' ? { status: 200, body: { kind: 'WidgetList', metadata: {}, items: remaining.map((name) => ({ metadata: { name } })) } } : undefined),
    (req) => {
      const m = /^\/api\/v1\/namespaces\/doomed\/widgets\/(\w+)$/.exec(req.url ?? '');
      if (req.method !== 'DELETE' || !m) return undefined;
      remaining = remaining.filter((n) => n !== m[1]);
      return { status: 200, body: { kind: 'Status', apiVersion: 'v1', status: 'Success' } };
    },
  ]);
  await controller(f.client).delete('doomed');
  t.ok(f.calls.includes('DELETE /api/v1/namespaces/doomed/widgets/w1') && f.calls.includes('DELETE /api/v1/namespaces/doomed/widgets/w2'), 'each item deleted');
  t.ok(f.finalized, 'then finalized');
});

t.test('a 503 on DeleteCollection: NamespaceDeletionContentFailure, not finalized', async (t) => {
  const widgets = { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'] };
  const f = await fake(t, [
    (req) => (req.url === '/api/v1' ? { status: 200, body: RESOURCES([widgets]) } : undefined),
    (req) => (req.method === 'DELETE' && req.url === '/api/v1/namespaces/doomed/widgets' ? { status: 503, text: 'dial tcp 127.0.0.1:9: connect: connection refused\n' } : undefined),
  ]);
  await t.rejects(controller(f.client).delete('doomed'));
  t.notOk(f.finalized, 'not finalized');
  t.match(condition(f.statusWrites.at(-1), 'NamespaceDeletionContentFailure'), {
    status: 'True',
    reason: 'ContentDeletionFailed',
    message: 'Failed to delete all resource types, 1 remaining: the server is currently unable to handle the request (delete widgets)',
  });
});
