/**
 * The scenario library runs green, and its expectations are strict: with the proxy broken on
 * purpose (off, the KEP's header name instead of the shipped one, a retry on another peer) the
 * scenarios that cover that behaviour fail, at the step that checks it.
 */
import t from 'tap';
import { libraryFiles } from '../../scenarios/engine/command.js';
import { loadScenario } from '../../scenarios/engine/loader.js';
import { runScenario, type ScenarioResult } from '../../scenarios/engine/runner.js';
import { formatStep } from '../../scenarios/engine/report.js';
import type { Scenario } from '../../scenarios/engine/format.js';

function explain(result: ScenarioResult): string {
  return [result.error ?? '', ...result.steps.filter((s) => !s.ok).map(formatStep)].filter(Boolean).join('\n');
}

function byName(name: string): { scenario: Scenario; file: string } {
  const file = libraryFiles().find((f) => loadScenario(f).metadata.name === name);
  if (!file) throw new Error(`no library scenario ${name}`);
  return { scenario: loadScenario(file), file };
}

t.test('every library scenario passes', async (t) => {
  const files = libraryFiles();
  t.ok(files.length >= 9, `the library has at least 9 scenarios (${files.length})`);
  for (const file of files) {
    const scenario = loadScenario(file);
    const result = await runScenario(scenario, file, { seed: 1 });
    t.ok(result.ok, `${scenario.metadata.name} passes`, { diagnostic: !result.ok, details: explain(result) });
    t.equal(result.steps.length, scenario.spec.steps.length, `${scenario.metadata.name} ran every step`);
  }
});

/** Run a library scenario with a broken proxy and return the titles of the steps that failed. */
async function broken(name: string, mutate: { env?: NodeJS.ProcessEnv; scenario?: (s: Scenario) => Scenario }): Promise<{ result: ScenarioResult; failed: string[] }> {
  const { scenario, file } = byName(name);
  const result = await runScenario(mutate.scenario ? mutate.scenario(structuredClone(scenario)) : scenario, file, {
    seed: 1,
    ...(mutate.env ? { env: { ...process.env, ...mutate.env } } : {}),
  });
  return { result, failed: result.steps.filter((s) => !s.ok).map((s) => s.title) };
}

t.test('with the proxy off the rolling upgrade fails on false 404s', async (t) => {
  const { result, failed } = await broken('rolling-upgrade-mvp', { scenario: (s) => ({ ...s, spec: { ...s.spec, cluster: { ...s.spec.cluster, mvp: false } } }) });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('b (1.35) proxies the 1.36-only API to a'), `the proxied request fails (${failed.join(', ')})`);
  t.ok(failed.includes('no false 404 and no lost write'), 'the load counts false 404s');
});

t.test('a proxy that never forwards fails the same way', async (t) => {
  const { result, failed } = await broken('rolling-upgrade-mvp', { env: { KUBE_SKEW_PROXY_MUTATION: 'no-proxy' } });
  t.notOk(result.ok);
  t.ok(failed.includes('no false 404 and no lost write'), `false 404s are caught (${failed.join(', ')})`);
});

t.test("a proxy that marks requests with the KEP's header name instead of x-kubernetes-peer-proxied fails", async (t) => {
  const { result, failed } = await broken('peer-crash-no-retry', { env: { KUBE_SKEW_PROXY_MUTATION: 'wrong-header' } });
  t.notOk(result.ok);
  t.ok(failed.includes('a proxies to a 1.36 peer'), `the destination did not see the request as proxied (${failed.join(', ')})`);
});

t.test('a proxy that retries another peer fails the no-retry scenario', async (t) => {
  const { result, failed } = await broken('peer-crash-no-retry', { env: { KUBE_SKEW_PROXY_MUTATION: 'retry-other-peer' } });
  t.notOk(result.ok);
  t.ok(failed.includes('some 503s from the dead peer, the rest from the live one, never a retry'), `the missing 503s are caught (${failed.join(', ')})`);
});

t.test('the StorageVersion scenario fails without the proxy', async (t) => {
  const { result, failed } = await broken('flowcontrol-v1beta3-removal', { env: { KUBE_SKEW_PROXY_MUTATION: 'no-proxy' } });
  t.notOk(result.ok);
  t.ok(failed.includes('the 1.32 server proxies v1beta3 to the 1.31 server by StorageVersion'), failed.join(', '));
});

t.test('with the proxy off, namespace deletion leaves content behind and never waits', async (t) => {
  const { result, failed } = await broken('namespace-deletion-mvp', { scenario: (s) => ({ ...s, spec: { ...s.spec, cluster: { ...s.spec.cluster, mvp: false } } }) });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('nothing is left behind in storage'), `the LeaseCandidate survives the namespace (${failed.join(', ')})`);
  t.ok(failed.includes('a namespace of the same name starts empty'), 'and reappears in a new namespace of the same name');
  t.ok(failed.includes("with b down the proxy answers 503, and the namespace stays Terminating with upstream's content failure"), 'without a 503 the namespace is not held');
});

t.test('a proxy that never forwards: the namespace controller takes the false 404 for an empty collection', async (t) => {
  const { result, failed } = await broken('namespace-deletion-mvp', { env: { KUBE_SKEW_PROXY_MUTATION: 'no-proxy' } });
  t.notOk(result.ok);
  t.notOk(failed.includes("a's discovery lists b's leasecandidates (peer-aggregated /apis)"), 'discovery still lists the type, so the deleter asks for it');
  t.ok(failed.includes('nothing is left behind in storage'), `the 404 made it finalize with content left (${failed.join(', ')})`);
  t.ok(failed.includes('and its content is gone'), 'the held namespace was removed with its content left too');
});

t.test('with the proxy off, the garbage collector deletes the dependent of a live owner', async (t) => {
  const { result, failed } = await broken('gc-false-404-mvp', { scenario: (s) => ({ ...s, spec: { ...s.spec, cluster: { ...s.spec.cluster, mvp: false } } }) });
  t.notOk(result.ok, 'the scenario fails');
  t.ok(failed.includes('the dependent of the live owner stays'), `the dependent is collected (${failed.join(', ')})`);
  t.notOk(failed.includes('the owner exists'), 'while its owner exists');
});

t.test('a proxy that never forwards: the garbage collector trusts the false 404', async (t) => {
  const { result, failed } = await broken('gc-false-404-mvp', { env: { KUBE_SKEW_PROXY_MUTATION: 'no-proxy' } });
  t.notOk(result.ok);
  t.ok(failed.includes('the dependent of the live owner stays'), `the dependent is collected (${failed.join(', ')})`);
});
