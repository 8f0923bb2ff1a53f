/**
 * The per-store log reader that feeds every watch: one query reads the new log rows, and each row
 * goes to every watch whose prefix selects its key.
 *
 * Each subscription remembers `after`, the highest revision it has been given or has passed over.
 * A pump reads the rows above the lowest `after` in revision order (in batches, each batch in one
 * read snapshot together with the compacted revision) and hands a row to a subscription only when
 * the row's revision is above that subscription's `after`. So a new watch starting from an old
 * revision is caught up by the same shared read, and every watch sees each change exactly once, in
 * revision order, including changes committed between `watch()` and its first delivery. A
 * subscription whose `after` is below the compacted revision gets `Expired` and ends.
 *
 * Pumps run synchronously after a local commit and, for other processes' commits, when the change
 * signal (change-signal.ts) fires. A pump started from inside a handler (a handler that writes) is
 * folded into the running one, which reads again before it returns. A pump reads at most
 * {@link READ_BATCH_ROWS} rows and schedules the rest for the next turn of the event loop, so that
 * a watch catching up on a long log does not stall the process.
 */
import { StorageError } from '../errors.js';
import { matchesPrefix } from '../keys.js';
import type { StoreLogger } from '../logger.js';
import type { WatchHandlers, Watcher } from '../store.js';
import { toChangeEvent, type LogRow } from './codec.js';
import type { LogBatch } from './revision-log.js';

/** How many log rows one read of the hub returns at most. */
export const READ_BATCH_ROWS = 500;

/** Where the hub reads changes from: log rows above a revision, with the compacted revision. */
export interface ChangeSource {
  /** Up to `limit` rows above `afterRev` in revision order, read in one snapshot with the compacted revision. */
  readSince(afterRev: number, limit: number): LogBatch;
}

interface Subscription {
  readonly prefix: string;
  readonly handlers: WatchHandlers;
  after: number;
  active: boolean;
}

/** Dispatches the change log to the watches of one store. */
export class WatchHub {
  private readonly subs = new Set<Subscription>();
  private pumping = false;
  private pumpAgain = false;
  private scheduled = false;

  constructor(
    private readonly source: ChangeSource,
    private readonly logger?: StoreLogger,
  ) {}

  /** Whether any watch is running (a pump with none reads nothing). */
  get watching(): boolean {
    return this.subs.size > 0;
  }

  /**
   * Starts delivering changes under `prefix` with a revision above `afterRev` to `handlers`, from
   * the next pump on (never from inside this call). The caller has checked `afterRev` against the
   * compacted revision.
   */
  subscribe(prefix: string, afterRev: number, handlers: WatchHandlers): Watcher {
    const sub: Subscription = { prefix, handlers, after: afterRev, active: true };
    this.subs.add(sub);
    this.schedule();
    return { stop: () => this.remove(sub) };
  }

  /** Runs one pump on the next turn of the event loop; calls made before it runs share it. */
  schedule(): void {
    if (this.scheduled || !this.watching) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /**
   * Delivers the changes committed so far (up to one batch; the rest follows on the next turn) to
   * the watches that want them. Never throws: a failed read is logged and retried by the next pump.
   */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.drain();
      } while (this.pumpAgain);
    } catch (err) {
      this.logger?.warn({ err }, 'reading the change log failed; the next pump retries');
    } finally {
      this.pumping = false;
    }
  }

  /** Ends every watch with `err` (the store is closing). */
  endAll(err: Error): void {
    for (const sub of [...this.subs]) this.fail(sub, err);
  }

  /** Reads one batch and delivers it; asks for another pass when there may be more. */
  private drain(): void {
    const subs = [...this.subs];
    if (subs.length === 0) return;
    const from = Math.min(...subs.map((sub) => sub.after));
    const { compactedRev, rows } = this.source.readSince(from, READ_BATCH_ROWS);
    if (from < compactedRev) {
      for (const sub of subs) if (sub.after < compactedRev) this.fail(sub, StorageError.expired(sub.prefix, sub.after, compactedRev));
      this.pumpAgain = true;
      return;
    }
    for (const row of rows) for (const sub of subs) this.offer(sub, row);
    const last = rows.at(-1);
    if (last === undefined) return;
    for (const sub of subs) sub.after = Math.max(sub.after, last.rev);
    if (rows.length === READ_BATCH_ROWS) this.schedule();
  }

  private offer(sub: Subscription, row: LogRow): void {
    if (!sub.active || row.rev <= sub.after || !matchesPrefix(sub.prefix, row.key)) return;
    sub.after = row.rev;
    try {
      sub.handlers.onEvent(toChangeEvent(row));
    } catch (err) {
      this.logger?.error({ err, prefix: sub.prefix, rev: row.rev }, 'watch handler threw; ending the watch');
      this.fail(sub, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(sub: Subscription, err: Error): void {
    if (!sub.active) return;
    this.remove(sub);
    try {
      sub.handlers.onError?.(err);
    } catch (handlerErr) {
      this.logger?.error({ err: handlerErr, prefix: sub.prefix }, 'watch error handler threw');
    }
  }

  private remove(sub: Subscription): void {
    sub.active = false;
    this.subs.delete(sub);
  }
}
