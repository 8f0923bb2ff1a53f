/**
 * The HTML report's generator without a browser: the timeline's per-lane cap, the view built from a
 * made-up run (lanes and their segments, an upgrade and a kill, a proxy hop, leases, a fault, a
 * failed step), and the page: self-contained, with everything from the run embedded as JSON that no
 * `</script>` in a body can end early, and given back unchanged by JSON.parse.
 */
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRONT_DOOR_LANE, REQUESTS_PER_LANE, Timeline, type RequestData, type TimelineEvent } from '../../scenarios/engine/timeline.js';
import { reportView, scenarioView } from '../../scenarios/engine/report-view.js';
import { embedJson, escapeHtml, renderHtml } from '../../scenarios/engine/html-report.js';
import { checkReportSpec, writeReports } from '../../scenarios/engine/report.js';
import type { ScenarioResult } from '../../scenarios/engine/runner.js';

const NASTY = '</script><script>document.body.dataset.injected="yes"</script><!-- $& $\' $` {{data}} \u2028 &amp;';

function request(over: Partial<RequestData>): RequestData {
  return { origin: 'step 2', via: FRONT_DOOR_LANE, method: 'GET', path: '/api/v1/namespaces', requestHeaders: { accept: 'application/json' }, headers: {}, body: '', ms: 3, ...over };
}

/** A run of two servers: a at 1.35 upgraded to 1.36, b at 1.36 killed; one hop a → b; a partition; a failed step. */
function madeUpRun(): ScenarioResult {
  const T = 1_000_000;
  const events: TimelineEvent[] = [
    { at: T, kind: 'server', data: { server: 'a', state: 'starting', minor: '1.35' } },
    { at: T, kind: 'server', data: { server: 'b', state: 'starting', minor: '1.36' } },
    { at: T + 1000, kind: 'server', data: { server: 'a', state: 'ready', minor: '1.35', pid: 10 } },
    { at: T + 1000, kind: 'server', data: { server: 'b', state: 'ready', minor: '1.36', pid: 11 } },
    { at: T + 1000, kind: 'leases', data: { identity: [{ id: 'id-a', server: 'a', expired: false }, { id: 'id-b', server: 'b', expired: false }], endpoints: [{ id: 'id-b', server: 'b', address: '127.0.0.1:1' }] } },
    { at: T + 1100, kind: 'step', data: { index: 1, phase: 'start' } },
    { at: T + 1200, kind: 'request', data: request({ status: 200, servedBy: 'b', receivedBy: 'a', receivedProxied: true, headers: { 'x-kube-skew-served-by': 'b' }, body: NASTY }) },
    { at: T + 1300, kind: 'step', data: { index: 1, phase: 'end' } },
    { at: T + 1400, kind: 'step', data: { index: 2, phase: 'start' } },
    { at: T + 1500, kind: 'fault', data: { from: 'a', to: 'b', fault: 'partition' } },
    { at: T + 1600, kind: 'request', data: request({ status: 404, servedBy: 'a', receivedBy: 'a', receivedProxied: false }) },
    { at: T + 1700, kind: 'request', data: request({ error: 'socket hang up' }) },
    { at: T + 1800, kind: 'step', data: { index: 2, phase: 'end' } },
    { at: T + 2000, kind: 'server', data: { server: 'b', state: 'killed', minor: '1.36' } },
    { at: T + 2001, kind: 'server', data: { server: 'b', state: 'exited', exitCode: null, signal: 'SIGKILL' } },
    { at: T + 2500, kind: 'fault', data: { from: 'a', to: 'b', fault: 'heal' } },
    { at: T + 3000, kind: 'server', data: { server: 'a', state: 'stopping', minor: '1.35', change: 'upgrade' } },
    { at: T + 3100, kind: 'server', data: { server: 'a', state: 'exited', exitCode: 0, signal: null } },
    { at: T + 3100, kind: 'server', data: { server: 'a', state: 'stopped', minor: '1.35', change: 'upgrade' } },
    { at: T + 3100, kind: 'server', data: { server: 'a', state: 'starting', minor: '1.36', change: 'upgrade' } },
    { at: T + 3900, kind: 'server', data: { server: 'a', state: 'ready', minor: '1.36', pid: 12 } },
    { at: T + 4000, kind: 'leases', data: { identity: [{ id: 'id-a', server: 'a', expired: false }, { id: 'id-b', server: 'b', expired: true }], endpoints: [] } },
  ];
  return {
    name: 'made-up',
    file: '/tmp/made-up.yaml',
    ok: false,
    ms: 5000,
    seed: 1,
    steps: [
      { index: 1, title: 'a proxies to b', kind: 'request', ok: true, ms: 200, failures: [] },
      { index: 2, title: `fails on purpose ${NASTY}`, kind: 'request', ok: false, ms: 400, failures: [`status is 404, expected 200 ${NASTY}`] },
    ],
    timeline: { start: T, end: T + 5000, events, droppedRequests: { a: 7 } },
  };
}

t.test('the timeline keeps up to its cap of requests per lane and counts the rest', async (t) => {
  let now = 0;
  const tl = new Timeline(() => now);
  for (let i = 0; i < REQUESTS_PER_LANE + 5; i++) tl.record('request', request({ status: 200, servedBy: 'a' }), now++);
  tl.record('request', request({ status: 200, servedBy: 'b' }), now++);
  tl.record('request', request({ error: 'refused' }), now++);
  tl.finish();
  const rec = tl.toRecord();
  t.equal(rec.events.length, REQUESTS_PER_LANE + 2);
  t.same(rec.droppedRequests, { a: 5 });
  t.equal(rec.end, now);
});

t.test('the view: lanes, segments, marks, the hop, leases, the fault and the steps', async (t) => {
  const v = scenarioView(madeUpRun());
  t.same(v.lanes.map((l) => l.name), ['a', 'b', FRONT_DOOR_LANE], 'a lane per server in order, the front door last');
  const [a, b] = v.lanes;
  t.same(
    a!.segments.map((s) => [s.state, s.minor, s.from, s.to]),
    [['starting', '1.35', 0, 1000], ['ready', '1.35', 1000, 3000], ['stopping', '1.35', 3000, 3100], ['starting', '1.36', 3100, 3900], ['ready', '1.36', 3900, 5000]],
  );
  t.same(a!.marks, [{ at: 3100, label: 'upgraded 1.35 → 1.36' }], 'the upgrade is marked; the exit during its stop is not');
  t.same(b!.segments.map((s) => [s.state, s.from, s.to]), [['starting', 0, 1000], ['ready', 1000, 2000]]);
  t.same(b!.marks, [{ at: 2000, label: 'killed' }], 'the kill is marked once, not again as an exit');
  t.same(b!.identityLease.map((s) => [s.from, s.to, s.expired]), [[1000, 4000, false], [4000, 5000, true]], 'the identity lease, then expired');
  t.same(b!.endpointLease.map((s) => [s.from, s.to, s.detail]), [[1000, 4000, '127.0.0.1:1']]);
  t.equal(a!.droppedRequests, 7);
  t.same(v.requests.map((r) => [r.at, r.lane, r.status, r.hop]), [
    [1200, 'b', 200, { from: 'a', to: 'b' }],
    [1600, 'a', 404, undefined],
    [1700, FRONT_DOOR_LANE, undefined, undefined],
  ]);
  t.same(v.faults, [{ from: 1500, to: 2500, source: 'a', target: 'b', fault: 'partition' }]);
  t.same(v.steps.map((s) => [s.index, s.ok, s.from, s.to]), [[1, true, 1100, 1300], [2, false, 1400, 1800]]);
});

t.test('the page embeds the view as escaped JSON and draws nothing from markup in the data', async (t) => {
  const results = [madeUpRun()];
  const view = reportView(results, new Date(0));
  const page = renderHtml(view);
  const m = /<script type="application\/json" id="kube-skew-report">([\s\S]*?)<\/script>/.exec(page);
  t.ok(m, 'the data element is there');
  t.same(JSON.parse(m![1]!), view, 'JSON.parse of the element gives the view back unchanged');
  t.notOk(m![1]!.includes('<'), 'no < inside the data element');
  t.equal(page.split('</script>').length - 1, 2, 'exactly two script elements end: the data and the script');
  t.notOk(/<script[^>]*src=|<link|@import|url\(http/i.test(page), 'no external resource');
  t.ok(page.includes('<title>kube-skew scenario made-up</title>'));
  t.notOk(page.replace(m![0], '').includes('{{'), 'every placeholder is filled');
  t.ok(m![1]!.includes('{{data}}'), 'a placeholder inside the data stays text');
  t.equal(embedJson('a</script>\u2028&'), '"a\\u003c/script\\u003e\\u2028\\u0026"');
  t.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

t.test('--report html=FILE is accepted and written; the JSON report leaves the timeline out', async (t) => {
  t.equal(checkReportSpec('html=out.html'), undefined);
  t.equal(checkReportSpec('pdf=out.pdf'), '--report pdf=out.pdf: expected junit=FILE, json=FILE or html=FILE');
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-html-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeReports([`html=${join(dir, 'r.html')}`, `json=${join(dir, 'r.json')}`], [madeUpRun()]);
  const html = await readFile(join(dir, 'r.html'), 'utf8');
  t.match(html, /^<!DOCTYPE html>/);
  t.ok(html.includes('"name":"made-up"'));
  const json = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'));
  t.equal(json.results[0].name, 'made-up');
  t.notOk('timeline' in json.results[0], 'no timeline in the JSON report');
});
