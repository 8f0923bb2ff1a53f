/**
 * The options of `kube-skew up`: their defaults and their checks, written once for the command line
 * (scripts/commands/up.ts shows them in `--help`) and for runUp. This module loads no server code, so
 * `kube-skew up --help` stays quick.
 */
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';

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
  /** `--detach`: run in the background and return once the cluster is ready. */
  detach?: boolean;
}

/** The stores `up --store` takes. */
export const STORES = ['sqlite', 'etcd'] as const;

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

/** The front door's policy when `--lb-policy` is not given. */
export const DEFAULT_LB_POLICY = 'round-robin';

/** The servers' log level when `--log-level` is not given. */
export const DEFAULT_LOG_LEVEL = 'warn';

/** The store when `--store` is not given. */
export const DEFAULT_STORE = 'sqlite';
