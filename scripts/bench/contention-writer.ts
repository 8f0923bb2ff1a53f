/**
 * One writer process of `kube-skew bench contention`: forked with the store to open (a SQLite
 * file's path, or `etcd:` and an etcd client URL), it opens the store, says `ready`, and on `{ op: 'go', durationMs }` writes as fast as it can for that long,
 * cycling its own keys through create → update → delete, then answers with its figures (see
 * {@link WriterFigures}) and exits.
 */
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { openEtcdStore } from '../../storage/etcd/store.js';
import type { Store } from '../../storage/store.js';
import { ETCD_STORE_PREFIX } from './bench-store.js';
import { isStorageError } from '../../storage/errors.js';

/** Keys each writer cycles through. */
const KEYS = 100;

/** What one writer measured. */
export interface WriterFigures {
  /** Writes that succeeded. */
  writes: number;
  /** Writes that failed (an `Internal` SQLITE_BUSY after the busy timeout, or anything else). */
  failed: number;
  /** The first few failure messages. */
  failures: string[];
  /** Operations that found the write lock taken and tried again. */
  waited: number;
  /** Extra attempts those operations made: the BUSY retries. */
  busyRetries: number;
  /** Every successful write’s latency in milliseconds, to the microsecond. */
  latenciesMs: number[];
}

/** The messages between the benchmark and a writer. */
export type WriterMessage = { op: 'ready' } | ({ op: 'done' } & WriterFigures);

/** Opens the store `target` names; SQLite's lock waits are counted into `figures` (etcd has no write lock to wait for). */
function openStore(target: string, figures: WriterFigures): Store {
  if (target.startsWith(ETCD_STORE_PREFIX)) return openEtcdStore({ servers: [target.slice(ETCD_STORE_PREFIX.length)] });
  return openSqliteStore(target, {
    onLockWait: (wait) => {
      figures.waited++;
      figures.busyRetries += wait.attempts - 1;
    },
  });
}

async function run(store: Store, figures: WriterFigures, writer: string, durationMs: number, send: (message: WriterMessage) => void): Promise<void> {
  const steps = new Array<number>(KEYS).fill(0);
  const filler = 'x'.repeat(512);
  const deadline = performance.now() + durationMs;
  for (let i = 0; performance.now() < deadline; i++) {
    const k = i % KEYS;
    const key = `/registry/configmaps/bench-contention/${writer}-${k}`;
    const value = { metadata: { name: `${writer}-${k}`, namespace: 'bench-contention', uid: `${writer}-${k}` }, data: { i: String(i), filler } };
    const started = performance.now();
    try {
      if (steps[k] === 0) await store.create(key, value);
      else if (steps[k] === 1) await store.update(key, () => value);
      else await store.delete(key);
      steps[k] = (steps[k]! + 1) % 3;
      figures.writes++;
      figures.latenciesMs.push(Math.round((performance.now() - started) * 1000) / 1000);
    } catch (err) {
      figures.failed++;
      if (figures.failures.length < 5) figures.failures.push(isStorageError(err) ? `${err.code}: ${err.message}` : String(err));
    }
  }
  await store.close();
  send({ op: 'done', ...figures });
}

const send = process.send?.bind(process);
const [target, writer] = process.argv.slice(2);
if (send !== undefined && target !== undefined && writer !== undefined) {
  const figures: WriterFigures = { writes: 0, failed: 0, failures: [], waited: 0, busyRetries: 0, latenciesMs: [] };
  const store = openStore(target, figures);
  process.once('message', (message: { op: 'go'; durationMs: number }) => {
    void run(store, figures, writer, message.durationMs, (m) => send(m, () => process.exit(0)));
  });
  // One read before `ready`, so that connecting (etcd's gRPC channel) is not timed as a write.
  void store.currentRevision().then(() => send({ op: 'ready' } satisfies WriterMessage));
}
