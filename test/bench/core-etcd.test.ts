/**
 * `kube-skew bench core --store …`: a store it does not know is a usage error; with several stores
 * the table has a column per store beside the one bare baseline; and, in its tiny mode on a local
 * etcd, it prints every row (watch latency and etcd's own CPU and RSS included), stops the etcd it
 * started, and stops it on SIGINT too. The etcd parts skip with a message where etcd is missing.
 * No timing thresholds: the figures depend on the machine.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { etcdMissing } from '../../server/cluster/local-etcd.js';
import { formatTable, type CoreReport, type StoreFigures } from '../../scripts/bench/report.js';
import type { PhaseResult } from '../../scripts/bench/load.js';
import { alive, CLI, runCli } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';

const OPERATIONS = ['GET 1 object', 'LIST 100 objects', 'LIST 10000 objects', 'CREATE'];

/** Table rows as `metric → cells`: columns are separated by three or more spaces. */
function rowsOf(stdout: string, columns: number): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const cells = line.split(/\s{3,}/);
    if (cells.length === columns) rows.set(cells[0]!, cells.slice(1));
  }
  return rows;
}

const number = (cell: string | undefined): number => (cell === undefined ? Number.NaN : Number(cell.replace(/,/g, '')));

t.test('--store takes sqlite, etcd or both, and nothing else', async (t) => {
  const { code, stderr } = await runCli(t, ['bench', 'core', '--store', 'mysql']);
  t.not(code, 0, 'exits non-zero');
  t.match(stderr, /--store <store>.*expected one of sqlite, etcd, both/s, 'names the choices');
});

t.test('with both stores the table has a column per store, bare, and each store\'s ratio to bare', async (t) => {
  const phase = (rps: number, storeCpu?: number): PhaseResult => ({ rps, p50Ms: 1, p99Ms: 2, requests: 10, cpuUsPerRequest: 100, ...(storeCpu === undefined ? {} : { storeCpuUsPerRequest: storeCpu }) });
  const store = (name: 'sqlite' | 'etcd', rps: number): StoreFigures => ({
    store: name,
    operations: [{ name: 'GET 1 object', result: phase(rps, name === 'etcd' ? 40 : undefined) }],
    customResources: [],
    watch: { p50Ms: 3, p99Ms: 9, writes: 20 },
    rssMiB: 150,
    ...(name === 'etcd' ? { etcdRssMiB: 60 } : {}),
  });
  const report: CoreReport = {
    machine: { nproc: 2, cpu: 'test', node: '20', platform: 'linux' },
    settings: { durationSeconds: 5, connections: 10, quick: false, kubeSkewMinor: '1.32', stores: ['sqlite', 'etcd'], slowOperations: ['LIST 10000 objects'], slowOperationRequests: 40 },
    bare: { operations: [{ name: 'GET 1 object', result: phase(400) }], rssMiB: 100 },
    stores: [store('sqlite', 200), store('etcd', 100)],
    loadAverage: { start: 1, end: 1 },
  };
  const text = formatTable(report);
  t.match(text, /^metric\s{3,}sqlite\s{3,}etcd\s{3,}bare\s{3,}sqlite\/bare\s{3,}etcd\/bare$/m, 'the header');
  t.match(text, /store sqlite and etcd/, 'the header line names the stores');
  t.match(text, /^bare: fastify \+ better-sqlite3 .*etcd: /m, 'says what the baseline of each column is');
  const rows = rowsOf(text, 6);
  t.same(rows.get('GET 1 object  req/s'), ['200', '100', '400', '0.50', '0.25'], 'each store beside bare, and its ratio');
  t.same(rows.get('GET 1 object  etcd CPU us/req'), ['—', '40.0', '—', '—', '—'], "etcd's own CPU only in the etcd column");
  t.same(rows.get('etcd RSS MiB (after load)'), ['—', '60.0', '—', '—', '—']);
  t.same(rows.get('watch latency p99 ms (20 writes, cross-process)'), ['9.00', '9.00', '—', '—', '—'], 'watch latency for each store');
});

const missing = etcdMissing();
if (missing !== undefined) t.plan(2, `etcd tests skipped: ${missing}`);
else {
  t.test('bench core --store etcd --quick prints every row, watch latency included, and stops its etcd', async (t) => {
    const dir = await tempDir(t);
    const jsonFile = join(dir, 'bench.json');
    const { code, stdout, stderr } = await runCli(t, ['bench', 'core', '--store', 'etcd', '--quick', '--json', jsonFile]);
    t.equal(code, 0, `exits 0 (stderr: ${stderr.slice(-2000)})`);
    t.match(stdout, /^kube-skew bench core: .*store etcd$/m, 'the header names the store');
    const rows = rowsOf(stdout, 4);
    const positive = (cell: string | undefined): boolean => number(cell) > 0;
    // CPU is read in 10 ms ticks: a quick run may spend none on a cheap operation.
    const counted = (cell: string | undefined): boolean => number(cell) >= 0;
    for (const op of OPERATIONS) {
      for (const metric of ['req/s', 'p99 ms']) {
        const cells = rows.get(`${op}  ${metric}`);
        t.ok(cells && cells.every(positive), `${op} ${metric}: kube-skew on etcd, bare and ratio are positive (${cells?.join(' | ')})`);
      }
      const cpu = rows.get(`${op}  CPU us/req`);
      t.ok(cpu && counted(cpu[0]) && counted(cpu[1]), `${op} CPU us/req of both servers (${cpu?.join(' | ')})`);
      const etcdCpu = rows.get(`${op}  etcd CPU us/req`);
      t.ok(etcdCpu && counted(etcdCpu[0]) && etcdCpu[1] === '—', `${op} etcd CPU us/req, with no bare figure (${etcdCpu?.join(' | ')})`);
    }
    for (const p of ['p50', 'p99']) {
      const cells = [...rows.entries()].find(([metric]) => metric.startsWith(`watch latency ${p} ms`))?.[1];
      t.ok(positive(cells?.[0]), `watch latency ${p} on etcd is positive (${cells?.join(' | ')})`);
    }
    t.ok(positive(rows.get('server RSS MiB (after load)')?.[0]), 'server RSS');
    t.ok(positive(rows.get('etcd RSS MiB (after load)')?.[0]), 'etcd RSS');
    t.match(stdout, /^custom resource \(kube-skew\)\s{3,}CR\s{3,}ConfigMap\s{3,}CR\/ConfigMap$/m, 'the custom resource table');

    const report = JSON.parse(await readFile(jsonFile, 'utf8')) as CoreReport;
    t.same(report.settings.stores, ['etcd']);
    t.same(report.stores[0]?.operations.map((o) => o.name), OPERATIONS, 'the JSON has every operation on etcd');
    t.ok(report.stores[0]!.watch.p99Ms >= report.stores[0]!.watch.p50Ms && report.stores[0]!.watch.p50Ms > 0, 'the JSON has the watch latency');

    const pids = [...stderr.matchAll(/etcd \(pid (\d+)\) started/g)].map((m) => Number(m[1]));
    t.equal(pids.length, 2, 'one etcd for the measured server, one for the watch pair');
    t.same(pids.filter(alive), [], 'every etcd it started has exited');
  });

  t.test('SIGINT during bench core --store etcd stops the etcd it started', async (t) => {
    const child = spawn(process.execPath, [CLI, 'bench', 'core', '--store', 'etcd', '--quick'], { stdio: ['ignore', 'ignore', 'pipe'] });
    t.teardown(() => void child.kill('SIGKILL'));
    let stderr = '';
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let runDir: string | undefined;
    const pid = await new Promise<number | undefined>((resolve) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        stderr += `${line}\n`;
        const m = /etcd \(pid (\d+)\) started at \S+, its data in (\S+)/.exec(line);
        if (m) {
          runDir = dirname(m[2]!);
          resolve(Number(m[1]));
        }
      });
      void exited.then(() => resolve(undefined));
    });
    t.ok(pid !== undefined && alive(pid), `an etcd is running (stderr: ${stderr.slice(-1000)})`);
    child.kill('SIGINT');
    const [code] = await exited;
    t.equal(code, 130, 'exits 130 after SIGINT');
    t.match(stderr, /SIGINT: stopping what the benchmark started/);
    t.notOk(pid !== undefined && alive(pid), 'the etcd has exited');
    t.ok(runDir !== undefined && !existsSync(runDir), `the run's directory is removed (${runDir})`);
  });
}
