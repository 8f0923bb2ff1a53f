/**
 * What the supervisor does with each control request: the cluster's own methods (startServer,
 * stopServer, killServer, pauseServer, resumeServer, restartServer with a change of minor), one
 * change at a time, each checked first so a mistake is a clear message and changes nothing.
 * `status` answers at any moment, also while a change runs.
 */
import { normalizeMinor } from '../../../versions/manifest.js';
import { minorChangeProblem } from '../minor-change.js';
import type { Cluster } from '../cluster.js';
import type { ControlRequest, ControlResponse } from './protocol.js';
import { clusterStatus } from './status.js';

/** What the handler needs from the supervisor around the cluster. */
export interface ControlContext {
  /** The supervisor's pid (reported by status and down). */
  pid: number;
  /** Stop the whole cluster; resolves once every server has stopped. */
  down(): Promise<void>;
  /** A line for the supervisor's output. */
  log(line: string): void;
}

/** The request verbs, as the CLI names them. */
const VERBS = ['status', 'down', 'start', 'stop', 'kill', 'pause', 'resume', 'restart'];

/** A handler for the control channel of `cluster`. */
export function controlHandler(cluster: Cluster, ctx: ControlContext): (req: ControlRequest) => Promise<ControlResponse> {
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  return async (req) => {
    if (!req || typeof req !== 'object' || !VERBS.includes((req as { verb?: string }).verb ?? '')) return { ok: false, error: `unknown request: expected one of ${VERBS.join(', ')}` };
    if (req.verb === 'status') return { ok: true, message: '', status: await clusterStatus(cluster, ctx.pid) };
    if (req.verb === 'down') {
      ctx.log('down requested: stopping the cluster');
      await ctx.down();
      return { ok: true, message: `stopped the cluster at ${cluster.options.dataDir}`, pid: ctx.pid };
    }
    return serialized(() => serverRequest(cluster, req, ctx));
  };
}

/** The names of the cluster's servers, for error messages. */
function names(cluster: Cluster): string {
  return [...cluster.specs.keys()].join(', ');
}

async function serverRequest(cluster: Cluster, req: Exclude<ControlRequest, { verb: 'status' | 'down' }>, ctx: ControlContext): Promise<ControlResponse> {
  const name = req.server;
  const spec = cluster.specs.get(name);
  if (!spec) return { ok: false, error: `no server named "${name}" (servers: ${names(cluster)})` };
  const proc = cluster.servers.get(name);
  const running = proc?.alive === true;
  const pid = proc?.pid ?? 0;
  switch (req.verb) {
    case 'start': {
      if (running) return { ok: false, error: `server ${name} is already running (pid ${pid})` };
      ctx.log(`start ${name} (${spec.minor})`);
      const started = await cluster.restartServer(name);
      ctx.log(`${name} ready at ${spec.minor} (pid ${started.pid})`);
      return { ok: true, message: `started ${name} at ${spec.minor} (pid ${started.pid})` };
    }
    case 'stop':
      if (!running) return { ok: false, error: `server ${name} is not running` };
      ctx.log(`stop ${name} (pid ${pid})`);
      await cluster.stopServer(name);
      return { ok: true, message: `stopped ${name} (pid ${pid})` };
    case 'kill':
      if (!running) return { ok: false, error: `server ${name} is not running` };
      ctx.log(`kill ${name} (pid ${pid}) with SIGKILL`);
      await cluster.killServer(name);
      return { ok: true, message: `killed ${name} (pid ${pid})` };
    case 'pause':
      if (!running) return { ok: false, error: `server ${name} is not running` };
      if (proc?.paused) return { ok: false, error: `server ${name} is already paused (pid ${pid})` };
      ctx.log(`pause ${name} (pid ${pid}) with SIGSTOP`);
      cluster.pauseServer(name);
      return { ok: true, message: `paused ${name} (pid ${pid})` };
    case 'resume':
      if (!running) return { ok: false, error: `server ${name} is not running` };
      if (!proc?.paused) return { ok: false, error: `server ${name} is not paused` };
      ctx.log(`resume ${name} (pid ${pid}) with SIGCONT`);
      cluster.resumeServer(name);
      return { ok: true, message: `resumed ${name} (pid ${pid})` };
    case 'restart': {
      const from = spec.minor;
      const to = req.minor === undefined ? from : normalizeMinor(req.minor);
      const problem = req.direction ? minorChangeProblem(name, from, to, req.direction) : undefined;
      if (problem) return { ok: false, error: problem };
      const what = req.direction ?? 'restart';
      ctx.log(`${what} ${name}: ${from} → ${to}${running ? ` (stopping pid ${pid})` : ''}`);
      const started = await cluster.restartServer(name, to === from ? {} : { minor: to });
      ctx.log(`${name} ready at ${to} (pid ${started.pid})`);
      const verb = what === 'restart' ? 'restarted' : `${what}d`;
      return { ok: true, message: `${verb} ${name}: ${from} → ${to} (pid ${started.pid})` };
    }
  }
}
