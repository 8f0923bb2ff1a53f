/**
 * `kube-skew bench contention`: what several processes writing into one store at full speed get out
 * of it, on SQLite, on a local etcd, or on both in one run. For 1, 2, 4, … up to N writer processes
 * (each its own `contention-writer.ts` child, started together on a fresh store: a new SQLite file,
 * or a new single-member etcd), every process cycles its own keys through create → update → delete
 * for the run's duration; the table shows the writes per second of them all and of the slowest and
 * fastest process, how often a write found SQLite's lock taken and tried again (the BUSY retries;
 * etcd has no such lock), the write latency, and the writes that failed (which should be none).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BUSY_TIMEOUT_MS, openSqliteStore } from '../../storage/sqlite/store.js';
import { machineInfo } from './core.js';
import type { ContentionReport, ContentionRun } from './contention-report.js';
import type { WriterFigures, WriterMessage } from './contention-writer.js';
import { checkStoresAvailable, ETCD_STORE_PREFIX, withStore, type BenchStore } from './bench-store.js';
import { guarded, stopOnSignal } from './interrupt.js';
import { percentile } from './stats.js';

const WRITER = fileURLToPath(new URL('./contention-writer.js', import.meta.url));

/** Options of {@link runContentionBench}. */
export interface ContentionBenchOptions {
  /** The stores measured, each run on a fresh one (default SQLite only). */
  stores?: BenchStore[];
  /** The most writer processes (default 6). */
  maxProcesses?: number;
  /** Seconds per run (default 5). */
  durationSeconds?: number;
  /** A tiny run for tests: half a second per run. */
  quick?: boolean;
  /** Receives one line per run. */
  progress?: (line: string) => void;
}

/** The process counts measured: 1, 2, 4, 8, … below `max`, then `max`. */
export function processCounts(max: number): number[] {
  const counts: number[] = [];
  for (let n = 1; n < max; n *= 2) counts.push(n);
  counts.push(max);
  return counts;
}

/**
 * Runs the whole benchmark and returns its figures; every process it starts (writers, etcd) has
 * exited, and its files are removed, before it returns or throws, and when SIGINT or SIGTERM ends it.
 */
export async function runContentionBench(options: ContentionBenchOptions = {}): Promise<ContentionReport> {
  const stores = options.stores ?? ['sqlite'];
  checkStoresAvailable(stores);
  const maxProcesses = options.maxProcesses ?? 6;
  const quick = options.quick ?? false;
  const durationSeconds = quick ? 0.5 : (options.durationSeconds ?? 5);
  const progress = options.progress ?? (() => undefined);
  const loadAtStart = loadavg()[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-bench-contention-'));
  return guarded('the temporary directory', () => rm(dir, { recursive: true, force: true }), async () => {
    const runs: ContentionRun[] = [];
    for (const processes of processCounts(maxProcesses)) {
      for (const store of stores) {
        progress(`${processes} writer process${processes === 1 ? '' : 'es'} for ${durationSeconds} s on ${store}`);
        const run = await withStore(store, join(dir, `etcd-${processes}`), progress, async (backing) => {
          if (backing.clusterOptions.etcdServers === undefined) {
            const dbPath = join(dir, `store-${processes}.db`);
            // Create and migrate the file first, so that the writers' opens do not race to create it.
            await openSqliteStore(dbPath).close();
            return measure(dbPath, processes, durationSeconds);
          }
          return measure(`${ETCD_STORE_PREFIX}${backing.clusterOptions.etcdServers[0]!}`, processes, durationSeconds);
        });
        runs.push({ store, ...run });
      }
    }
    return {
      machine: await machineInfo(),
      settings: { durationSeconds, maxProcesses, quick, busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS, stores },
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
      runs,
    };
  });
}

/** One run: `processes` writers on the store `target` names (see the writer), started together. */
async function measure(target: string, processes: number, durationSeconds: number): Promise<Omit<ContentionRun, 'store'>> {
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const release = stopOnSignal('the writer processes', killAll);
  try {
    const writers = Array.from({ length: processes }, (_, i) => {
      const child = fork(WRITER, [target, `w${i}`], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      return { child, ...follow(child) };
    });
    await Promise.all(writers.map((w) => w.ready));
    for (const { child } of writers) child.send({ op: 'go', durationMs: durationSeconds * 1000 });
    const figures = await Promise.all(writers.map((w) => w.done));
    const latencies = figures.flatMap((f) => f.latenciesMs);
    const perProcess = figures.map((f) => f.writes / durationSeconds);
    return {
      processes,
      writes: latencies.length,
      writesPerSecond: latencies.length / durationSeconds,
      perProcessWritesPerSecond: { min: Math.min(...perProcess), max: Math.max(...perProcess) },
      busyRetries: figures.reduce((n, f) => n + f.busyRetries, 0),
      waitedWrites: figures.reduce((n, f) => n + f.waited, 0),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.reduce((max, ms) => Math.max(max, ms), 0),
      failed: figures.reduce((n, f) => n + f.failed, 0),
      failures: figures.flatMap((f) => f.failures).slice(0, 5),
    };
  } finally {
    release();
    killAll();
  }
}

/** A writer's `ready` and its figures; both reject when it exits without sending them. */
function follow(child: ChildProcess): { ready: Promise<void>; done: Promise<WriterFigures> } {
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`a contention writer exited (code ${code}, signal ${signal}) before it reported`)));
  });
  const ready = Promise.race([new Promise<void>((resolve) => child.on('message', (m: WriterMessage) => m.op === 'ready' && resolve())), exited]);
  const done = Promise.race([
    new Promise<WriterFigures>((resolve) => child.on('message', (m: WriterMessage) => m.op === 'done' && resolve(m))),
    exited,
  ]);
  // Awaited later, or not at all when another writer failed first.
  done.catch(() => undefined);
  return { ready, done };
}
