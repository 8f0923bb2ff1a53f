/**
 * The registry's multi-step writes under concurrency and crashes, over a real SQLite store with
 * another writer slipped in between the registry's read and its write (as another server process
 * would):
 * - a DELETE is conditional on the request's preconditions only, as upstream's etcd3 store retries
 *   a delete on the newer revision: a racing update does not turn it into a 409, but a racing
 *   update that adds a finalizer makes it a graceful deletion;
 * - an update that leaves an object marked for deletion without finalizers deletes it in ONE write,
 *   as upstream's Store.Update does: no MODIFIED revision with the emptied object, so a crash
 *   cannot leave that object behind with nothing left to delete it; a racing write makes the
 *   registry decide again instead of failing.
 */
import t, { type Test } from 'tap';
import { systemClock } from '../../../server/clock.js';
import { Registry } from '../../../server/registry/rest.js';
import { ResourceTypes, type ResourceType } from '../../../server/registry/resource-type.js';
import { openSqliteStore } from '../../../storage/sqlite/store.js';
import type { ChangeEvent, Preconditions, Store, StoredObject } from '../../../storage/store.js';
import { loadProfile } from '../../../versions/profile.js';

const types = new ResourceTypes(loadProfile({ minor: '1.33' }));
const configMaps = types.lookup('', 'v1', 'configmaps') as ResourceType;
const namespaces = types.lookup('', 'v1', 'namespaces') as ResourceType;
const KEY = '/registry/configmaps/ns/cm';

/** A store whose next delete first lets `race` write (as another process would between the registry's read and its delete). */
function racingStore(store: Store): { store: Store; beforeNextDelete(race: () => Promise<unknown>): void } {
  let race: (() => Promise<unknown>) | undefined;
  const wrapped: Store = Object.create(store) as Store;
  wrapped.delete = async (key: string, preconditions?: Preconditions, check?: (current: StoredObject) => void) => {
    const pending = race;
    race = undefined;
    await pending?.();
    return store.delete(key, preconditions, check);
  };
  return { store: wrapped, beforeNextDelete: (fn) => (race = fn) };
}

async function setup(t: Test) {
  const store = openSqliteStore(':memory:');
  t.teardown(() => store.close());
  const racing = racingStore(store);
  const registry = new Registry({ store: racing.store, clock: systemClock });
  await registry.create(namespaces, '', { metadata: { name: 'ns' } });
  const events: ChangeEvent[] = [];
  store.watch(KEY, await store.currentRevision(), { onEvent: (e) => events.push(e) });
  const label = (labels: Record<string, string>) => store.update(KEY, (cur) => ({ ...cur.value, metadata: { ...(cur.value['metadata'] as object), labels } }));
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { store, racing, registry, events, label, settle };
}

t.test('a DELETE that another write overtakes deletes the newer revision, not a 409', async (t) => {
  const { store, racing, registry, events, label, settle } = await setup(t);
  await registry.create(configMaps, 'ns', { metadata: { name: 'cm' } });
  racing.beforeNextDelete(() => label({ touched: 'yes' }));
  const result = await registry.delete(configMaps, 'ns', 'cm');
  t.equal(result.deleted, true, 'deleted');
  t.equal(await store.get(KEY), undefined);
  await settle();
  t.same(
    events.map((e) => e.type),
    ['ADDED', 'MODIFIED', 'DELETED'],
  );
});

t.test('a DELETE overtaken by a write that adds a finalizer marks the object instead', async (t) => {
  const { store, racing, registry } = await setup(t);
  await registry.create(configMaps, 'ns', { metadata: { name: 'cm' } });
  racing.beforeNextDelete(() => store.update(KEY, (cur) => ({ ...cur.value, metadata: { ...(cur.value['metadata'] as object), finalizers: ['example.com/hold'] } })));
  const result = await registry.delete(configMaps, 'ns', 'cm');
  t.equal(result.deleted, false, 'not deleted: it has a finalizer now');
  const stored = await store.get(KEY);
  t.match(stored?.value, { metadata: { finalizers: ['example.com/hold'], deletionTimestamp: String } }, 'marked for deletion, finalizer kept');
});

t.test('a DELETE whose resourceVersion precondition another write overtook is a 409', async (t) => {
  const { racing, registry, label } = await setup(t);
  const created = await registry.create(configMaps, 'ns', { metadata: { name: 'cm' } });
  const rv = created.metadata?.resourceVersion ?? '';
  racing.beforeNextDelete(() => label({ touched: 'yes' }));
  await t.rejects(registry.delete(configMaps, 'ns', 'cm', { preconditions: { resourceVersion: rv } }), {
    code: 409,
    message: new RegExp(`Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${Number(rv) + 1}`),
  });
});

t.test('removing the last finalizer of an object marked for deletion deletes it in one write', async (t) => {
  const { store, registry, events, settle } = await setup(t);
  await registry.create(configMaps, 'ns', { metadata: { name: 'cm', finalizers: ['example.com/hold'] }, data: { a: '1' } });
  const marked = (await registry.delete(configMaps, 'ns', 'cm')).body as { metadata: { resourceVersion: string } };
  const before = await store.currentRevision();
  const released = await registry.patch(configMaps, 'ns', 'cm', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
  t.equal(await store.get(KEY), undefined, 'gone');
  t.equal(await store.currentRevision(), before + 1, 'one revision: the deletion, no stored object without finalizers');
  t.match(released, { metadata: { deletionTimestamp: String }, data: { a: '1' } }, 'the answer is the object the update computed');
  t.equal(released.metadata?.finalizers, undefined, 'without finalizers');
  t.equal(released.metadata?.resourceVersion, marked.metadata.resourceVersion, 'at the revision it was based on, as upstream answers');
  await settle();
  t.same(
    events.map((e) => e.type),
    ['ADDED', 'MODIFIED', 'DELETED'],
    'watchers see the marking and the deletion, never an emptied object',
  );
  t.match(events.at(-1)?.value, { metadata: { finalizers: ['example.com/hold'] } }, 'the DELETED event carries the last stored object');
});

t.test('a finalizer removal overtaken by another write decides again on the newer revision', async (t) => {
  const { store, racing, registry, label } = await setup(t);
  await registry.create(configMaps, 'ns', { metadata: { name: 'cm', finalizers: ['example.com/hold'] } });
  await registry.delete(configMaps, 'ns', 'cm');
  racing.beforeNextDelete(() => label({ touched: 'yes' }));
  const released = await registry.patch(configMaps, 'ns', 'cm', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
  t.same(released.metadata?.labels, { touched: 'yes' }, 'the patch was applied again to the newer object');
  t.equal(await store.get(KEY), undefined, 'and the object is gone');
});
