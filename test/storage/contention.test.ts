/**
 * Several processes writing into one SQLite store at full speed, at two levels: the Store itself in
 * forked worker processes, and real server processes of mixed minors taking creates, updates and
 * deletes over HTTPS. What must hold afterwards, whatever the interleaving:
 * - no write fails for lack of the lock (no SQLITE_BUSY as `Internal`, no 500): every answer is a
 *   success or an expected conflict, and both are counted;
 * - nothing is lost and nothing is invented: the revision log holds exactly the acknowledged writes
 *   of the test's keys, each at the revision it was acknowledged with, and the final state is the
 *   last acknowledged write of each key;
 * - revisions are unique and gap-free (1, 2, 3, …), as the store's design promises: a write takes
 *   `sqlite_sequence + 1` inside its `BEGIN IMMEDIATE` transaction, so a rolled-back write rolls its
 *   revision back too, and the log replays to the current table (see fixtures/store-audit.ts);
 * - the watch in every process saw every change exactly once, in revision order;
 * - `PRAGMA integrity_check` says ok.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { ApiClient } from '../../scripts/bench/client.js';
import { seededRandom } from '../../server/random.js';
import { api, startCluster, urlOf } from '../fixtures/cluster.js';
import { openWatch, type WatchStream } from '../peers/helpers.js';
import { auditStore, type AuditLogRow } from './fixtures/store-audit.js';
import { freshDbPath, Worker } from './fixtures/worker-pool.js';
import type { ContendWrite } from './fixtures/worker-protocol.js';

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const describe = (row: { rev: number; type: string; key: string }): string => `${row.rev} ${row.type} ${row.key}`;

t.test('Store: 5 processes writing at full speed lose nothing, share one gap-free revision sequence, and every watch sees it all', async (t) => {
  const PROCESSES = 5;
  const COUNTERS = 4;
  const path = freshDbPath(t);
  const prefix = '/registry/configmaps/contention/';
  const setup = openSqliteStore(path);
  for (let c = 0; c < COUNTERS; c++) await setup.create(`${prefix}counters/c${c}`, { metadata: { name: `c${c}` }, data: { count: 0 } });
  const watchFrom = await setup.currentRevision();
  await setup.close();

  const workers = await Promise.all(range(1, PROCESSES).map(() => Worker.start(t, path)));
  const results = await Promise.all(
    workers.map((worker, i) =>
      worker.contend({
        writer: `w${i}`,
        prefix: `${prefix}w${i}/`,
        ownKeys: 20,
        counterPrefix: `${prefix}counters/`,
        counters: COUNTERS,
        durationMs: 3000,
        watchPrefix: prefix,
        watchFrom,
      }),
    ),
  );
  const writes: ContendWrite[] = results.flatMap((r) => r.writes).sort((a, b) => a.rev - b.rev);
  const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
  const waits = results.reduce((n, r) => n + r.lockWaits.operations, 0);
  t.comment(
    `${writes.length} acknowledged writes and ${conflicts} conflicts from ${PROCESSES} processes in 3 s; ` +
      `${waits} operations found the lock taken and tried again; slowest write ${Math.max(...results.map((r) => r.maxLatencyMs)).toFixed(1)} ms`,
  );
  t.same(
    results.flatMap((r) => r.errors),
    [],
    'every operation succeeded or lost a counter race with Conflict: no Internal (SQLITE_BUSY) error',
  );
  t.ok(writes.length > 500 && conflicts > 0, 'the workers did write a lot, and did race for the counters');
  t.ok(waits > 0, 'the processes did contend for the write lock');

  const finalRev = watchFrom + writes.length;
  t.same(
    writes.map((w) => w.rev),
    range(watchFrom + 1, finalRev),
    'acknowledged revisions are unique and gap-free',
  );
  const audit = auditStore(path);
  t.same(audit.integrity, ['ok'], 'integrity_check: ok');
  t.same(audit.problems, [], 'revisions run 1, 2, 3, … and the log replays to the current table');
  t.equal(audit.revision, finalRev, 'no revision was used beyond the acknowledged writes');
  t.same(
    audit.log.filter((row) => row.rev > watchFrom).map(describe),
    writes.map(describe),
    'the log holds exactly the acknowledged writes, each at its acknowledged revision',
  );

  const lastWrite = new Map(writes.map((w) => [w.key, w]));
  const expectedState = [...lastWrite.values()].filter((w) => w.type !== 'DELETED').map((w) => `${w.key}@${w.rev} seq ${w.seq}`).sort();
  const actualState = [...audit.current.values()]
    .filter((row) => row.rev > watchFrom)
    .map((row) => `${row.key}@${row.rev} seq ${(JSON.parse(row.value) as { data: { seq: number } }).data.seq}`)
    .sort();
  t.same(actualState, expectedState, 'the final state is the last acknowledged write of every key');
  for (let c = 0; c < COUNTERS; c++) {
    const key = `${prefix}counters/c${c}`;
    const increments = writes.filter((w) => w.key === key);
    const stored = JSON.parse(audit.current.get(key)?.value ?? '{}') as { data?: { count?: number } };
    t.equal(stored.data?.count, increments.length, `counter c${c} counts each of its ${increments.length} acknowledged increments once (no lost update)`);
  }

  const expectedEvents = audit.log.filter((row) => row.rev > watchFrom).map(describe);
  const watched = await Promise.all(workers.map((worker) => worker.drain(finalRev)));
  watched.forEach((w, i) => {
    t.equal(w.error, undefined, `worker w${i}'s watch did not fail`);
    t.same(w.events, expectedEvents, `worker w${i}'s watch saw all ${expectedEvents.length} changes exactly once, in revision order`);
  });
});

/** One acknowledged write through the API. */
interface ApiWrite {
  verb: 'create' | 'update' | 'delete';
  name: string;
  /** The resourceVersion the answer carried; for a delete, the one its precondition named. */
  rv: number;
  /** `data.seq` of the value written. */
  seq: string;
}

/** The HTTP answers of the load, by class. */
interface Tally {
  ok: number;
  conflicts: number;
  other: string[];
}

const NS = 'contention';
const cmPath = (name?: string): string => `/api/v1/namespaces/${NS}/configmaps${name === undefined ? '' : `/${name}`}`;
const keyOf = (name: string): string => `/registry/configmaps/${NS}/${name}`;

/**
 * One client loop against one server until `deadline`: it cycles its own ConfigMaps through create →
 * update → update → delete (updates and deletes carry the resourceVersion read, so they may not be
 * lost silently), and every other round increments a shared counter ConfigMap with a GET and a PUT
 * that names the read resourceVersion; losing that race is the expected 409.
 */
async function clientLoop(client: ApiClient, loop: string, counters: number, deadline: number, writes: ApiWrite[], tally: Tally): Promise<void> {
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any }> => {
    let res: { status: number; body: string };
    try {
      res = await client.call(method, path, body);
    } catch (err) {
      res = { status: 0, body: `${method} ${path}: ${String(err)}` };
    }
    let json: any;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    return { status: res.status, text: res.body, json };
  };
  const random = seededRandom([...loop].reduce((h, c) => h * 31 + c.charCodeAt(0), 11));
  const own = range(0, 3).map((i) => ({ name: `${loop}-k${i}`, rv: 0, step: 0 }));
  let seq = 0;
  const answer = (res: { status: number; text: string }, what: string): boolean => {
    if (res.status >= 200 && res.status < 300) {
      tally.ok++;
      return true;
    }
    if (res.status === 409) tally.conflicts++;
    else tally.other.push(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
    return false;
  };
  for (let round = 0; Date.now() < deadline; round++) {
    const slot = own[round % own.length]!;
    const data = { seq: `${loop}-${++seq}`, pad: 'x'.repeat(64) };
    if (slot.step === 0) {
      const res = await call('POST', cmPath(), { metadata: { name: slot.name }, data });
      if (answer(res, `create ${slot.name}`)) writes.push({ verb: 'create', name: slot.name, rv: (slot.rv = Number(res.json.metadata.resourceVersion)), seq: data.seq });
    } else if (slot.step < 3) {
      const res = await call('PUT', cmPath(slot.name), { metadata: { name: slot.name, resourceVersion: String(slot.rv) }, data });
      if (answer(res, `update ${slot.name}`)) writes.push({ verb: 'update', name: slot.name, rv: (slot.rv = Number(res.json.metadata.resourceVersion)), seq: data.seq });
    } else {
      const res = await call('DELETE', cmPath(slot.name), { preconditions: { resourceVersion: String(slot.rv) } });
      if (answer(res, `delete ${slot.name}`)) writes.push({ verb: 'delete', name: slot.name, rv: slot.rv, seq: '' });
    }
    slot.step = (slot.step + 1) % 4;
    if (round % 2 === 1) {
      const name = `counter-${Math.floor(random() * counters)}`;
      const got = await call('GET', cmPath(name));
      if (!answer(got, `get ${name}`)) continue;
      const count = Number(got.json.data.count) + 1;
      const put = await call('PUT', cmPath(name), { metadata: { name, resourceVersion: got.json.metadata.resourceVersion }, data: { count: String(count), seq: `${loop}-${++seq}` } });
      if (answer(put, `increment ${name}`)) writes.push({ verb: 'update', name, rv: Number(put.json.metadata.resourceVersion), seq: `${loop}-${seq}` });
    }
  }
}

t.test('servers: 4 processes of mixed minors taking full-speed writes over HTTPS never answer 500, lose nothing, and every watch sees it all', async (t) => {
  const cluster = await startCluster(t, '1.31,1.33,1.34,1.36');
  const names = ['s1', 's2', 's3', 's4'];
  const first = urlOf(cluster, 's1');
  const COUNTERS = 3;
  t.equal((await api(cluster, first, 'POST', '/api/v1/namespaces', { body: { metadata: { name: NS } } })).status, 201);
  for (let c = 0; c < COUNTERS; c++) {
    t.equal((await api(cluster, first, 'POST', cmPath(), { body: { metadata: { name: `counter-${c}` }, data: { count: '0' } } })).status, 201);
  }
  const startRv = Number((await api(cluster, first, 'GET', cmPath())).json.metadata.resourceVersion);
  const watches: WatchStream[] = names.map((name) => openWatch(cluster, urlOf(cluster, name), `${cmPath()}?watch=true&resourceVersion=${startRv}`));
  t.teardown(() => watches.forEach((w) => w.close()));
  for (const w of watches) t.equal((await w.started).status, 200);

  const writes: ApiWrite[] = [];
  const tally: Tally = { ok: 0, conflicts: 0, other: [] };
  const LOOPS_PER_SERVER = 3;
  const deadline = Date.now() + 4000;
  const clients = names.flatMap((server) => range(1, LOOPS_PER_SERVER).map((l) => ({ loop: `${server}-l${l}`, client: new ApiClient(urlOf(cluster, server), { ca: cluster.pki.ca.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key }) })));
  t.teardown(() => clients.forEach(({ client }) => client.close()));
  await Promise.all(clients.map(({ loop, client }) => clientLoop(client, loop, COUNTERS, deadline, writes, tally)));
  t.comment(`${tally.ok} successful answers (${writes.length} writes) and ${tally.conflicts} conflicts from ${names.length * LOOPS_PER_SERVER} client loops on ${names.length} servers in 4 s`);
  t.same(tally.other, [], 'every answer was 2xx or 409: no 500 (SQLITE_BUSY), no other failure');
  t.ok(writes.length > 50 && tally.conflicts > 0, 'the servers did take many writes, and the counter races did conflict');

  const audit = auditStore(cluster.storagePath);
  t.same(audit.integrity, ['ok'], 'integrity_check: ok');
  t.same(audit.problems, [], 'revisions run 1, 2, 3, … and the log replays to the current table');
  const ours = audit.log.filter((row) => row.rev > startRv && row.key.startsWith(keyOf('')));
  const byRev = new Map(ours.map((row) => [row.rev, row]));
  const seqOf = (row: AuditLogRow | undefined): string | undefined => (row?.value ? (JSON.parse(row.value) as { data: { seq: string } }).data.seq : undefined);
  const problems: string[] = [];
  for (const w of writes.filter((w) => w.verb !== 'delete')) {
    const row = byRev.get(w.rv);
    if (row?.key !== keyOf(w.name) || row.type !== (w.verb === 'create' ? 'ADDED' : 'MODIFIED') || seqOf(row) !== w.seq) {
      problems.push(`${w.verb} ${w.name} acknowledged at ${w.rv} with seq ${w.seq}, the log has ${row ? describe(row) : 'nothing'} there`);
    }
  }
  const deletions = ours.filter((row) => row.type === 'DELETED');
  for (const w of writes.filter((w) => w.verb === 'delete')) {
    if (!deletions.some((row) => row.key === keyOf(w.name) && row.prev_rev === w.rv)) problems.push(`delete ${w.name} of ${w.rv} acknowledged, not in the log`);
  }
  t.same(problems, [], 'every acknowledged write is in the log at its resourceVersion, with its content');
  t.equal(ours.length, writes.length, 'and the log holds no other write of these ConfigMaps (nothing a failed request half-did)');
  const uniqueRevs = new Set(writes.filter((w) => w.verb !== 'delete').map((w) => w.rv));
  t.equal(uniqueRevs.size, writes.filter((w) => w.verb !== 'delete').length, 'no two acknowledged writes share a resourceVersion');

  const final = (await api(cluster, first, 'GET', cmPath())).json as { items: Array<{ metadata: { name: string; resourceVersion: string }; data: { seq: string } }> };
  const lastWrite = new Map<string, ApiWrite>();
  for (const w of [...writes].sort((a, b) => a.rv - b.rv || (a.verb === 'delete' ? 1 : -1))) lastWrite.set(w.name, w);
  const expected = [...lastWrite.values()].filter((w) => w.verb !== 'delete').map((w) => `${w.name}@${w.rv} ${w.seq}`).sort();
  t.same(
    final.items.filter((item) => lastWrite.has(item.metadata.name)).map((item) => `${item.metadata.name}@${item.metadata.resourceVersion} ${item.data.seq}`).sort(),
    expected,
    'a LIST shows the last acknowledged write of every ConfigMap',
  );
  for (let c = 0; c < COUNTERS; c++) {
    const name = `counter-${c}`;
    const item = final.items.find((i) => i.metadata.name === name) as { data: { count: string } } | undefined;
    t.equal(Number(item?.data.count), writes.filter((w) => w.name === name).length, `${name} counts each acknowledged increment once`);
  }

  const expectedEvents = audit.log.filter((row) => row.rev > startRv && row.key.startsWith(keyOf(''))).map((row) => `${row.rev} ${row.type} ${row.key.slice(keyOf('').length)}`);
  const lastRev = ours.at(-1)?.rev ?? startRv;
  for (const [i, w] of watches.entries()) {
    const deadlineWatch = Date.now() + 15_000;
    while (Number(w.events.at(-1)?.object?.metadata?.resourceVersion ?? 0) < lastRev && Date.now() < deadlineWatch) await sleep(20);
    t.same(
      w.events.map((e) => `${e.object?.metadata?.resourceVersion} ${e.type} ${e.object?.metadata?.name}`),
      expectedEvents,
      `the watch on ${names[i]} saw all ${expectedEvents.length} changes exactly once, in revision order`,
    );
  }
});
