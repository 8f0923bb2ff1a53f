/**
 * `kube-skew bench startup` as a user runs it, in its tiny mode: every row on stdout with numbers,
 * the figures as JSON, and no process or temporary directory left behind. No timing thresholds: the
 * figures depend on the machine, and the targets are only reported.
 */
import t from 'tap';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StartupReport } from '../../scripts/bench/startup.js';
import { runCli } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';

/** Every row of the quick table, with the floor it is beside and the target it reports (if any). */
const ROWS: Array<[name: string, floor: string, target?: RegExp]> = [
  ['kube-skew --help', 'node -e 0', /^<= 2x (met|not met)$/],
  ['up, 1 server', '1 bare', /^<= 2x (met|not met)$/],
  ['library, 1 server', '1 bare', /^<= 2x (met|not met)$/],
  ['up, 3 servers', '3 bare', /^<= 3x, < 1200 ms (met|not met)$/],
  ['library, 3 servers', '3 bare', /^<= 3x, < 1200 ms (met|not met)$/],
];

/** Command lines of every process that mentions `text`. */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(`${entry}: ${cmdline.slice(0, 200)}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

t.test('bench startup --quick prints every row with numbers, writes JSON and leaves no process behind', async (t) => {
  const dir = await tempDir(t);
  const jsonFile = join(dir, 'startup.json');
  // Everything the benchmark starts lives under its own TMPDIR, so its processes can be found by it.
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  const { code, stdout, stderr } = await runCli(t, ['bench', 'startup', '--quick', '--json', jsonFile], { TMPDIR: tmp });
  t.equal(code, 0, `exits 0 (stderr: ${stderr.slice(-2000)})`);
  t.match(stderr, /bench: 3 server\(s\)/, 'progress goes to stderr');

  // Rows are columns separated by three or more spaces.
  const rows = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const cells = line.split(/\s{3,}/);
    if (cells.length === 8) rows.set(cells[0]!, cells.slice(1));
  }
  t.equal(rows.size, ROWS.length + 2, `one table: the header, the rule and one line per row\n${stdout}`);
  for (const [name, floor, target] of ROWS) {
    const cells = rows.get(name);
    t.ok(cells, `row ${name}`);
    if (!cells) continue;
    const [readyMs, cpuMs, floorName, floorMs, floorCpuMs, ratio, targetCell] = cells;
    for (const [what, value] of [['ready ms', readyMs], ['CPU ms', cpuMs], ['floor ms', floorMs], ['floor CPU ms', floorCpuMs], ['ratio', ratio]] as const) {
      t.ok(Number(value?.replace(/,/g, '')) > 0, `${name}: ${what} is a positive number (${value})`);
    }
    t.equal(floorName, floor, `${name}: beside ${floor}`);
    t.match(targetCell, target!, `${name}: its target is reported, not asserted`);
  }
  t.match(stdout, /^medians of 1 run\(s\); \d+ CPUs .* load average [\d.]+ at start/m, 'the table names the machine and its load');

  const report = JSON.parse(await readFile(jsonFile, 'utf8')) as StartupReport;
  t.same(report.serverCounts, [1, 3], 'quick: 1 and 3 servers');
  t.ok(report.rows.every((r) => r.measured.runsMs.length === 1 && r.floor.runsMs.length === 1), 'quick: one run per figure');

  t.same(await processesMentioning(tmp), [], 'no process the benchmark started is left');
  t.same(await readdir(tmp), [], 'its temporary directories are removed');
});
