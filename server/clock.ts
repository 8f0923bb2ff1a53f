/**
 * The injected clock. Every duration kube-skew waits for (lease renewals, GC periods, watch
 * timeouts, bookmarks) goes through a Clock, so tests and scenarios can fix, speed up or move time.
 */

/** A pending timer of a Clock. */
export interface ClockTimer {
  /** Stop the timer; a no-op once a timeout has fired. */
  cancel(): void;
}

/** A source of time and timers. */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** Run `fn` after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Run `fn` every `ms` milliseconds of this clock's time. */
  setInterval(fn: () => void, ms: number): ClockTimer;
}

/**
 * Where a clock stands: at wall time `wall` (ms since the epoch) it read `time`, and since then it
 * has run `scale` times faster than the wall. Processes that share an anchor agree on the time,
 * which leases and TTL records compare.
 */
export interface ClockAnchor {
  wall: number;
  time: number;
  scale: number;
}

/** Check an anchor read from a flag or a file; returns a message, or undefined when it is valid. */
export function anchorProblem(a: Partial<ClockAnchor>): string | undefined {
  if (typeof a.scale !== 'number' || !(a.scale > 0) || !Number.isFinite(a.scale)) return `scale must be a positive number, got ${JSON.stringify(a.scale)}`;
  if (typeof a.wall !== 'number' || !Number.isFinite(a.wall)) return `wall must be milliseconds since the epoch, got ${JSON.stringify(a.wall)}`;
  if (typeof a.time !== 'number' || !Number.isFinite(a.time)) return `time must be milliseconds since the epoch, got ${JSON.stringify(a.time)}`;
  return undefined;
}

/** Node's timers cannot wait longer than this (ms); longer waits are re-armed. */
const MAX_WALL_DELAY_MS = 2 ** 31 - 1;

interface Pending {
  fn: () => void;
  /** Clock time (ms) at which it fires next. */
  due: number;
  /** Clock ms between firings of an interval. */
  period: number | undefined;
  handle: NodeJS.Timeout | undefined;
}

/**
 * A real-time clock that runs `scale` times faster than the wall from its anchor, and that can be
 * moved: `adjust` sets a new anchor (another scale, or time jumped forward) and re-arms every pending
 * timer for its due clock time, so a lease renewal due in 10 clock seconds stays due then whatever
 * happens to the scale in between.
 */
export class ScaledClock implements Clock {
  private current: ClockAnchor;
  private readonly pending = new Set<Pending>();

  constructor(anchor: ClockAnchor, private readonly wallNow: () => number = Date.now) {
    const problem = anchorProblem(anchor);
    if (problem) throw new Error(`invalid clock: ${problem}`);
    this.current = { ...anchor };
  }

  /** The anchor the clock follows now. */
  get anchor(): ClockAnchor {
    return { ...this.current };
  }

  /** The current time in ms since the epoch. */
  nowMs(): number {
    return this.current.time + (this.wallNow() - this.current.wall) * this.current.scale;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.schedule(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    return this.schedule(fn, ms, Math.max(ms, 1));
  }

  /** Follow a new anchor from now on. Timers that are now due fire at once. */
  adjust(anchor: ClockAnchor): void {
    const problem = anchorProblem(anchor);
    if (problem) throw new Error(`invalid clock: ${problem}`);
    if (anchor.wall === this.current.wall && anchor.time === this.current.time && anchor.scale === this.current.scale) return;
    this.current = { ...anchor };
    for (const p of this.pending) this.arm(p);
  }

  private schedule(fn: () => void, ms: number, period: number | undefined): ClockTimer {
    const p: Pending = { fn, due: this.nowMs() + Math.max(0, ms), period, handle: undefined };
    this.pending.add(p);
    this.arm(p);
    return {
      cancel: () => {
        if (p.handle) clearTimeout(p.handle);
        this.pending.delete(p);
      },
    };
  }

  private arm(p: Pending): void {
    if (p.handle) clearTimeout(p.handle);
    const wallDelay = Math.max(0, (p.due - this.nowMs()) / this.current.scale);
    p.handle = setTimeout(() => this.fire(p), Math.min(wallDelay, MAX_WALL_DELAY_MS));
  }

  private fire(p: Pending): void {
    if (!this.pending.has(p)) return;
    const now = this.nowMs();
    // Timers have millisecond granularity on the wall: fire when less than one wall ms remains.
    if ((p.due - now) / this.current.scale > 1) return this.arm(p);
    if (p.period === undefined) {
      this.pending.delete(p);
    } else {
      // Like a ticker, drop the firings a jump forward passed over: the next comes a period on.
      p.due += p.period;
      if (p.due <= now) p.due = now + p.period;
      this.arm(p);
    }
    p.fn();
  }
}

/** A clock that runs `scale` times faster than the wall from `origin` (ms since the epoch; default now). */
export function scaledClock(scale = 1, origin = Date.now()): ScaledClock {
  if (!(scale > 0)) throw new Error(`time scale must be positive, got ${scale}`);
  return new ScaledClock({ wall: origin, time: origin, scale });
}

/** The wall clock. */
export const systemClock: Clock = scaledClock(1);
