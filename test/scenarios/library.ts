/**
 * Shared by the scenario library tests: run a library scenario (as it is, or with the proxy broken
 * on purpose) and explain a failure. The library is split over several test files so that each
 * stays within tap's per-file timeout and they can run in parallel.
 */
import type { Test } from 'tap';
import { libraryFiles } from '../../scenarios/engine/library.js';
import { readScenarioFile } from '../../scenarios/engine/scenario-file.js';
import { runScenario, type ScenarioResult } from '../../scenarios/engine/runner.js';
import { formatStep } from '../../scenarios/engine/report.js';
import type { Scenario } from '../../scenarios/engine/format.js';
import { testStore } from '../fixtures/store.js';

/** How long one library test file may take on a loaded 2-core machine. */
export const LIBRARY_TIMEOUT_MS = 900_000;

/** The scenarios each library test file runs; together they must cover the whole library. */
export const LIBRARY_GROUPS: Record<string, string[]> = {
  upgrades: ['rolling-upgrade-mvp', 'rolling-upgrade-1.36-1.37', 'rolling-upgrade-no-mvp', 'flowcontrol-v1beta3-removal', 'no-mvp-before-1.28', 'mixed-generation-1.32-1.33', 'storage-versions-1.33-peer'],
  failures: ['peer-crash', 'peer-crash-clock', 'peer-crash-no-retry', 'graceful-shutdown', 'peer-aggregated-discovery', 'peer-partition', 'no-peer-ca-file'],
  controllers: ['namespace-deletion-mvp', 'namespace-deletion-no-mvp', 'gc-false-404-mvp', 'gc-false-404-no-mvp'],
  extensions: ['crd-during-upgrade', 'aggregated-api-down', 'apiservice-onstart-deleted', 'crd-mvp-1.32', 'crd-mvp-1.34', 'crd-mvp-1.35', 'crd-mvp-1.36'],
};

/** A failing run's report lines. */
export function explain(result: ScenarioResult): string {
  return [result.error ?? '', ...result.steps.filter((s) => !s.ok).map(formatStep)].filter(Boolean).join('\n');
}

/**
 * A library scenario by its metadata.name, on the test run's store ({@link testStore}: with
 * `KUBE_SKEW_TEST_STORE=etcd` its cluster gets `store: etcd` unless the scenario names a store).
 */
export function byName(name: string): { scenario: Scenario; file: string } {
  const file = libraryFiles().find((f) => readScenarioFile(f).metadata.name === name);
  if (!file) throw new Error(`no library scenario ${name}`);
  const scenario = readScenarioFile(file);
  if (testStore() === 'etcd' && scenario.spec.cluster.store === undefined) scenario.spec.cluster.store = 'etcd';
  return { scenario, file };
}

/** Run each named library scenario and assert it passes and ran every step. */
export async function runGroup(t: Test, names: string[]): Promise<void> {
  for (const name of names) {
    const { scenario, file } = byName(name);
    const result = await runScenario(scenario, file, { seed: 1 });
    t.ok(result.ok, `${name} passes`, { diagnostic: !result.ok, details: explain(result) });
    t.equal(result.steps.length, scenario.spec.steps.length, `${name} ran every step`);
  }
}

/** Run a library scenario with a broken proxy and return the titles of the steps that failed. */
export async function broken(name: string, mutate: { env?: NodeJS.ProcessEnv; scenario?: (s: Scenario) => Scenario }): Promise<{ result: ScenarioResult; failed: string[] }> {
  const { scenario, file } = byName(name);
  const run = (): Promise<ScenarioResult> =>
    runScenario(mutate.scenario ? mutate.scenario(structuredClone(scenario)) : scenario, file, {
      seed: 1,
      ...(mutate.env ? { env: { ...process.env, ...mutate.env } } : {}),
    });
  let result = await run();
  // A cluster that could not start (a loaded CI machine) says nothing about the proxy: try once more.
  if (result.error?.startsWith('the cluster did not start')) result = await run();
  const failed = result.steps.filter((s) => !s.ok).map((s) => s.title);
  if (result.error) failed.push(`(run error: ${result.error})`);
  return { result, failed };
}

/** The scenario with the proxy switched off cluster-wide. */
export function mvpOff(s: Scenario): Scenario {
  return { ...s, spec: { ...s.spec, cluster: { ...s.spec.cluster, mvp: false } } };
}
