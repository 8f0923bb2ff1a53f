/**
 * The soak's faults: a rolling upgrade of every server to the newest minor, a SIGKILL of a random
 * server every few seconds (restarted at once at its minor), and one pause and resume. Each fault
 * opens a window, from the moment it strikes until the server is ready again plus a grace period
 * (the time its peers need to notice), inside which 5xx answers are expected.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runServerStep } from '../../../scenarios/engine/steps/servers.js';
import { isLive, type RunContext } from '../../../scenarios/engine/context.js';

/** One fault and when it held. */
export interface FaultWindow {
  label: string;
  /** The server the fault struck. */
  server: string;
  /** The fault starts a new server process (a SIGKILL and restart, an upgrade). */
  restart: boolean;
  start: number;
  /** When the server was back (restarted, resumed); undefined until then. */
  recovered?: number;
  /** `recovered` plus the grace period; undefined while the fault lasts. */
  end?: number;
}

/** What the chaos does over a run. */
export interface ChaosPlan {
  durationMs: number;
  /** SIGKILL a random server this often (ms); 0 never. */
  killEveryMs: number;
  /** How long a paused server stays stopped (ms). */
  pauseMs: number;
  /** How long after recovery a window stays open (ms). */
  graceMs: number;
  /** Upgrade every server to this minor, one at a time. */
  upgradeTo: string;
}

type Action = { at: number } & ({ kind: 'upgrade'; server: string } | { kind: 'kill' } | { kind: 'pause' });

/** The timeline: upgrades spread over 20-60 % of the run, kills every killEveryMs, one pause at 75 %. */
export function planActions(ctx: RunContext, plan: ChaosPlan): Action[] {
  const actions: Action[] = [];
  const old = [...ctx.cluster.specs.values()].filter((s) => s.minor !== plan.upgradeTo).map((s) => s.name);
  old.forEach((server, i) => actions.push({ at: plan.durationMs * (0.2 + (0.4 * i) / Math.max(1, old.length)), kind: 'upgrade', server }));
  if (plan.killEveryMs > 0) for (let at = plan.killEveryMs; at < plan.durationMs * 0.9; at += plan.killEveryMs) actions.push({ at, kind: 'kill' });
  actions.push({ at: plan.durationMs * 0.75, kind: 'pause' });
  return actions.sort((a, b) => a.at - b.at);
}

/** Runs the plan against the cluster; `windows` grows as faults strike and close. */
export class Chaos {
  readonly windows: FaultWindow[] = [];
  readonly log: string[] = [];
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly plan: ChaosPlan,
    private readonly progress: (line: string) => void,
  ) {}

  /** True when `[from, to]` overlaps a fault window. */
  inWindow(from: number, to: number): boolean {
    return this.windows.some((w) => from <= (w.end ?? Infinity) && to >= w.start);
  }

  /**
   * True when `[from, to]` overlaps a fault that struck `server` itself, from the moment it struck
   * until `marginMs` after the server was back: the chaos's own doing (its SIGKILL, its stop for an
   * upgrade, its pause) and the server's restart.
   */
  struck(server: string, from: number, to: number, marginMs = 0): boolean {
    return this.windows.some((w) => w.server === server && from <= (w.recovered ?? Infinity) + marginMs && to >= w.start);
  }

  /**
   * True when `[from, to]` overlaps the start of a new server process (from the SIGKILL or the stop
   * for an upgrade until `marginMs` after the new process is ready): a process loading its modules
   * takes most of a small machine's CPU, and every server's answers slow down with it.
   */
  restarting(from: number, to: number, marginMs = 0): boolean {
    return this.windows.some((w) => w.restart && from <= (w.recovered ?? Infinity) + marginMs && to >= w.start);
  }

  start(t0: number): void {
    this.done = this.run(t0);
  }

  /** Wait until every planned fault has struck and recovered (a slow restart can push the last ones past the planned end). */
  async finished(): Promise<void> {
    await this.done;
  }

  /** Stop planning new faults and wait for the current one to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(t0: number): Promise<void> {
    for (const action of planActions(this.ctx, this.plan)) {
      const wait = t0 + action.at - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.stopped) return;
      try {
        await this.perform(action);
      } catch (err) {
        this.note(`${action.kind} failed: ${(err as Error).message}`);
      }
    }
  }

  private note(line: string): void {
    this.log.push(line);
    this.progress(line);
  }

  private pickLive(): string | undefined {
    const live = [...this.ctx.cluster.specs.keys()].filter((s) => isLive(this.ctx, s));
    return live.length ? live[Math.floor(this.ctx.random() * live.length)] : undefined;
  }

  private async fault(label: string, server: string, restart: boolean, act: () => Promise<void>): Promise<void> {
    const window: FaultWindow = { label, server, restart, start: Date.now() };
    this.windows.push(window);
    this.note(label);
    try {
      await act();
    } finally {
      window.recovered = Date.now();
      window.end = window.recovered + this.plan.graceMs;
    }
  }

  private async perform(action: Action): Promise<void> {
    const { ctx } = this;
    if (action.kind === 'upgrade') {
      const from = ctx.cluster.specs.get(action.server)?.minor;
      await this.fault(`upgrade ${action.server} ${from} → ${this.plan.upgradeTo}`, action.server, true, async () => {
        await runServerStep(ctx, { upgrade: { server: action.server, minor: this.plan.upgradeTo } });
      });
      return;
    }
    const server = this.pickLive();
    if (!server) return;
    if (action.kind === 'kill') {
      await this.fault(`SIGKILL ${server}, then restart it`, server, true, async () => {
        await runServerStep(ctx, { kill: { server } });
        await sleep(1000);
        await runServerStep(ctx, { restart: { server } });
      });
      return;
    }
    await this.fault(`SIGSTOP ${server} for ${this.plan.pauseMs / 1000} s, then SIGCONT`, server, false, async () => {
      await runServerStep(ctx, { pause: { server } });
      await sleep(this.plan.pauseMs);
      await runServerStep(ctx, { resume: { server } });
    });
  }
}
