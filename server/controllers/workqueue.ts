/**
 * A rate-limiting work queue as client-go's `workqueue`: an item is queued at most once, an item
 * being processed that is added again is processed once more after `done`, `addAfter` delays an
 * item, and `addRateLimited` delays it as `DefaultControllerRateLimiter` does: the longer of the
 * item's exponential backoff (5 ms doubling up to 1000 s, until `forget`) and the queue's token
 * bucket (10 per second, bursts of 100). A controller whose upstream queue caps the backoff lower
 * passes its cap (the namespace controller's 60 s). Delays run on the injected clock, so a time
 * scale shortens them.
 *
 * A controller runs on the server's one event loop, where client-go's run on goroutines of their
 * own; so that no controller can starve the server whatever its objects look like, an item that
 * asks to be processed again at once from inside its own processing is rate-limited instead, and
 * the workers yield to the event loop between items.
 */
import type { Clock, ClockTimer } from '../clock.js';

/** Base and cap of the per-item exponential backoff, in milliseconds. */
export const RATE_LIMIT_BASE_MS = 5;
export const RATE_LIMIT_MAX_MS = 1_000_000;
/** The overall token bucket of `DefaultControllerRateLimiter`: 10 items a second, bursts of 100. */
export const BUCKET_QPS = 10;
export const BUCKET_BURST = 100;

/** golang.org/x/time/rate's limiter as the bucket uses it: each call reserves a token and says how long to wait for it. */
class TokenBucket {
  private tokens = BUCKET_BURST;
  private last: number;

  constructor(private readonly clock: Clock) {
    this.last = clock.now().getTime();
  }

  /** Reserve one token; the delay (ms) until it is there. */
  reserve(): number {
    const now = this.clock.now().getTime();
    this.tokens = Math.min(BUCKET_BURST, this.tokens + ((now - this.last) * BUCKET_QPS) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / BUCKET_QPS;
  }
}

/** A work queue of items compared by identity (strings or objects). */
export class WorkQueue<T> {
  private readonly queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly failures = new Map<T, number>();
  private readonly timers = new Set<ClockTimer>();
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private shutDown = false;
  private readonly bucket: TokenBucket;

  /** `maxBackoffMs` caps the per-item exponential backoff (default {@link RATE_LIMIT_MAX_MS}). */
  constructor(
    private readonly clock: Clock,
    private readonly maxBackoffMs = RATE_LIMIT_MAX_MS,
  ) {
    this.bucket = new TokenBucket(clock);
  }

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

  /**
   * Queue `item` after `ms` milliseconds of clock time. From inside the item's own processing, a
   * delay of 0 is rate-limited: an item that keeps asking to be looked at again at once backs off.
   */
  addAfter(item: T, ms: number): void {
    if (ms <= 0 && this.processing.has(item)) this.addRateLimited(item);
    else this.schedule(item, ms);
  }

  /** Queue `item` after its backoff, which doubles with every call until `forget` (up to the cap), or the bucket's delay if longer. */
  addRateLimited(item: T): void {
    this.schedule(item, this.nextDelay(item));
  }

  /** The delay `addRateLimited` gives `item` now, counting the call as one more failure. */
  private nextDelay(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.max(Math.min(RATE_LIMIT_BASE_MS * 2 ** n, this.maxBackoffMs), this.bucket.reserve());
  }

  private schedule(item: T, ms: number): void {
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

/**
 * Run `workers` loops that take items from `queue` and hand them to `process` until shutdown. Each
 * loop yields to the event loop before it takes the next item, so that I/O (the server's requests,
 * its lease renewals) always gets its turn.
 */
export function runWorkers<T>(queue: WorkQueue<T>, workers: number, process: (item: T) => Promise<void>): Promise<void[]> {
  const loop = async (): Promise<void> => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
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
