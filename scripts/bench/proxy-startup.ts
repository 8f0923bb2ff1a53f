/**
 * Start-up figures of `kube-skew bench proxy`: how long a cluster takes from nothing to every
 * server ready (what `kube-skew up` waits for: a fresh data directory, its PKI, every server's
 * `/readyz`, the front door, the kubeconfig), each server's resident set size once the cluster has
 * settled, and how long the `kube-skew up` command itself takes to print its `ready` line.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Cluster, type ServerSpec } from '../../server/cluster/cluster.js';
import { CLI_PATH } from '../../server/cluster/server-process.js';
import { rssMiB, waitUntilIdle } from './proc.js';
import { percentile } from './stats.js';

/** Smallest, median and largest of a set of figures. */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** Readiness of one cluster shape, over several fresh starts. */
export interface ReadinessFigures {
  /** The minors started, comma-separated, in server order. */
  minors: string;
  /** Milliseconds from `Cluster.start` to its return (every server ready), one per start. */
  runsMs: number[];
  medianMs: number;
  /** VmRSS of every server of every start once the servers went idle, in MiB. */
  rssMiB: Spread;
}

/** The `kube-skew up` command's time to its `ready` line, over several fresh starts. */
export interface UpCliFigures {
  minors: string;
  runsMs: number[];
  medianMs: number;
}

/** The spread of `values`, which must not be empty. */
export function spread(values: readonly number[]): Spread {
  return { min: Math.min(...values), median: percentile(values, 50), max: Math.max(...values) };
}

/** Starts a cluster of `minors` `runs` times, each in a fresh directory under `root`, and stops it each time. */
export async function measureReadiness(root: string, minors: string[], runs: number): Promise<ReadinessFigures> {
  const servers: ServerSpec[] = minors.map((minor, i) => ({ name: `s${i + 1}`, minor }));
  const runsMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = await mkdtemp(join(root, `ready-${minors.length}-`));
    try {
      const started = performance.now();
      const cluster = await Cluster.start({ dataDir, servers });
      runsMs.push(performance.now() - started);
      try {
        const pids = [...cluster.servers.values()].map((p) => p.pid);
        await Promise.all(pids.map((pid) => waitUntilIdle(pid, 15_000)));
        for (const pid of pids) {
          const mib = await rssMiB(pid);
          if (mib !== undefined) rss.push(mib);
        }
      } finally {
        await cluster.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return { minors: minors.join(','), runsMs, medianMs: percentile(runsMs, 50), rssMiB: rss.length > 0 ? spread(rss) : { min: NaN, median: NaN, max: NaN } };
}

/**
 * Runs `kube-skew up --servers <minors> --data-dir <fresh>` `runs` times, timing each from the spawn
 * to the stdout line containing `ready`, then stops it with SIGINT and waits for it to exit. Servers
 * it leaves behind (it can die of a SIGINT that arrives before its handler is installed) are
 * stopped with SIGTERM and reported through `warn`.
 */
export async function measureUpCli(root: string, minors: string[], runs: number, warn: (line: string) => void = () => undefined): Promise<UpCliFigures> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = await mkdtemp(join(root, 'up-'));
    try {
      const started = performance.now();
      const child = spawn(process.execPath, [CLI_PATH, 'up', '--servers', minors.join(','), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = once(child, 'exit');
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const serverPids: number[] = [];
      try {
        runsMs.push(
          await new Promise<number>((resolve, reject) => {
            createInterface({ input: child.stdout }).on('line', (line) => {
              const pid = /\(pid (\d+)\)/.exec(line)?.[1];
              if (pid) serverPids.push(Number(pid));
              if (/\bready\b/.test(line)) resolve(performance.now() - started);
            });
            void exited.then(([code]) => reject(new Error(`kube-skew up exited with code ${code} before ready: ${stderr.trim()}`)));
          }),
        );
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const [code, signal] = await exited;
        clearTimeout(killer);
        const left = await stopLeftovers(serverPids);
        if (left > 0) warn(`kube-skew up exited with ${signal ?? `code ${code}`} after SIGINT and left ${left} server(s) running; stopped them`);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return { minors: minors.join(','), runsMs, medianMs: percentile(runsMs, 50) };
}

/** Sends SIGTERM to every pid still alive and waits up to 10 s for them to go; returns how many were alive. */
async function stopLeftovers(pids: number[]): Promise<number> {
  // An orphan that has exited stays a zombie until init reaps it: it counts as gone.
  const alive = (pid: number): boolean => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat[stat.lastIndexOf(')') + 2] !== 'Z';
    } catch {
      return false;
    }
  };
  const left = pids.filter(alive);
  for (const pid of left) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && left.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  return left.length;
}
