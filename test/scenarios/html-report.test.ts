/**
 * The HTML report of a real run, opened in a real browser: headless Debian chromium driven by
 * playwright-core. The run has a 1.35 server `a` and a 1.36 server `b` with the proxy on: `a` proxies
 * a 1.36-only API to `b`, a load and single requests go through the front door, a ConfigMap carries
 * `</script>` in its data, the hop from `a` to `b` is slowed for a while, one expectation fails on purpose, and `b` is
 * killed under the load. The page must show both lanes with
 * their minors and the kill, one mark per recorded request, a hop from `a` to `b`, the failed step's
 * marker, and a tooltip with the served-by and received-by of a hovered mark; no markup from the run
 * may become an element. A screenshot goes to a temporary directory (and to
 * $KUBE_SKEW_REPORT_SCREENSHOT when set, which is how docs/scenario-report.png is made). Skipped with
 * a message where /usr/bin/chromium is missing (`.ci/run` installs it where apt-get is available).
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../../scenarios/engine/scenario-file.js';
import { runScenario } from '../../scenarios/engine/runner.js';
import { writeReports } from '../../scenarios/engine/report.js';
import { explain } from './library.js';

const CHROMIUM = '/usr/bin/chromium';
const MAP_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies';
const INJECTED = '</script><b id="injected">not markup</b><script>document.body.dataset.injected = "yes"</script>';

const SCENARIO = `apiVersion: kube-skew.dev/v1alpha1
kind: Scenario
metadata:
  name: report-demo
  description: A 1.35 server proxies a 1.36-only API to its 1.36 peer until the peer is killed.
spec:
  cluster:
    servers:
      - {name: a, minor: "1.35"}
      - {name: b, minor: "1.36"}
  steps:
    - name: a proxies the 1.36-only API to b
      wait:
        request:
          via: a
          path: ${MAP_PATH}
          expect: {status: 200, servedBy: b}
        timeout: 60s
    - load: {start: {name: traffic, rate: 10, writeShare: 0, resources: [${MAP_PATH}]}}
    - fault: {latency: {from: a, to: b, delay: 200ms}}
    - name: a ConfigMap whose data looks like markup
      request:
        method: POST
        path: /api/v1/namespaces/default/configmaps
        body: {metadata: {name: markup}, data: {html: ${JSON.stringify(INJECTED)}}}
        expect: {status: 201}
    - request: {path: ${MAP_PATH}, expect: {status: 200, servedBy: b}}
    - request: {path: ${MAP_PATH}, expect: {status: 200, servedBy: b}}
    - fault: {heal: {from: a, to: b}}
    - name: fails on purpose
      request: {via: b, path: /api/v1/namespaces/default, expect: {status: 418}}
    - kill: {server: b}
    - name: the dead peer gives a 503
      request: {via: a, path: ${MAP_PATH}, expect: {status: 503}}
    - wait: {duration: 2s}
    - load: {stop: {name: traffic}}
`;

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium); the HTML report is not checked in a browser`;

t.test('the HTML report of a real run in headless Chromium', { skip }, async (t) => {
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-html-report-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const scenario = parseScenario(SCENARIO, 'report-demo.yaml');
  const result = await runScenario(scenario, 'report-demo.yaml', { seed: 1 });
  t.notOk(result.error, 'the run went to its end');
  t.same(result.steps.filter((s) => !s.ok).map((s) => s.title), ['fails on purpose'], `only the step meant to fail fails\n${explain(result)}`);
  const recorded = (result.timeline?.events ?? []).filter((e) => e.kind === 'request');
  const hops = recorded.filter((e) => e.kind === 'request' && e.data.receivedBy === 'a' && e.data.servedBy === 'b');
  t.ok(hops.length >= 2, `requests a received and b answered are on the timeline (${hops.length})`);
  const file = join(dir, 'report.html');
  await writeReports([`html=${file}`], [result]);

  const browser = await chromium.launch({ executablePath: CHROMIUM });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  t.same(errors, [], 'the page script ran without errors');
  t.same(requests.filter((u) => !u.startsWith('file://')), [], 'the page loads nothing from the network');

  const lanes = await page.locator('g.lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-lane')));
  t.same(lanes.slice(0, 2), ['a', 'b'], 'a lane per server, in order');
  t.same(lanes.slice(2), recorded.some((e) => e.kind === 'request' && e.data.servedBy === undefined) ? ['front-door'] : [], 'and the front door\'s last, only for answers no server named');
  t.equal(await page.locator('g.lane[data-lane="a"] rect.seg.ready[data-minor="1.35"]').count(), 1, 'a is ready at 1.35');
  t.equal(await page.locator('g.lane[data-lane="b"] rect.seg.ready[data-minor="1.36"]').count(), 1, 'b is ready at 1.36');
  t.equal(await page.locator('g.lane[data-lane="b"] .lane-mark.killed').textContent(), 'killed', 'b is marked killed');
  t.ok((await page.locator('g.lane[data-lane="b"] rect.lease.identity').count()) >= 1, "b's identity lease is drawn");
  t.ok((await page.locator('g.lane[data-lane="b"] rect.lease.endpoint').count()) >= 1, "b's endpoint lease is drawn");

  t.equal(await page.locator('svg.timeline circle.req').count(), recorded.length, 'one mark per recorded request');
  t.ok((await page.locator('svg.timeline circle.req.s2xx[data-lane="b"]').count()) >= 3, 'the 200s b served are green marks on its lane');
  const afterKill = recorded.findIndex((e) => e.kind === 'request' && e.data.origin === 'step 10');
  const last = page.locator(`svg.timeline circle.req[data-i="${afterKill}"]`);
  t.same([await last.getAttribute('data-lane'), await last.getAttribute('data-status')], ['a', '503'], "a's 503 after the kill is on a's lane");
  t.ok((await page.locator('svg.timeline path.hop[data-from="a"][data-to="b"]').count()) >= 2, 'hops from a to b are drawn');
  t.match(await page.locator('svg.timeline .fault').textContent(), /latency 200 ms → b/, "the fault is drawn on a's lane");

  const failed = page.locator('.step-marker.fail');
  t.equal(await failed.count(), 1, 'one failed step marker');
  t.equal(await failed.getAttribute('data-step'), '8');
  t.match(await failed.textContent(), /8FAIL/);
  t.match(await page.locator('table.steps tr.fail').textContent(), /fails on purpose.*status is 200, expected 418/);
  t.equal(await page.locator('.step-marker.ok').count(), 11);

  const proxied = page.locator('svg.timeline circle.req.s2xx[data-lane="b"]').first();
  await proxied.hover();
  const tip = page.locator('#tip');
  await tip.waitFor({ state: 'visible' });
  const tipText = (await tip.textContent()) ?? '';
  t.match(tipText, /GET \/apis\/admissionregistration\.k8s\.io\/v1\/mutatingadmissionpolicies → 200/, 'the tooltip names the request and its status');
  t.match(tipText, /served byb/);
  t.match(tipText, /received bya/);
  t.match(tipText, /x-kube-skew-served-by: b/, 'and shows the response headers');

  t.equal(await page.locator('#injected').count(), 0, 'markup from a body is never an element');
  t.equal(await page.locator('body[data-injected]').count(), 0, 'and script from a body never runs');
  const post = recorded.findIndex((e) => e.kind === 'request' && e.data.method === 'POST' && e.data.path.endsWith('/configmaps'));
  await page.locator(`svg.timeline circle.req[data-i="${post}"]`).hover();
  t.match(await tip.textContent(), /request body\{"metadata":\{"name":"markup"\},"data":\{"html":"<\/script><b id=\\"injected\\">not markup<\/b>/, 'a body with markup shows as text in the tooltip');

  await page.mouse.move(0, 0);
  const shot = join(dir, 'report.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.ok((await stat(shot)).size > 10_000, 'a screenshot was saved');
  const keep = process.env.KUBE_SKEW_REPORT_SCREENSHOT;
  if (keep) await copyFile(shot, keep);
});
