/**
 * Waiting for another process's SQLite lock without freezing this one.
 *
 * better-sqlite3 is synchronous, so SQLite's own busy handler sleeps on the event loop's thread: a
 * write that waits 2 s for the write lock stops every request, watch and lease renewal of the server
 * for those 2 s. Worse, the handler polls ever more rarely (after about 200 ms only every 100 ms),
 * while the process that holds the lock takes it again the moment it commits, so under full-speed
 * writes from several processes one writer can starve for seconds and then fail with SQLITE_BUSY.
 *
 * So the connection's own busy timeout is only a short slice ({@link LOCK_SLICE_MS}, during which
 * SQLite polls after 1, 3, 8 and 10 ms), and a statement or transaction that still finds the lock
 * taken is tried again after a pause of a millisecond or two, on a later turn of the event loop,
 * until the store's whole budget (its `busyTimeoutMs`) is spent. The lock is polled every few
 * milliseconds for as long as the budget lasts, and the process serves other work in between.
 *
 * Only the SQLITE_BUSY family is retried: it means nothing was written (a write transaction takes
 * the lock at `BEGIN IMMEDIATE`, before its body runs, and SQLite rolls back anything else that
 * fails busy). Every other error is final.
 */
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';

/** Milliseconds one attempt lets SQLite wait for a lock, blocking the event loop, before yielding. */
export const LOCK_SLICE_MS = 10;

/** The longest pause between two attempts, in milliseconds (each pause is 1 ms up to this). */
export const MAX_RETRY_PAUSE_MS = 3;

/** How one operation that found a lock taken fared: reported once it succeeded or gave up. */
export interface LockWait {
  /** Attempts made, the first included (2 or more: a wait is reported only after a retry). */
  attempts: number;
  /** Milliseconds from the first attempt to the end of the last. */
  waitedMs: number;
  /** True when the lock was obtained in the end; false when the budget ran out. */
  acquired: boolean;
}

/** True when `err` is SQLite's SQLITE_BUSY or one of its extended codes (SQLITE_BUSY_RECOVERY, …). */
export function isBusy(err: unknown): boolean {
  return err instanceof Database.SqliteError && (err.code === 'SQLITE_BUSY' || err.code.startsWith('SQLITE_BUSY_'));
}

/** Makes the connection wait at most {@link LOCK_SLICE_MS} inside SQLite for a lock; call after opening. */
export function sliceLockWaits(db: Database.Database): void {
  db.pragma(`busy_timeout = ${LOCK_SLICE_MS}`);
}

/**
 * Runs `attempt` (one whole statement or transaction) and, while it fails busy, runs it again after
 * a short pause until `budgetMs` have passed since the first try; then the last busy error is
 * thrown. `onWait`, when given, hears about every operation that needed more than one attempt.
 */
export async function retryWhileBusy<T>(attempt: () => T, budgetMs: number, onWait?: (wait: LockWait) => void): Promise<T> {
  const started = performance.now();
  for (let attempts = 1; ; attempts++) {
    try {
      const result = attempt();
      if (attempts > 1) onWait?.({ attempts, waitedMs: performance.now() - started, acquired: true });
      return result;
    } catch (err) {
      const waitedMs = performance.now() - started;
      if (!isBusy(err) || waitedMs >= budgetMs) {
        if (isBusy(err) && attempts > 1) onWait?.({ attempts, waitedMs, acquired: false });
        throw err;
      }
    }
    await sleep(1 + Math.floor(Math.random() * MAX_RETRY_PAUSE_MS));
  }
}
