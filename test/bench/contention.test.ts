/**
 * `kube-skew bench contention` as a user runs it, in its tiny mode: one row per process count with
 * positive throughput and no failed write, the same figures as JSON, progress on stderr. No timing
 * thresholds: the figures depend on the machine.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processCounts } from '../../scripts/bench/contention.js';
import type { ContentionReport } from '../../scripts/bench/contention-report.js';
import { runCli } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';


t.test('the process counts double up to the maximum, which is always measured', async (t) => {
  t.same(processCounts(1), [1]);
  t.same(processCounts(2), [1, 2]);
  t.same(processCounts(6), [1, 2, 4, 6]);
  t.same(processCounts(8), [1, 2, 4, 8]);
});

t.test('bench contention --quick prints a row per process count and writes the figures as JSON', async (t) => {
  const dir = await tempDir(t);
  const jsonFile = join(dir, 'contention.json');
  const { code, stdout, stderr } = await runCli(t, ['bench', 'contention', '--quick', '--processes', '3', '--json', jsonFile]);
  t.equal(code, 0, `exits 0 (stderr: ${stderr.slice(-2000)})`);
  t.match(stderr, /bench: 3 writer processes for 0.5 s/, 'progress goes to stderr, one line per run');
  t.match(stdout, /^kube-skew bench contention: \d+ × .+, Node [\d.]+, quick mode/, 'the header names the machine');

  // Rows are the columns of the header, separated by three or more spaces.
  const lines = stdout.split('\n');
  const header = lines.find((line) => line.trim().startsWith('processes'))?.trim().split(/\s{3,}/);
  t.same(header, ['processes', 'writes/s', 'per process min-max', 'BUSY retries', 'writes that waited', 'p50 ms', 'p99 ms', 'max ms', 'failed']);
  const rows = lines.map((line) => line.trim().split(/\s{3,}/)).filter((cells) => cells.length === 9 && /^\d+$/.test(cells[0]!));
  t.same(
    rows.map((cells) => cells[0]),
    ['1', '2', '3'],
    'one row per process count',
  );
  for (const cells of rows) {
    t.ok(Number(cells[1]!.replace(/,/g, '')) > 0, `${cells[0]} processes: writes/s is positive (${cells[1]})`);
    t.equal(cells[8], '0', `${cells[0]} processes: no write failed`);
  }

  const report = JSON.parse(await readFile(jsonFile, 'utf8')) as ContentionReport;
  t.same(
    report.runs.map((r) => r.processes),
    [1, 2, 3],
  );
  for (const run of report.runs) {
    t.ok(run.writes > 0 && run.writesPerSecond > 0, `${run.processes} processes: writes counted`);
    t.ok(run.p50Ms > 0 && run.p99Ms >= run.p50Ms && run.maxMs >= run.p99Ms, `${run.processes} processes: latency percentiles in order`);
    t.ok(run.perProcessWritesPerSecond.min <= run.perProcessWritesPerSecond.max && run.perProcessWritesPerSecond.min > 0, 'every process wrote');
    t.ok(run.busyRetries >= run.waitedWrites, 'each write that waited retried at least once');
    t.same(run.failures, [], 'no failure message');
  }
  t.equal(report.runs[0]?.busyRetries, 0, 'one process alone never waits for the lock');
  t.equal(report.settings.busyTimeoutMs, 5000);
});
