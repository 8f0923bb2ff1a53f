import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { isStorageError } from '../../storage/errors.js';
import type { LockWait } from '../../storage/sqlite/lock-wait.js';
import { READ_BATCH_ROWS } from '../../storage/sqlite/watch-hub.js';
import { openSqliteStore, type SqliteStoreOptions } from '../../storage/sqlite/store.js';
import type { ChangeEvent, Store } from '../../storage/store.js';
import { runStoreContract } from '../../storage/testing/contract.js';

const PREFIX = '/registry/core/configmaps/';
const cm = (name: string, data: Record<string, string> = {}) => ({ metadata: { name, uid: `uid-${name}` }, data });

/** A fresh temporary directory, removed when `t` ends. */
function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-skew-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a store on `path` that is closed when `t` ends. */
function open(t: Test, path: string, options: SqliteStoreOptions = {}): Store {
  const store = openSqliteStore(path, options);
  t.teardown(() => store.close());
  return store;
}

/** Resolves once `done()` holds, checking every millisecond; rejects after `timeoutMs`. */
async function waitFor(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Resolves once `events` holds an event at `rev` or later. */
const waitForRev = (events: ChangeEvent[], rev: number, timeoutMs?: number): Promise<void> =>
  waitFor(() => (events.at(-1)?.rev ?? 0) >= rev, `revision ${rev}`, timeoutMs);

const dir = tempDir(t);
let files = 0;
await runStoreContract(t, 'sqlite file', (now) => openSqliteStore(join(dir, `contract-${++files}.db`), { now }));
await runStoreContract(t, 'sqlite :memory:', (now) => openSqliteStore(':memory:', { now }));

t.test('a second connection sees changes through file events', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const writer = open(t, path);
  const reader = open(t, path, { pollMs: 60_000 });
  const events: ChangeEvent[] = [];
  const latencies: number[] = [];
  const sentAt = new Map<number, number>();
  const watcher = reader.watch(PREFIX, 0, {
    onEvent(event) {
      events.push(event);
      latencies.push(performance.now() - (sentAt.get(event.rev) ?? NaN));
    },
  });
  t.teardown(() => watcher.stop());
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const { rev } = await writer.create(`${PREFIX}ns/k${i}`, cm(`k${i}`));
    sentAt.set(rev, started);
    await waitForRev(events, rev, 2000);
  }
  t.same(
    events.map((e) => e.rev),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  t.ok(Math.max(...latencies) < 200, 'each change arrives long before the (disabled) poll', { latencies });
});

t.test('without file events the safety poll still delivers every change', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const writer = open(t, path);
  const reader = open(t, path, { fileEvents: false, pollMs: 20 });
  const events: ChangeEvent[] = [];
  const watcher = reader.watch(PREFIX, 0, { onEvent: (event) => events.push(event) });
  t.teardown(() => watcher.stop());
  for (let i = 0; i < 5; i++) await writer.create(`${PREFIX}ns/k${i}`, cm(`k${i}`));
  await waitForRev(events, 5);
  t.same(
    events.map((e) => e.key),
    [0, 1, 2, 3, 4].map((i) => `${PREFIX}ns/k${i}`),
  );
});

t.test('a watch that falls behind another connection’s compaction ends with Expired', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const a = open(t, path);
  const b = open(t, path);
  for (let i = 0; i < 3; i++) await a.create(`${PREFIX}ns/k${i}`, cm(`k${i}`));
  const errors: Error[] = [];
  const events: ChangeEvent[] = [];
  a.watch(PREFIX, 1, { onEvent: (event) => events.push(event), onError: (err) => errors.push(err) });
  await b.compact(3);
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(events, [], 'no event is delivered past a gap');
  t.equal(errors.length, 1);
  t.ok(isStorageError(errors[0], 'Expired'));
  t.match(errors[0], { rev: 1, compactedRev: 3 });
});

t.test('a write blocked past the busy timeout fails Internal, never with a raw SQLite error', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const store = open(t, path, { busyTimeoutMs: 50 });
  const blocker = new Database(path);
  t.teardown(() => blocker.close());
  blocker.exec('BEGIN IMMEDIATE');
  const started = Date.now();
  await t.rejects(store.create(`${PREFIX}ns/a`, cm('a')), { name: 'StorageError', code: 'Internal', message: /SQLITE_BUSY/ });
  t.ok(Date.now() - started >= 40, 'it waited for the busy timeout first');
  blocker.exec('ROLLBACK');
  t.equal((await store.create(`${PREFIX}ns/a`, cm('a'))).rev, 1, 'the next write goes through');
});

t.test('a write waiting for another connection’s lock leaves the event loop free, and goes through once it is released', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const waits: LockWait[] = [];
  const store = open(t, path, { onLockWait: (wait) => waits.push(wait) });
  const blocker = new Database(path);
  t.teardown(() => blocker.close());
  blocker.exec('BEGIN IMMEDIATE');
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  t.teardown(() => clearInterval(ticker));
  // The lock is released by a timer of this very process: a wait that blocked the event loop could never end.
  setTimeout(() => blocker.exec('COMMIT'), 300);
  const started = performance.now();
  const created = await store.create(`${PREFIX}ns/a`, cm('a'));
  const waited = performance.now() - started;
  clearInterval(ticker);
  t.equal(created.rev, 1, 'the write went through');
  t.ok(waited >= 250, `it waited for the lock (${waited.toFixed(0)} ms)`);
  t.ok(ticks >= 10, `timers kept firing while it waited (${ticks} ticks of 10 ms)`);
  t.equal(waits.length, 1, 'the wait was reported once');
  t.match(waits[0], { acquired: true });
  t.ok((waits[0]?.attempts ?? 0) > 2 && (waits[0]?.waitedMs ?? 0) >= 250, 'with its attempts and duration', waits[0]);
});

t.test('opening a store never queues for the write lock when the schema is current', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const first = open(t, path);
  await first.create(`${PREFIX}ns/a`, cm('a'));
  const blocker = new Database(path);
  t.teardown(() => blocker.close());
  blocker.exec('BEGIN IMMEDIATE');
  const second = open(t, path, { busyTimeoutMs: 50 });
  t.equal((await second.get(`${PREFIX}ns/a`))?.rev, 1, 'the store opened and reads while another connection holds the write lock');
  blocker.exec('ROLLBACK');
});

/**
 * Another process holds the write lock on a fresh, empty store file for `holdMs`; resolves once it
 * holds it. The lock is in another process because opening a store blocks this one while it waits.
 */
async function holdWriteLockElsewhere(t: Test, path: string, holdMs: number): Promise<void> {
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.exec('BEGIN IMMEDIATE');
    process.stdout.write('held\\n'); setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, Number(process.argv[2]));`;
  const child = spawn(process.execPath, ['-e', script, path, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill('SIGKILL'));
  await once(child.stdout, 'data');
}

t.test('opening a fresh store waits for another process that holds its write lock, though SQLite fails at once', async (t) => {
  // Switching a new file to WAL reads its header and then asks for the write lock; SQLite answers
  // SQLITE_BUSY at once instead of calling its busy handler. Two servers opening a new store meet this.
  const path = join(tempDir(t), 'store.db');
  writeFileSync(path, '');
  await holdWriteLockElsewhere(t, path, 300);
  const started = performance.now();
  const store = open(t, path);
  const waited = performance.now() - started;
  t.ok(waited >= 150, `it waited for the other process (${waited.toFixed(0)} ms)`);
  t.equal((await store.create(`${PREFIX}ns/a`, cm('a'))).rev, 1, 'and the store works');
});

t.test('opening a store that stays locked past the busy timeout fails Internal, naming the file', async (t) => {
  const path = join(tempDir(t), 'store.db');
  writeFileSync(path, '');
  await holdWriteLockElsewhere(t, path, 5000);
  const started = performance.now();
  t.throws(() => openSqliteStore(path, { busyTimeoutMs: 100 }), {
    name: 'StorageError',
    code: 'Internal',
    message: `cannot open the store at ${path}: database is locked`,
  });
  t.ok(performance.now() - started >= 90, 'after the busy timeout');
});

t.test('a watch handler that throws ends only its own watch, and the store logs it', async (t) => {
  const lines: string[] = [];
  const store = open(t, ':memory:', { logger: pino({ base: null }, { write: (line: string) => lines.push(line) }) });
  const boom = new Error('boom');
  const errors: Error[] = [];
  const healthy: ChangeEvent[] = [];
  store.watch(PREFIX, 0, {
    onEvent() {
      throw boom;
    },
    onError: (err) => errors.push(err),
  });
  store.watch(PREFIX, 0, { onEvent: (event) => healthy.push(event) });
  await store.create(`${PREFIX}ns/a`, cm('a'));
  await store.create(`${PREFIX}ns/b`, cm('b'));
  await waitForRev(healthy, 2);
  t.same(errors, [boom]);
  t.equal(healthy.length, 2);
  t.match(JSON.parse(lines[0] ?? '{}'), { level: 50, msg: 'watch handler threw; ending the watch', err: { message: 'boom' }, rev: 1 });
});

t.test('a watch handler may write; every watch still sees revision order', async (t) => {
  const store = open(t, ':memory:');
  const seen: number[] = [];
  store.watch(PREFIX, 0, {
    onEvent(event) {
      seen.push(event.rev);
      if (event.type === 'ADDED') void store.update(event.key, (cur) => ({ ...cur.value, data: { touched: 'yes' } }));
    },
  });
  const other: number[] = [];
  store.watch(PREFIX, 0, { onEvent: (event) => other.push(event.rev) });
  await store.create(`${PREFIX}ns/a`, cm('a'));
  await store.create(`${PREFIX}ns/b`, cm('b'));
  await waitFor(() => seen.length >= 4 && other.length >= 4, 'the handler’s own writes');
  t.same(seen, [1, 2, 3, 4]);
  t.same(other, [1, 2, 3, 4]);
});

t.test('a watch from far back is caught up in batches, exactly once', async (t) => {
  const store = open(t, ':memory:');
  const total = READ_BATCH_ROWS * 2 + 7;
  for (let i = 0; i < total; i++) await store.create(`${PREFIX}ns/k${i}`, cm(`k${i}`));
  const events: ChangeEvent[] = [];
  store.watch(PREFIX, 0, { onEvent: (event) => events.push(event) });
  await waitForRev(events, total);
  t.same(
    events.map((e) => e.rev),
    Array.from({ length: total }, (_, i) => i + 1),
  );
});

t.test('revisions survive reopening and are never reused after compaction', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const first = openSqliteStore(path);
  await first.create(`${PREFIX}ns/a`, cm('a'));
  await first.delete(`${PREFIX}ns/a`);
  await first.compact(2);
  await first.close();
  const second = open(t, path);
  t.equal(await second.currentRevision(), 2);
  t.equal(await second.compactedRevision(), 2);
  t.equal((await second.create(`${PREFIX}ns/b`, cm('b'))).rev, 3);
});

t.test('setting a TTL record sweeps the expired ones from the file', async (t) => {
  const path = join(tempDir(t), 'store.db');
  let now = 1_000_000;
  const store = open(t, path, { now: () => now });
  await store.setTtl('/peerserverleases/a', { a: 1 }, 10);
  await store.setTtl('/peerserverleases/b', { b: 1 }, 30);
  now += 20_000;
  await store.setTtl('/peerserverleases/c', { c: 1 }, 10);
  const raw = new Database(path, { readonly: true });
  t.teardown(() => raw.close());
  t.same(
    raw.prepare('SELECT key FROM ttl ORDER BY key').pluck().all(),
    ['/peerserverleases/b', '/peerserverleases/c'],
  );
});

t.test('a file written by a newer schema is refused', async (t) => {
  const path = join(tempDir(t), 'store.db');
  const db = new Database(path);
  db.pragma('user_version = 99');
  db.close();
  t.throws(() => openSqliteStore(path), { name: 'StorageError', code: 'Internal', message: /schema version 99/ });
});
