/**
 * The behaviour every {@link Store} backend must show, as a tap suite: run it against a new backend
 * (`runStoreContract(t, 'etcd', factory)`) and it checks the contracts written in store.ts.
 */
import type { Test } from 'tap';
import { isStorageError, type StorageErrorCode } from '../errors.js';
import { NO_CHANGE, type ChangeEvent, type JsonObject, type Store, type WatchHandlers } from '../store.js';

/**
 * Makes a new, empty store whose TTL records expire by `now`, a clock in milliseconds that the suite
 * controls. The suite closes every store it makes.
 */
export type StoreFactory = (now: () => number) => Store | Promise<Store>;

/**
 * Where a backend legitimately differs from the reference (SQLite), so that the suite checks the
 * rest unchanged. Revisions are always checked relative to the new store's own revision: SQLite's
 * empty store is at 0, etcd's at 1.
 */
export interface ContractDifferences {
  /** Writing a TTL record takes a revision (etcd: the record is a key attached to a lease). */
  ttlTakesRevisions?: boolean;
}

/** How long the suite waits for an expected watch event before failing. */
export const WATCH_WAIT_MS = 5000;

const PREFIX = '/registry/core/configmaps/';

/** The revision of the store under test when it was new; every expected revision counts from it. */
let base = 0;
/** The revision `n` writes after the new store's: `n` in SQLite, `n + 1` in etcd. */
const r = (n: number): number => base + n;
const key = (name: string): string => `${PREFIX}default/${name}`;

function configMap(name: string, data: Record<string, string> = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `uid-${name}` }, data };
}

/** A manual clock, starting at an arbitrary fixed instant. */
class ManualClock {
  private ms = Date.UTC(2025, 0, 1);
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** Records what a watch delivers and lets a test wait for it. */
class Recorder implements WatchHandlers {
  readonly events: ChangeEvent[] = [];
  readonly errors: Error[] = [];
  private wake: () => void = () => undefined;

  onEvent(event: ChangeEvent): void {
    this.events.push(event);
    this.wake();
  }

  onError(err: Error): void {
    this.errors.push(err);
    this.wake();
  }

  /** The delivered events as `TYPE key@rev` lines, easy to compare. */
  get lines(): string[] {
    return this.events.map((e) => `${e.type} ${e.key.slice(PREFIX.length)}@${e.rev - base}`);
  }

  /** Resolves once `done()` holds; rejects after {@link WATCH_WAIT_MS}. */
  async until(done: () => boolean, what: string): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch: timed out waiting for ${what}`)), WATCH_WAIT_MS);
      this.wake = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.wake = () => undefined;
        resolve();
      };
    });
  }

  /** Resolves once an event at revision `rev` or later has arrived. */
  untilRev(rev: number): Promise<void> {
    return this.until(() => (this.events.at(-1)?.rev ?? 0) >= r(rev), `revision ${r(rev)}`);
  }
}

async function rejectsWith(t: Test, promise: Promise<unknown>, code: StorageErrorCode, message?: string): Promise<void> {
  try {
    await promise;
    t.fail(`expected a ${code} StorageError, got success`);
  } catch (err) {
    t.ok(isStorageError(err, code), `fails with ${code}`, { found: err });
    if (message !== undefined) t.equal((err as Error).message, message);
  }
}

/**
 * Registers the contract suite as subtest `name` of `t`: every case gets a fresh store from
 * `factory` and closes it afterwards. Resolves when the suite has run.
 */
export async function runStoreContract(t: Test, name: string, factory: StoreFactory, differences: ContractDifferences = {}): Promise<void> {
  const fresh = async (t: Test): Promise<{ store: Store; clock: ManualClock }> => {
    const clock = new ManualClock();
    const store = await factory(clock.now);
    t.teardown(() => store.close());
    base = await store.currentRevision();
    return { store, clock };
  };

  await t.test(`${name}: store contract`, async (t) => {
    t.test('create and get', async (t) => {
      const { store } = await fresh(t);
      t.equal(await store.currentRevision(), r(0), 'a new store is at its base revision');
      const created = await store.create(key('a'), configMap('a', { x: '1' }));
      t.match(created, { key: key('a'), rev: r(1), createRev: r(1), value: configMap('a', { x: '1' }) });
      t.same(await store.get(key('a')), created);
      t.equal(await store.get(key('missing')), undefined, 'an absent key reads as undefined');
      await rejectsWith(t, store.create(key('a'), configMap('a')), 'KeyExists');
      t.equal(await store.currentRevision(), r(1), 'a failed create writes nothing');
    });

    t.test('values never carry metadata.resourceVersion', async (t) => {
      const { store } = await fresh(t);
      const value = configMap('a');
      (value['metadata'] as JsonObject)['resourceVersion'] = '42';
      const created = await store.create(key('a'), value);
      t.notOk('resourceVersion' in (created.value['metadata'] as JsonObject));
      t.notOk('resourceVersion' in ((await store.get(key('a')))?.value['metadata'] as JsonObject));
    });

    t.test('update writes a new revision; an identical value writes nothing', async (t) => {
      const { store } = await fresh(t);
      await store.create(key('a'), configMap('a', { x: '1' }));
      await store.create(key('b'), configMap('b'));
      const updated = await store.update(key('a'), (cur) => {
        t.same(cur.value, configMap('a', { x: '1' }), 'the callback sees the current value');
        (cur.value['data'] as JsonObject)['x'] = '2';
        return cur.value;
      });
      t.match(updated, { key: key('a'), rev: r(3), createRev: r(1), value: configMap('a', { x: '2' }) });
      t.same(await store.get(key('a')), updated);

      const same = await store.update(key('a'), (cur) => ({ ...cur.value }));
      t.equal(same.rev, r(3), 'an identical value keeps the revision');
      const unchanged = await store.update(key('a'), () => NO_CHANGE);
      t.same(unchanged, updated, 'NO_CHANGE returns the current object');
      t.equal(await store.currentRevision(), r(3), 'no-op updates write nothing');

      const boom = new Error('boom');
      await t.rejects(
        store.update(key('a'), () => {
          throw boom;
        }),
        boom,
        'an error thrown by the callback aborts the update unchanged',
      );
      t.equal((await store.get(key('a')))?.rev, r(3));
      await rejectsWith(t, store.update(key('missing'), (cur) => cur.value), 'KeyNotFound');
    });

    t.test('preconditions', async (t) => {
      const { store } = await fresh(t);
      await store.create(key('a'), configMap('a'));
      await rejectsWith(
        t,
        store.update(key('a'), (cur) => ({ ...cur.value, data: { x: '1' } }), { uid: 'other' }),
        'Conflict',
        'Precondition failed: UID in precondition: other, UID in object meta: uid-a',
      );
      await rejectsWith(
        t,
        store.update(key('a'), (cur) => ({ ...cur.value, data: { x: '1' } }), { rev: r(7) }),
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${r(7)}, ResourceVersion in object meta: ${r(1)}`,
      );
      const ok = await store.update(key('a'), (cur) => ({ ...cur.value, data: { x: '1' } }), { uid: 'uid-a', rev: r(1) });
      t.equal(ok.rev, r(2), 'matching preconditions let the update through');

      await rejectsWith(t, store.delete(key('a'), { uid: 'other' }), 'Conflict');
      await rejectsWith(t, store.delete(key('a'), { rev: r(1) }), 'Conflict');
      const veto = new Error('veto');
      await t.rejects(
        store.delete(key('a'), undefined, () => {
          throw veto;
        }),
        veto,
        'a throwing check aborts the delete',
      );
      t.ok(await store.get(key('a')), 'failed deletes leave the key');
      t.equal(await store.currentRevision(), r(2));
      t.equal((await store.delete(key('a'), { uid: 'uid-a', rev: r(2) })).rev, r(3));
    });

    t.test('delete returns the last value at the deletion revision', async (t) => {
      const { store } = await fresh(t);
      await store.create(key('a'), configMap('a', { x: '1' }));
      const deleted = await store.delete(key('a'));
      t.match(deleted, { key: key('a'), rev: r(2), createRev: r(1), value: configMap('a', { x: '1' }) });
      t.equal(await store.get(key('a')), undefined);
      await rejectsWith(t, store.delete(key('a')), 'KeyNotFound');
      const again = await store.create(key('a'), configMap('a'));
      t.match(again, { rev: r(3), createRev: r(3) }, 'a re-created key starts a new incarnation');
    });

    t.test('one revision counter across all keys', async (t) => {
      const { store } = await fresh(t);
      const revs: number[] = [];
      for (const name of ['c', 'a', 'b']) revs.push((await store.create(key(name), configMap(name))).rev);
      revs.push((await store.update(key('a'), (cur) => ({ ...cur.value, data: { y: '1' } }))).rev);
      revs.push((await store.create('/registry/core/secrets/default/s', configMap('s'))).rev);
      revs.push((await store.delete(key('c'))).rev);
      t.same(revs, [1, 2, 3, 4, 5, 6].map(r), 'every write takes the next revision');
      t.equal(await store.currentRevision(), r(6));
    });

    t.test('list: key order, prefix, count, limit and continue', async (t) => {
      const { store } = await fresh(t);
      for (const name of ['d', 'b', 'e', 'a', 'c']) await store.create(key(name), configMap(name, { n: name }));
      await store.create('/registry/core/configmapsx/default/z', configMap('z'));
      await store.create('/registry/core/secrets/default/a', configMap('a'));
      const all = await store.list(PREFIX);
      t.same(
        all.items.map((i) => i.key),
        ['a', 'b', 'c', 'd', 'e'].map(key),
      );
      t.equal(all.rev, r(7), 'a list reads at the current revision');
      t.equal(all.continueKey, undefined);
      t.equal(all.remaining, undefined);
      t.same(all.items[0], await store.get(key('a')));
      t.equal(await store.count(PREFIX), 5);
      t.equal(await store.count('/registry/core/nothing/'), 0);

      const first = await store.list(PREFIX, { limit: 2 });
      t.same(
        first.items.map((i) => i.key),
        [key('a'), key('b')],
      );
      t.equal(first.continueKey, key('b'));
      t.equal(first.remaining, 3);
      const second = await store.list(PREFIX, { limit: 2, afterKey: first.continueKey ?? '', atRev: first.rev });
      t.same(
        second.items.map((i) => i.key),
        [key('c'), key('d')],
      );
      t.equal(second.remaining, 1);
      const last = await store.list(PREFIX, { limit: 2, afterKey: second.continueKey ?? '', atRev: first.rev });
      t.same(
        last.items.map((i) => i.key),
        [key('e')],
      );
      t.equal(last.continueKey, undefined, 'the last page has no continue key');
      const exact = await store.list(PREFIX, { limit: 5 });
      t.equal(exact.continueKey, undefined, 'a page that ends exactly at the last key is not cut short');
    });

    t.test('list: filter runs before limit; remaining counts unfiltered keys', async (t) => {
      const { store } = await fresh(t);
      for (const [i, name] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) await store.create(key(name), configMap(name, { odd: String(i % 2) }));
      const isEven = (value: JsonObject): boolean => (value['data'] as JsonObject)['odd'] === '0';
      const page = await store.list(PREFIX, { filter: isEven, limit: 2 });
      t.same(
        page.items.map((i) => i.key),
        [key('a'), key('c')],
      );
      t.equal(page.continueKey, key('c'));
      t.equal(page.remaining, 3);
      const rest = await store.list(PREFIX, { filter: isEven, limit: 2, afterKey: key('c'), atRev: page.rev });
      t.same(
        rest.items.map((i) => i.key),
        [key('e')],
      );
    });

    t.test('list atRev reads an older snapshot', async (t) => {
      const { store } = await fresh(t);
      const a = await store.create(key('a'), configMap('a', { v: '1' }));
      const b = await store.create(key('b'), configMap('b'));
      const at = await store.currentRevision();
      await store.update(key('a'), (cur) => ({ ...cur.value, data: { v: '2' } }));
      await store.delete(key('b'));
      await store.create(key('c'), configMap('c'));
      const old = await store.list(PREFIX, { atRev: at });
      t.equal(old.rev, at);
      t.same(old.items, [a, b], 'keys, values and revisions as they were');
      const now = await store.list(PREFIX);
      t.same(
        now.items.map((i) => `${i.key}@${i.rev}`),
        [`${key('a')}@${r(3)}`, `${key('c')}@${r(5)}`],
      );
      await rejectsWith(t, store.list(PREFIX, { atRev: r(99) }), 'TooLargeRevision');
    });

    t.test('compaction: lists and watches below it expire, the state at it survives', async (t) => {
      const { store } = await fresh(t);
      await store.create(key('a'), configMap('a', { v: '1' }));
      await store.create(key('b'), configMap('b'));
      await store.create(key('c'), configMap('c'));
      await store.delete(key('c'));
      t.equal(await store.compactedRevision(), 0);
      await store.compact(r(4));
      t.equal(await store.compactedRevision(), r(4));
      await store.update(key('a'), (cur) => ({ ...cur.value, data: { v: '2' } }));
      await store.delete(key('b'));

      await rejectsWith(t, store.list(PREFIX, { atRev: r(3) }), 'Expired');
      const atCompacted = await store.list(PREFIX, { atRev: r(4) });
      t.same(
        atCompacted.items.map((i) => [i.key, i.rev, i.createRev, i.value['data']]),
        [
          [key('a'), r(1), r(1), { v: '1' }],
          [key('b'), r(2), r(2), {}],
        ],
        'the snapshot at the compacted revision is intact',
      );
      t.throws(() => store.watch(PREFIX, r(3), new Recorder()), { code: 'Expired', compactedRev: r(4) }, 'watch below it fails at once');
      const recorder = new Recorder();
      const watcher = store.watch(PREFIX, r(4), recorder);
      await recorder.untilRev(6);
      watcher.stop();
      t.same(recorder.lines, ['MODIFIED default/a@5', 'DELETED default/b@6'], 'watch at the compacted revision works');
      await store.compact(r(2));
      t.equal(await store.compactedRevision(), r(4), 'compacting below the compacted revision changes nothing');
      await rejectsWith(t, store.compact(r(99)), 'TooLargeRevision');
      t.equal((await store.get(key('a')))?.rev, r(5), 'current values are kept');
    });

    t.test('watch from revision 0 replays the log, then follows it', async (t) => {
      const { store } = await fresh(t);
      await store.create(key('a'), configMap('a', { v: '1' }));
      await store.update(key('a'), (cur) => ({ ...cur.value, data: { v: '2' } }));
      const recorder = new Recorder();
      const watcher = store.watch(PREFIX, r(0), recorder);
      t.teardown(() => watcher.stop());
      await store.create('/registry/core/secrets/default/s', configMap('s'));
      await store.delete(key('a'));
      await recorder.untilRev(4);
      t.same(recorder.lines, ['ADDED default/a@1', 'MODIFIED default/a@2', 'DELETED default/a@4']);
      const [added, modified, deleted] = recorder.events;
      t.same(added, { type: 'ADDED', key: key('a'), rev: r(1), value: configMap('a', { v: '1' }) }, 'ADDED has no previous value');
      t.match(modified, { value: configMap('a', { v: '2' }), prevValue: configMap('a', { v: '1' }), prevRev: r(1) });
      t.match(deleted, { value: configMap('a', { v: '2' }), prevValue: configMap('a', { v: '2' }), prevRev: r(2) }, 'DELETED carries the last value');
      t.same(recorder.errors, []);
    });

    t.test('watch from a revision sees only later changes, exactly once, in order', async (t) => {
      const { store } = await fresh(t);
      for (const name of ['a', 'b', 'c']) await store.create(key(name), configMap(name));
      const recorder = new Recorder();
      const watcher = store.watch(PREFIX, r(2), recorder);
      t.teardown(() => watcher.stop());
      for (const name of ['d', 'e']) await store.create(key(name), configMap(name));
      await store.delete(key('a'));
      await recorder.untilRev(6);
      t.same(recorder.lines, ['ADDED default/c@3', 'ADDED default/d@4', 'ADDED default/e@5', 'DELETED default/a@6']);
    });

    t.test('watches from different revisions, started at different times, each get exactly their range', async (t) => {
      const { store } = await fresh(t);
      for (const name of ['a', 'b', 'c']) await store.create(key(name), configMap(name));
      const [from0, from2, from1] = [new Recorder(), new Recorder(), new Recorder()];
      const watchers = [store.watch(PREFIX, r(0), from0), store.watch(PREFIX, r(2), from2)];
      t.teardown(() => watchers.forEach((w) => w.stop()));
      await store.create(key('d'), configMap('d'));
      await Promise.all([from0.untilRev(4), from2.untilRev(4)]);
      watchers.push(store.watch(PREFIX, r(1), from1));
      await store.create(key('e'), configMap('e'));
      await Promise.all([from0, from1, from2].map((r) => r.untilRev(5)));
      const revs = (r: Recorder): number[] => r.events.map((e) => e.rev - base);
      t.same(revs(from0), [1, 2, 3, 4, 5]);
      t.same(revs(from2), [3, 4, 5]);
      t.same(revs(from1), [2, 3, 4, 5], 'a late watch from an older revision is caught up without repeating others’ events');
    });

    t.test('watch of one exact key', async (t) => {
      const { store } = await fresh(t);
      const recorder = new Recorder();
      const watcher = store.watch(key('a'), r(0), recorder);
      t.teardown(() => watcher.stop());
      await store.create(key('ab'), configMap('ab'));
      await store.create(key('a'), configMap('a'));
      await store.update(key('ab'), (cur) => ({ ...cur.value, data: { x: '1' } }));
      await store.update(key('a'), (cur) => ({ ...cur.value, data: { x: '1' } }));
      await recorder.untilRev(4);
      t.same(recorder.lines, ['ADDED default/a@2', 'MODIFIED default/a@4'], 'a key is not a prefix of longer keys');
    });

    t.test('a stopped watch receives nothing more', async (t) => {
      const { store } = await fresh(t);
      const stopped = new Recorder();
      const watcher = store.watch(PREFIX, r(0), stopped);
      await store.create(key('a'), configMap('a'));
      await stopped.untilRev(1);
      watcher.stop();
      watcher.stop();
      const sentinel = new Recorder();
      const sentinelWatcher = store.watch(PREFIX, r(1), sentinel);
      t.teardown(() => sentinelWatcher.stop());
      await store.create(key('b'), configMap('b'));
      await sentinel.untilRev(2);
      t.same(stopped.lines, ['ADDED default/a@1']);
    });

    t.test('TTL records expire by the injected clock', async (t) => {
      const { store, clock } = await fresh(t);
      const lease = { address: '10.0.0.1', port: 6443 };
      await store.setTtl('/peerserverleases/b', lease, 15);
      await store.setTtl('/peerserverleases/a', { address: '10.0.0.2' }, 5);
      await store.setTtl('/other/c', { x: 1 }, 60);
      t.same(await store.getTtl('/peerserverleases/b'), lease);
      t.same(
        (await store.listTtl('/peerserverleases/')).map((r) => r.key),
        ['/peerserverleases/a', '/peerserverleases/b'],
      );
      clock.advance(5);
      t.equal(await store.getTtl('/peerserverleases/a'), undefined, 'a record is gone once its TTL has passed');
      t.same(await store.listTtl('/peerserverleases/'), [{ key: '/peerserverleases/b', value: lease }]);
      clock.advance(9);
      await store.setTtl('/peerserverleases/b', lease, 15);
      clock.advance(14);
      t.same(await store.getTtl('/peerserverleases/b'), lease, 'setting again refreshes the expiry');
      await store.deleteTtl('/peerserverleases/b');
      await store.deleteTtl('/peerserverleases/never');
      t.equal(await store.getTtl('/peerserverleases/b'), undefined);
      if (differences.ttlTakesRevisions) t.ok((await store.currentRevision()) > r(0), 'TTL records take revisions (a difference this backend declares)');
      else t.equal(await store.currentRevision(), r(0), 'TTL records take no revisions');
    });

    t.test('close ends watches and fails later calls', async (t) => {
      const clock = new ManualClock();
      const store = await factory(clock.now);
      base = await store.currentRevision();
      const recorder = new Recorder();
      store.watch(PREFIX, r(0), recorder);
      await store.create(key('a'), configMap('a'));
      await recorder.untilRev(1);
      await store.close();
      await recorder.until(() => recorder.errors.length > 0, 'the watch to end');
      t.ok(isStorageError(recorder.errors[0], 'Internal'), 'the watch ends with Internal');
      await rejectsWith(t, store.get(key('a')), 'Internal');
      await rejectsWith(t, store.create(key('b'), configMap('b')), 'Internal');
      t.throws(() => store.watch(PREFIX, r(0), new Recorder()), { code: 'Internal' });
      await store.close();
      t.equal(recorder.events.length, 1);
    });
  });
}
