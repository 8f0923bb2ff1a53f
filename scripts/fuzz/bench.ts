/**
 * `kube-skew bench fuzz`: one real kube-skew server in a fresh temporary directory, fuzzed over
 * mTLS as the cluster admin, its store watched read-only, beside a server of the previous minor
 * that proxies the newest API to it (where requests cut short also go, to cut the hop); the servers
 * are stopped and the directory removed before the report is returned.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../server/cluster/cluster.js';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';
import { machineInfo } from '../bench/core.js';
import { runFuzz } from './engine.js';
import { lastError } from '../bench/soak/exits.js';
import type { FuzzReport } from './report.js';

/** The minor of the fuzzed server: the newest, with every API kube-skew serves. */
export const FUZZ_MINOR = NEWEST_MINOR;
/** The minor of the server that proxies to it: the previous one, without the newest API. */
export const PROXYING_MINOR = PREVIOUS_MINOR;

/** The servers of `cluster` that exited, each with its exit code and the last error it wrote. */
export function deadServers(cluster: Cluster): string {
  return [...cluster.servers]
    .filter(([, p]) => !p.alive)
    .map(([name, p]) => `${name} (code ${p.child.exitCode ?? p.child.signalCode}) ${lastError(p.errors).replace(/\s+/g, ' ')}`)
    .join('; ');
}

/** Options of {@link runFuzzBench}. */
export interface FuzzBenchOptions {
  requests: number;
  seed: number;
  connections?: number;
  progress?: (line: string) => void;
}

/** Starts a server, fuzzes it and returns the report. */
export async function runFuzzBench(options: FuzzBenchOptions): Promise<FuzzReport> {
  const progress = options.progress ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'kube-skew-fuzz-'));
  try {
    progress(`starting a ${FUZZ_MINOR} server and a ${PROXYING_MINOR} server that proxies to it`);
    const cluster = await Cluster.start({
      dataDir: dir,
      servers: [
        { name: 'fuzz', minor: FUZZ_MINOR },
        { name: 'proxying', minor: PROXYING_MINOR },
      ],
      logLevel: 'silent',
    });
    // A long run may be interrupted: the server and the directory go with it.
    const onSignal = (signal: NodeJS.Signals): void => {
      progress(`${signal}: stopping the server`);
      void cluster
        .stop()
        .then(() => rm(dir, { recursive: true, force: true }))
        .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const server = cluster.server('fuzz');
      const proxying = cluster.server('proxying');
      progress(`fuzzing ${server.info!.url} with ${options.requests.toLocaleString('en-US')} requests, seed ${options.seed}`);
      const report = await runFuzz({
        url: server.info!.url,
        tls: { ca: cluster.pki.ca.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key },
        storagePath: cluster.storagePath,
        isAlive: () => server.alive && proxying.alive,
        whyExited: () => deadServers(cluster),
        proxying: { url: proxying.info!.url, minor: PROXYING_MINOR },
        minor: FUZZ_MINOR,
        requests: options.requests,
        seed: options.seed,
        ...(options.connections !== undefined ? { connections: options.connections } : {}),
        progress,
      });
      const machine = await machineInfo();
      return { ...report, machine: { nproc: machine.nproc, cpu: machine.cpu, node: machine.node } };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await cluster.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
