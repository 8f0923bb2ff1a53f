/**
 * `kube-skew bench proxy` as a user runs it, in its tiny mode: one table on stdout with every row
 * and positive figures, the same figures as JSON, progress on stderr. No timing thresholds: the
 * figures depend on the machine, and the targets are only reported.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProxyReport } from '../../scripts/bench/proxy-report.js';
import { runCli } from '../fixtures/cli.js';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';
import { tempDir } from '../fixtures/cluster.js';


/** Every row of the table, by the start of its metric name. */
const ROWS = [
  ...[`GET direct (b ${NEWEST_MINOR})`, `GET proxied by kube-skew (a ${PREVIOUS_MINOR} -> b)`, 'GET via bare reply-from hop (-> b)'].flatMap((way) => ['p50 ms', 'p99 ms', 'req/s', 'CPU us/req'].map((m) => `${way}  ${m}`)),
  'proxied/direct  p50',
  'proxied/direct  p99',
  'proxied/direct  req/s',
  'hop cost ms, kube-skew',
  'hop cost ms, bare',
  'hop cost kube-skew/bare',
  'req/s proxied/bare hop',
  'hop CPU per request, a/bare hop',
  'ready ms, 3 servers',
  'ready ms, 10 servers',
  'ready ms, kube-skew up CLI',
  ...[3, 10].flatMap((n) => ['min', 'median', 'max'].map((k) => `RSS MiB per server, ${n} servers  ${k}`)),
];

t.test('bench proxy --quick prints every row with positive numbers and writes them as JSON', async (t) => {
  const dir = await tempDir(t);
  const jsonFile = join(dir, 'proxy.json');
  const { code, stdout, stderr } = await runCli(t, ['bench', 'proxy', '--quick', '--json', jsonFile]);
  t.equal(code, 0, `exits 0 (stderr: ${stderr.slice(-2000)})`);
  t.match(stderr, /bench: get: proxied by a to b/, 'progress goes to stderr, one line per phase');

  // Rows are `metric   value   target`, columns separated by three or more spaces.
  const rows = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const cells = line.split(/\s{3,}/);
    if (cells.length === 3) rows.set(cells[0]!, cells.slice(1));
  }
  t.equal(rows.size, ROWS.length + 2, 'one table: the header, the rule and one line per row');
  for (const prefix of ROWS) {
    const cells = [...rows.entries()].find(([metric]) => metric.startsWith(prefix))?.[1];
    const value = Number(cells?.[0]?.replace(/,/g, ''));
    t.ok(value > 0, `${prefix}: ${cells?.join(' | ')}`);
  }
  t.match(rows.get('hop cost kube-skew/bare')?.[1], /^<= 1\.20 (met|MISSED)$/, 'the hop target is reported, not asserted');

  const report = JSON.parse(await readFile(jsonFile, 'utf8')) as ProxyReport;
  for (const way of ['direct', 'proxied', 'bareHop'] as const) {
    const f = report.get[way];
    t.ok(f.rps > 0 && f.p50Ms > 0 && f.p99Ms >= f.p50Ms && f.cpuUsPerRequest > 0 && f.requests === 200, `JSON GET ${way} is complete`);
  }
  t.ok(report.readiness.three.runsMs.length === 1 && report.readiness.ten.medianMs > 0 && report.readiness.upCli.medianMs > 0, 'the JSON has the readiness figures');
  t.ok(report.readiness.ten.rssMiB.min > 0, 'the JSON has the RSS figures');
  t.ok(report.machine.nproc > 0 && report.machine.cpu.length > 0, 'the JSON names the machine');
});
