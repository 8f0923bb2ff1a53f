/**
 * The scenario runner: starts the scenario's cluster in a fresh data directory, plays its steps in
 * order (each timed and checked), and tears everything down. A failing expectation fails its step
 * and the run goes on, so one report shows every difference; a step that cannot run at all (a
 * server that does not start) ends the run. The run's timeline (servers, steps, requests, faults,
 * leases) comes back with the result, for the HTML report.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../server/cluster/cluster.js';
import { parseLbPolicy } from '../../server/cluster/front-door.js';
import { seededRandom } from '../../server/random.js';
import type { Scenario, StepKind } from './format.js';
import { endsRunOnError, runStepKind, stepKind, stepTitle } from './step-kinds.js';
import type { RunContext } from './context.js';
import type { Observed, StepOutcome } from './steps/outcome.js';
import { substitute } from './vars.js';
import { Timeline, type TimelineRecord } from './timeline.js';
import { LeaseSampler } from './lease-snapshot.js';

/** The result of one step. */
export interface StepResult {
  index: number;
  title: string;
  kind: StepKind;
  ok: boolean;
  ms: number;
  failures: string[];
  observed?: Observed;
  note?: string;
}

/** The result of one scenario. */
export interface ScenarioResult {
  name: string;
  file: string;
  description?: string;
  ok: boolean;
  ms: number;
  seed: number;
  steps: StepResult[];
  /** Set when the run could not start or had to stop early. */
  error?: string;
  /** What happened when, for the HTML report (left out of the JSON report). */
  timeline?: TimelineRecord;
}

/** Options of a run. */
export interface RunOptions {
  /** Seed of every random choice (peer choice, front door, load); default 1. */
  seed?: number;
  /** Keep the data directory (kubeconfig, store, logs) for inspection. */
  keep?: boolean;
  /** Called as the run progresses. */
  onStep?: (result: StepResult) => void;
  onStart?: (scenario: Scenario, file: string) => void;
  /** The environment of the server processes (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Where server logs go (default: dropped). */
  onServerLog?: (server: string, line: string) => void;
  /** The servers' log level (default error); their logs are in the run's data directory, `logs/<server>.log`. */
  logLevel?: string;
  /** Called with the run's data directory once it is made. */
  onDataDir?: (dir: string) => void;
}

/** Run one scenario. */
export async function runScenario(scenario: Scenario, file: string, opts: RunOptions = {}): Promise<ScenarioResult> {
  const seed = opts.seed ?? 1;
  const started = Date.now();
  const result: ScenarioResult = { name: scenario.metadata.name, file, ok: false, ms: 0, seed, steps: [] };
  if (scenario.metadata.description) result.description = scenario.metadata.description;
  opts.onStart?.(scenario, file);
  const spec = scenario.spec.cluster;
  const dataDir = await mkdtemp(join(tmpdir(), `kube-skew-scenario-${scenario.metadata.name}-`));
  opts.onDataDir?.(dataDir);
  let cluster: Cluster | undefined;
  let ctx: RunContext | undefined;
  let sampler: LeaseSampler | undefined;
  const timeline = new Timeline();
  for (const s of spec.servers) if (s.start !== false) timeline.record('server', { server: s.name, state: 'starting', minor: s.minor });
  try {
    cluster = await Cluster.start({
      dataDir,
      servers: spec.servers.map((s) => ({
        name: s.name,
        minor: s.minor,
        ...(s.featureGates ? { featureGates: s.featureGates } : {}),
        ...(s.runtimeConfig ? { runtimeConfig: s.runtimeConfig } : {}),
        ...(s.args ? { args: s.args } : {}),
        deferred: s.start === false,
      })),
      mvp: spec.mvp ?? true,
      peerCaFile: spec.peerCaFile ?? true,
      lbPolicy: parseLbPolicy(spec.lbPolicy ?? 'round-robin'),
      ...(spec.featureGates ? { featureGates: spec.featureGates } : {}),
      ...(spec.runtimeConfig ? { runtimeConfig: spec.runtimeConfig } : {}),
      ...(spec.args ? { args: spec.args } : {}),
      ...(spec.timeScale ? { timeScale: spec.timeScale } : {}),
      ...(spec.sampleApiServer ? { sampleApiServer: true } : {}),
      ...(spec.store === 'etcd' ? { store: 'etcd' as const } : {}),
      seed,
      logLevel: opts.logLevel ?? 'error',
      ...(opts.onServerLog ? { onServerLog: opts.onServerLog } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
    const clock = cluster.clock;
    ctx = {
      cluster,
      store: cluster.openStore(() => clock.now().getTime()),
      random: seededRandom(seed),
      paused: new Set(),
      readySince: new Map([...cluster.servers.keys()].map((n) => [n, Date.now()])),
      backgroundLoads: new Map(),
      vars: new Map(),
      timeline,
    };
    for (const [name, proc] of cluster.servers) {
      timeline.record('server', { server: name, state: 'ready', minor: cluster.specs.get(name)!.minor, pid: proc.pid });
      timeline.watchExit(name, proc);
    }
    sampler = new LeaseSampler(ctx, timeline);
    await sampler.sample();
    sampler.start();
    for (const [index, step] of scenario.spec.steps.entries()) {
      const t0 = Date.now();
      timeline.step = index + 1;
      timeline.record('step', { index: index + 1, phase: 'start' }, t0);
      let out: StepOutcome;
      let fatal = false;
      try {
        out = await runStepKind(ctx, substitute(step, ctx.vars));
      } catch (err) {
        out = { ok: false, failures: [`the step could not run: ${(err as Error).message.split('\n')[0]}`] };
        fatal = endsRunOnError(step);
      }
      timeline.record('step', { index: index + 1, phase: 'end' });
      await sampler.sample();
      const stepResult: StepResult = { index: index + 1, title: stepTitle(step), kind: stepKind(step), ok: out.ok, ms: Date.now() - t0, failures: out.failures };
      if (out.observed) stepResult.observed = out.observed;
      if (out.note) stepResult.note = out.note;
      result.steps.push(stepResult);
      opts.onStep?.(stepResult);
      if (fatal) {
        result.error = `stopped after step ${index + 1}: ${out.failures[0]}`;
        break;
      }
    }
  } catch (err) {
    result.error = `the cluster did not start: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    if (ctx) for (const load of ctx.backgroundLoads.values()) await load.stop().catch(() => undefined);
    await sampler?.stop();
    timeline.finish();
    await cluster?.stop().catch(() => undefined);
    await ctx?.store.close().catch(() => undefined);
    if (!opts.keep) await rm(dataDir, { recursive: true, force: true });
  }
  result.ms = Date.now() - started;
  result.timeline = timeline.toRecord();
  result.ok = result.error === undefined && result.steps.length === scenario.spec.steps.length && result.steps.every((s) => s.ok);
  return result;
}
