/**
 * `kube-skew bench core`: GET, LIST (100 and 10,000 objects) and CREATE throughput and p99 latency
 * of one real kube-skew server process, next to a bare fastify + better-sqlite3 process doing the
 * same work over the same TLS setup and file layout; then cross-process watch latency on a
 * two-server cluster, and the servers' RSS. Beside the ConfigMap rows, the same kube-skew server
 * serves a custom resource with a schema of realistic size (GET, LIST 100, CREATE), compared with the
 * ConfigMap figures of the same run. Every figure comes from the same run, measured the same way
 * (autocannon in this process, each server in its own).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutocannonRequest } from 'autocannon';
import { Cluster, type ClusterPKI } from '../../server/cluster/cluster.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { startBareServer } from './bare-process.js';
import { ApiClient } from './client.js';
import { runPhase, type ClientTLS, type PhaseLength, type PhaseResult } from './load.js';
import type { CoreReport, CustomResourceFigures, MachineInfo, OperationFigures } from './report.js';
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

/** Options of {@link runCoreBench}. */
export interface CoreBenchOptions {
  /** Seconds per measured autocannon run (default 5). */
  durationSeconds?: number;
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

/** The measured operations, in table order; CREATE names come from one counter, so every create on either side is new. */
function operations(): Operation[] {
  const create = createRequest(`/api/v1/namespaces/${CREATE_NAMESPACE}/configmaps`, (name) => configMapBody(CREATE_NAMESPACE, name));
  return [
    { name: 'GET 1 object', request: { method: 'GET', path: `/api/v1/namespaces/${namespaceOf(LIST_SIZES[0])}/configmaps/${seededName(42)}`, headers: json }, quickRequests: 200 },
    ...LIST_SIZES.map((size) => ({
      name: `LIST ${size} objects`,
      request: { method: 'GET', path: `/api/v1/namespaces/${namespaceOf(size)}/configmaps`, headers: json },
      quickRequests: size > 1000 ? 4 : 50,
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

/** Measures `ops` against one server and returns the figures in operation order. */
type MeasureAll = (side: string, url: string, pid: number, tls: ClientTLS, ops: Operation[]) => Promise<PhaseResult[]>;

/** Figures of one side, and the RSS of its server after the built-in load. */
interface SideFigures {
  results: PhaseResult[];
  rss: number | undefined;
}

/** Runs the whole benchmark and returns its figures; every process it starts is stopped, and its files removed, before it returns or throws. */
export async function runCoreBench(options: CoreBenchOptions = {}): Promise<CoreReport> {
  const durationSeconds = options.durationSeconds ?? 5;
  const connections = options.connections ?? 10;
  const quick = options.quick ?? false;
  const progress = options.progress ?? (() => undefined);
  const ops = operations();
  const crOps = customResourceOperations();
  const measureAll: MeasureAll = async (side, url, pid, tls, ops) => {
    const results: PhaseResult[] = [];
    for (const op of ops) {
      const warmup: PhaseLength = quick ? { requests: Math.ceil(op.quickRequests / 10) } : { seconds: 1 };
      const measure: PhaseLength = quick ? { requests: op.quickRequests } : { seconds: durationSeconds };
      progress(`${side}: ${op.name} (${'seconds' in measure ? `${measure.seconds} s` : `${measure.requests} requests`}, ${connections} connections)`);
      results.push(await runPhase({ url, pid, tls, request: op.request, connections, warmup, measure }));
    }
    return results;
  };

  const loadAtStart = loadavg()[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-bench-'));
  try {
    const { pki, customResults, ...kubeSkew } = await benchKubeSkew(dir, ops, crOps, measureAll, progress);
    const bare = await benchBare(dir, pki, ops, measureAll, progress);
    const writes = quick ? 20 : 500;
    progress(`watch: starting two ${BENCH_MINOR} servers over one store; ${writes} writes through one, watched on the other`);
    const watch = await benchWatch(dir, writes, quick ? 3 : 20);
    return {
      machine: await machineInfo(),
      settings: { durationSeconds, connections, quick, kubeSkewMinor: BENCH_MINOR },
      operations: ops.map((op, i): OperationFigures => ({ name: op.name, kubeSkew: kubeSkew.results[i]!, bare: bare.results[i]! })),
      customResources: crOps.map((op, i): CustomResourceFigures => ({ name: op.name, builtIn: op.builtIn!, kubeSkew: customResults[i]! })),
      watch,
      rssMiB: { ...(kubeSkew.rss === undefined ? {} : { kubeSkew: kubeSkew.rss }), ...(bare.rss === undefined ? {} : { bare: bare.rss }) },
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * kube-skew's side: one server process from a fresh cluster, seeded, measured over mTLS as the admin
 * on the built-in operations (RSS taken then), then given the benchmark CRD and its custom resources
 * and measured on the custom resource operations; returns its PKI for the bare side.
 */
async function benchKubeSkew(
  dir: string,
  ops: Operation[],
  crOps: Operation[],
  measureAll: MeasureAll,
  progress: (line: string) => void,
): Promise<SideFigures & { pki: ClusterPKI; customResults: PhaseResult[] }> {
  progress(`kube-skew: starting one ${BENCH_MINOR} server`);
  const cluster = await Cluster.start({ dataDir: join(dir, 'single'), servers: [{ name: 's1', minor: BENCH_MINOR }], args: NO_CONTROLLERS, logLevel: 'error' });
  try {
    const server = cluster.server('s1');
    const tls = adminTLS(cluster.pki);
    const admin = new ApiClient(server.info!.url, tls);
    try {
      for (const ns of [...LIST_SIZES.map(namespaceOf), CREATE_NAMESPACE]) await admin.expect(201, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
      progress(`kube-skew: seeding ${LIST_SIZES.join(' + ')} ConfigMaps through the store`);
      await seed(cluster.storagePath);
      const largest = LIST_SIZES[LIST_SIZES.length - 1]!;
      const seeded = await admin.expect<{ items: unknown[] }>(200, 'GET', `/api/v1/namespaces/${namespaceOf(largest)}/configmaps`);
      if (seeded.items.length !== largest) throw new Error(`the server lists ${seeded.items.length} seeded ConfigMaps, expected ${largest}`);
    } finally {
      admin.close();
    }
    const results = await measureAll('kube-skew', server.info!.url, server.pid, tls, ops);
    const rss = await rssMiB(server.pid);
    // The CRD goes in only now, so the built-in figures are taken exactly as before it existed.
    progress(`kube-skew: creating the benchmark CRD and ${LIST_SIZES[0]} custom resources through the API`);
    const crAdmin = new ApiClient(server.info!.url, tls);
    try {
      await setUpCustomResources(crAdmin, namespaceOf(LIST_SIZES[0]), LIST_SIZES[0], seededName);
    } finally {
      crAdmin.close();
    }
    const customResults = await measureAll('kube-skew', server.info!.url, server.pid, tls, crOps);
    return { results, rss, pki: cluster.pki, customResults };
  } finally {
    await cluster.stop();
  }
}

/** The bare side: its own process with kube-skew's serving certificate and client CAs, over its own seeded file of the same layout. */
async function benchBare(dir: string, pki: ClusterPKI, ops: Operation[], measureAll: MeasureAll, progress: (line: string) => void): Promise<SideFigures> {
  progress(`bare: seeding ${LIST_SIZES.join(' + ')} ConfigMaps and starting fastify + better-sqlite3`);
  const dbPath = join(dir, 'bare.db');
  await seed(dbPath);
  const bare = await startBareServer({ dbPath, certFile: pki.serving.certFile, keyFile: pki.serving.keyFile, caFiles: [pki.caFile, pki.frontProxyCAFile] });
  try {
    const results = await measureAll('bare', bare.url, bare.pid, adminTLS(pki), ops);
    return { results, rss: await rssMiB(bare.pid) };
  } finally {
    await bare.stop();
  }
}

/** Watch latency on a fresh two-server cluster: the watch on one server, the writes through the other. */
async function benchWatch(dir: string, writes: number, warmupWrites: number): Promise<WatchLatency> {
  const cluster = await Cluster.start({ dataDir: join(dir, 'pair'), servers: [{ name: 'w1', minor: BENCH_MINOR }, { name: 'w2', minor: BENCH_MINOR }], args: NO_CONTROLLERS, logLevel: 'error' });
  const watcher = new ApiClient(cluster.server('w1').info!.url, adminTLS(cluster.pki));
  const writer = new ApiClient(cluster.server('w2').info!.url, adminTLS(cluster.pki));
  try {
    return await measureWatchLatency({ watcher, writer, namespace: 'default', writes, warmupWrites });
  } finally {
    watcher.close();
    writer.close();
    await cluster.stop();
  }
}

/** The cluster admin's client TLS material. */
function adminTLS(pki: ClusterPKI): ClientTLS {
  return { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
}

/** Seeds every list size's namespace in the store file at `path`. */
async function seed(path: string): Promise<void> {
  const store = openSqliteStore(path);
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
