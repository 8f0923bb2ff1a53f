/**
 * The stores a benchmark measures (`--store sqlite|etcd|both`) and the backing of one measured
 * cluster: for SQLite, the cluster's own file; for etcd, a fresh single-member etcd started from the
 * machine's `etcd` binary in a directory of the run (as `up --store etcd` starts one), stopped when
 * the cluster is done or the run is interrupted.
 */
import { ETCD_BINARY, etcdMissing, startLocalEtcd } from '../../server/cluster/local-etcd.js';
import { stopOnSignal } from './interrupt.js';

/** A store a benchmark can measure. */
export type BenchStore = 'sqlite' | 'etcd';

/** The values of `--store`. */
export const STORE_CHOICES = ['sqlite', 'etcd', 'both'] as const;
export type StoreChoice = (typeof STORE_CHOICES)[number];

/** The stores `choice` measures, in table order (SQLite first). */
export function storesOf(choice: StoreChoice): BenchStore[] {
  return choice === 'both' ? ['sqlite', 'etcd'] : [choice];
}

/** Throws a clear error, naming the package to install, when `stores` includes etcd and its binary is missing. */
export function checkStoresAvailable(stores: readonly BenchStore[]): void {
  if (stores.includes('etcd') && etcdMissing() !== undefined) {
    throw new Error(`--store etcd needs the etcd binary "${ETCD_BINARY}", which was not found on PATH: install it (on Debian or Ubuntu: apt-get install etcd-server), or run with --store sqlite`);
  }
}

/** The prefix of a contention writer's store argument that names an etcd client URL rather than a SQLite file. */
export const ETCD_STORE_PREFIX = 'etcd:';

/** What a cluster on one store is started with, and the etcd process behind it where there is one. */
export interface StoreBacking {
  store: BenchStore;
  /** The cluster options that put the servers on this store. */
  clusterOptions: { etcdServers?: string[] };
  /** The local etcd's process id (its CPU is measured beside the server's). */
  etcdPid?: number;
}

/**
 * Runs `body` with a backing of `store`: for etcd, a local etcd with its data and log in `dir`
 * (reported to `progress` with its process id), stopped after `body` (even when it throws) and on
 * SIGINT/SIGTERM.
 */
export async function withStore<T>(store: BenchStore, dir: string, progress: (line: string) => void, body: (backing: StoreBacking) => Promise<T>): Promise<T> {
  if (store === 'sqlite') return body({ store, clusterOptions: {} });
  // Registered before it is ready, so that a signal during its start stops it too.
  const starting = startLocalEtcd(dir);
  const stop = async (): Promise<void> => (await starting.catch(() => undefined))?.stop();
  const release = stopOnSignal('the local etcd', stop);
  try {
    const etcd = await starting;
    progress(`etcd (pid ${etcd.pid}) started at ${etcd.url}, its data in ${dir}`);
    return await body({ store, clusterOptions: { etcdServers: [etcd.url] }, etcdPid: etcd.pid });
  } finally {
    release();
    await stop();
  }
}
