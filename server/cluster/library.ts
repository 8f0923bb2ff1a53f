/**
 * kube-skew from test code: the package's entry point (`import { startCluster } from 'kube-skew'`).
 * `startCluster` starts a cluster of real `kube-skew apiserver` processes, as `kube-skew up` does,
 * and hands back a {@link SkewCluster} with its kubeconfig, its URLs and the operations of the
 * live-cluster commands (`upgrade`, `kill`, `pause`, …, `stop`), plus faults on the peer hop as
 * scenarios inject them. It is a thin layer over {@link Cluster}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster, parseServers, type ClusterOptions, type ServerSpec } from './cluster.js';
import { parseLbPolicy, type LbPolicy } from './front-door.js';
import { setPeerFault } from './peer-fault.js';
import type { ServerProcess } from './server-process.js';
import type { Fault } from '../peers/faults.js';
import { MVP_GATE } from '../peers/peers.js';
import { normalizeMinor } from '../../versions/manifest.js';
import { minorChangeProblem } from './minor-change.js';
import type { Store } from '../../storage/store.js';

/** One server of a cluster to start: a minor (`'1.36'`), or a minor with a name and flags of its own. */
export type ServerOption =
  | string
  | {
      /** The server's name (default `s<position>`, from 1): lower-case letters, digits and `-`. */
      name?: string;
      /** The Kubernetes minor it acts as, e.g. `'1.36'`. */
      minor: string;
      /** `--feature-gates` for this server, after the cluster-wide ones. */
      featureGates?: string;
      /** `--runtime-config` for this server, after the cluster-wide one. */
      runtimeConfig?: string;
      /** Any further kube-apiserver flags, e.g. `['--runtime-config=batch/v1=false']`. */
      args?: string[];
    };

/** What {@link startCluster} starts. */
export interface StartClusterOptions {
  /** The servers: `'1.36,1.37'`, `'a=1.36,b=1.37'` (as `up --servers` takes), or a list. */
  servers: string | ServerOption[];
  /** `--feature-gates` for every server. */
  featureGates?: string;
  /** `--runtime-config` for every server. */
  runtimeConfig?: string;
  /** Run the Mixed Version Proxy on each server whose minor has it (default true; `up --no-mvp` is false). */
  mvp?: boolean;
  /** The store the servers share: `'sqlite'` (default) or `'etcd'` (a local etcd from the machine's `etcd` binary). */
  store?: 'sqlite' | 'etcd';
  /**
   * Where the cluster keeps its kubeconfig, PKI and store. Default: a new temporary directory that
   * {@link SkewCluster.stop} removes; a directory given here is kept.
   */
  dataDir?: string;
  /** The front door's policy: `'round-robin'` (default), `'random'`, `'pinned'` or `'pinned=<server>'`. */
  lbPolicy?: string;
  /** The servers' `--log-level` (default `warn`); their stderr goes to `onServerLog`. */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Called with each line a server writes to stderr. */
  onServerLog?: (server: string, line: string) => void;
  /** How much faster than the wall the cluster's clock runs (default 1). */
  timeScale?: number;
  /** Seed for every random choice (the servers' peer picks, the front door's random policy). */
  seed?: number;
}

/** What a server is doing, as {@link SkewCluster.status} reports it. */
export type ServerState = 'running' | 'paused' | 'stopped';

/** One server in {@link ClusterStatus}. */
export interface ServerStatus {
  name: string;
  /** The minor it runs (the new one once an upgrade or downgrade has started it). */
  minor: string;
  /** Its process id, while its process runs. */
  pid?: number;
  state: ServerState;
  /** True while it runs, is not paused, and has answered `/readyz` with 200. */
  ready: boolean;
  /** Its APIServerID (`apiserver-…`), the holder of its identity lease. */
  identity: string;
  /** Its own URL (context `skew-<name>`). */
  url: string;
  /** Whether it runs with the proxy gate `UnknownVersionInteroperabilityProxy` on. */
  mixedVersionProxy: boolean;
  /** How its last process ended, once it has: the exit code, or the signal that ended it. */
  exit?: { code: number | null; signal: string | null };
}

/** The whole cluster, as {@link SkewCluster.status} reports it. */
export interface ClusterStatus {
  dataDir: string;
  kubeconfig: string;
  /** The front door's URL (context `skew`). */
  frontDoor: string;
  servers: ServerStatus[];
}

/**
 * A fault on the peer hop, as the scenario step `fault` injects it: `'partition'` (the proxy's dial
 * hangs until its timeout, then the client gets the plain-text 503), `'refuse'` (the connection is
 * refused: a 503 at once), `{ latencyMs }` (each forwarded request waits first), or `'heal'`.
 */
export type PeerFault = 'partition' | 'refuse' | 'heal' | { latencyMs: number };

/** A change to a server on restart: another minor, other gates, runtime config or flags. */
export interface ServerChange {
  minor?: string;
  featureGates?: string;
  runtimeConfig?: string;
  args?: string[];
}

/** The kubeconfig context of the front door. */
export const FRONT_DOOR_CONTEXT = 'skew';

/**
 * A running cluster. Every operation that starts a process resolves once that server answers
 * `/readyz`; every operation rejects after {@link SkewCluster.stop}. Servers are addressed by name.
 */
export class SkewCluster implements AsyncDisposable {
  /** The cluster's data directory. */
  readonly dataDir: string;
  /** The kubeconfig: context `skew` (the front door, current) and `skew-<server>` per server. */
  readonly kubeconfigPath: string;
  /** The front door's URL (`https://127.0.0.1:<port>`): a load balancer over the ready servers (context `skew`). */
  readonly frontDoorURL: string;
  private store: Store | undefined;
  private stopping: Promise<void> | undefined;

  /** @internal Use {@link startCluster}. */
  constructor(
    private readonly cluster: Cluster,
    private readonly removeDataDir: boolean,
  ) {
    this.dataDir = cluster.options.dataDir;
    this.kubeconfigPath = cluster.kubeconfigPath;
    this.frontDoorURL = cluster.frontDoorURL;
  }

  /** The servers' names, in the order they were given. */
  get serverNames(): string[] {
    return [...this.cluster.specs.keys()];
  }

  /** The URL of server `name` (it keeps its port across restarts). */
  serverURL(name: string): string {
    const url = this.process(name).info?.url;
    if (!url) throw new Error(`server ${name} has not started`);
    return url;
  }

  /** The kubeconfig context of server `name` (`skew-<name>`), or of the front door (`skew`) without a name. */
  context(name?: string): string {
    if (name === undefined) return FRONT_DOOR_CONTEXT;
    this.spec(name);
    return `skew-${name}`;
  }

  /** Each server's state, minor, pid, readiness, identity, URL and proxy gate, and the front door. */
  status(): ClusterStatus {
    const servers = [...this.cluster.specs.values()].map((spec): ServerStatus => {
      const proc = this.cluster.servers.get(spec.name);
      const alive = proc?.alive ?? false;
      const state: ServerState = !alive ? 'stopped' : proc?.paused ? 'paused' : 'running';
      return {
        name: spec.name,
        minor: spec.minor,
        ...(alive && proc ? { pid: proc.pid } : {}),
        state,
        ready: state === 'running' && (proc?.ready ?? false),
        identity: proc?.info?.id ?? '',
        url: proc?.info?.url ?? '',
        mixedVersionProxy: this.cluster.mvpFlags(spec).gates.includes(`${MVP_GATE}=true`),
        ...(proc && !alive ? { exit: { code: proc.child.exitCode, signal: proc.child.signalCode } } : {}),
      };
    });
    return { dataDir: this.dataDir, kubeconfig: this.kubeconfigPath, frontDoor: this.frontDoorURL, servers };
  }

  /** Resolves once server `name` (every running server without a name) answers `/readyz` with 200. */
  async waitReady(name?: string, timeoutMs = 30_000): Promise<void> {
    this.live();
    const procs = name === undefined ? [...this.cluster.servers.values()].filter((p) => p.alive) : [this.process(name)];
    await Promise.all(procs.map((p) => p.whenReady(this.cluster.tls, timeoutMs)));
  }

  /** Stop server `name` gracefully (SIGTERM); the front door stops sending it connections at once. */
  async stopServer(name: string): Promise<void> {
    this.live();
    await this.cluster.stopServer(this.process(name).name);
  }

  /** Start server `name` again (at the minor and flags it last ran with); rejects while it runs. */
  async startServer(name: string): Promise<void> {
    this.live();
    this.spec(name);
    const proc = this.cluster.servers.get(name);
    if (proc?.alive) throw new Error(`server ${name} is already running (pid ${proc.pid})`);
    await this.cluster.restartServer(name);
  }

  /** Kill server `name` with SIGKILL, as a crash; resolves once its process has gone. */
  async kill(name: string): Promise<void> {
    this.live();
    await this.cluster.killServer(this.process(name).name);
  }

  /** Freeze server `name` (SIGSTOP): it accepts connections and answers nothing until resumed. */
  async pause(name: string): Promise<void> {
    this.live();
    this.cluster.pauseServer(this.process(name).name);
  }

  /** Thaw server `name` (SIGCONT); resolves once it answers `/readyz` again. */
  async resume(name: string): Promise<void> {
    this.live();
    this.cluster.resumeServer(this.process(name).name);
    await this.process(name).whenReady(this.cluster.tls);
  }

  /** Restart server `name` gracefully, optionally changed; a stopped server is just started. */
  async restart(name: string, change: ServerChange = {}): Promise<void> {
    this.live();
    this.spec(name);
    const minor = change.minor === undefined ? {} : { minor: normalizeMinor(change.minor) };
    await this.cluster.restartServer(name, { ...change, ...minor });
  }

  /** Restart server `name` at a newer `minor` (a rolling upgrade's step); rejects when `minor` is not newer. */
  async upgrade(name: string, minor: string): Promise<void> {
    await this.changeMinor(name, minor, 'upgrade');
  }

  /** Restart server `name` at an older `minor`; rejects when `minor` is not older. */
  async downgrade(name: string, minor: string): Promise<void> {
    await this.changeMinor(name, minor, 'downgrade');
  }

  /**
   * Put a fault on the peer hop from server `from`'s Mixed Version Proxy to server `to`, or heal it.
   * It takes effect on the next request `from` forwards to `to` and lasts, across restarts of either,
   * until healed. Both servers must have started once.
   */
  async fault(from: string, to: string, fault: PeerFault): Promise<void> {
    this.live();
    this.spec(from);
    this.spec(to);
    const record: Fault | undefined =
      fault === 'heal' ? undefined : fault === 'partition' ? { kind: 'partition' } : fault === 'refuse' ? { kind: 'refuse' } : { kind: 'latency', delayMs: latency(fault.latencyMs) };
    this.store ??= this.cluster.openStore(() => this.cluster.clock.nowMs());
    await setPeerFault(this.cluster, this.store, from, to, record);
  }

  /**
   * Stop every server gracefully (then the etcd the cluster started, if any) and remove the data
   * directory when it is a temporary one. Idempotent: a second call waits for the first.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        // The fault store's client is closed first, and a failure to close it stops nothing less.
        await this.store?.close().catch(() => undefined);
        await this.cluster.stop();
      } finally {
        if (this.removeDataDir) await rm(this.dataDir, { recursive: true, force: true });
      }
    })();
    return this.stopping;
  }

  /** {@link SkewCluster.stop}, for `await using cluster = await startCluster(…)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  private async changeMinor(name: string, target: string, kind: 'upgrade' | 'downgrade'): Promise<void> {
    this.live();
    const minor = normalizeMinor(target);
    const current = this.spec(name).minor;
    const problem = minorChangeProblem(name, current, minor, kind);
    if (problem) throw new Error(problem);
    await this.restart(name, { minor });
  }

  private spec(name: string): ServerSpec {
    const spec = this.cluster.specs.get(name);
    if (!spec) throw new Error(`no server named ${name} (servers: ${this.serverNames.join(', ')})`);
    return spec;
  }

  private process(name: string): ServerProcess {
    this.spec(name);
    const proc = this.cluster.servers.get(name);
    if (!proc) throw new Error(`server ${name} has not started`);
    return proc;
  }

  private live(): void {
    if (this.stopping) throw new Error('the cluster has been stopped');
  }
}

/** A latency in milliseconds, checked. */
function latency(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`fault: latencyMs ${ms}: expected a non-negative number of milliseconds`);
  return ms;
}

/** The server specs of `servers`: names and minors checked as `up --servers` checks them, minors in any form `v1.36`/`1.36.2`. */
function serverSpecs(servers: StartClusterOptions['servers']): ServerSpec[] {
  if (typeof servers === 'string') return parseServers(servers).map((s) => ({ ...s, minor: normalizeMinor(s.minor) }));
  const given = servers.map((s) => (typeof s === 'string' ? { minor: s } : s));
  const named = parseServers(given.map((s, i) => `${s.name ?? `s${i + 1}`}=${normalizeMinor(s.minor)}`).join(','));
  return named.map((spec, i) => {
    const { featureGates, runtimeConfig, args } = given[i]!;
    return { ...spec, ...(featureGates ? { featureGates } : {}), ...(runtimeConfig ? { runtimeConfig } : {}), ...(args ? { args } : {}) };
  });
}

/** The front door policy `text` names, with a pinned server checked against the cluster's. */
function lbPolicy(text: string, specs: ServerSpec[]): LbPolicy {
  const policy = parseLbPolicy(text);
  if (policy.kind === 'pinned' && policy.server !== undefined && !specs.some((s) => s.name === policy.server)) {
    throw new Error(`lbPolicy ${text}: no server named "${policy.server}" (servers: ${specs.map((s) => s.name).join(', ')})`);
  }
  return policy;
}

/**
 * Start a cluster and resolve once every server answers `/readyz`, as `kube-skew up` does: each
 * server a real process on a free port, the front door, and the kubeconfig. Rejects (having stopped
 * whatever it started) when a server fails to start. Call {@link SkewCluster.stop} when done; the
 * servers also exit when this process does.
 */
export async function startCluster(options: StartClusterOptions): Promise<SkewCluster> {
  const specs = serverSpecs(options.servers);
  const policy = lbPolicy(options.lbPolicy ?? 'round-robin', specs);
  if (options.timeScale !== undefined && !(Number.isFinite(options.timeScale) && options.timeScale > 0)) throw new Error(`timeScale ${options.timeScale}: expected a positive number`);
  const dataDir = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'kube-skew-')) : resolve(options.dataDir);
  const clusterOptions: ClusterOptions = {
    dataDir,
    servers: specs,
    lbPolicy: policy,
    mvp: options.mvp !== false,
    ...(options.featureGates ? { featureGates: options.featureGates } : {}),
    ...(options.runtimeConfig ? { runtimeConfig: options.runtimeConfig } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.onServerLog ? { onServerLog: options.onServerLog } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  try {
    return new SkewCluster(await Cluster.start(clusterOptions), options.dataDir === undefined);
  } catch (err) {
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}
