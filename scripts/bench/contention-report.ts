/**
 * The result of `kube-skew bench contention` and its one-table rendering: one row per number of
 * writer processes and store (with several stores, each process count's rows side by side).
 */
import type { BenchStore } from './bench-store.js';
import type { MachineInfo } from './report.js';

/** The figures of one run: `processes` writers on one fresh store for the run's duration. */
export interface ContentionRun {
  store: BenchStore;
  processes: number;
  /** Successful writes of all processes. */
  writes: number;
  /** Successful writes per second, all processes together. */
  writesPerSecond: number;
  /** The slowest and the fastest process, in writes per second: how fairly the lock was shared. */
  perProcessWritesPerSecond: { min: number; max: number };
  /** Extra attempts of operations that found SQLite's write lock taken (each after a 1–3 ms pause); 0 on etcd, which has no such lock. */
  busyRetries: number;
  /** Writes that had to try more than once. */
  waitedWrites: number;
  /** Write latency, milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Writes that failed: an `Internal` SQLITE_BUSY after the busy timeout, or anything else. Should be 0. */
  failed: number;
  /** The first few failure messages. */
  failures: string[];
}

/** Everything one run of the benchmark measured (what `--json FILE` writes). */
export interface ContentionReport {
  machine: MachineInfo;
  settings: { durationSeconds: number; maxProcesses: number; quick: boolean; busyTimeoutMs: number; stores: BenchStore[] };
  /** The 1-minute load average when the run started and when it ended. */
  loadAverage: { start: number; end: number };
  runs: ContentionRun[];
}

/**
 * Renders the report as one plain-text table with a header naming the machine and the settings;
 * with several stores, a `store` column follows `processes`. SQLite's lock columns are `—` on etcd.
 */
export function formatContentionTable(report: ContentionReport): string {
  const stores = report.settings.stores;
  const several = stores.length > 1;
  const header = ['processes', ...(several ? ['store'] : []), 'writes/s', 'per process min-max', 'BUSY retries', 'writes that waited', 'p50 ms', 'p99 ms', 'max ms', 'failed'];
  const lock = (r: ContentionRun, n: number): string => (r.store === 'sqlite' ? String(n) : '—');
  const body = report.runs.map((r) => [
    String(r.processes),
    ...(several ? [r.store] : []),
    num(r.writesPerSecond),
    `${num(r.perProcessWritesPerSecond.min)}-${num(r.perProcessWritesPerSecond.max)}`,
    lock(r, r.busyRetries),
    lock(r, r.waitedWrites),
    num(r.p50Ms),
    num(r.p99Ms),
    num(r.maxMs),
    String(r.failed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('   ').trimEnd();
  const { machine, settings } = report;
  return [
    `kube-skew bench contention: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, ${settings.quick ? 'quick mode' : `${settings.durationSeconds} s per run`}, ` +
      `writer processes on ${stores.map((s) => (s === 'sqlite' ? `one SQLite file (WAL), busy timeout ${settings.busyTimeoutMs} ms` : 'one local single-member etcd')).join(' and on ')}`,
    `load average (1 min) ${report.loadAverage.start.toFixed(2)} at start, ${report.loadAverage.end.toFixed(2)} at end`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

function num(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}
