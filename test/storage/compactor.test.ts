/**
 * The compactor protocol: servers sharing one store take turns through `compact_rev_key`; the
 * winner of a tick compacts to the revision it saw on its previous tick, the first tick never
 * compacts, and when the winner stops another compactor takes over.
 */
import t from 'tap';
import { join } from 'node:path';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { COMPACT_REV_KEY, Compactor, type CompactorClock } from '../../storage/compactor.js';
import { tempDir } from '../fixtures/cluster.js';

/** Ticks are driven by hand: the clock is never asked. */
const noClock: CompactorClock = { setTimeout: () => ({ cancel: () => undefined }) };
const quiet = { debug: () => undefined, warn: () => undefined };

t.test('two compactors over one store', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'store.db');
  const storeA = openSqliteStore(path);
  const storeB = openSqliteStore(path);
  t.teardown(async () => {
    await storeA.close();
    await storeB.close();
  });
  const a = new Compactor(storeA, noClock, 1000, quiet);
  const b = new Compactor(storeB, noClock, 1000, quiet);
  const write = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await storeA.create(`/registry/core/configmaps/ns/cm-${Date.now()}-${i}`, { metadata: { name: 'x' } });
  };

  await write(3);
  t.same(await a.tick(), { won: true }, 'the first tick wins but has no earlier revision to compact to');
  const recorded = await storeA.currentRevision();
  t.same(await b.tick(), { won: false }, 'another compactor in the same interval loses the swap');
  t.equal(await storeA.compactedRevision(), 0, 'nothing compacted yet');

  await write(3);
  t.same(await a.tick(), { won: true, compacted: recorded }, "a's second tick compacts to the revision of its first");
  t.equal(await storeA.compactedRevision(), recorded);
  const secondSeen = await storeB.currentRevision();
  t.same(await b.tick(), { won: false }, 'b lost again: a moved the version first');

  await write(2);
  // a stops (its server went away): b wins the next round and compacts to what it saw on its last tick.
  t.same(await b.tick(), { won: true, compacted: secondSeen }, 'b takes over');
  t.equal(await storeB.compactedRevision(), secondSeen);
  const record = await storeB.get(COMPACT_REV_KEY);
  t.equal((record!.value as { version: number }).version, 3, 'three won ticks, three versions');
});

t.test('an interval of 0 never ticks', async (t) => {
  const dir = await tempDir(t);
  const store = openSqliteStore(join(dir, 'store.db'));
  t.teardown(() => store.close());
  let armed = 0;
  const c = new Compactor(store, { setTimeout: () => (armed++, { cancel: () => undefined }) }, 0, quiet);
  c.start();
  c.stop();
  t.equal(armed, 0);
});
