/**
 * Server steps: start, stop (graceful), kill (SIGKILL), pause (SIGSTOP), resume, restart, upgrade,
 * downgrade. Start, stop, kill, pause and resume also address the sample-apiserver by its name; it is
 * started again on its port and registered again, as the cluster first started it.
 */
import { SAMPLE_APISERVER, type Step } from '../format.js';
import type { RunContext } from '../context.js';
import { passed, type StepOutcome } from './outcome.js';

/** Run a step on the sample-apiserver: the cluster's own methods, none of the servers' bookkeeping. */
async function runSampleStep(ctx: RunContext, step: Step): Promise<StepOutcome> {
  const { cluster } = ctx;
  if (step.start) return passed(`pid ${(await cluster.startSampleApiServer()).pid}`);
  if (step.stop) await cluster.stopServer(SAMPLE_APISERVER);
  else if (step.kill) await cluster.killServer(SAMPLE_APISERVER);
  else if (step.pause) cluster.pauseServer(SAMPLE_APISERVER);
  else if (step.resume) cluster.resumeServer(SAMPLE_APISERVER);
  else throw new Error(`the ${SAMPLE_APISERVER} has no such step`);
  return passed();
}

/** Run a server step. */
export async function runServerStep(ctx: RunContext, step: Step): Promise<StepOutcome> {
  const { cluster } = ctx;
  const target = (step.start ?? step.stop ?? step.kill ?? step.pause ?? step.resume)?.server;
  if (target === SAMPLE_APISERVER && !cluster.specs.has(SAMPLE_APISERVER)) return runSampleStep(ctx, step);
  if (step.start) {
    const proc = await cluster.restartServer(step.start.server);
    ctx.readySince.set(step.start.server, Date.now());
    return passed(`pid ${proc.pid}`);
  }
  if (step.stop) {
    await cluster.stopServer(step.stop.server);
    ctx.readySince.delete(step.stop.server);
    return passed();
  }
  if (step.kill) {
    await cluster.killServer(step.kill.server);
    ctx.readySince.delete(step.kill.server);
    return passed();
  }
  if (step.pause) {
    cluster.pauseServer(step.pause.server);
    ctx.paused.add(step.pause.server);
    return passed();
  }
  if (step.resume) {
    cluster.resumeServer(step.resume.server);
    ctx.paused.delete(step.resume.server);
    return passed();
  }
  const change = step.restart ?? step.upgrade ?? step.downgrade;
  if (change) {
    const { server, ...rest } = change;
    ctx.readySince.delete(server);
    const proc = await cluster.restartServer(server, rest);
    ctx.readySince.set(server, Date.now());
    return passed(`${cluster.specs.get(server)?.minor}, pid ${proc.pid}`);
  }
  throw new Error('not a server step');
}
