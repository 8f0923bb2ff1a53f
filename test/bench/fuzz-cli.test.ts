/**
 * `kube-skew bench fuzz` as a user runs it: a short run prints the one table (every category, the
 * defect counters at 0, the throughput) and writes the same figures as JSON; bad flag values get a
 * one-line error and no stack trace.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATEGORIES } from '../../scripts/fuzz/case.js';
import type { FuzzReport } from '../../scripts/fuzz/report.js';
import { runCli } from '../fixtures/cli.js';
import { tempDir } from '../fixtures/cluster.js';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';

t.test('bench fuzz prints one table and writes JSON', async (t) => {
  const dir = await tempDir(t);
  const jsonFile = join(dir, 'fuzz.json');
  const { code, stdout, stderr } = await runCli(t, ['bench', 'fuzz', '--requests', '400', '--seed', '3', '--json', jsonFile]);
  t.equal(code, 0, `exits 0 (stderr: ${stderr.slice(-1500)})`);
  t.match(stderr, /bench: fuzzing https:\/\/127\.0\.0\.1:\d+ with 400 requests, seed 3/, 'progress on stderr');
  const lines = stdout.split('\n');
  t.match(lines[0], new RegExp(`^kube-skew bench fuzz: 400 requests, seed 3, 8 connections, kube-skew ${NEWEST_MINOR.replace('.', '\\.')} \\(cut requests also through a ${PREVIOUS_MINOR.replace('.', '\\.')} server proxying to it\\) over mTLS`));
  const report = JSON.parse(await readFile(jsonFile, 'utf8')) as FuzzReport;
  for (const c of CATEGORIES) {
    const row = lines.find((l) => l.startsWith(`${c} `))?.trim().split(/\s+/);
    t.equal(Number(row?.[1]), report.byCategory[c].requests, `${c}: the table's count is the JSON's`);
  }
  const total = lines.find((l) => l.startsWith('total '))?.trim().split(/\s+/);
  t.equal(total?.[1], '400', 'the total');
  const value = (label: string): string | undefined => lines.find((l) => l.startsWith(label))?.trim().split(/\s+/).pop();
  for (const label of ['crashes', 'hangs', 'connections closed unanswered', 'non-Status error bodies', '500 answers (other', 'store changes from rejected requests']) {
    t.equal(value(label), '0', `${label}: 0`);
  }
  t.ok(Number(value('throughput req/s')?.replace(/,/g, '')) > 0, 'a throughput');
  t.equal(report.sent, 400);
  t.ok(report.healthyAfter);
});

t.test('bad flag values: one line, no stack trace', async (t) => {
  for (const args of [
    ['--requests', '0'],
    ['--requests', 'many'],
    ['--seed', '-1'],
    ['--seed', '1.5'],
    ['--connections', 'x'],
    ['--nope'],
    ['--requests'],
  ]) {
    const { code, stdout, stderr } = await runCli(t, ['bench', 'fuzz', ...args]);
    t.not(code, 0, `${args.join(' ')}: fails`);
    t.equal(stdout, '', `${args.join(' ')}: nothing on stdout`);
    t.match(stderr, /^error: /, `${args.join(' ')}: says what is wrong (${stderr.split('\n')[0]})`);
    t.notMatch(stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  }
});
