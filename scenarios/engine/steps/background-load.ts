/** The `load` step: start a named background load, or stop it and check the share of each outcome. */
import type { CountExpect, LoadStep } from '../format.js';
import type { RunContext } from '../context.js';
import { BackgroundLoad, type BackgroundLoadStats } from '../background-load.js';
import { outcome, passed, type StepOutcome } from './outcome.js';

function bounds(what: string, value: number, e: CountExpect | undefined): string[] {
  if (!e) return [];
  const out: string[] = [];
  if (e.max !== undefined && value > e.max) out.push(`${what} is ${value}, expected at most ${e.max}`);
  if (e.min !== undefined && value < e.min) out.push(`${what} is ${value}, expected at least ${e.min}`);
  return out;
}

/** A one-line summary of a load's figures. */
export function summarize(stats: BackgroundLoadStats): string {
  const statuses = Object.entries(stats.byStatus)
    .sort()
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
  return `${stats.requests} requests (${statuses}); false 404s ${stats.falseNotFound}; writes ${stats.acknowledgedWrites}, lost ${stats.lostWrites}`;
}

/** Runs a `load` step: starts the named background load, or stops it and checks its figures. */
export async function runBackgroundLoadStep(ctx: RunContext, step: LoadStep): Promise<StepOutcome & { stats?: BackgroundLoadStats }> {
  if (step.start) {
    const load = new BackgroundLoad(ctx, step.start);
    ctx.backgroundLoads.set(step.start.name, load);
    await load.start();
    return passed(`${step.start.rate}/s on ${step.start.resources.join(', ')}`);
  }
  const stop = step.stop!;
  const load = ctx.backgroundLoads.get(stop.name);
  if (!load) return outcome([`no running load named ${stop.name}`]);
  ctx.backgroundLoads.delete(stop.name);
  const stats = await load.stop();
  const e = stop.expect ?? {};
  const failures = [
    ...bounds('false 404s', stats.falseNotFound, e.falseNotFound),
    ...bounds('lost writes', stats.lostWrites, e.lostWrites),
    ...bounds('requests', stats.requests, e.requests),
  ];
  for (const [status, share] of Object.entries(e.status ?? {})) {
    const got = stats.requests === 0 ? 0 : (stats.byStatus[status] ?? 0) / stats.requests;
    if (share.max !== undefined && got > share.max) failures.push(`share of ${status} is ${got.toFixed(3)}, expected at most ${share.max}`);
    if (share.min !== undefined && got < share.min) failures.push(`share of ${status} is ${got.toFixed(3)}, expected at least ${share.min}`);
  }
  if (failures.length > 0) failures.push(...stats.examples.map((x) => `e.g. ${x}`));
  return { ...outcome(failures, undefined, summarize(stats)), stats };
}
