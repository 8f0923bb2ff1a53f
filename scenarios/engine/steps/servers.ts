/**
 * Server steps: start, stop (graceful), kill (SIGKILL), pause (SIGSTOP), resume, restart, upgrade,
 * downgrade. Start, stop, kill, pause and resume also address the sample-apiserver by its name; it is
 * started again on its port and registered again, as the cluster first started it. Each change of a
 * server's life goes to the run's timeline.
 */
import { SAMPLE_APISERVER, type Step } from '../format.js';
import type { RunContext } from '../context.js';
import { passed, type StepOutcome } from './outcome.js';
import type { ServerData } from '../timeline.js';
import type { ServerProcess } from '../../../server/cluster/server-process.js';

/** Record a change of `server`'s life on the run's timeline. */
function note(ctx: RunContext, server: string, state: ServerData['state'], extra: Partial<ServerData> = {}): void {
  const minor = ctx.cluster.specs.get(server)?.minor;
  ctx.timeline?.record('server', { server, state, ...(minor ? { minor } : {}), ...extra });
}

/** Record a server that has become ready, and watch its process for an exit. */
function noteReady(ctx: RunContext, server: string, proc: ServerProcess): void {
  note(ctx, server, 'ready', proc.pid !== undefined ? { pid: proc.pid } : {});
  ctx.timeline?.watchExit(server, proc);
}

/** Run a step on the sample-apiserver: the cluster's own methods, none of the servers' bookkeeping. */
async function runSampleStep(ctx: RunContext, step: Step): Promise<StepOutcome> {
  const { cluster } = ctx;
  if (step.start) {
    note(ctx, SAMPLE_APISERVER, 'starting');
    const proc = await cluster.startSampleApiServer();
    noteReady(ctx, SAMPLE_APISERVER, proc);
    return passed(`pid ${proc.pid}`);
  }
  if (step.stop) {
    note(ctx, SAMPLE_APISERVER, 'stopping');
    await cluster.stopServer(SAMPLE_APISERVER);
    note(ctx, SAMPLE_APISERVER, 'stopped');
  } else if (step.kill) {
    note(ctx, SAMPLE_APISERVER, 'killed');
    await cluster.killServer(SAMPLE_APISERVER);
  } else if (step.pause) {
    cluster.pauseServer(SAMPLE_APISERVER);
    note(ctx, SAMPLE_APISERVER, 'paused');
  } else if (step.resume) {
    cluster.resumeServer(SAMPLE_APISERVER);
    note(ctx, SAMPLE_APISERVER, 'resumed');
  } else throw new Error(`the ${SAMPLE_APISERVER} has no such step`);
  return passed();
}

/** Run a server step. */
export async function runServerStep(ctx: RunContext, step: Step): Promise<StepOutcome> {
  const { cluster } = ctx;
  const target = (step.start ?? step.stop ?? step.kill ?? step.pause ?? step.resume)?.server;
  if (target === SAMPLE_APISERVER && !cluster.specs.has(SAMPLE_APISERVER)) return runSampleStep(ctx, step);
  if (step.start) {
    note(ctx, step.start.server, 'starting');
    const proc = await cluster.restartServer(step.start.server);
    ctx.readySince.set(step.start.server, Date.now());
    noteReady(ctx, step.start.server, proc);
    return passed(`pid ${proc.pid}`);
  }
  if (step.stop) {
    note(ctx, step.stop.server, 'stopping');
    await cluster.stopServer(step.stop.server);
    ctx.readySince.delete(step.stop.server);
    note(ctx, step.stop.server, 'stopped');
    return passed();
  }
  if (step.kill) {
    note(ctx, step.kill.server, 'killed');
    await cluster.killServer(step.kill.server);
    ctx.readySince.delete(step.kill.server);
    return passed();
  }
  if (step.pause) {
    cluster.pauseServer(step.pause.server);
    ctx.paused.add(step.pause.server);
    note(ctx, step.pause.server, 'paused');
    return passed();
  }
  if (step.resume) {
    cluster.resumeServer(step.resume.server);
    ctx.paused.delete(step.resume.server);
    note(ctx, step.resume.server, 'resumed');
    return passed();
  }
  const change = step.restart ?? step.upgrade ?? step.downgrade;
  if (change) {
    const { server, ...rest } = change;
    const kind = step.upgrade ? 'upgrade' : step.downgrade ? 'downgrade' : 'restart';
    ctx.readySince.delete(server);
    if (cluster.servers.get(server)?.alive) {
      note(ctx, server, 'stopping', { change: kind });
      await cluster.stopServer(server);
      note(ctx, server, 'stopped', { change: kind });
    }
    note(ctx, server, 'starting', { change: kind, ...(rest.minor ? { minor: rest.minor } : {}) });
    const proc = await cluster.restartServer(server, rest);
    ctx.readySince.set(server, Date.now());
    noteReady(ctx, server, proc);
    return passed(`${cluster.specs.get(server)?.minor}, pid ${proc.pid}`);
  }
  throw new Error('not a server step');
}
