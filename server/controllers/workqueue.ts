/**
 * A rate-limiting work queue as client-go's `workqueue`: an item is queued at most once, an item
 * being processed that is added again is processed once more after `done`, `addAfter` delays an
 * item, and `addRateLimited` delays it by the item's exponential backoff (5 ms doubling up to
 * 1000 s, `DefaultControllerRateLimiter`'s per-item part) until `forget`. Delays run on the
 * injected clock, so a time scale shortens them.
 */
import type { Clock, ClockTimer } from '../clock.js';

/** Base and cap of the per-item exponential backoff, in milliseconds. */
export const RATE_LIMIT_BASE_MS = 5;
export const RATE_LIMIT_MAX_MS = 1_000_000;

/** A work queue of items compared by identity (strings or objects). */
export class WorkQueue<T> {
  private readonly queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly failures = new Map<T, number>();
  private readonly timers = new Set<ClockTimer>();
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private shutDown = false;

  constructor(private readonly clock: Clock) {}

  /** Queue `item` unless it is already waiting. */
  add(item: T): void {
    if (this.shutDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(item);
      this.processing.add(item);
      waiter(item);
      return;
    }
    this.queue.push(item);
  }

  /** Queue `item` after `ms` milliseconds of clock time. */
  addAfter(item: T, ms: number): void {
    if (this.shutDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.add(item);
    }, ms);
    this.timers.add(timer);
  }

  /** Queue `item` after its backoff, which doubles with every call until `forget`. */
  addRateLimited(item: T): void {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    this.addAfter(item, Math.min(RATE_LIMIT_BASE_MS * 2 ** n, RATE_LIMIT_MAX_MS));
  }

  /** Reset the backoff of `item`. */
  forget(item: T): void {
    this.failures.delete(item);
  }

  /** How many times `item` was rate-limited since its last `forget`. */
  requeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }

  /** The next item (waiting for one), or undefined once the queue is shut down. */
  get(): Promise<T | undefined> {
    if (this.shutDown) return Promise.resolve(undefined);
    const item = this.queue.shift();
    if (item !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Mark `item` processed; it is queued again if it was added meanwhile. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
  }

  /** Items waiting (not being processed). */
  get length(): number {
    return this.queue.length;
  }

  /** Stop: pending timers are cancelled and waiting `get`s resolve with undefined. */
  shutdown(): void {
    this.shutDown = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    this.queue.length = 0;
  }
}

/** Run `workers` loops that take items from `queue` and hand them to `process` until shutdown. */
export function runWorkers<T>(queue: WorkQueue<T>, workers: number, process: (item: T) => Promise<void>): Promise<void[]> {
  const loop = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        await process(item);
      } finally {
        queue.done(item);
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, loop));
}
