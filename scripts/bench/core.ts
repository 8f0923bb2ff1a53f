/**
 * `kube-skew bench core`: GET, LIST (100 and 10,000 objects) and CREATE throughput, p99 latency and
 * CPU per request of one real kube-skew server process on each measured store (SQLite, a local etcd,
 * or both), next to a bare fastify + better-sqlite3 process doing the same work over the same TLS
 * setup and file layout; then cross-process watch latency on a two-server cluster over each store,
 * and the servers' RSS. Fast operations run for a number of seconds; a LIST of 10,000 objects runs
 * for a fixed number of requests, so that a busy machine slows its figures rather than losing them. Beside the ConfigMap rows, the same kube-skew server
 * serves a custom resource with a schema of realistic size (GET, LIST 100, CREATE), compared with the
 * ConfigMap figures of the same run. Every figure comes from the same run, measured the same way
 * (autocannon in this process, each server in its own).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutocannonRequest } from 'autocannon';
import { Cluster, type ClusterOptions, type ClusterPKI } from '../../server/cluster/cluster.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import type { Store } from '../../storage/store.js';
import { startBareServer } from './bare-process.js';
import { checkStoresAvailable, withStore, type BenchStore, type StoreBacking } from './bench-store.js';
import { ApiClient } from './client.js';
import { guarded, stopOnSignal } from './interrupt.js';
import { runPhase, type ClientTLS, type PhaseLength } from './load.js';
import type { CoreReport, CustomResourceFigures, MachineInfo, OperationFigures, StoreFigures } from './report.js';
import { rssMiB } from './proc.js';
import { customResourceBody, customResourcePath, setUpCustomResources } from './custom-resource.js';
import { configMapBody, seedConfigMaps, seededName } from './seed.js';
import { measureWatchLatency, type WatchLatency } from './watch-latency.js';

/**
 * The benchmark servers run no kube-controller-manager controllers: the figures are the API's alone,
 * without the controllers' background traffic, and a list holds exactly the objects seeded (the
 * root CA publisher would add kube-root-ca.crt to every namespace).
 */
const NO_CONTROLLERS = ['--controllers='];

/** The minor of the measured kube-skew server. */
export const BENCH_MINOR = '1.32';

/** The list sizes measured; each is seeded in its own namespace. */
export const LIST_SIZES = [100, 10_000] as const;

/** Requests per measured run of a slow operation (a LIST of 10,000 objects), by default. */
export const SLOW_OPERATION_REQUESTS = 40;

/** Options of {@link runCoreBench}. */
export interface CoreBenchOptions {
  /** The stores kube-skew is measured on, each in its own cluster (default SQLite only). */
  stores?: BenchStore[];
  /** Seconds per measured autocannon run of a fast operation (default 5). */
  durationSeconds?: number;
  /** Requests per measured run of a slow operation (default {@link SLOW_OPERATION_REQUESTS}). */
  slowRequests?: number;
  /** Concurrent connections per run (default 10). */
  connections?: number;
  /** A tiny run for tests: a few hundred requests in all and 20 watch writes. */
  quick?: boolean;
  /** Receives one line per phase. */
  progress?: (line: string) => void;
}

/** An operation measured on both sides (built-in), or on kube-skew's only (custom resource). */
interface Operation {
  name: string;
  /** For a custom resource operation: the name of the built-in operation it is compared with. */
  builtIn?: string;
  request: AutocannonRequest;
  /** Requests per run in quick mode. */
  quickRequests: number;
  /**
   * Too slow for a timed window (a run of a few seconds may complete none on a busy machine):
   * measured over a fixed number of requests instead, so every run has its figures.
   */
  slow?: boolean;
}

const namespaceOf = (size: number): string => `bench-${size}`;
const CREATE_NAMESPACE = 'bench-create';

const json = { accept: 'application/json' };

/** A POST to `path` whose body `body(name)` gets a new name on every send. */
function createRequest(path: string, body: (name: string) => unknown): AutocannonRequest {
  let created = 0;
  return {
    method: 'POST',
    path,
    headers: { ...json, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: JSON.stringify(body(`create-${++created}`)) }),
  };
}

/** The measured operations, in table order; CREATE names come from one counter, so every create on any side is new. */
function operations(): Operation[] {
  const create = createRequest(`/api/v1/namespaces/${CREATE_NAMESPACE}/configmaps`, (name) => configMapBody(CREATE_NAMESPACE, name));
  return [
    { name: 'GET 1 object', request: { method: 'GET', path: `/api/v1/namespaces/${namespaceOf(LIST_SIZES[0])}/configmaps/${seededName(42)}`, headers: json }, quickRequests: 200 },
    ...LIST_SIZES.map((size) => ({
      name: `LIST ${size} objects`,
      request: { method: 'GET', path: `/api/v1/namespaces/${namespaceOf(size)}/configmaps`, headers: json },
      quickRequests: size > 1000 ? 4 : 50,
      slow: size > 1000,
    })),
    { name: 'CREATE', request: create, quickRequests: 100 },
  ];
}

/** The custom resource operations, each named after the built-in operation it is compared with; measured on kube-skew only. */
function customResourceOperations(): Operation[] {
  const listed = namespaceOf(LIST_SIZES[0]);
  const create = createRequest(customResourcePath(CREATE_NAMESPACE), (name) => customResourceBody(CREATE_NAMESPACE, name));
  return [
    { name: 'CR GET 1 object', builtIn: 'GET 1 object', request: { method: 'GET', path: `${customResourcePath(listed)}/${seededName(42)}`, headers: json }, quickRequests: 200 },
    { name: `CR LIST ${LIST_SIZES[0]} objects`, builtIn: `LIST ${LIST_SIZES[0]} objects`, request: { method: 'GET', path: customResourcePath(listed), headers: json }, quickRequests: 50 },
    { name: 'CR CREATE', builtIn: 'CREATE', request: create, quickRequests: 100 },
  ];
}

/** The server measured: its URL and process, and the store's own process where it has one (etcd). */
interface Target {
  side: string;
  /** The store behind a kube-skew server, named in progress lines. */
  store?: BenchStore;
  url: string;
  pid: number;
  storePid?: number;
  tls: ClientTLS;
}

/** Measures `ops` against one server and returns the figures in operation order. */
type MeasureAll = (target: Target, ops: Operation[]) => Promise<OperationFigures[]>;

/**
 * Runs the whole benchmark and returns its figures: kube-skew on each store, the bare baseline once,
 * then the watch latency on each store. Every process it starts (servers, etcd, the bare server) is
 * stopped, and its files removed, before it returns or throws, and when SIGINT or SIGTERM ends it.
 */
export async function runCoreBench(options: CoreBenchOptions = {}): Promise<CoreReport> {
  const stores = options.stores ?? ['sqlite'];
  checkStoresAvailable(stores);
  const durationSeconds = options.durationSeconds ?? 5;
  const slowRequests = options.slowRequests ?? SLOW_OPERATION_REQUESTS;
  const connections = options.connections ?? 10;
  const quick = options.quick ?? false;
  const progress = options.progress ?? (() => undefined);
  const ops = operations();
  const crOps = customResourceOperations();
  const measureAll: MeasureAll = async (target, ops) => {
    const results: OperationFigures[] = [];
    for (const op of ops) {
      const [warmup, measure]: [PhaseLength, PhaseLength] = quick
        ? [{ requests: Math.ceil(op.quickRequests / 10) }, { requests: op.quickRequests }]
        : op.slow
          ? [{ requests: connections }, { requests: slowRequests }]
          : [{ seconds: 1 }, { seconds: durationSeconds }];
      progress(`${target.side}: ${op.name} (${target.store !== undefined ? `on ${target.store}, ` : ''}${'seconds' in measure ? `${measure.seconds} s` : `${measure.requests} requests`}, ${connections} connections)`);
      const { side: _side, store: _store, ...phaseTarget } = target;
      results.push({ name: op.name, result: await runPhase({ ...phaseTarget, request: op.request, connections, warmup, measure }) });
    }
    return results;
  };

  const loadAtStart = loadavg()[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-bench-'));
  return guarded('the temporary directory', () => rm(dir, { recursive: true, force: true }), async () => {
    let pki: ClusterPKI | undefined;
    const measured: Array<Omit<StoreFigures, 'watch'>> = [];
    for (const store of stores) {
      const figures = await withStore(store, join(dir, `etcd-${store}-single`), progress, (backing) => benchKubeSkew(join(dir, `single-${store}`), backing, ops, crOps, measureAll, progress));
      pki ??= figures.pki;
      measured.push(figures.figures);
    }
    const bare = await benchBare(dir, pki!, ops, measureAll, progress);
    const writes = quick ? 20 : 500;
    const figures: StoreFigures[] = [];
    for (const [i, store] of stores.entries()) {
      progress(`watch (${store}): starting two ${BENCH_MINOR} servers over one store; ${writes} writes through one, watched on the other`);
      const watch = await withStore(store, join(dir, `etcd-${store}-pair`), progress, (backing) => benchWatch(join(dir, `pair-${store}`), backing, writes, quick ? 3 : 20));
      figures.push({ ...measured[i]!, watch });
    }
    return {
      machine: await machineInfo(),
      settings: {
        durationSeconds,
        connections,
        quick,
        kubeSkewMinor: BENCH_MINOR,
        stores,
        slowOperations: ops.filter((op) => op.slow).map((op) => op.name),
        slowOperationRequests: quick ? Math.max(...ops.filter((op) => op.slow).map((op) => op.quickRequests)) : slowRequests,
      },
      bare,
      stores: figures,
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    };
  });
}

/**
 * Starts a cluster, runs `body` with it, and stops it afterwards, on failure and on SIGINT/SIGTERM
 * too; a signal during the start stops the cluster once it has started, so nothing writes into the
 * run's directory after it is removed.
 */
async function withCluster<T>(options: ClusterOptions, body: (cluster: Cluster) => Promise<T>): Promise<T> {
  const starting = Cluster.start(options);
  const stop = async (): Promise<void> => (await starting.catch(() => undefined))?.stop();
  const release = stopOnSignal('a benchmark cluster', stop);
  try {
    return await body(await starting);
  } finally {
    release();
    await stop();
  }
}

/**
 * kube-skew's side on one store: one server process from a fresh cluster, seeded through the store,
 * measured over mTLS as the admin on the built-in operations (RSS taken then), then given the
 * benchmark CRD and its custom resources and measured on the custom resource operations; returns
 * its PKI for the bare side.
 */
async function benchKubeSkew(
  dataDir: string,
  backing: StoreBacking,
  ops: Operation[],
  crOps: Operation[],
  measureAll: MeasureAll,
  progress: (line: string) => void,
): Promise<{ figures: Omit<StoreFigures, 'watch'>; pki: ClusterPKI }> {
  const side = 'kube-skew';
  progress(`${side}: starting one ${BENCH_MINOR} server on ${backing.store}`);
  const options: ClusterOptions = { dataDir, servers: [{ name: 's1', minor: BENCH_MINOR }], args: NO_CONTROLLERS, logLevel: 'error', ...backing.clusterOptions };
  return withCluster(options, async (cluster) => {
    const server = cluster.server('s1');
    const tls = adminTLS(cluster.pki);
    const admin = new ApiClient(server.info!.url, tls);
    try {
      for (const ns of [...LIST_SIZES.map(namespaceOf), CREATE_NAMESPACE]) await admin.expect(201, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
      progress(`${side}: seeding ${LIST_SIZES.join(' + ')} ConfigMaps through the store`);
      await seed(cluster.openStore(Date.now));
      const largest = LIST_SIZES[LIST_SIZES.length - 1]!;
      const seeded = await admin.expect<{ items: unknown[] }>(200, 'GET', `/api/v1/namespaces/${namespaceOf(largest)}/configmaps`);
      if (seeded.items.length !== largest) throw new Error(`the server lists ${seeded.items.length} seeded ConfigMaps, expected ${largest}`);
    } finally {
      admin.close();
    }
    const target: Target = { side, store: backing.store, url: server.info!.url, pid: server.pid, tls, ...(backing.etcdPid !== undefined ? { storePid: backing.etcdPid } : {}) };
    const operations = await measureAll(target, ops);
    const rss = await rssMiB(server.pid);
    const etcdRss = backing.etcdPid === undefined ? undefined : await rssMiB(backing.etcdPid);
    // The CRD goes in only now, so the built-in figures are taken exactly as before it existed.
    progress(`${side}: creating the benchmark CRD and ${LIST_SIZES[0]} custom resources through the API`);
    const crAdmin = new ApiClient(server.info!.url, tls);
    try {
      await setUpCustomResources(crAdmin, namespaceOf(LIST_SIZES[0]), LIST_SIZES[0], seededName);
    } finally {
      crAdmin.close();
    }
    const customResults = await measureAll(target, crOps);
    const figures: Omit<StoreFigures, 'watch'> = {
      store: backing.store,
      operations,
      customResources: crOps.map((op, i): CustomResourceFigures => ({ name: op.name, builtIn: op.builtIn!, kubeSkew: customResults[i]!.result })),
      ...(rss === undefined ? {} : { rssMiB: rss }),
      ...(etcdRss === undefined ? {} : { etcdRssMiB: etcdRss }),
    };
    return { figures, pki: cluster.pki };
  });
}

/** The bare side: its own process with kube-skew's serving certificate and client CAs, over its own seeded file of the same layout. */
async function benchBare(dir: string, pki: ClusterPKI, ops: Operation[], measureAll: MeasureAll, progress: (line: string) => void): Promise<CoreReport['bare']> {
  progress(`bare: seeding ${LIST_SIZES.join(' + ')} ConfigMaps and starting fastify + better-sqlite3`);
  const dbPath = join(dir, 'bare.db');
  await seed(openSqliteStore(dbPath));
  const bare = await startBareServer({ dbPath, certFile: pki.serving.certFile, keyFile: pki.serving.keyFile, caFiles: [pki.caFile, pki.frontProxyCAFile] });
  return guarded('the bare server', () => bare.stop(), async () => {
    const operations = await measureAll({ side: 'bare', url: bare.url, pid: bare.pid, tls: adminTLS(pki) }, ops);
    const rss = await rssMiB(bare.pid);
    return { operations, ...(rss === undefined ? {} : { rssMiB: rss }) };
  });
}

/** Watch latency on a fresh two-server cluster over one store: the watch on one server, the writes through the other. */
async function benchWatch(dataDir: string, backing: StoreBacking, writes: number, warmupWrites: number): Promise<WatchLatency> {
  const servers = [{ name: 'w1', minor: BENCH_MINOR }, { name: 'w2', minor: BENCH_MINOR }];
  return withCluster({ dataDir, servers, args: NO_CONTROLLERS, logLevel: 'error', ...backing.clusterOptions }, async (cluster) => {
    const watcher = new ApiClient(cluster.server('w1').info!.url, adminTLS(cluster.pki));
    const writer = new ApiClient(cluster.server('w2').info!.url, adminTLS(cluster.pki));
    try {
      return await measureWatchLatency({ watcher, writer, namespace: 'default', writes, warmupWrites });
    } finally {
      watcher.close();
      writer.close();
    }
  });
}

/** The cluster admin's client TLS material. */
function adminTLS(pki: ClusterPKI): ClientTLS {
  return { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
}

/** Seeds every list size's namespace through `store`, then closes it. */
async function seed(store: Store): Promise<void> {
  try {
    for (const size of LIST_SIZES) await seedConfigMaps(store, namespaceOf(size), size);
  } finally {
    await store.close();
  }
}

/** The machine the benchmark runs on: core count, CPU model (from /proc/cpuinfo where there is one), Node version. */
export async function machineInfo(): Promise<MachineInfo> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(await readFile('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not Linux: keep os.cpus() */
  }
  return { nproc: availableParallelism(), cpu: cpu.trim(), node: process.versions.node, platform: process.platform };
}
