/**
 * Crash safety: a process killed with SIGKILL in the middle of writing leaves no half-written object.
 *
 * - Store level: a child holding the write lock inside a Store write, and a child whose one big
 *   transaction has already spilled uncommitted pages into the WAL, are killed; a writer that was
 *   waiting gets the lock at once, the next opener replays the committed WAL frames and ignores the
 *   rest, and the revision the dead transaction would have used is the next one handed out.
 * - Server level: a server taking a stream of writes (multi-field ConfigMaps that carry a checksum
 *   of their own content, updates, deletes with preconditions, namespaces deleted while they hold
 *   content and a finalizer) is SIGKILLed at seeded random moments, several times, and restarted at
 *   another minor each time. After every kill: `PRAGMA integrity_check` is ok, revisions are
 *   gap-free and the log replays to the current table, every value ever stored parses and matches
 *   its checksum, every write acknowledged before the kill is there, and the only write that may be
 *   there unacknowledged is the one in flight at the kill. After every restart the API lists exactly
 *   the stored objects; at the end every namespace whose deletion was acknowledged is finalized.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../scripts/bench/client.js';
import type { Cluster } from '../../server/cluster/cluster.js';
import { seededRandom } from '../../server/random.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { startCluster } from '../fixtures/cluster.js';
import { PREFIX, SPILL_BYTES, SPILL_ROWS } from './fixtures/crash-writer.js';
import { auditStore, stateAt, type Audit } from './fixtures/store-audit.js';
import { freshDbPath } from './fixtures/worker-pool.js';

const CRASH_WRITER = fileURLToPath(new URL('./fixtures/crash-writer.js', import.meta.url));

/** Spawns the crash writer and resolves with it once it is frozen inside its write, and the revision it had committed. */
async function frozenWriter(t: Test, path: string, mode: 'update' | 'spill', count: number): Promise<{ kill(): Promise<void>; committed: number }> {
  const child = spawn(process.execPath, [CRASH_WRITER, path, mode, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  let committed = -1;
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('committed ')) committed = Number(line.slice('committed '.length));
      else if (line === 'inside') resolve();
      else reject(new Error(`crash writer: ${line}`));
    });
    void exited.then(() => reject(new Error('the crash writer exited before freezing')));
  });
  return {
    committed,
    async kill() {
      child.kill('SIGKILL');
      const [, signal] = await exited;
      if (signal !== 'SIGKILL') throw new Error(`the crash writer ended with ${String(signal)}, not SIGKILL`);
    },
  };
}

t.test('Store: a process killed while it holds the write lock frees it at once, and its write never happened', async (t) => {
  const path = freshDbPath(t);
  const waiting = openSqliteStore(path);
  t.teardown(() => waiting.close());
  const writer = await frozenWriter(t, path, 'update', 20);
  t.equal(writer.committed, 20);
  let done = false;
  const blocked = waiting.create(`${PREFIX}after`, { metadata: { name: 'after' } }).finally(() => (done = true));
  await sleep(300);
  t.notOk(done, 'a write of another process waits while the frozen writer holds the lock');
  const killedAt = performance.now();
  await writer.kill();
  const after = await blocked;
  t.comment(`the waiting write went through ${(performance.now() - killedAt).toFixed(1)} ms after the kill`);
  t.equal(after.rev, 21, 'it took the next revision: the killed write used none');
  const audit = auditStore(path);
  t.same(audit.integrity, ['ok'], 'integrity_check: ok');
  t.same(audit.problems, [], 'revisions gap-free, the log replays to the current table');
  t.same((await waiting.get(`${PREFIX}committed-0`))?.value, { metadata: { name: 'committed-0' }, data: { i: '0' } }, 'the key the killed update was writing is unchanged');
});

t.test('Store: the next opener after a kill mid-transaction replays the committed WAL and drops the spilled uncommitted pages', async (t) => {
  const path = freshDbPath(t);
  const writer = await frozenWriter(t, path, 'spill', 50);
  const walBytes = statSync(`${path}-wal`).size;
  // The 50 small committed creates take well under 1 MB of WAL; the rest is the dead transaction's.
  t.ok(walBytes > SPILL_ROWS * SPILL_BYTES * 0.8, `uncommitted pages were in the WAL when it died (${(walBytes / 1e6).toFixed(1)} MB)`);
  await writer.kill();

  const audit = auditStore(path);
  t.same(audit.integrity, ['ok'], 'integrity_check: ok');
  t.same(audit.problems, [], 'revisions gap-free, the log replays to the current table');
  t.equal(audit.revision, 50, 'the committed revisions are there, the dead transaction’s are not');
  t.same(
    [...audit.current.keys()].filter((key) => key.includes('spill')),
    [],
    'no row of the dead transaction is visible',
  );
  t.equal(audit.current.size, 50, 'every committed create is there (replayed from the WAL)');
  const store = openSqliteStore(path, { busyTimeoutMs: 2000 });
  t.teardown(() => store.close());
  t.equal((await store.create(`${PREFIX}next`, { metadata: { name: 'next' } })).rev, 51, 'the next opener writes at once, at the next revision: no lock is left behind');
});

/** The annotation that carries a ConfigMap's checksum of its own labels and data. */
const CHECKSUM = 'kube-skew.test/checksum';
const checksum = (labels: unknown, data: unknown): string => createHash('sha256').update(JSON.stringify({ labels, data })).digest('hex');

/** A ConfigMap of several fields that names its own checksum; `seq` identifies the write. */
function selfChecked(name: string, seq: string, random: () => number, finalizers?: string[]): Record<string, unknown> {
  const data: Record<string, string> = { seq };
  for (let f = 0; f < 6; f++) data[`f${f}`] = `${seq}:${f}:${'x'.repeat(Math.floor(random() * 2000))}`;
  const labels = { writer: name.split('-k')[0] ?? name, field: String(Math.floor(random() * 100)) };
  return { metadata: { name, labels, annotations: { [CHECKSUM]: checksum(labels, data) }, ...(finalizers ? { finalizers } : {}) }, data };
}

/** What a stored value says about its checksum: undefined when it carries none, else whether it matches. */
function checksumHolds(text: string): boolean | undefined {
  const value = JSON.parse(text) as { metadata?: { labels?: unknown; annotations?: Record<string, string> }; data?: unknown };
  const claimed = value.metadata?.annotations?.[CHECKSUM];
  return claimed === undefined ? undefined : claimed === checksum(value.metadata?.labels, value.data);
}

/** One write through the API. */
interface Write {
  verb: 'create' | 'update' | 'delete';
  key: string;
  /** The resourceVersion the answer carried; for a delete, the one its precondition named. */
  rv: number;
  seq: string;
}

/** What a round of load did: acknowledged writes, and per key the write that was in flight when the server died. */
interface Load {
  acked: Write[];
  inFlight: Map<string, Write>;
  /** Namespaces whose DELETE was acknowledged. */
  deletedNamespaces: string[];
  unexpected: string[];
}

const cmKey = (ns: string, name: string): string => `/registry/configmaps/${ns}/${name}`;

/** Calls the API; a transport failure (the server died) is status 0. */
async function call(client: ApiClient, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  try {
    const res = await client.call(method, path, body);
    let json: any;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text: res.body };
  } catch (err) {
    return { status: 0, json: undefined, text: String(err) };
  }
}

/** A writer cycling its own ConfigMaps through create → update → update → delete until the server dies. */
async function objectLoop(client: ApiClient, round: number, loop: number, load: Load): Promise<void> {
  const random = seededRandom(round * 100 + loop);
  const ns = 'crash';
  const slots = [0, 1, 2].map((i) => ({ name: `r${round}-l${loop}-k${i}`, rv: 0, step: 0 }));
  for (let seq = 1; ; seq++) {
    const slot = slots[seq % slots.length]!;
    const key = cmKey(ns, slot.name);
    const body = selfChecked(slot.name, `${slot.name}#${seq}`, random);
    const write: Write = { verb: slot.step === 0 ? 'create' : slot.step < 3 ? 'update' : 'delete', key, rv: slot.rv, seq: `${slot.name}#${seq}` };
    load.inFlight.set(key, write);
    const res =
      write.verb === 'create'
        ? await call(client, 'POST', `/api/v1/namespaces/${ns}/configmaps`, body)
        : write.verb === 'update'
          ? await call(client, 'PUT', `/api/v1/namespaces/${ns}/configmaps/${slot.name}`, { ...body, metadata: { ...(body['metadata'] as object), resourceVersion: String(slot.rv) } })
          : await call(client, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/${slot.name}`, { preconditions: { resourceVersion: String(slot.rv) } });
    if (res.status === 0) return;
    load.inFlight.delete(key);
    if (res.status < 200 || res.status > 299) {
      load.unexpected.push(`${write.verb} ${slot.name}: ${res.status} ${res.text.slice(0, 200)}`);
      return;
    }
    if (write.verb !== 'delete') slot.rv = write.rv = Number(res.json.metadata.resourceVersion);
    load.acked.push(write);
    slot.step = (slot.step + 1) % 4;
  }
}

/**
 * A writer that fills namespaces and deletes them while they hold content: a few self-checked
 * ConfigMaps, one of them with a finalizer, then DELETE of the namespace (the namespace controller
 * empties it), then the finalizer's removal (which deletes that ConfigMap), until the server dies.
 */
async function namespaceLoop(client: ApiClient, round: number, load: Load): Promise<void> {
  const random = seededRandom(round * 100 + 99);
  for (let n = 0; ; n++) {
    const ns = `crash-r${round}-n${n}`;
    const answered = (res: { status: number; text: string }): boolean => {
      if (res.status === 0) return false;
      if (res.status >= 200 && res.status <= 299) return true;
      load.unexpected.push(`namespace ${ns}: ${res.status} ${res.text.slice(0, 200)}`);
      return false;
    };
    if (!answered(await call(client, 'POST', '/api/v1/namespaces', { metadata: { name: ns } }))) return;
    for (const i of [0, 1, 2]) {
      const seq = `${ns}/c${i}`;
      const res = await call(client, 'POST', `/api/v1/namespaces/${ns}/configmaps`, selfChecked(`c${i}`, seq, random, i === 0 ? ['kube-skew.test/hold'] : undefined));
      if (!answered(res)) return;
      load.acked.push({ verb: 'create', key: cmKey(ns, `c${i}`), rv: Number(res.json.metadata.resourceVersion), seq });
    }
    if (!answered(await call(client, 'DELETE', `/api/v1/namespaces/${ns}`))) return;
    load.deletedNamespaces.push(ns);
    if (!(await releaseHeld(client, ns))) return;
  }
}

/** Removes the finalizer of `c0` in `ns` (GET, then PUT without it); false when the server died. 404 and 409 mean someone else was quicker. */
async function releaseHeld(client: ApiClient, ns: string): Promise<boolean> {
  for (;;) {
    const held = await call(client, 'GET', `/api/v1/namespaces/${ns}/configmaps/c0`);
    if (held.status === 0) return false;
    if (held.status === 404) return true;
    const res = await call(client, 'PUT', `/api/v1/namespaces/${ns}/configmaps/c0`, { ...held.json, metadata: { ...held.json.metadata, finalizers: [] } });
    if (res.status === 0) return false;
    if (res.status !== 409) return true;
  }
}

/** The problems of the store after a kill, given what the load did. */
function crashProblems(audit: Audit, load: Load): string[] {
  const problems = [...audit.problems];
  for (const row of audit.log) {
    for (const text of [row.value, row.prev_value]) if (text !== null && checksumHolds(text) === false) problems.push(`log row ${row.rev} (${row.key}) holds a value that does not match its checksum`);
  }
  for (const row of audit.current.values()) if (checksumHolds(row.value) === false) problems.push(`current ${row.key} does not match its checksum`);
  const byRev = new Map(audit.log.map((row) => [row.rev, row]));
  const seqOf = (text: string | null): string | undefined => (text === null ? undefined : (JSON.parse(text) as { data?: { seq?: string } }).data?.seq);
  for (const w of load.acked) {
    if (w.verb === 'delete') {
      if (!audit.log.some((row) => row.key === w.key && row.type === 'DELETED' && row.prev_rev === w.rv)) problems.push(`acknowledged delete of ${w.key}@${w.rv} is not in the log`);
      continue;
    }
    const row = byRev.get(w.rv);
    if (row?.key !== w.key || seqOf(row.value) !== w.seq) problems.push(`acknowledged ${w.verb} ${w.seq} at ${w.rv} is not in the log`);
  }
  // Each object loop's keys: the log holds exactly the acknowledged writes, plus at most the one in flight.
  const objectKeys = new Set(load.acked.filter((w) => w.key.startsWith(cmKey('crash', ''))).map((w) => w.key));
  for (const w of load.inFlight.values()) if (w.key.startsWith(cmKey('crash', ''))) objectKeys.add(w.key);
  for (const key of objectKeys) {
    const rows = audit.log.filter((row) => row.key === key).map((row) => (row.type === 'DELETED' ? `delete of ${row.prev_rev}` : `${row.type} ${seqOf(row.value)}`));
    const acked = load.acked.filter((w) => w.key === key).map((w) => (w.verb === 'delete' ? `delete of ${w.rv}` : `${w.verb === 'create' ? 'ADDED' : 'MODIFIED'} ${w.seq}`));
    const pending = load.inFlight.get(key);
    const extra = rows.slice(acked.length);
    const allowed = pending === undefined ? [] : [pending.verb === 'delete' ? `delete of ${pending.rv}` : `${pending.verb === 'create' ? 'ADDED' : 'MODIFIED'} ${pending.seq}`];
    if (JSON.stringify(rows.slice(0, acked.length)) !== JSON.stringify(acked) || extra.length > 1 || (extra.length === 1 && extra[0] !== allowed[0])) {
      problems.push(`${key}: the log has [${rows.join(', ')}], acknowledged [${acked.join(', ')}], in flight [${allowed.join(', ')}]`);
    }
  }
  return problems;
}

/**
 * What the API lists (ConfigMaps of every namespace, then namespaces) as `key@rv data-digest`, and
 * what the store held at each list's resourceVersion (the restarted server's controllers keep
 * writing, so the file is read at the list's revision, replayed from the log).
 */
async function listedVersusStored(cluster: Cluster, client: ApiClient): Promise<{ listed: string[]; stored: string[] }> {
  const listed: string[] = [];
  const stored: string[] = [];
  const lists: Array<[string, string, (o: any) => string]> = [
    ['/api/v1/configmaps', '/registry/configmaps/', (o) => cmKey(o.metadata.namespace, o.metadata.name)],
    ['/api/v1/namespaces', '/registry/namespaces/', (o) => `/registry/namespaces/${o.metadata.name}`],
  ];
  const digest = (data: unknown): string => createHash('sha256').update(JSON.stringify(data ?? null)).digest('hex').slice(0, 12);
  for (const [path, prefix, keyOf] of lists) {
    const res = await call(client, 'GET', path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
    for (const item of res.json.items) listed.push(`${keyOf(item)}@${item.metadata.resourceVersion} ${digest(item.data ?? item.spec)}`);
    const state = stateAt(auditStore(cluster.storagePath).log, Number(res.json.metadata.resourceVersion));
    for (const [key, { rev, value }] of state) {
      const parsed = JSON.parse(value) as { data?: unknown; spec?: unknown };
      if (key.startsWith(prefix)) stored.push(`${key}@${rev} ${digest(parsed.data ?? parsed.spec)}`);
    }
  }
  return { listed: listed.sort(), stored: stored.sort() };
}

/** kube-controller-manager timings shortened so that a restarted server leads and finalizes namespaces within seconds. */
const FAST_CONTROLLERS = [
  '--leader-elect-lease-duration-seconds=2',
  '--leader-elect-renew-deadline-seconds=1.5',
  '--leader-elect-retry-period-seconds=0.3',
  '--namespace-deletion-grace-period-seconds=0.1',
];

t.test('servers: SIGKILL at random moments during writes leaves no half-written object, and another minor reads it all', async (t) => {
  const SEED = 20261122;
  const MINORS = ['1.33', '1.34', '1.32', '1.35', '1.31'];
  const ROUNDS = 4;
  const random = seededRandom(SEED);
  const cluster = await startCluster(t, [{ name: 's1', minor: MINORS[0]! }], { args: FAST_CONTROLLERS });
  const tls = { ca: cluster.pki.ca.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key };
  const clientOf = (): ApiClient => {
    const client = new ApiClient(cluster.server('s1').info!.url, tls);
    t.teardown(() => client.close());
    return client;
  };
  t.equal((await call(clientOf(), 'POST', '/api/v1/namespaces', { metadata: { name: 'crash' } })).status, 201);
  const deletedNamespaces: string[] = [];

  for (let round = 1; round <= ROUNDS; round++) {
    const load: Load = { acked: [], inFlight: new Map(), deletedNamespaces: [], unexpected: [] };
    const killAfterMs = 100 + Math.floor(random() * 1400);
    const writers = [...[1, 2, 3].map((loop) => objectLoop(clientOf(), round, loop, load)), namespaceLoop(clientOf(), round, load)];
    // The random moment counts from the first few acknowledged writes: a freshly restarted server on a
    // loaded machine may take a while to answer at all.
    for (const giveUp = Date.now() + 20_000; load.acked.length < 5 && load.unexpected.length === 0 && Date.now() < giveUp; ) await sleep(10);
    await sleep(killAfterMs);
    await cluster.killServer('s1');
    await Promise.all(writers);
    deletedNamespaces.push(...load.deletedNamespaces);
    t.comment(
      `round ${round} (${cluster.specs.get('s1')?.minor}): killed ${killAfterMs} ms into the writes, ${load.acked.length} acknowledged writes, ` +
        `${load.inFlight.size} in flight, ${load.deletedNamespaces.length} namespaces deleted`,
    );
    t.same(load.unexpected, [], `round ${round}: every answer before the kill was a success`);
    t.ok(load.acked.length > 0, `round ${round}: writes were acknowledged before the kill`);

    const audit = auditStore(cluster.storagePath);
    const landed = [...load.inFlight.values()].filter((w) =>
      audit.log.some((row) => row.key === w.key && (w.verb === 'delete' ? row.type === 'DELETED' && row.prev_rev === w.rv : row.value?.includes(`"seq":"${w.seq}"`))),
    );
    t.comment(`round ${round}: ${landed.length} of the ${load.inFlight.size} writes in flight at the kill had committed`);
    t.same(audit.integrity, ['ok'], `round ${round}: integrity_check ok`);
    t.same(crashProblems(audit, load), [], `round ${round}: every value complete and self-consistent, every acknowledged write there, nothing else but the write in flight`);

    const minor = MINORS[round % MINORS.length]!;
    await cluster.restartServer('s1', { minor });
    const { listed, stored } = await listedVersusStored(cluster, clientOf());
    t.same(listed, stored, `round ${round}: restarted at ${minor}, the server lists exactly the stored ConfigMaps and namespaces`);
  }

  // Every namespace whose deletion was acknowledged gets finalized by the restarted server's namespace
  // controller, once the finalizers a kill left behind are released.
  const client = clientOf();
  for (const ns of deletedNamespaces) t.ok(await releaseHeld(client, ns), `released ${ns}`);
  const deadline = Date.now() + 30_000;
  let remaining = deletedNamespaces;
  while (remaining.length > 0 && Date.now() < deadline) {
    const left: string[] = [];
    for (const ns of remaining) if ((await call(client, 'GET', `/api/v1/namespaces/${ns}`)).status !== 404) left.push(ns);
    remaining = left;
    if (remaining.length > 0) await sleep(200);
  }
  t.same(remaining, [], `all ${deletedNamespaces.length} deleted namespaces were finalized after the crashes`);
  const leftovers = (await call(client, 'GET', '/api/v1/configmaps')).json.items.filter((o: any) => deletedNamespaces.includes(o.metadata.namespace));
  t.same(leftovers, [], 'and none of their ConfigMaps is left');
  const audit = auditStore(cluster.storagePath);
  t.same(audit.integrity, ['ok'], 'integrity_check ok at the end');
  t.same(audit.problems, [], 'and the log still replays to the current table');
});
