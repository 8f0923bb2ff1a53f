/**
 * `kube-skew bench core` as a user runs it, in its tiny mode: the tables on stdout with every row
 * and positive figures (the custom resource rows beside the ConfigMap rows of the same run), the
 * same figures as JSON, progress on stderr. No timing thresholds: the
 * figures depend on the machine. Also: objects seeded through the store are the objects an API
 * create stores.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { configMapBody, seedConfigMaps, seededName } from '../../scripts/bench/seed.js';
import type { CoreReport } from '../../scripts/bench/report.js';
import { runCli } from '../fixtures/cli.js';
import { api, startCluster, tempDir, urlOf } from '../fixtures/cluster.js';

const OPERATIONS = ['GET 1 object', 'LIST 100 objects', 'LIST 10000 objects', 'CREATE'];
/** Each custom resource operation and the ConfigMap operation it is compared with. */
const CR_OPERATIONS: Array<[string, string]> = [
  ['CR GET 1 object', 'GET 1 object'],
  ['CR LIST 100 objects', 'LIST 100 objects'],
  ['CR CREATE', 'CREATE'],
];

t.test('bench core --quick prints every row with positive numbers and writes them as JSON', async (t) => {
  const dir = await tempDir(t);
  const jsonFile = join(dir, 'bench.json');
  const { code, stdout, stderr } = await runCli(t, ['bench', 'core', '--quick', '--json', jsonFile]);
  t.equal(code, 0, `exits 0 (stderr: ${stderr.slice(-2000)})`);
  t.match(stderr, /bench: kube-skew: GET 1 object/, 'progress goes to stderr, one line per phase');
  t.match(stderr, /bench: kube-skew: CR GET 1 object/, 'custom resource phases report progress too');

  // Rows are `metric   kube-skew   bare   ratio`, columns separated by three or more spaces.
  const rows = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const cells = line.split(/\s{3,}/);
    if (cells.length === 4) rows.set(cells[0]!, cells.slice(1));
  }
  const positive = (cell: string | undefined): boolean => cell !== undefined && Number(cell.replace(/,/g, '')) > 0;
  // CPU is read in 10 ms ticks: a quick run may spend none on a cheap operation.
  const cpu = (cell: string | undefined): boolean => cell !== undefined && Number(cell.replace(/,/g, '')) >= 0;
  t.match(stdout, /^load average \(1 min\) \d+\.\d\d at start, \d+\.\d\d at end$/m, 'the header gives the load average at start and end');
  for (const op of OPERATIONS) {
    for (const metric of ['req/s', 'p99 ms']) {
      const cells = rows.get(`${op}  ${metric}`);
      t.ok(cells && cells.every(positive), `${op} ${metric}: kube-skew, bare and ratio are positive (${cells?.join(' | ')})`);
    }
    const cpuCells = rows.get(`${op}  CPU us/req`);
    t.ok(cpuCells && cpu(cpuCells[0]) && cpu(cpuCells[1]), `${op} CPU us/req of both servers (${cpuCells?.join(' | ')})`);
  }
  for (const p of ['p50', 'p99']) {
    const cells = [...rows.entries()].find(([metric]) => metric.startsWith(`watch latency ${p} ms`))?.[1];
    t.ok(positive(cells?.[0]), `watch latency ${p} is positive (${cells?.join(' | ')})`);
  }
  t.match(stdout, /^custom resource \(kube-skew\)\s{3,}CR\s{3,}ConfigMap\s{3,}CR\/ConfigMap$/m, 'the custom resource table has its header');
  for (const [cr, builtIn] of CR_OPERATIONS) {
    for (const metric of ['req/s', 'p99 ms']) {
      const cells = rows.get(`${cr}  ${metric}`);
      t.ok(cells && cells.every(positive), `${cr} ${metric}: CR, ConfigMap and ratio are positive (${cells?.join(' | ')})`);
      t.equal(cells?.[1], rows.get(`${builtIn}  ${metric}`)?.[0], `${cr} ${metric} is compared with kube-skew's ${builtIn} of the same run`);
    }
    const cpuCells = rows.get(`${cr}  CPU us/req`);
    t.ok(cpuCells && cpu(cpuCells[0]), `${cr} CPU us/req (${cpuCells?.join(' | ')})`);
    t.equal(cpuCells?.[1], rows.get(`${builtIn}  CPU us/req`)?.[0], `${cr} CPU us/req is compared with kube-skew's ${builtIn} of the same run`);
  }
  const rss = rows.get('server RSS MiB (after load)');
  t.ok(rss && positive(rss[0]) && positive(rss[1]), `server RSS of both sides is positive (${rss?.join(' | ')})`);

  const report = JSON.parse(await readFile(jsonFile, 'utf8')) as CoreReport;
  t.same(report.settings.stores, ['sqlite'], 'the default store is SQLite');
  const [sqlite] = report.stores;
  t.same(sqlite?.operations.map((o) => o.name), OPERATIONS, 'the JSON has every operation');
  t.same(report.bare.operations.map((o) => o.name), OPERATIONS, 'the JSON has every bare operation');
  for (const [i, op] of (sqlite?.operations ?? []).entries()) {
    const bare = report.bare.operations[i]!.result;
    t.ok(op.result.rps > 0 && op.result.p99Ms > 0 && bare.rps > 0 && bare.p99Ms > 0, `${op.name}: JSON figures are positive`);
  }
  t.same(
    sqlite?.customResources.map((o) => [o.name, o.builtIn]),
    CR_OPERATIONS,
    'the JSON has every custom resource operation and what it is compared with',
  );
  for (const op of sqlite?.customResources ?? []) t.ok(op.kubeSkew.rps > 0 && op.kubeSkew.p99Ms > 0, `${op.name}: JSON figures are positive`);
  t.ok(sqlite && sqlite.watch.p50Ms > 0 && sqlite.watch.p99Ms >= sqlite.watch.p50Ms, 'the JSON has the watch latency');
  t.ok(report.machine.nproc > 0 && report.machine.cpu.length > 0, 'the JSON names the machine');
});

t.test('a ConfigMap seeded through the store is served as an API-created one is', async (t) => {
  const cluster = await startCluster(t, '1.32');
  const url = urlOf(cluster, 's1');
  t.equal((await api(cluster, url, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'seeded' } } })).status, 201);
  const created = await api(cluster, url, 'POST', '/api/v1/namespaces/seeded/configmaps', { body: configMapBody('seeded', 'via-api') });
  t.equal(created.status, 201);
  const store = openSqliteStore(cluster.storagePath);
  await seedConfigMaps(store, 'seeded', 1);
  await store.close();

  const seeded = (await api(cluster, url, 'GET', `/api/v1/namespaces/seeded/configmaps/${seededName(0)}`)).json;
  const normalise = (obj: { metadata: Record<string, unknown> }): unknown => ({
    ...obj,
    metadata: {
      ...obj.metadata,
      name: 'x',
      uid: 'x',
      resourceVersion: 'x',
      creationTimestamp: 'x',
      managedFields: (obj.metadata.managedFields as Array<Record<string, unknown>> | undefined)?.map((e) => ({ ...e, time: 'x' })),
    },
  });
  t.same(normalise(seeded), normalise(created.json), 'the same object apart from name, uid, resourceVersion and the times');
  t.equal(JSON.stringify(Object.keys(seeded.metadata)), JSON.stringify(Object.keys(created.json.metadata)), 'metadata fields in the same order');
});
