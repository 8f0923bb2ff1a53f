/**
 * `kube-skew up`: start a cluster in a data directory, print a line containing `ready` when every
 * server is ready, and stop every server gracefully on SIGINT or SIGTERM, or when the process that
 * started `up` goes away.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster, parseServers } from './cluster.js';
import { parseLbPolicy } from './front-door.js';
import { watchParent } from './parent-lifeline.js';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';
import { logFilePath } from './log-file.js';
import { prettyRecord } from './log-format.js';

/**
 * The cluster `up` starts when `--servers` is not given: a server of the previous minor beside two
 * of the newest (1.36,1.37,1.37 while 1.37 is the newest manifest).
 */
export const DEFAULT_SERVERS = [PREVIOUS_MINOR, NEWEST_MINOR, NEWEST_MINOR].join(',');

/** Options of `up`, as the CLI parses them. */
export interface UpOptions {
  servers?: string;
  dataDir?: string;
  featureGates?: string;
  runtimeConfig?: string;
  basePort?: string;
  timeScale?: string;
  /** Default warn, or info with `verbose`. */
  logLevel?: string;
  /** `-v`: print every server's log records on standard error, each line prefixed with the server's name. */
  verbose?: boolean;
  lbPolicy?: string;
  /** `name=--flag=value` items: extra flags for one server. */
  serverFlag?: string[];
  /** commander's `--no-mvp` sets this false. */
  mvp?: boolean;
  /** commander's `--no-peer-ca-file` sets this false. */
  peerCaFile?: boolean;
  /** `--with-sample-apiserver`: start the sample-apiserver beside the cluster and register it. */
  withSampleApiserver?: boolean;
  /** `--store sqlite|etcd`. */
  store?: string;
  /** `--etcd-servers`: an existing etcd's client URLs, comma-separated. */
  etcdServers?: string;
}

/** The stores `up --store` takes. */
const STORES = ['sqlite', 'etcd'] as const;

/** The log levels a server takes. */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'];

/**
 * The numeric and enumerated options, checked before anything starts: a bad value is a one-line
 * error naming the flag, never a cluster started with the flag ignored.
 */
export function checkUpOptions(opts: UpOptions, serverCount: number): { basePort?: number; timeScale?: number } {
  const out: { basePort?: number; timeScale?: number } = {};
  if (opts.basePort !== undefined) {
    const port = Number(opts.basePort);
    const last = 65535 - (serverCount - 1);
    if (!/^\d+$/.test(opts.basePort) || port < 1 || port > last) throw new Error(`--base-port ${opts.basePort}: expected a port number from 1 to ${last}`);
    out.basePort = port;
  }
  if (opts.timeScale !== undefined) {
    const scale = Number(opts.timeScale);
    if (opts.timeScale.trim() === '' || !Number.isFinite(scale) || scale <= 0) throw new Error(`--time-scale ${opts.timeScale}: expected a positive number`);
    out.timeScale = scale;
  }
  if (opts.logLevel !== undefined && !LOG_LEVELS.includes(opts.logLevel)) throw new Error(`--log-level ${opts.logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
  if (opts.store !== undefined && !(STORES as readonly string[]).includes(opts.store)) throw new Error(`--store ${opts.store}: expected one of ${STORES.join(', ')}`);
  return out;
}

/** Run `up` until a signal arrives or its parent process exits; resolves with the exit code. */
export async function runUp(opts: UpOptions): Promise<number> {
  const servers = parseServers(opts.servers ?? DEFAULT_SERVERS);
  const numbers = checkUpOptions(opts, servers.length);
  const lbPolicy = parseLbPolicy(opts.lbPolicy ?? 'round-robin');
  for (const item of opts.serverFlag ?? []) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq);
    const flag = item.slice(eq + 1);
    const server = servers.find((s) => s.name === name);
    if (eq < 0 || !flag.startsWith('--')) throw new Error(`--server-flag ${item}: expected <server>=--<flag>[=<value>], e.g. b=--runtime-config=batch/v1=false`);
    if (!server) throw new Error(`--server-flag ${item}: no server named "${name}" (servers: ${servers.map((s) => s.name).join(', ')})`);
    server.args = [...(server.args ?? []), flag];
  }
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : await mkdtemp(join(tmpdir(), 'kube-skew-'));
  const started = Date.now();
  // Signals are handled from the start, so a Ctrl-C at any moment stops every server it started.
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((r) => (requestStop = r));
  let stopping = false;
  const onSignal = (): void => {
    stopping = true;
    requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const unwatchParent = watchParent(() => {
    process.stderr.write('the process that started kube-skew up has exited; stopping the cluster\n');
    onSignal();
  });
  try {
    process.stderr.write(`starting ${servers.length} server(s) in ${dataDir}: ${servers.map((s) => `${s.name}=${s.minor}`).join(', ')}\n`);
    const cluster = await Cluster.start({
      dataDir,
      servers,
      ...(opts.featureGates ? { featureGates: opts.featureGates } : {}),
      ...(opts.runtimeConfig ? { runtimeConfig: opts.runtimeConfig } : {}),
      ...numbers,
      logLevel: opts.logLevel ?? (opts.verbose ? 'info' : 'warn'),
      lbPolicy,
      mvp: opts.mvp !== false,
      peerCaFile: opts.peerCaFile !== false,
      ...(opts.withSampleApiserver ? { sampleApiServer: true } : {}),
      ...(opts.store === 'etcd' ? { store: 'etcd' as const } : {}),
      ...(opts.etcdServers ? { etcdServers: opts.etcdServers.split(',').map((u) => u.trim()).filter(Boolean) } : {}),
      onServerLog: (name, line) => process.stderr.write(`[${name}] ${line}\n`),
      ...(opts.verbose ? { onServerRecord: (name: string, line: string) => process.stderr.write(`[${name}] ${process.stderr.isTTY ? prettyRecord(line, true) : line}\n`) } : {}),
    });
    if (!stopping) {
      for (const [name, proc] of cluster.servers) {
        process.stdout.write(`  ${name.padEnd(8)} ${cluster.specs.get(name)?.minor.padEnd(6)} ${proc.info?.url}  ${proc.info?.id}  (pid ${proc.pid})\n`);
      }
      if (cluster.sample) process.stdout.write(`  sample-apiserver  wardle.example.com/v1alpha1  ${cluster.sample.proc.info?.url}  (pid ${cluster.sample.proc.pid})\n`);
      if (cluster.etcdServers.length > 0) process.stdout.write(`  store: etcd ${cluster.etcdServers.join(',')}${cluster.etcdLogPath ? `  (log: ${cluster.etcdLogPath})` : ''}\n`);
      process.stdout.write(`  logs: ${logFilePath(dataDir, '<server>')}  (kube-skew logs <server> --data-dir ${dataDir})\n`);
      process.stdout.write(`  front door (${opts.lbPolicy ?? 'round-robin'}, context "skew")  ${cluster.frontDoorURL}\n`);
      process.stdout.write(`ready: ${servers.length} server(s) in ${Date.now() - started} ms; export KUBECONFIG=${cluster.kubeconfigPath}\n`);
    }
    await stopRequested;
    process.stderr.write('stopping…\n');
    await cluster.stop();
    return 0;
  } finally {
    unwatchParent();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
