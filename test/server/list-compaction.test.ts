/**
 * List semantics around resourceVersion and compaction, as upstream's etcd3 storage serves them:
 * the legacy exact read (resourceVersion + limit, no resourceVersionMatch), the 410 of an exact
 * read once compacted, the 410 of an expired continue token with its fresh token, and the
 * compactor servers run (`--etcd-compaction-interval`).
 */
import t from 'tap';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { COMPACT_REV_KEY } from '../../storage/compactor.js';
import { api, startCluster, urlOf, WITHOUT_ROOT_CA_PUBLISHER } from '../fixtures/cluster.js';
import { poll } from '../peers/helpers.js';

const cm = (ns: string, name = ''): string => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
const names = (list: { items: Array<{ metadata: { name: string } }> }): string[] => list.items.map((i) => i.metadata.name);

t.test('lists at a resourceVersion, before and after compaction', async (t) => {
  // Compaction only by hand here, so revisions stay where the test puts them.
  // The pages below are exactly the ConfigMaps the test writes.
  const cluster = await startCluster(t, [{ name: 's1', minor: '1.33', args: ['--etcd-compaction-interval=0', WITHOUT_ROOT_CA_PUBLISHER] }]);
  const url = urlOf(cluster, 's1');
  const call = (method: string, path: string, body?: unknown) => api(cluster, url, method, path, body === undefined ? {} : { body });
  const ns = 'lists';
  t.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  t.equal((await call('POST', cm(ns), { metadata: { name: 'a' } })).status, 201);
  const before = await call('GET', cm(ns));
  const rv = before.json.metadata.resourceVersion as string;
  t.equal((await call('POST', cm(ns), { metadata: { name: 'b' } })).status, 201);

  t.test('resourceVersion with a limit and no resourceVersionMatch reads exactly at it', async (t) => {
    const exact = await call('GET', `${cm(ns)}?resourceVersion=${rv}&limit=10`);
    t.equal(exact.status, 200);
    t.same(names(exact.json), ['a'], 'b, created after the revision, is not in the list');
    t.equal(exact.json.metadata.resourceVersion, rv, 'the list reports the revision it was read at');
    const explicit = await call('GET', `${cm(ns)}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    t.same(names(explicit.json), ['a'], 'resourceVersionMatch=Exact reads the same');
  });

  t.test('without a limit, with NotOlderThan, or at 0, the list is the latest state', async (t) => {
    for (const query of [`resourceVersion=${rv}`, `resourceVersion=${rv}&resourceVersionMatch=NotOlderThan&limit=10`, 'resourceVersion=0&limit=10']) {
      const res = await call('GET', `${cm(ns)}?${query}`);
      t.equal(res.status, 200, query);
      t.same(names(res.json), ['a', 'b'], `${query}: b is listed`);
      t.ok(Number(res.json.metadata.resourceVersion) > Number(rv), `${query}: read at a later revision`);
    }
  });

  t.test('once compacted, exact reads and continue tokens expire', async (t) => {
    for (const n of ['c', 'd', 'e']) t.equal((await call('POST', cm(ns), { metadata: { name: n } })).status, 201);
    const firstPage = await call('GET', `${cm(ns)}?limit=2`);
    t.same(names(firstPage.json), ['a', 'b']);
    const token = firstPage.json.metadata.continue as string;
    t.type(token, 'string');

    // Created after the first page: a consistent continuation would not include it.
    t.equal((await call('POST', cm(ns), { metadata: { name: 'f' } })).status, 201);
    const store = openSqliteStore(cluster.storagePath);
    t.teardown(() => store.close());
    await store.compact(await store.currentRevision());

    for (const query of [`resourceVersion=${rv}&limit=10`, `resourceVersion=${rv}&resourceVersionMatch=Exact`]) {
      const res = await call('GET', `${cm(ns)}?${query}`);
      t.equal(res.status, 410, query);
      t.match(res.json, { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: 'The resourceVersion for the provided list is too old.' }, query);
    }

    const expired = await call('GET', `${cm(ns)}?limit=2&continue=${encodeURIComponent(token)}`);
    t.equal(expired.status, 410);
    t.equal(expired.json.reason, 'Expired');
    t.match(expired.json.message, /use the continue token in this response to retrieve the remainder of the results/);
    const fresh = expired.json.metadata.continue as string;
    t.type(fresh, 'string', 'the 410 carries a fresh continue token');
    t.same(JSON.parse(Buffer.from(fresh, 'base64url').toString('utf8')), { ...JSON.parse(Buffer.from(token, 'base64url').toString('utf8')), rv: -1 }, 'the same start key, at the latest revision (-1)');

    const rest1 = await call('GET', `${cm(ns)}?limit=2&continue=${encodeURIComponent(fresh)}`);
    t.equal(rest1.status, 200);
    t.same(names(rest1.json), ['c', 'd']);
    const rest2 = await call('GET', `${cm(ns)}?limit=2&continue=${encodeURIComponent(rest1.json.metadata.continue as string)}`);
    t.same(names(rest2.json), ['e', 'f'], 'the inconsistent remainder includes what was created after the first page');
    t.notOk(rest2.json.metadata.continue, 'and ends');
    t.equal(rest2.json.metadata.resourceVersion, rest1.json.metadata.resourceVersion, 'both pages are read at the revision of the first continued page');
  });
});

t.test('servers compact the store every --etcd-compaction-interval, taking turns', async (t) => {
  const cluster = await startCluster(t, [
    { name: 's1', minor: '1.34' },
    { name: 's2', minor: '1.34' },
  ], { args: ['--etcd-compaction-interval=1s'] });
  const url = urlOf(cluster, 's1');
  const ns = 'compactor';
  t.equal((await api(cluster, url, 'POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } })).status, 201);
  const first = await api(cluster, url, 'POST', cm(ns), { body: { metadata: { name: 'first' } } });
  const firstRV = Number(first.json.metadata.resourceVersion);

  const store = openSqliteStore(cluster.storagePath);
  t.teardown(() => store.close());
  const compacted = await poll(() => store.compactedRevision(), (rev) => rev >= firstRV, 60_000, 200);
  t.ok(compacted.ok, `the store is compacted past ${firstRV} (at ${compacted.value})`);
  const record = await store.get(COMPACT_REV_KEY);
  t.ok(record, `the servers agree through ${COMPACT_REV_KEY}`);
  t.ok((record!.value as { version: number }).version >= 2, 'the first tick records a revision, a later one compacts to it');

  const list = await api(cluster, url, 'GET', `${cm(ns)}?resourceVersion=${firstRV - 1}&limit=5`);
  t.equal(list.status, 410, 'an exact list from before the compaction expires');
  const watch = await api(cluster, urlOf(cluster, 's2'), 'GET', `${cm(ns)}?watch=true&resourceVersion=${firstRV - 1}&timeoutSeconds=1`);
  t.equal(watch.status, 200);
  t.match(watch.text, /"type":"ERROR".*"code":410/, 'a watch from before the compaction gets its 410 ERROR event');
  const again = await api(cluster, url, 'POST', cm(ns), { body: { metadata: { name: 'after' } } });
  t.equal(again.status, 201, 'the servers keep serving');
});
