/**
 * A health checker beside each server, as a load balancer's: `GET /readyz` on a keep-alive
 * connection every 100–250 ms, its latency recorded. Probes are left out while the chaos has their
 * server killed, stopped for an upgrade, paused or restarting, and while any server process starts
 * (its module loading takes most of a small machine's CPU); every other probe must answer 200
 * within a second. The soak's own event loop is watched too: a probe's answer waits for it, so a
 * probe during which the soak itself stalled (the machine's other work took its CPU) measured the
 * soak, not the server, and is left out as well.
 */
import { Agent, request } from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The soak's event loop is looked at this often; a longer gap than STALL_MS between looks is a stall. */
const TICK_MS = 20;
const STALL_MS = 250;
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../../../server/cluster/cluster.js';
import type { ClientTLS } from '../load.js';

/** The default bound on one probe (`bench soak --readyz-bound`). */
export const READYZ_BOUND_MS = 1000;
/** A probe gives up after this long (and counts as over the bound). */
const PROBE_TIMEOUT_MS = 5000;

/** What the probes measured. */
export interface ReadyzFigures {
  /** Probes that counted. */
  probes: number;
  /** Probes left out: a server was down or starting. */
  excluded: number;
  /** Probes left out: the soak's own event loop stalled meanwhile. */
  soakStalled: number;
  /** The slowest counted probe, and the mean (ms). */
  worstMs: number;
  meanMs: number;
  /** The longest the soak's own event loop was blocked (ms): a probe's latency includes it. */
  soakLoopWorstMs: number;
  /** Counted probes slower than the bound, failed or not answered 200. */
  overBound: number;
  /** Examples of those, for the report. */
  examples: string[];
}

/** One probe: resolves with the status (0 on a transport failure) and the time taken. */
function probeOnce(url: string, agent: Agent): Promise<{ status: number; ms: number; error?: string }> {
  const from = performance.now();
  return new Promise((resolve) => {
    const req = request(`${url}/readyz`, { agent, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - from }));
      res.on('error', (err) => resolve({ status: 0, ms: performance.now() - from, error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, ms: performance.now() - from, error: err.code ?? err.message }));
    req.end();
  });
}

export class ReadyzProbers {
  readonly figures: ReadyzFigures = { probes: 0, excluded: 0, soakStalled: 0, worstMs: 0, meanMs: 0, soakLoopWorstMs: 0, overBound: 0, examples: [] };
  private stopped = false;
  private readonly loops: Promise<void>[];
  private readonly agents: Agent[] = [];
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private totalMs = 0;
  /** Stalls of the soak's own event loop, as [from, to] in Date.now() time. */
  private readonly stalls: Array<[number, number]> = [];
  private lastTick = Date.now();
  private readonly ticker = setInterval(() => {
    const now = Date.now();
    if (now - this.lastTick > STALL_MS) this.stalls.push([this.lastTick, now]);
    this.lastTick = now;
  }, TICK_MS);

  /** `struck(server, from, to)` tells whether the chaos had `server` down, or any server starting, in `[from, to]`. */
  constructor(
    private readonly cluster: Cluster,
    private readonly tls: ClientTLS,
    private readonly random: () => number,
    private readonly t0: () => number,
    private readonly struck: (server: string, from: number, to: number) => boolean,
    private readonly boundMs: number = READYZ_BOUND_MS,
  ) {
    this.loopDelay.enable();
    this.loops = [...cluster.specs.keys()].map((name) => this.loop(name));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    clearInterval(this.ticker);
    for (const a of this.agents) a.destroy();
    this.loopDelay.disable();
    this.figures.soakLoopWorstMs = this.loopDelay.max / 1e6;
    this.figures.meanMs = this.figures.probes ? this.totalMs / this.figures.probes : 0;
  }

  private async loop(server: string): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key });
    this.agents.push(agent);
    while (!this.stopped) {
      const started = Date.now();
      const url = this.cluster.servers.get(server)?.info?.url;
      const r = url ? await probeOnce(url, agent) : { status: 0, ms: 0, error: 'no process' };
      if (this.stopped) return;
      this.count(server, started, r);
      await sleep(Math.max(0, 100 + this.random() * 150 - (Date.now() - started)));
    }
  }

  private count(server: string, from: number, r: { status: number; ms: number; error?: string }): void {
    const f = this.figures;
    const to = Date.now();
    if (this.struck(server, from, to)) {
      f.excluded++;
      return;
    }
    if (to - this.lastTick > STALL_MS || this.stalls.some(([a, b]) => from <= b && to >= a)) {
      f.soakStalled++;
      return;
    }
    f.probes++;
    this.totalMs += r.ms;
    f.worstMs = Math.max(f.worstMs, r.ms);
    if (r.status === 200 && r.ms <= this.boundMs) return;
    f.overBound++;
    if (f.examples.length < 5) f.examples.push(`/readyz of ${server} at +${((from - this.t0()) / 1000).toFixed(1)} s: ${r.status || r.error} after ${Math.round(r.ms)} ms`);
  }
}
