/**
 * `kube-skew bench soak` as a user runs it, shortened for CI: 60 s of traffic through the front door
 * of a previous/previous/newest minor cluster (the default) with the Mixed Version Proxy while both
 * servers of the previous minor are upgraded,
 * servers are SIGKILLed every 20 s and one is paused, beside misbehaving clients: requests cut
 * short at every point through the front door and straight to a server that must proxy them, slow
 * readers, and storms of connections dropped in the middle of their TLS handshake. Every bound of
 * the report must hold, the new ones too: no server process exits unasked, and `/readyz` answers
 * within 5 s whenever no server is down or starting (`--readyz-bound 5000`: the test looks for a
 * frozen server; the benchmark's own bound, 1 s, is for a person to read, since a loaded machine
 * can pass it). The same
 * run without the Mixed Version Proxy must count false 404s, so the check can see them (the bound
 * itself only applies with the proxy).
 * The rate is lower than the benchmark's default so that a loaded CI machine does not turn slowness
 * into timeouts; the figures at full rate are in the README.
 */
import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SoakReport } from '../../scripts/bench/soak/soak.js';
import { runCli, type CliRun } from '../fixtures/cli.js';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';
import { tempDir } from '../fixtures/cluster.js';

t.setTimeout(600_000);

/** A minor as a regular expression matching it literally. */
const esc = (minor: string): string => minor.replace('.', '\\.');

async function soak(t: Test, args: string[]): Promise<CliRun & { report: SoakReport }> {
  const dir = await tempDir(t);
  const json = join(dir, 'soak.json');
  const run = await runCli(t, ['bench', 'soak', ...args, '--json', json]);
  return { ...run, report: JSON.parse(await readFile(json, 'utf8')) as SoakReport };
}

t.test('a shortened soak with the Mixed Version Proxy holds every bound', async (t) => {
  const { code, stdout, stderr, report } = await soak(t, ['--duration', '60', '--rate', '100', '--kill-every', '20', '--readyz-bound', '5000']);
  t.equal(code, 0, 'exit code 0: every bound held', { stdout, stderr });
  t.match(stdout, new RegExp(`^kube-skew bench soak: .*servers ${esc(PREVIOUS_MINOR)}, ${esc(PREVIOUS_MINOR)}, ${esc(NEWEST_MINOR)}, MVP on; 100 requests/s for 60 s`, 'm'));
  t.match(stderr, new RegExp(`soak: upgrade a ${esc(PREVIOUS_MINOR)} → ${esc(NEWEST_MINOR)}`), 'progress names each fault');
  t.match(stderr, /soak: waiting until every server serves the probe[^]*soak: traffic at/, 'traffic starts after every server serves the probe (a cold start is not a fault)');
  t.ok(report.requests > 1000, `traffic flowed: ${report.requests} requests`);
  t.ok(report.outcomes['create 201']! > 0 && report.outcomes['update 200']! > 0 && report.outcomes['delete 200']! > 0, 'writes of every kind were acknowledged');
  t.ok((report.outcomes['probe 200'] ?? 0) > 0, `the ${NEWEST_MINOR}-only API answered through the front door`);
  t.same(
    report.faults.map((f) => f.label.split(' ')[0]),
    ['upgrade', 'SIGKILL', 'upgrade', 'SIGKILL', 'SIGSTOP'],
    'the rolling upgrade, two SIGKILLs and a pause happened',
  );
  t.ok(report.acknowledgedWrites > 100, `${report.acknowledgedWrites} acknowledged writes read back`);
  t.equal(report.falseNotFound, 0, 'no false 404');
  t.equal(report.lostWrites, 0, 'no lost write');
  t.ok(report.watch.expected > 100, `the watches were checked against ${report.watch.expected} events`);
  t.ok(report.watch.reconnects > 0, 'the watches reconnected across faults');
  t.same([report.watch.missed, report.watch.duplicated, report.watch.outOfOrder], [0, 0, 0], 'no watch event missed, duplicated or out of order');
  t.equal(report.fiveXX.outsideFaultWindows, 0, 'no 5xx outside fault windows');
  t.equal(report.transportErrors.outsideFaultWindows, 0, 'no transport error outside fault windows');
  t.equal(report.integrityCheck, 'ok');

  const m = report.misbehaving;
  const exits = report.examples.filter((e) => / exited unasked /.test(e)).join('\n  ');
  t.equal(report.unaskedExits, 0, `no server exited unasked${exits ? `:\n  ${exits}` : ''}`);
  t.equal(report.askedExits, 4, 'the chaos ended four processes: two SIGKILLs and two upgrades');
  for (const [point, c] of Object.entries(m.cuts)) t.ok(c.cut > 10, `${point}: ${c.cut} of ${c.sent} requests cut there`);
  t.ok(m.proxying > 50 && m.frontDoor > 50, `cut requests went straight to a proxying server (${m.proxying}) and through the front door (${m.frontDoor})`);
  t.ok(m.slowReaders > 5 && m.storms > 5 && m.halfHandshakes > 10, `slow readers (${m.slowReaders}) and storms (${m.storms}, ${m.halfHandshakes} handshakes dropped half way)`);
  t.equal(report.cutWritesStored, 0, 'no create cut in the middle of its body was stored');
  t.ok(report.readyz.probes > 50, `${report.readyz.probes} /readyz probes counted`);
  t.equal(report.readyz.overBound, 0, `/readyz always answered within 5 s (worst ${Math.round(report.readyz.worstMs)} ms)${report.readyz.examples.map((e) => `\n  ${e}`).join('')}`);
  t.match(stdout, /server processes that exited unasked\s+0: held\s+0/, 'the table shows the exits');
  t.match(stdout, /\/readyz probes over 5 s or not 200\s+0: held\s+0/, 'the table shows the /readyz bound');
});

t.test('without the Mixed Version Proxy the soak counts the false 404s', async (t) => {
  const { code, stdout, report } = await soak(t, ['--duration', '15', '--rate', '50', '--kill-every', '600', '--no-mvp']);
  t.ok(report.falseNotFound > 0, `${report.falseNotFound} false 404s`);
  t.equal(code, 0, 'exit code 0: the bound on false 404s only applies with the proxy');
  t.match(stdout, /false 404s \(a live, ready server served it\)\s+n\/a without MVP/);
});
