/**
 * The injected clock. Every duration kube-skew waits for (lease renewals, GC periods, watch
 * timeouts, bookmarks) goes through a Clock, so tests and scenarios can fix or speed up time.
 */

/** A source of time and timers. */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** Run `fn` after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  /** Run `fn` every `ms` milliseconds of this clock's time. */
  setInterval(fn: () => void, ms: number): NodeJS.Timeout;
}

/**
 * A real-time clock whose timers run `scale` times faster than wall time (scale 60 turns an hour into
 * a minute). Its time advances at that rate from `origin` (ms since the epoch; default now): processes
 * that share an origin and a scale agree on the time, which leases and TTL records compare.
 */
export function scaledClock(scale = 1, origin = Date.now()): Clock {
  if (!(scale > 0)) throw new Error(`time scale must be positive, got ${scale}`);
  return {
    now: () => new Date(origin + (Date.now() - origin) * scale),
    setTimeout: (fn, ms) => setTimeout(fn, ms / scale),
    setInterval: (fn, ms) => setInterval(fn, ms / scale),
  };
}

/** The wall clock. */
export const systemClock: Clock = scaledClock(1);
