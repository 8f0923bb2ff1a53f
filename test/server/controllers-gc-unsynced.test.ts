/**
 * The garbage collector when a resource monitor cannot sync, per minor (versions/minors.ts,
 * `garbageCollector`): an aggregated API whose LIST keeps failing is discovered while the collector
 * runs. Up to 1.31 the workers pause until every monitor has synced, so a ConfigMap whose owner
 * does not exist stays until the aggregated API answers again; from 1.32 (kubernetes/kubernetes
 * #125796) the workers keep running and collect it at once.
 */
import t from 'tap';
import { createServer, type Server } from 'node:https';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, startCluster, tempDir, urlOf } from '../fixtures/cluster.js';
import { poll } from '../peers/helpers.js';
import { selfSignedServing } from '../../server/cluster/pki.js';
import { minorInfo } from '../../versions/index.js';
import { endpointAddress } from '../../server/cluster/endpoint-address.js';

const GV = 'wardle.example.com/v1alpha1';
const RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GV,
  resources: [{ name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }],
};

/** An extension server whose flunders LIST fails while `state.broken`; counts the LISTs it refused. */
async function extensionServer(dir: string, state: { broken: boolean; refusedLists: number }): Promise<Server> {
  const files = await selfSignedServing(dir, 'api.wardle.svc', ['127.0.0.1']);
  const server = createServer({ cert: await readFile(files.certFile), key: await readFile(files.keyFile) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    res.setHeader('content-type', 'application/json');
    if (!url.pathname.endsWith('/flunders')) return void res.end(JSON.stringify(RESOURCES));
    if (state.broken) {
      state.refusedLists++;
      res.statusCode = 500;
      return void res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'storage is down', reason: 'InternalError', code: 500 }));
    }
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') return void res.flushHeaders(); // held open, no events
    res.end(JSON.stringify({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '1' }, items: [] }));
  });
  await new Promise<void>((r) => server.listen(0, endpointAddress(), () => r()));
  return server;
}

for (const minor of ['1.31', '1.32']) {
  const waits = minorInfo(minor).garbageCollector.workersWaitForMonitorSync;
  t.test(`${minor}: a monitor that cannot sync ${waits ? 'pauses' : 'does not pause'} the collector`, async (t) => {
    const cluster = await startCluster(t, [{ name: 's1', minor }], {
      mvp: false,
      args: ['--garbage-collector-sync-period-seconds=1', '--rest-mapper-reset-seconds=1', '--aggregator-availability-resync-seconds=1'],
    });
    const url = urlOf(cluster, 's1');
    const state = { broken: true, refusedLists: 0 };
    const ext = await extensionServer(await tempDir(t, 'wardle-'), state);
    t.teardown(() => new Promise<void>((r) => (ext.closeAllConnections(), ext.close(() => r()))));
    const port = (ext.address() as AddressInfo).port;

    const post = async (path: string, body: unknown) => {
      const res = await api(cluster, url, 'POST', path, { body });
      t.equal(res.status, 201, `POST ${path}: ${res.text.slice(0, 200)}`);
      return res;
    };
    await post('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { ports: [{ port: 443, targetPort: port }] } });
    await post('/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api' }, subsets: [{ addresses: [{ ip: endpointAddress() }], ports: [{ port }] }] });
    await post('/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1alpha1.wardle.example.com' },
      spec: { group: 'wardle.example.com', version: 'v1alpha1', service: { namespace: 'default', name: 'api', port: 443 }, insecureSkipTLSVerify: true, groupPriorityMinimum: 1000, versionPriority: 15 },
    });
    // The collector has discovered flunders once its monitor's LIST reached the extension server.
    const discovered = await poll(async () => state.refusedLists, (n) => n > 0, 60_000, 200);
    t.ok(discovered.ok, 'the collector made a monitor for flunders, whose LIST fails');

    const dependent = await post('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dependent', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: '6f1d3c9e-0000-4000-8000-000000000001' }] },
    });
    t.ok(dependent.json.metadata.uid);
    const path = '/api/v1/namespaces/default/configmaps/dependent';
    if (waits) {
      await sleep(5_000);
      t.equal((await api(cluster, url, 'GET', path)).status, 200, 'while the monitor cannot sync, the workers are paused: the dependent stays');
      state.broken = false;
      const collected = await poll(async () => (await api(cluster, url, 'GET', path)).status, (s) => s === 404, 60_000, 200);
      t.ok(collected.ok, 'once the monitor syncs, the workers run and collect it');
    } else {
      const collected = await poll(async () => (await api(cluster, url, 'GET', path)).status, (s) => s === 404, 60_000, 200);
      t.ok(collected.ok, 'the workers keep running: the dependent of a missing owner is collected');
      t.ok(state.broken, 'while the monitor still cannot sync');
    }
  });
}
