/**
 * What the CRD controllers share, as upstream's share their workqueue pattern: one worker over a
 * rate-limited queue of CRD names, `sync` called per name, a failure logged and retried with the
 * item's backoff, success resetting it; and the rule that a write refused with 404 or 409 (the CRD
 * went or changed meanwhile) is dropped, since the informer brings the CRD back.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { isStatusError } from '../errors/status.js';
import { WorkQueue, runWorkers } from '../controllers/workqueue.js';

/** A controller with one worker over a queue of CRD names. */
export abstract class CrdController {
  protected readonly queue: WorkQueue<string>;

  constructor(
    clock: Clock,
    protected readonly log: Logger,
  ) {
    this.queue = new WorkQueue(clock);
  }

  /** Reconcile one CRD by name; throw to retry it later. */
  protected abstract sync(name: string): Promise<void>;

  /** Start the single worker. */
  start(): void {
    void runWorkers(this.queue, 1, async (name) => {
      try {
        await this.sync(name);
        this.queue.forget(name);
      } catch (err) {
        this.log.warn({ err: (err as Error).message, crd: name }, 'CRD controller sync failed');
        this.queue.addRateLimited(name);
      }
    });
  }

  /** Stop the worker. */
  stop(): void {
    this.queue.shutdown();
  }
}

/** Run a write; false when it was refused because the CRD went or changed (404, 409). */
export async function writeUnlessStale(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isStatusError(err) && (err.code === 404 || err.code === 409)) return false;
    throw err;
  }
}
