import t, { type Test } from 'tap';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import type { ChangeEvent, Store } from '../../storage/store.js';
import { freshDbPath, Worker } from './fixtures/worker-pool.js';
import { wallClockMs, type WorkerWrite } from './fixtures/worker-protocol.js';

/** The bound every cross-process latency must stay under: a 1 s poll would miss it half the time. */
const LATENCY_BOUND_MS = 500;

/** Opens a store in this process, closed when `t` ends. */
function open(t: Test, path: string): Store {
  const store = openSqliteStore(path);
  t.teardown(() => store.close());
  return store;
}

/** A running watch that records its events and can be awaited up to a revision. */
class Recording {
  readonly events: ChangeEvent[] = [];
  private failed: Error | undefined;
  private wake = (): void => undefined;

  /** Watches `prefix` after `afterRev`; `onEvent` sees each event as it arrives. The watch stops when `t` ends. */
  constructor(t: Test, store: Store, prefix: string, afterRev: number, onEvent?: (event: ChangeEvent) => void) {
    const watcher = store.watch(prefix, afterRev, {
      onEvent: (event) => {
        onEvent?.(event);
        this.events.push(event);
        this.wake();
      },
      onError: (err) => {
        this.failed = err;
        this.wake();
      },
    });
    t.teardown(() => watcher.stop());
  }

  /** Resolves with the events once one at `rev` or later has arrived; rejects on a watch error or after 10 s. */
  async until(rev: number): Promise<ChangeEvent[]> {
    const reached = (): boolean => (this.events.at(-1)?.rev ?? 0) >= rev;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch stalled at ${this.events.at(-1)?.rev} < ${rev}`)), 10_000);
      this.wake = () => {
        if (this.failed === undefined && !reached()) return;
        clearTimeout(timer);
        if (this.failed === undefined) resolve();
        else reject(this.failed);
      };
      this.wake();
    });
    return this.events;
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const summary = (write: WorkerWrite): string => `${write.type} ${write.key}@${write.rev}`;

t.test('two processes writing as fast as they can lose nothing and share one revision sequence', async (t) => {
  const path = freshDbPath(t);
  const N = 500;
  const workers = await Promise.all([Worker.start(t, path), Worker.start(t, path)]);
  const started = performance.now();
  const [a, b] = await Promise.all(
    workers.map((worker, i) => worker.run({ script: 'burst', prefix: `/registry/core/configmaps/w${i}/`, count: N })),
  );
  if (a === undefined || b === undefined) throw new Error('a worker did not answer');
  t.comment(`${4 * N} writes from 2 processes in ${Math.round(performance.now() - started)} ms`);
  t.same([...a.errors, ...b.errors], [], 'no write failed (no SQLITE_BUSY surfaced)');

  const writes = [...a.writes, ...b.writes].sort((x, y) => x.rev - y.rev);
  t.same(
    writes.map((w) => w.rev),
    range(1, 4 * N),
    'revisions are unique and contiguous',
  );
  const switches = writes.filter((w, i) => i > 0 && w.key.slice(0, 30) !== writes[i - 1]?.key.slice(0, 30)).length;
  t.comment(`the two writers alternated ${switches} times in revision order`);

  const store = open(t, path);
  t.equal(await store.currentRevision(), 4 * N);
  const list = await store.list('/registry/core/configmaps/');
  t.equal(list.items.length, 2 * N, 'every key is present');
  const lastWrite = new Map(writes.map((w) => [w.key, w.rev]));
  t.ok(
    list.items.every((item) => (item.value['data'] as { step: number }).step === 1 && lastWrite.get(item.key) === item.rev),
    'every key holds its last write at that write’s revision',
  );
  const log = await new Recording(t, store, '/registry/', 0).until(4 * N);
  t.same(
    log.map((e) => `${e.type} ${e.key}@${e.rev}`),
    writes.map(summary),
    'the change log holds exactly the acknowledged writes, in revision order',
  );
});

t.test('a watcher sees another process’s writes within milliseconds', async (t) => {
  const path = freshDbPath(t);
  const worker = await Worker.start(t, path);
  const store = open(t, path);
  const count = 100;
  const latencies: number[] = [];
  const from = await store.currentRevision();
  const recording = new Recording(t, store, '/registry/', from, (event) => latencies.push(wallClockMs() - (event.value['sentAt'] as number)));
  const { writes, errors } = await worker.run({ script: 'paced', prefix: '/registry/core/configmaps/paced/', count, intervalMs: 10 });
  t.same(errors, []);
  await recording.until(from + count);
  t.equal(latencies.length, writes.length, 'every write was seen');
  const sorted = [...latencies].sort((x, y) => x - y);
  t.comment(
    `cross-process watch latency over ${sorted.length} writes: ` +
      `p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${sorted.at(-1)?.toFixed(2)} ms`,
  );
  t.ok(
    latencies.every((ms) => ms < LATENCY_BOUND_MS),
    `every write arrived within ${LATENCY_BOUND_MS} ms`,
    { slowest: sorted.slice(-5) },
  );
});

t.test('a watch from revision R in one process gets exactly the later writes of another, in order', async (t) => {
  const path = freshDbPath(t);
  const worker = await Worker.start(t, path);
  const store = open(t, path);
  const prefix = '/registry/core/configmaps/mixed/';
  let live: { startRev: number; recording: Recording } | undefined;
  const { writes, errors } = await worker.run({ script: 'mixed', prefix, count: 300 }, (done) => {
    if (done !== 100) return;
    void store.currentRevision().then((startRev) => {
      live = { startRev, recording: new Recording(t, store, prefix, startRev) };
    });
  });
  t.same(errors, []);
  if (live === undefined) throw new Error('the watch did not start');
  const { startRev, recording } = live;
  const lastRev = writes.at(-1)?.rev ?? 0;
  t.equal(lastRev, writes.length, 'the worker was the only writer');
  const expected = writes.filter((w) => w.rev > startRev).map(summary);
  t.ok(expected.length > 0 && expected.length < writes.length, `the watch started mid-stream, at revision ${startRev} of ${lastRev}`);
  t.same(
    (await recording.until(lastRev)).map((e) => `${e.type} ${e.key}@${e.rev}`),
    expected,
    'no gap, no duplicate, revision order',
  );

  const replay = await new Recording(t, store, prefix, 50).until(lastRev);
  t.same(
    replay.map((e) => `${e.type} ${e.key}@${e.rev}`),
    writes.filter((w) => w.rev > 50).map(summary),
    'a watch started afterwards from an older revision replays the same sequence',
  );
  const previous = new Map<string, number>();
  const chained = replay.every((e) => {
    const before = previous.get(e.key);
    previous.set(e.key, e.rev);
    return e.type === 'ADDED' ? e.prevRev === undefined : before === undefined || e.prevRev === before;
  });
  t.ok(chained, 'each event’s prevRev is the revision of the key’s previous event');
});
