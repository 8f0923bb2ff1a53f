/** The fault step: partition, refuse or slow down the peer hop from one server to another, or heal it (recorded on the run's timeline). */
import { faultKey, type Fault } from '../../../server/peers/faults.js';
import type { FaultStep } from '../format.js';
import { parseDuration } from '../format.js';
import type { RunContext } from '../context.js';
import { outcome, passed, type StepOutcome } from './outcome.js';

/** Fault records outlive any scenario. */
const FAULT_TTL_SECONDS = 365 * 24 * 3600;

/** Run a fault step. */
export async function runFault(ctx: RunContext, step: FaultStep): Promise<StepOutcome> {
  const link = step.partition ?? step.refuse ?? step.latency ?? step.heal;
  if (!link) throw new Error('not a fault step');
  const from = ctx.cluster.servers.get(link.from)?.info?.id;
  const to = ctx.cluster.servers.get(link.to)?.info?.port;
  if (!from || to === undefined) return outcome([`both ${link.from} and ${link.to} must have started before a fault between them`]);
  const key = faultKey(from, `127.0.0.1:${to}`);
  if (step.heal) {
    await ctx.store.deleteTtl(key);
    ctx.timeline?.record('fault', { from: link.from, to: link.to, fault: 'heal' });
    return passed(`${link.from} → ${link.to} healed`);
  }
  const fault: Fault = step.partition ? { kind: 'partition' } : step.refuse ? { kind: 'refuse' } : { kind: 'latency', delayMs: parseDuration(step.latency!.delay) };
  await ctx.store.setTtl(key, fault as unknown as Record<string, unknown>, FAULT_TTL_SECONDS);
  ctx.timeline?.record('fault', { from: link.from, to: link.to, fault: fault.kind, ...(fault.kind === 'latency' ? { delayMs: fault.delayMs } : {}) });
  return passed(`${link.from} → ${link.to}: ${fault.kind}`);
}
