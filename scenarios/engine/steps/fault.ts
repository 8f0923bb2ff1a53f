/** The fault step: partition, refuse or slow down the peer hop from one server to another, or heal it (recorded on the run's timeline). */
import type { Fault } from '../../../server/peers/faults.js';
import { peerLinkKey, setPeerFault } from '../../../server/cluster/peer-fault.js';
import type { FaultStep } from '../format.js';
import { parseDuration } from '../format.js';
import type { RunContext } from '../context.js';
import { outcome, passed, type StepOutcome } from './outcome.js';

/** Run a fault step. */
export async function runFault(ctx: RunContext, step: FaultStep): Promise<StepOutcome> {
  const link = step.partition ?? step.refuse ?? step.latency ?? step.heal;
  if (!link) throw new Error('not a fault step');
  if (!peerLinkKey(ctx.cluster, link.from, link.to)) return outcome([`both ${link.from} and ${link.to} must have started before a fault between them`]);
  if (step.heal) {
    await setPeerFault(ctx.cluster, ctx.store, link.from, link.to, undefined);
    ctx.timeline?.record('fault', { from: link.from, to: link.to, fault: 'heal' });
    return passed(`${link.from} → ${link.to} healed`);
  }
  const fault: Fault = step.partition ? { kind: 'partition' } : step.refuse ? { kind: 'refuse' } : { kind: 'latency', delayMs: parseDuration(step.latency!.delay) };
  await setPeerFault(ctx.cluster, ctx.store, link.from, link.to, fault);
  ctx.timeline?.record('fault', { from: link.from, to: link.to, fault: fault.kind, ...(fault.kind === 'latency' ? { delayMs: fault.delayMs } : {}) });
  return passed(`${link.from} → ${link.to}: ${fault.kind}`);
}
