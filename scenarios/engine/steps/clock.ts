/** The clock step: speed the cluster's time up or down, or move it forward, for every server at once. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CLOCK_FILE_POLL_MS } from '../../../server/clock-file.js';
import type { ClockStep } from '../format.js';
import { parseDuration } from '../format.js';
import type { RunContext } from '../context.js';
import { passed, type StepOutcome } from './outcome.js';

/** Servers poll the clock file; give a busy one several polls to see the change. */
const SETTLE_MS = CLOCK_FILE_POLL_MS * 6;

/** Run a clock step. */
export async function runClock(ctx: RunContext, step: ClockStep): Promise<StepOutcome> {
  const anchor = ctx.cluster.setClock({
    ...(step.scale !== undefined ? { scale: step.scale } : {}),
    ...(step.advance ? { advanceMs: parseDuration(step.advance) } : {}),
  });
  ctx.timeline?.record('clock', { scale: anchor.scale, time: anchor.time, ...(step.advance ? { advanceMs: parseDuration(step.advance) } : {}) });
  await sleep(SETTLE_MS);
  return passed(`cluster time ${new Date(anchor.time).toISOString()}, running ${anchor.scale}× the wall`);
}
