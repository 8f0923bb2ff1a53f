/**
 * Watch streams over real HTTPS against real server processes: headers flushed before any event,
 * one JSON event per line, resourceVersion semantics (only newer events after a list's RV, synthetic
 * ADDED for `0` or none), `watch=True`, selector transitions, watch-list (`sendInitialEvents`) with
 * its BOOKMARK on a minor whose WatchList gate is on and the 422 where it is off, `timeoutSeconds`,
 * the 410 ERROR event after compaction, and events written through another server process.
 *
 * One cluster: s1 and s2 are 1.32 (WatchList on) over one store, s3 is 1.33 (WatchList off).
 */
import t, { type Test } from 'tap';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import type { Cluster } from '../../server/cluster/cluster.js';
import { api, startCluster, urlOf, WITHOUT_ROOT_CA_PUBLISHER, type ApiOptions } from '../fixtures/cluster.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface WatchEvent {
  type: string;
  object: any;
}

/** An open watch response, read line by line as it arrives. */
interface WatchStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Body bytes received before the response headers were handed to us (must be 0). */
  bytesAtHeaders: number;
  events: WatchEvent[];
  /** Lines that were not one JSON event each. */
  badLines: string[];
  /** The whole body so far. */
  raw(): string;
  ended(): boolean;
  /** Resolves when the server ends the response. */
  end: Promise<void>;
  /** Wait until `n` events arrived (true) or `ms` passed (false). */
  waitFor(n: number, ms?: number): Promise<boolean>;
  close(): void;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Open a watch (or any streaming GET); resolves as soon as the response headers arrive. */
function openWatch(t: Test, cluster: Cluster, url: string, path: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  const tls = cluster.tls;
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'GET', headers: { accept: 'application/json', ...headers }, ca: tls.ca, cert: tls.cert, key: tls.key });
    t.teardown(() => req.destroy());
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      let pending = '';
      let done = false;
      const events: WatchEvent[] = [];
      const badLines: string[] = [];
      const end = new Promise<void>((r) => {
        res.on('end', () => {
          done = true;
          r();
        });
        res.on('close', () => {
          done = true;
          r();
        });
      });
      const stream: WatchStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        bytesAtHeaders: res.readableLength,
        events,
        badLines,
        raw: () => body,
        ended: () => done,
        end,
        waitFor: (n, ms = 5000) => until(() => events.length >= n, ms),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          try {
            const ev = JSON.parse(line) as WatchEvent;
            if (typeof ev?.type === 'string' && ev.object && typeof ev.object === 'object') events.push(ev);
            else badLines.push(line);
          } catch {
            badLines.push(line);
          }
        }
      });
      resolve(stream);
    });
    req.end();
  });
}

/** True when `p` settles within `ms` (the timer is cleared either way, so it never holds the process). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const summary = (events: WatchEvent[]): Array<[string, string]> => events.map((e) => [e.type, e.object?.metadata?.name]);

t.test('watch', async (t) => {
  // The watches below see exactly the ConfigMaps each test writes.
  const cluster = await startCluster(t, '1.32,1.32,1.33', { args: [WITHOUT_ROOT_CA_PUBLISHER] });
  const u1 = urlOf(cluster, 's1');
  const u2 = urlOf(cluster, 's2');
  const u133 = urlOf(cluster, 's3');
  const call = (url: string, method: string, path: string, opts: ApiOptions = {}) => api(cluster, url, method, path, opts);
  const cm = (ns: string, name = '') => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
  const create = async (url: string, ns: string, name: string, labels: Record<string, string> = {}) => {
    const res = await call(url, 'POST', cm(ns), { body: { metadata: { name, labels }, data: { v: '0' } } });
    if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.text}`);
    return res.json;
  };
  const patch = async (url: string, ns: string, name: string, body: unknown) => {
    const res = await call(url, 'PATCH', cm(ns, name), { body, headers: { 'content-type': 'application/merge-patch+json' } });
    if (res.status !== 200) throw new Error(`patch ${name}: ${res.status} ${res.text}`);
    return res.json;
  };
  const namespace = async (name: string) => {
    const res = await call(u1, 'POST', '/api/v1/namespaces', { body: { metadata: { name } } });
    if (res.status !== 201) throw new Error(`namespace ${name}: ${res.status} ${res.text}`);
    return name;
  };
  const listRV = async (url: string, ns: string): Promise<string> => (await call(url, 'GET', cm(ns))).json.metadata.resourceVersion;

  t.test('from a list resourceVersion: headers first, then only newer events, one per line', async (t) => {
    const ns = await namespace('from-list');
    await create(u1, ns, 'a');
    const rv = await listRV(u1, ns);
    const w = await openWatch(t, cluster, u1, `${cm(ns)}?watch=true&resourceVersion=${rv}`);
    t.equal(w.status, 200);
    t.equal(w.headers['content-type'], 'application/json');
    t.equal(w.headers['transfer-encoding'], 'chunked');
    t.ok(w.headers['audit-id'], 'filter headers are on the stream');
    t.equal(w.bytesAtHeaders, 0, 'the headers came before any event');
    t.equal(w.raw(), '', 'nothing was written with the headers');
    await new Promise((r) => setTimeout(r, 150));
    t.same(w.events, [], 'no event for an object older than the list (no synthetic ADDED)');

    await create(u1, ns, 'b');
    await patch(u1, ns, 'b', { data: { v: '1' } });
    await patch(u1, ns, 'a', { data: { v: '1' } });
    t.equal((await call(u1, 'DELETE', cm(ns, 'b'))).status, 200);
    t.ok(await w.waitFor(4), 'four events arrive');
    t.same(summary(w.events), [['ADDED', 'b'], ['MODIFIED', 'b'], ['MODIFIED', 'a'], ['DELETED', 'b']]);
    for (const e of w.events) {
      t.equal(e.object.kind, 'ConfigMap', `${e.type}: kind`);
      t.equal(e.object.apiVersion, 'v1', `${e.type}: apiVersion`);
    }
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    t.ok(rvs.every((r) => r > Number(rv)), 'every event is newer than the list');
    t.same(rvs, [...rvs].sort((x, y) => x - y), 'in revision order');
    t.ok(rvs[3]! > rvs[1]!, 'DELETED carries the revision of the deletion');
    t.same(w.events[1]!.object.data, { v: '1' }, 'MODIFIED carries the new content');
    t.same(w.badLines, [], 'every line is exactly one JSON event');
    t.ok(w.raw().endsWith('\n'), 'each event ends with a newline');
    t.equal(w.raw().split('\n').length - 1, 4, 'four lines');
    t.notOk(w.ended(), 'the stream stays open');
    w.close();
  });

  t.test('resourceVersion 0 or absent: synthetic ADDED for what exists', async (t) => {
    const ns = await namespace('synthetic');
    await create(u1, ns, 'a');
    await create(u1, ns, 'b');
    for (const query of ['watch=true&resourceVersion=0', 'watch=true', 'watch=True&timeoutSeconds=30', 'watch=1&resourceVersion=0']) {
      const w = await openWatch(t, cluster, u1, `${cm(ns)}?${query}`);
      t.ok(await w.waitFor(2), `${query}: initial events`);
      t.same(summary(w.events), [['ADDED', 'a'], ['ADDED', 'b']], `${query}: ADDED a, b`);
      t.equal(w.events[0]!.object.kind, 'ConfigMap');
      t.equal(w.events[0]!.object.apiVersion, 'v1');
      w.close();
    }
    // the legacy /watch/ path
    const legacy = await openWatch(t, cluster, u1, `/api/v1/watch/namespaces/${ns}/configmaps?resourceVersion=0`);
    t.equal(legacy.status, 200);
    t.ok(await legacy.waitFor(2));
    t.same(summary(legacy.events), [['ADDED', 'a'], ['ADDED', 'b']], '/watch/ path');

    // kubectl get X -w: a named watch by field selector
    const named = await openWatch(t, cluster, u1, `${cm(ns)}?fieldSelector=${encodeURIComponent('metadata.name=b')}&resourceVersion=0&watch=true`);
    t.ok(await named.waitFor(1));
    await patch(u1, ns, 'a', { data: { v: '2' } });
    await patch(u1, ns, 'b', { data: { v: '2' } });
    await create(u1, ns, 'c');
    t.ok(await named.waitFor(2));
    t.ok(await legacy.waitFor(5), 'the unfiltered watch sees all three changes');
    await new Promise((r) => setTimeout(r, 100));
    t.same(summary(named.events), [['ADDED', 'b'], ['MODIFIED', 'b']], 'only the named object');
    t.same(summary(legacy.events).slice(2), [['MODIFIED', 'a'], ['MODIFIED', 'b'], ['ADDED', 'c']]);
    const single = await openWatch(t, cluster, u1, `/api/v1/watch/namespaces/${ns}/configmaps/c?resourceVersion=0`);
    t.ok(await single.waitFor(1));
    t.same(summary(single.events), [['ADDED', 'c']], '/watch/ path for one object');

    // an all-namespaces watch sees this namespace too
    const all = await openWatch(t, cluster, u1, `/api/v1/configmaps?watch=true&fieldSelector=${encodeURIComponent(`metadata.namespace=${ns}`)}`);
    t.ok(await all.waitFor(3));
    t.same(summary(all.events), [['ADDED', 'a'], ['ADDED', 'b'], ['ADDED', 'c']]);
  });

  t.test('label selector transitions', async (t) => {
    const ns = await namespace('labels');
    const rv = await listRV(u1, ns);
    const w = await openWatch(t, cluster, u1, `${cm(ns)}?watch=true&labelSelector=${encodeURIComponent('app=web')}&resourceVersion=${rv}`);
    await create(u1, ns, 'x', { app: 'web' });
    await create(u1, ns, 'y', { app: 'db' });
    await patch(u1, ns, 'x', { data: { v: '1' } });
    const out = await patch(u1, ns, 'x', { metadata: { labels: { app: 'db' } } });
    await patch(u1, ns, 'x', { data: { v: '2' } }); // outside the selection: nothing
    const back = await patch(u1, ns, 'x', { metadata: { labels: { app: 'web' } } });
    await patch(u1, ns, 'y', { metadata: { labels: { app: 'web', tier: 'x' } } });
    await call(u1, 'DELETE', cm(ns, 'x'));
    t.ok(await w.waitFor(6));
    await new Promise((r) => setTimeout(r, 100));
    t.same(summary(w.events), [
      ['ADDED', 'x'],
      ['MODIFIED', 'x'],
      ['DELETED', 'x'],
      ['ADDED', 'x'],
      ['ADDED', 'y'],
      ['DELETED', 'x'],
    ]);
    const leaving = w.events[2]!.object;
    t.equal(leaving.metadata.resourceVersion, out.metadata.resourceVersion, 'relabelled out: DELETED at the relabel revision');
    t.same(leaving.metadata.labels, { app: 'web' }, 'relabelled out: the previous content, as upstream\'s cacher sends it');
    t.equal(w.events[3]!.object.metadata.resourceVersion, back.metadata.resourceVersion, 'relabelled in: ADDED');
    t.same(w.events[3]!.object.data, { v: '2' }, 'relabelled in: the current content');
    t.same(w.events[4]!.object.metadata.labels, { app: 'web', tier: 'x' });

    const bad = await call(u1, 'GET', `${cm(ns)}?watch=true&labelSelector=${encodeURIComponent('app in (')}`);
    t.equal(bad.status, 400, 'a bad selector is refused before the stream opens');
    t.equal(bad.json.reason, 'BadRequest');
  });

  t.test('watch-list: sendInitialEvents on 1.32, 422 on 1.33', async (t) => {
    const ns = await namespace('watchlist');
    await create(u1, ns, 'a');
    const b = await create(u1, ns, 'b');
    const query = 'watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=60';
    const w = await openWatch(t, cluster, u1, `${cm(ns)}?${query}`);
    t.equal(w.status, 200);
    t.ok(await w.waitFor(3), 'initial events and the bookmark');
    t.same(w.events.map((e) => e.type), ['ADDED', 'ADDED', 'BOOKMARK']);
    t.same(summary(w.events.slice(0, 2)), [['ADDED', 'a'], ['ADDED', 'b']]);
    const bookmark = w.events[2]!.object;
    t.equal(bookmark.kind, 'ConfigMap');
    t.equal(bookmark.apiVersion, 'v1');
    t.same(bookmark.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    t.ok(Number(bookmark.metadata.resourceVersion) >= Number(b.metadata.resourceVersion), 'the bookmark is at or after the initial state');
    await create(u1, ns, 'c');
    t.ok(await w.waitFor(4));
    t.same(summary(w.events.slice(3)), [['ADDED', 'c']], 'then live events');
    t.ok(Number(w.events[3]!.object.metadata.resourceVersion) > Number(bookmark.metadata.resourceVersion));
    w.close();

    // 1.33 turned the WatchList gate off by default
    const refused = await call(u133, 'GET', `${cm(ns)}?${query}`);
    t.equal(refused.status, 422);
    t.equal(refused.headers['content-type'], 'application/json');
    t.same(refused.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
      reason: 'Invalid',
      details: {
        group: 'meta.k8s.io',
        kind: 'ListOptions',
        causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled', field: 'sendInitialEvents' }],
      },
      code: 422,
    });
    // on 1.32 the other requirements still apply
    const noMatch = await call(u1, 'GET', `${cm(ns)}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true`);
    t.equal(noMatch.status, 422);
    t.equal(noMatch.json.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    const matchWithoutInitial = await call(u1, 'GET', `${cm(ns)}?watch=true&resourceVersionMatch=NotOlderThan`);
    t.equal(matchWithoutInitial.status, 422);
    t.equal(matchWithoutInitial.json.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  });

  t.test('Table watch: one-row Tables', async (t) => {
    const ns = await namespace('table');
    await create(u1, ns, 'a');
    const w = await openWatch(t, cluster, u1, `${cm(ns)}?watch=true&resourceVersion=0`, { accept: TABLE_ACCEPT });
    t.equal(w.headers['content-type'], 'application/json');
    t.ok(await w.waitFor(1));
    await create(u1, ns, 'b');
    t.ok(await w.waitFor(2));
    const [first, second] = w.events;
    t.equal(first!.type, 'ADDED');
    t.equal(first!.object.kind, 'Table');
    t.equal(first!.object.apiVersion, 'meta.k8s.io/v1');
    t.same(first!.object.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Data', 'Age'], 'the first event carries the columns');
    t.equal(first!.object.rows.length, 1);
    t.equal(first!.object.rows[0].cells[0], 'a');
    t.equal(first!.object.rows[0].object.kind, 'PartialObjectMetadata');
    t.same(second!.object.columnDefinitions, [], 'later events leave them out');
    t.equal(second!.object.rows[0].cells[0], 'b');
  });

  t.test('timeoutSeconds ends the stream', async (t) => {
    const ns = await namespace('timeout');
    const started = Date.now();
    const w = await openWatch(t, cluster, u1, `${cm(ns)}?watch=true&timeoutSeconds=1`);
    t.equal(w.status, 200);
    const ended = await within(w.end, 5000);
    t.ok(ended, 'the server ends the response');
    const took = Date.now() - started;
    t.ok(took >= 900 && took < 4000, `after about a second (${took} ms)`);
    t.same(w.events, [], 'without events');
  });

  t.test('a write through another server reaches the watch', async (t) => {
    const ns = await namespace('cross');
    const rv = await listRV(u1, ns);
    const w1 = await openWatch(t, cluster, u1, `${cm(ns)}?watch=true&resourceVersion=${rv}`);
    const w2 = await openWatch(t, cluster, u2, `${cm(ns)}?watch=true&resourceVersion=${rv}`);
    const started = Date.now();
    const created = await create(u2, ns, 'from-s2');
    t.ok(await w1.waitFor(1, 2000), 's1 sees the write made on s2');
    t.ok(Date.now() - started < 2000, `within ${Date.now() - started} ms`);
    t.same(summary(w1.events), [['ADDED', 'from-s2']]);
    t.equal(w1.events[0]!.object.metadata.resourceVersion, created.metadata.resourceVersion, 'same resourceVersion on both servers');
    t.equal(w1.events[0]!.object.metadata.uid, created.metadata.uid);
    const updated = await patch(u1, ns, 'from-s2', { data: { v: '9' } });
    t.ok(await w2.waitFor(2, 2000), 's2 sees the write made on s1');
    t.same(summary(w2.events), [['ADDED', 'from-s2'], ['MODIFIED', 'from-s2']]);
    t.equal(w2.events[1]!.object.metadata.resourceVersion, updated.metadata.resourceVersion);
    // and a list on s2 at s1's revision is consistent
    const got = await call(u2, 'GET', cm(ns, 'from-s2'));
    t.same(got.json.data, { v: '9' });
  });

  // Last: compaction ends every watch that started before it, including the servers' own.
  t.test('a watch from a compacted revision gets a 410 ERROR event', async (t) => {
    const ns = await namespace('compacted');
    const first = await create(u1, ns, 'a');
    for (const n of ['b', 'c', 'd']) await create(u1, ns, n);
    const paged = await call(u1, 'GET', `${cm(ns)}?limit=2`);
    t.type(paged.json.metadata.continue, 'string');
    await patch(u1, ns, 'a', { data: { v: '1' } });

    const store = openSqliteStore(cluster.storagePath);
    t.teardown(() => store.close());
    const compactedAt = await store.currentRevision();
    await store.compact(compactedAt);
    t.equal(await store.compactedRevision(), compactedAt);

    const oldRV = first.metadata.resourceVersion as string;
    const w = await openWatch(t, cluster, u1, `${cm(ns)}?watch=true&resourceVersion=${oldRV}`);
    t.equal(w.status, 200, 'the watch opens, then reports the error in the stream');
    t.ok(await w.waitFor(1));
    const ended = await within(w.end, 3000);
    t.ok(ended, 'the stream ends after the ERROR');
    t.equal(w.events.length, 1, 'nothing after the ERROR');
    t.equal(w.events[0]!.type, 'ERROR');
    t.match(w.events[0]!.object, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410 });
    t.equal(w.events[0]!.object.message, `too old resource version: ${oldRV} (${compactedAt})`);

    // a continue token from before the compaction has expired too
    const expired = await call(u1, 'GET', `${cm(ns)}?limit=2&continue=${encodeURIComponent(paged.json.metadata.continue)}`);
    t.equal(expired.status, 410);
    t.equal(expired.json.reason, 'Expired');
    t.match(expired.json.message, /^The provided continue parameter is too old to display a consistent list result\./);

    // watching from the compacted revision itself, or from now, still works
    const fresh = await openWatch(t, cluster, u1, `${cm(ns)}?watch=true&resourceVersion=${compactedAt}`);
    await create(u1, ns, 'e');
    t.ok(await fresh.waitFor(1));
    t.same(summary(fresh.events), [['ADDED', 'e']]);
  });
});
