/**
 * The namespace controller retries a failing deletion at least once a minute, as upstream's
 * `nsControllerRateLimiter` does (5 ms doubling up to 60 s), where other controllers' queues back off
 * up to 1000 s. A namespace held Terminating by a failing aggregated API is therefore finished within
 * a minute of the API's return, however long it was down. The delays are read from the clock the
 * queue schedules on, so nothing here waits.
 */
import t from 'tap';
import { pino } from 'pino';
import type { Clock } from '../../server/clock.js';
import type { ApiClient } from '../../server/controllers/client.js';
import { NAMESPACE_MAX_BACKOFF_MS, NamespaceController } from '../../server/controllers/namespace.js';
import { RATE_LIMIT_MAX_MS, WorkQueue } from '../../server/controllers/workqueue.js';

/** A clock that never fires, and records the delay of every timeout set on it. */
function recordingClock(): Clock & { delays: number[] } {
  const delays: number[] = [];
  const start = Date.parse('2026-01-01T00:00:00Z');
  return {
    delays,
    now: () => new Date(start),
    setTimeout(_fn, ms) {
      delays.push(ms);
      return { cancel: () => undefined };
    },
    setInterval: () => ({ cancel: () => undefined }),
  };
}

/** The delays of `failures` rate-limited retries of one item, spaced out so the token bucket never counts. */
function backoffs(queue: WorkQueue<string>, clock: ReturnType<typeof recordingClock>, failures: number): number[] {
  for (let i = 0; i < failures; i++) queue.addRateLimited('doomed');
  return clock.delays.splice(0);
}

t.test('a failing namespace is retried at least once a minute', async (t) => {
  const clock = recordingClock();
  const controller = new NamespaceController({ client: {} as ApiClient, clock, log: pino({ level: 'silent' }), resyncMs: 300_000, gracePeriodMs: 5_000 });
  const queue = (controller as unknown as { queue: WorkQueue<string> }).queue;
  const delays = backoffs(queue, clock, 30);
  t.same(delays.slice(0, 4), [5, 10, 20, 40], 'the backoff starts at 5 ms and doubles');
  t.equal(Math.max(...delays), NAMESPACE_MAX_BACKOFF_MS, 'and stops at 60 s');
  t.equal(NAMESPACE_MAX_BACKOFF_MS, 60_000);
  t.same(delays.slice(-5), [60_000, 60_000, 60_000, 60_000, 60_000], 'after a long outage every retry comes a minute after the last');
  queue.shutdown();
});

t.test("other controllers' queues back off up to 1000 s", async (t) => {
  const clock = recordingClock();
  const queue = new WorkQueue<string>(clock);
  const delays = backoffs(queue, clock, 30);
  t.equal(Math.max(...delays), RATE_LIMIT_MAX_MS);
  t.equal(RATE_LIMIT_MAX_MS, 1_000_000);
  queue.shutdown();
});
