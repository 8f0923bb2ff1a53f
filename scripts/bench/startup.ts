/**
 * `kube-skew bench startup`: time to ready of 1, 3 and 10 servers started through `kube-skew up`
 * (spawned; from the spawn to its `ready` line) and through the library (`startCluster`, in this
 * process; until it resolves), each beside its floor: the same number of bare fastify +
 * better-sqlite3 HTTPS processes ({@link ./bare-server.ts}) spawned at once over one store file,
 * until every one prints that it listens. Also `kube-skew --help` beside `node -e 0`. Each figure is
 * the median of a number of fresh starts; CPU time is read from procfs (the processes' own
 * utime + stime at ready, or this process's reaped children's for commands that exit).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensurePKI, type ClusterPKI } from '../../server/cluster/cluster.js';
import { startCluster } from '../../server/cluster/library.js';
import { CLI_PATH } from '../../server/cluster/server-process.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import { SUPPORTED_MINORS } from '../../versions/manifest.js';
import { startBareServer } from './bare-process.js';
import type { BenchChild } from './child.js';
import { machineInfo } from './core.js';
import { guarded, stopOnSignal } from './interrupt.js';
import { cpuTicks } from './proc.js';
import type { MachineInfo } from './report.js';
import { percentile } from './stats.js';

/** Milliseconds per clock tick of /proc/<pid>/stat (USER_HZ is 100 on Linux). */
const MS_PER_TICK = 10;

/** One measured way of starting, over several fresh starts. */
export interface StartupFigures {
  /** Milliseconds to ready, one per start. */
  runsMs: number[];
  medianMs: number;
  /** Median CPU milliseconds (user + system) of the processes started, up to ready; undefined where procfs cannot tell. */
  cpuMs?: number;
}

/** A target checked on a row: a ratio to the floor and, for some, an absolute bound. */
export interface StartupTarget {
  maxRatio: number;
  maxMs?: number;
  met: boolean;
}

/** One row of the table: a way of starting beside its floor. */
export interface StartupRow {
  name: string;
  measured: StartupFigures;
  floorName: string;
  floor: StartupFigures;
  ratio: number;
  target?: StartupTarget;
}

/** What {@link runStartupBench} returns. */
export interface StartupReport {
  machine: MachineInfo;
  runs: number;
  serverCounts: number[];
  rows: StartupRow[];
  loadAverage: { start: number; end: number };
}

/** Options of {@link runStartupBench}. */
export interface StartupBenchOptions {
  /** Starts per figure (default 3). */
  runs?: number;
  /** For tests: 1 run, 1 and 3 servers only. */
  quick?: boolean;
  progress?: (line: string) => void;
}

/** The targets of issue 16, by server count (`0` is `--help`): ratio to the floor and an absolute bound. */
const TARGETS = new Map<number, { maxRatio: number; maxMs?: number }>([
  [0, { maxRatio: 2 }],
  [1, { maxRatio: 2 }],
  [3, { maxRatio: 3, maxMs: 1200 }],
]);

/** `n` distinct minors, the newest ones, oldest first. */
function minorsFor(n: number): string[] {
  return SUPPORTED_MINORS.slice(-n);
}

/**
 * Runs the benchmark. Every process it starts is stopped, and its files removed, before it returns
 * or throws, and when SIGINT or SIGTERM ends it.
 */
export async function runStartupBench(options: StartupBenchOptions = {}): Promise<StartupReport> {
  const quick = options.quick ?? false;
  const runs = quick ? 1 : (options.runs ?? 3);
  const counts = quick ? [1, 3] : [1, 3, 10];
  const progress = options.progress ?? (() => undefined);
  const loadAtStart = loadavg()[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-bench-startup-'));
  return guarded('the temporary directory', () => rm(dir, { recursive: true, force: true }), async () => {
    const pki = await ensurePKI(join(dir, 'bare'));
    const dbPath = join(dir, 'bare', 'bare.db');
    await openSqliteStore(dbPath).close();
    const rows: StartupRow[] = [];

    progress(`--help and node -e 0, ${runs} run(s) each`);
    const nodeFloor = await repeat(runs, () => timeExit(['-e', '0']));
    const help = await repeat(runs, () => timeExit([CLI_PATH, '--help']));
    rows.push(row('kube-skew --help', help, 'node -e 0', nodeFloor, 0));

    for (const n of counts) {
      const minors = minorsFor(n);
      progress(`${n} server(s) (${minors.join(',')}): bare floor, up, library; ${runs} run(s) each`);
      const floor = await repeat(runs, () => timeBare(n, pki, dbPath));
      const up = await repeat(runs, () => timeUp(dir, minors));
      const library = await repeat(runs, () => timeLibrary(minors));
      rows.push(row(`up, ${n} server${n === 1 ? '' : 's'}`, up, `${n} bare`, floor, n));
      rows.push(row(`library, ${n} server${n === 1 ? '' : 's'}`, library, `${n} bare`, floor, n));
    }
    return { machine: await machineInfo(), runs, serverCounts: counts, rows, loadAverage: { start: loadAtStart, end: loadavg()[0]! } };
  });
}

/** A row with its ratio and, where the issue sets one, its target. */
function row(name: string, measured: StartupFigures, floorName: string, floor: StartupFigures, count: number): StartupRow {
  const ratio = measured.medianMs / floor.medianMs;
  const bound = TARGETS.get(count);
  const target = bound && { ...bound, met: ratio <= bound.maxRatio && (bound.maxMs === undefined || measured.medianMs <= bound.maxMs) };
  return { name, measured, floorName, floor, ratio, ...(target ? { target } : {}) };
}

/** One start: milliseconds to ready and CPU milliseconds, when known. */
interface Sample {
  ms: number;
  cpuMs?: number;
}

async function repeat(runs: number, once: () => Promise<Sample>): Promise<StartupFigures> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  const runsMs = samples.map((s) => s.ms);
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  return { runsMs, medianMs: percentile(runsMs, 50), ...(cpu.length === samples.length ? { cpuMs: percentile(cpu, 50) } : {}) };
}

/** CPU ticks of this process's reaped children (cutime + cstime), or undefined where procfs cannot tell. */
function childrenTicks(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[13]) + Number(fields[14]);
  } catch {
    return undefined;
  }
}

/** Sum of the CPU ticks of `pids` in milliseconds, or undefined if any cannot be read. */
async function cpuMsOf(pids: number[]): Promise<number | undefined> {
  const ticks = await Promise.all(pids.map(cpuTicks));
  return ticks.some((t) => t === undefined) ? undefined : ticks.reduce<number>((a, t) => a + t!, 0) * MS_PER_TICK;
}

/** Runs `node <args>` to its exit: milliseconds from spawn to exit, and its CPU time (as a reaped child). */
async function timeExit(args: string[]): Promise<Sample> {
  const before = childrenTicks();
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  const release = stopOnSignal(`node ${args.join(' ')}`, () => void child.kill('SIGKILL'));
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    const ms = performance.now() - started;
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited with code ${code}`);
    const after = childrenTicks();
    return { ms, ...(before !== undefined && after !== undefined ? { cpuMs: (after - before) * MS_PER_TICK } : {}) };
  } finally {
    release();
  }
}

/** Spawns `n` bare servers at once over one store file; milliseconds until every one listens, and their CPU. */
async function timeBare(n: number, pki: ClusterPKI, dbPath: string): Promise<Sample> {
  const config = { dbPath, certFile: pki.serving.certFile, keyFile: pki.serving.keyFile, caFiles: [pki.caFile, pki.frontProxyCAFile] };
  const started: BenchChild[] = [];
  const stopAll = async (): Promise<void> => void (await Promise.all(started.map((c) => c.stop())));
  return guarded('the bare servers', stopAll, async () => {
    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: n }, () => startBareServer(config).then((c) => (started.push(c), c))));
    const ms = performance.now() - t0;
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const cpuMs = await cpuMsOf(started.map((c) => c.pid));
    return { ms, ...(cpuMs === undefined ? {} : { cpuMs }) };
  }) as Promise<Sample>;
}

/** Starts a cluster of `minors` through the library; milliseconds until `startCluster` resolves, and the servers' CPU plus this process's. */
async function timeLibrary(minors: string[]): Promise<Sample> {
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  const release = stopOnSignal('the library cluster', () => cluster?.stop());
  try {
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    cluster = await startCluster({ servers: minors.join(',') });
    const ms = performance.now() - t0;
    const own = process.cpuUsage(cpuBefore);
    const pids = cluster.status().servers.flatMap((s) => (s.pid === undefined ? [] : [s.pid]));
    const servers = await cpuMsOf(pids);
    return { ms, ...(servers === undefined ? {} : { cpuMs: servers + (own.user + own.system) / 1000 }) };
  } finally {
    release();
    await cluster?.stop();
  }
}

/**
 * Runs `kube-skew up --servers <minors>` in a fresh data directory: milliseconds from the spawn to
 * its `ready` line, and the CPU of `up` and its servers at that moment. Then SIGINT, and waits for
 * it and its servers to exit (SIGKILL after 15 s).
 */
async function timeUp(root: string, minors: string[]): Promise<Sample> {
  const dataDir = await mkdtemp(join(root, 'up-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI_PATH, 'up', '--servers', minors.join(','), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  const serverPids: number[] = [];
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    for (const pid of serverPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone, as it should be */
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  return guarded('kube-skew up', stop, async () => {
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const ms = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const pid = /\(pid (\d+)\)/.exec(line)?.[1];
        if (pid) serverPids.push(Number(pid));
        if (/^ready\b/.test(line)) resolve(performance.now() - t0);
      });
      void exited.then(([code]) => reject(new Error(`kube-skew up exited with code ${code} before ready: ${stderr.trim()}`)));
    });
    const cpuMs = await cpuMsOf([child.pid!, ...serverPids]);
    return { ms, ...(cpuMs === undefined ? {} : { cpuMs }) };
  });
}

/** The report as a table: one line per row, medians, ratio to the floor and the target. */
export function formatStartupTable(report: StartupReport): string {
  const fmt = (v: number | undefined): string => (v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US'));
  const header = ['start', 'ready ms', 'CPU ms', 'floor', 'floor ms', 'floor CPU ms', 'ratio', 'target'];
  const lines = report.rows.map((r) => [
    r.name,
    fmt(r.measured.medianMs),
    fmt(r.measured.cpuMs),
    r.floorName,
    fmt(r.floor.medianMs),
    fmt(r.floor.cpuMs),
    r.ratio.toFixed(2),
    r.target ? `<= ${r.target.maxRatio}x${r.target.maxMs !== undefined ? `, < ${r.target.maxMs} ms` : ''} ${r.target.met ? 'met' : 'not met'}` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd();
  const m = report.machine;
  return [
    `medians of ${report.runs} run(s); ${m.nproc} CPUs (${m.cpu}), Node ${m.node}; load average ${report.loadAverage.start.toFixed(2)} at start, ${report.loadAverage.end.toFixed(2)} at end`,
    render(header),
    render(widths.map((w) => '-'.repeat(w))),
    ...lines.map(render),
  ].join('\n');
}
