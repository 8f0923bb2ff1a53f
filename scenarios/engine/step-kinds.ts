/**
 * The step kinds of a scenario, one entry each: the definition of its body in scenarios/schema.json,
 * the checks the schema cannot express, its title on progress lines and in reports, and how it
 * runs. An entry's key is the step's key in YAML. Adding a step kind is adding an entry here (its
 * runner in steps/ when it is more than a few lines) and its body's definition to
 * scenarios/schema.json; the loader builds the schema's `step` definition from this table
 * (test/scenarios/scenario-file.test.ts checks the published file agrees).
 */
import type { RunContext } from './context.js';
import type { ClockStep, FaultStep, KubectlStep, LoadStep, MetricsStep, RequestStep, Step, VersionChange, WaitStep } from './format.js';
import type { StepOutcome } from './steps/outcome.js';
import { runBackgroundLoadStep } from './steps/background-load.js';
import { runClock } from './steps/clock.js';
import { runFault } from './steps/fault.js';
import { runKubectl } from './steps/kubectl.js';
import { runMetrics } from './steps/metrics.js';
import { runRequest } from './steps/request.js';
import { runServerStep } from './steps/servers.js';
import { runWait } from './steps/wait.js';

/** A field path below a step's body (`['minor']`, `['start', 'via']`). */
export type FieldPath = Array<string | number>;

/** What a step kind's check sees of the scenario up to its step, and how it reports a problem. */
export interface StepChecker {
  /** Reports a problem at `path` below the step's body. */
  problem(path: FieldPath, message: string): void;
  /** Reports a name that is no server of the cluster (listing them; `front-door` too, when allowed). */
  serverRef(path: FieldPath, name: unknown, allowFrontDoor?: boolean): void;
  /** The servers and the minor each runs at this point of the scenario (upgrades change it). */
  minors: Map<string, string>;
  /** The background loads running at this point. */
  loads: Set<string>;
  /** The variables earlier steps capture; a step that captures adds to it. */
  captured: Set<string>;
}

/** One step kind. `B` is the type of its body (the value under its key). */
export interface StepKindSpec<B> {
  /** The name of its body's definition in scenarios/schema.json (`#/definitions/<schema>`). */
  schema: string;
  /** A step of this kind that cannot run ends the run: later steps would meet a cluster they do not expect. */
  endsRunOnError?: boolean;
  /** Whether its `server` may name the sample-apiserver. */
  sampleApiServer?: boolean;
  /** Its title on progress lines and in reports, when the step has no name. */
  title(body: B): string;
  /** The checks the schema cannot express (beyond the names in `server` and `via`, checked for every kind). */
  check?(body: B, c: StepChecker): void;
  /** Runs it. */
  run(ctx: RunContext, body: B): Promise<StepOutcome>;
}

/** An entry of the table, typed by its body. */
function kind<B>(spec: StepKindSpec<B>): StepKindSpec<B> {
  return spec;
}

/** The title of a step that addresses a server: `upgrade b to 1.37`. */
function serverTitle(name: string): (body: { server: string; minor?: string }) => string {
  return (body) => `${name} ${body.server}${body.minor ? ` to ${body.minor}` : ''}`;
}

/** A step on one server's process (start, stop, kill, pause, resume); the sample-apiserver too. */
function lifeStep<K extends 'start' | 'stop' | 'kill' | 'pause' | 'resume'>(name: K): StepKindSpec<{ server: string }> {
  return kind<{ server: string }>({
    schema: 'serverRef',
    endsRunOnError: true,
    sampleApiServer: true,
    title: serverTitle(name),
    run: (ctx, body) => runServerStep(ctx, { [name]: body }),
  });
}

/** A step that starts a server again, at another minor or with other flags; `direction` says which way the minor must go. */
function changeStep<K extends 'restart' | 'upgrade' | 'downgrade'>(name: K, schema: string, direction?: 'newer' | 'older'): StepKindSpec<K extends 'restart' ? VersionChange : VersionChange & { minor: string }> {
  return kind<VersionChange & { minor: string }>({
    schema,
    endsRunOnError: true,
    title: serverTitle(name),
    check(body, c) {
      const current = c.minors.get(body.server);
      if (!current || !body.minor) return;
      const from = Number(current.split('.')[1]);
      const to = Number(body.minor.split('.')[1]);
      if (direction === 'newer' && to <= from) c.problem(['minor'], `an upgrade goes to a newer minor: ${body.server} runs ${current} at this point`);
      if (direction === 'older' && to >= from) c.problem(['minor'], `a downgrade goes to an older minor: ${body.server} runs ${current} at this point`);
      c.minors.set(body.server, body.minor);
    },
    run: (ctx, body) => runServerStep(ctx, { [name]: body }),
  }) as StepKindSpec<K extends 'restart' ? VersionChange : VersionChange & { minor: string }>;
}

/** Every step kind, in the order the schema lists them. */
export const STEPS = {
  start: lifeStep('start'),
  stop: lifeStep('stop'),
  kill: lifeStep('kill'),
  pause: lifeStep('pause'),
  resume: lifeStep('resume'),
  restart: changeStep('restart', 'restart'),
  upgrade: changeStep('upgrade', 'versionChange', 'newer'),
  downgrade: changeStep('downgrade', 'versionChange', 'older'),
  request: kind<RequestStep>({
    schema: 'request',
    title: (body) => `${body.method ?? 'GET'} ${body.path}${body.via ? ` via ${body.via}` : ''}`,
    check(body, c) {
      for (const name of Object.keys(body.capture ?? {})) c.captured.add(name);
      const servedBy = body.expect?.servedBy;
      if (servedBy !== undefined && !c.minors.has(servedBy)) c.problem(['expect', 'servedBy'], `no server named "${servedBy}"`);
    },
    run: runRequest,
  }),
  kubectl: kind<KubectlStep>({
    schema: 'kubectl',
    title: (body) => `kubectl ${body.args.join(' ')}`,
    run: runKubectl,
  }),
  load: kind<LoadStep>({
    schema: 'load',
    title: () => 'load',
    check(body, c) {
      if (body.start) {
        const via = body.start.via;
        if (via !== undefined && via !== 'front-door' && !c.minors.has(via)) c.problem(['start', 'via'], `no server named "${via}"`);
        if (c.loads.has(body.start.name)) c.problem(['start', 'name'], `load "${body.start.name}" is already running`);
        c.loads.add(body.start.name);
      }
      if (body.stop) {
        if (!c.loads.has(body.stop.name)) c.problem(['stop', 'name'], `no running load named "${body.stop.name}"`);
        c.loads.delete(body.stop.name);
      }
    },
    run: runBackgroundLoadStep,
  }),
  wait: kind<WaitStep>({
    schema: 'wait',
    title: () => 'wait',
    check(body, c) {
      for (const name of Object.keys(body.request?.capture ?? {})) c.captured.add(name);
      for (const f of ['ready', 'leaseGone', 'endpointGone'] as const) c.serverRef([f], body[f]);
      if (body.request?.via) c.serverRef(['via'], body.request.via, true);
    },
    run: runWait,
  }),
  fault: kind<FaultStep>({
    schema: 'fault',
    title: () => 'fault',
    check(body, c) {
      for (const [name, link] of Object.entries(body)) {
        const l = link as { from?: string; to?: string };
        for (const side of ['from', 'to'] as const) {
          if (l[side] !== undefined && !c.minors.has(l[side]!)) c.problem([name, side], `no server named "${l[side]}"`);
        }
      }
    },
    run: runFault,
  }),
  clock: kind<ClockStep>({
    schema: 'clock',
    title: (body) => `clock${body.scale !== undefined ? ` ×${body.scale}` : ''}${body.advance ? ` +${body.advance}` : ''}`,
    run: runClock,
  }),
  metrics: kind<MetricsStep>({
    schema: 'metrics',
    title: serverTitle('metrics'),
    run: runMetrics,
  }),
};

/** The body type of each step kind. */
export type StepBodies = { [K in keyof typeof STEPS]: (typeof STEPS)[K] extends StepKindSpec<infer B> ? B : never };

/** The step kinds, in the table's order. */
export const STEP_KINDS = Object.keys(STEPS) as Array<keyof typeof STEPS>;

/** The kinds whose `server` may name the sample-apiserver. */
export const SAMPLE_APISERVER_STEPS = STEP_KINDS.filter((k) => (STEPS[k] as StepKindSpec<unknown>).sampleApiServer === true);

/** The kind of a step (the key of its one action); throws for a step without one. */
export function stepKind(step: Step): keyof typeof STEPS {
  const kind = STEP_KINDS.find((k) => step[k] !== undefined);
  if (!kind) throw new Error('step without an action');
  return kind;
}

/** The entry of a step's kind and its body. */
function entryOf(step: Step): { spec: StepKindSpec<unknown>; body: unknown } {
  const k = stepKind(step);
  return { spec: STEPS[k] as StepKindSpec<unknown>, body: step[k] };
}

/** A short title of a step for progress lines: its name, or its kind's title. */
export function stepTitle(step: Step): string {
  if (step.name) return step.name;
  const { spec, body } = entryOf(step);
  return spec.title(body);
}

/** Runs a step by its kind's entry. */
export function runStepKind(ctx: RunContext, step: Step): Promise<StepOutcome> {
  const { spec, body } = entryOf(step);
  return spec.run(ctx, body);
}

/** Whether a step that cannot run ends the run. */
export function endsRunOnError(step: Step): boolean {
  return entryOf(step).spec.endsRunOnError === true;
}

/** The schema's `step` definition: a name and exactly one of the kinds, each body by its definition. */
export function stepSchema(): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    properties: { name: { type: 'string' }, ...Object.fromEntries(STEP_KINDS.map((k) => [k, { $ref: `#/definitions/${STEPS[k].schema}` }])) },
    oneOf: STEP_KINDS.map((k) => ({ required: [k] })),
  };
}
