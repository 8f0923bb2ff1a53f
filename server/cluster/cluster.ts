/**
 * The cluster supervisor as a library: a data directory with a real PKI, N `kube-skew apiserver`
 * processes over one SQLite file, a kubeconfig with one context per server, and `cluster.json`.
 * Servers can be stopped, killed, paused, resumed and restarted at another minor while the others
 * run; the CLI's `up` and the scenario runner both drive this.
 */
import { openEtcdStore } from '../../storage/etcd/store.js';
import { openSqliteStore } from '../../storage/sqlite/store.js';
import type { Store } from '../../storage/store.js';
import { startLocalEtcd, type LocalEtcd } from './local-etcd.js';
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { certIPAddresses, createCA, ensureServiceAccountKey, readKeyPair, signCert, writeKeyPair, type KeyPair } from './pki.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writePrivateFile } from './private-file.js';
import { ServerProcess, type ExitInfo, type ProbeTLS } from './server-process.js';
import { checkLbPolicy, DEFAULT_HEALTH_CHECK, FrontDoor, type BackendState, type HealthCheck, type LbPolicy, type RotationChange } from './front-door.js';
import { logFilePath, logsDir } from './log-file.js';
import { seededRandom } from '../random.js';
import { scaledClock, type ClockAnchor, type ScaledClock } from '../clock.js';
import { writeClockFile } from '../clock-file.js';
import { loadProfile } from '../../versions/profile.js';
import { parseFeatureGates } from '../../versions/features.js';
import { MVP_GATE } from '../peers/peers.js';
import { registerSampleApiServer, sampleArgs, SAMPLE_APISERVER_NAME, sampleServingCert, startSampleProcess, type SampleApiServerEntry } from './sample-apiserver.js';

/** The `--authorization-mode` a cluster's servers run with unless told otherwise. */
export const CLUSTER_AUTHORIZATION_MODE = 'RBAC';

/** One server of a cluster. */
export interface ServerSpec {
  name: string;
  minor: string;
  /** Extra `--feature-gates` for this server (appended after the cluster-wide ones). */
  featureGates?: string;
  /** Extra `--runtime-config` for this server. */
  runtimeConfig?: string;
  /** Any further kube-apiserver flags. */
  args?: string[];
  /** Registered with the cluster but not started until startServer is called. */
  deferred?: boolean;
  /**
   * A host of its own: the server runs inside network namespace `netns` (`ip netns exec`) and this
   * process reaches it at `address`. The cluster then gives it no `--bind-address` or
   * `--advertise-address`: its `args` decide them, as on a real host.
   */
  host?: ServerHost;
}

/** Where a server runs when it has a host of its own. */
export interface ServerHost {
  netns: string;
  address: string;
}

/**
 * The servers in the order they start: servers that serve the same APIs (same minor, gates and
 * runtime config) together, each such wave once the one before is ready. Started at the same moment,
 * two servers that serve different group/versions can leave one of them unready for good, as in
 * upstream: each deletes the other's `onstart` APIServices it found at its start (#96486), and the
 * `autoregister-completion` check waits for an APIService that is gone before it was seen Available.
 * A real cluster reaches mixed minors one server at a time.
 */
export function startWaves(servers: readonly ServerSpec[]): ServerSpec[][] {
  const waves = new Map<string, ServerSpec[]>();
  for (const s of servers) {
    const surface = JSON.stringify([s.minor, s.featureGates ?? '', s.runtimeConfig ?? '', s.args ?? []]);
    waves.set(surface, [...(waves.get(surface) ?? []), s]);
  }
  return [...waves.values()];
}

/** Options of a cluster. */
export interface ClusterOptions {
  dataDir: string;
  servers: ServerSpec[];
  /** `--feature-gates` for every server. */
  featureGates?: string;
  /** `--runtime-config` for every server. */
  runtimeConfig?: string;
  /** First port to use (consecutive ports); 0 or absent picks free ports. */
  basePort?: number;
  timeScale?: number;
  logLevel?: string;
  /** Run the Mixed Version Proxy on every server whose minor has it (default true). */
  mvp?: boolean;
  /**
   * Give servers with the proxy gate on a `--peer-ca-file` (default true). Without one, as in most
   * kubeadm clusters (kubernetes/kubeadm#3301), kube-apiserver still writes its peer endpoint lease
   * but builds no proxy and no peer-merged discovery: the gate is on and nothing is proxied.
   */
  peerCaFile?: boolean;
  /** The front door's policy (default round-robin). */
  lbPolicy?: LbPolicy;
  /** kube-apiserver flags for every server (after the generated ones). */
  args?: string[];
  /** Seed for every random choice: each server gets `--random-seed` derived from it, the front door too. */
  seed?: number;
  /** The environment of server processes (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Called with each line a server writes to stderr. */
  onServerLog?: (server: string, line: string) => void;
  /** Called with each log record (a line of pino JSON) a server prints; every record also goes to `<dataDir>/logs/<server>.log`. */
  onServerRecord?: (server: string, line: string) => void;
  /** Called when a server process exits without having been stopped or killed through the cluster. */
  onServerExit?: (server: string, pid: number, exit: ExitInfo) => void;
  /** Called when the front door takes a server out of its rotation or puts it back. */
  onRotationChange?: (change: RotationChange) => void;
  /**
   * The front door's `/readyz` check: interval, timeout, failures to take a server out and passes
   * to put it back (default DEFAULT_HEALTH_CHECK, HAProxy's).
   */
  healthCheck?: Omit<HealthCheck, 'tls'>;
  /** Start `kube-skew sample-apiserver` beside the servers and register its APIService. */
  sampleApiServer?: boolean;
  /**
   * The store every server shares: `sqlite` (default, `<dataDir>/store.db`) or `etcd`, a
   * single-member etcd the cluster starts from the machine's `etcd` binary in `<dataDir>/etcd` and
   * stops last (unless `etcdServers` names one to use).
   */
  store?: 'sqlite' | 'etcd';
  /** Client URLs of an existing etcd (`--etcd-servers`): the store is etcd and the cluster starts none. */
  etcdServers?: string[];
  /**
   * Further IP addresses the servers' certificate is valid for, beside 127.0.0.1 and every server's
   * `host.address`: e.g. a host's `--peer-advertise-ip`.
   */
  servingIPs?: string[];
}

/** The PKI files of a data directory. */
export interface ClusterPKI {
  dir: string;
  ca: KeyPair;
  serving: { certFile: string; keyFile: string };
  frontProxyCA: KeyPair;
  frontProxyClient: { certFile: string; keyFile: string };
  admin: KeyPair;
  caFile: string;
  frontProxyCAFile: string;
  /** The ServiceAccount token signing key and its public half. */
  serviceAccount: { keyFile: string; publicKeyFile: string };
}

/** The issuer of the cluster's ServiceAccount tokens (kubeadm's default). */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Parse `1.35,1.36` or `a=1.35,b=1.36` into server specs (unnamed servers are s1, s2, …). */
export function parseServers(text: string): ServerSpec[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error('--servers: give at least one minor, e.g. --servers 1.35,1.36');
  const seen = new Set<string>();
  return items.map((item, i) => {
    const eq = item.indexOf('=');
    const name = eq >= 0 ? item.slice(0, eq) : `s${i + 1}`;
    const minor = eq >= 0 ? item.slice(eq + 1) : item;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`--servers: invalid server name "${name}": use lower-case letters, digits and '-'`);
    if (!/^1\.\d+$/.test(minor)) throw new Error(`--servers: invalid minor "${minor}" for server ${name}: expected e.g. 1.32`);
    if (seen.has(name)) throw new Error(`--servers: server name "${name}" is used twice`);
    seen.add(name);
    return { name, minor };
  });
}

/**
 * Create (or reuse) the cluster PKI under `dataDir/pki`. The servers' certificate is valid for
 * 127.0.0.1 and `servingIPs`; one kept from an earlier run that lacks any of them is signed anew.
 */
export async function ensurePKI(dataDir: string, servingIPs: readonly string[] = []): Promise<ClusterPKI> {
  const dir = join(dataDir, 'pki');
  await ensurePrivateDir(dir);
  const ips = [...new Set(['127.0.0.1', ...servingIPs])];
  const loadOr = async (name: string, make: () => Promise<KeyPair>, stale?: (pair: KeyPair) => boolean): Promise<KeyPair> => {
    const existing = await readKeyPair(dir, name);
    if (!existing || stale?.(existing)) return writeAndReturn(dir, name, await make());
    // A pair kept from an earlier run is narrowed to the mode a new one gets.
    await Promise.all(['crt', 'key'].map((ext) => chmod(join(dir, `${name}.${ext}`), PRIVATE_FILE_MODE)));
    return existing;
  };
  // Key generation dominates start-up; the two CAs and then their leaves are made in parallel.
  const [ca, frontProxyCA] = await Promise.all([
    loadOr('ca', () => createCA('kube-skew-ca')),
    loadOr('front-proxy-ca', () => createCA('kube-skew-front-proxy-ca')),
  ]);
  const [, , admin, serviceAccount] = await Promise.all([
    loadOr('apiserver', () =>
      signCert(ca, {
        commonName: 'kube-apiserver',
        dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
        ipAddresses: ips,
        usage: 'server',
      }),
      (pair) => ips.some((ip) => !certIPAddresses(pair.cert).includes(ip)),
    ),
    loadOr('front-proxy-client', () => signCert(frontProxyCA, { commonName: 'front-proxy-client', usage: 'client' })),
    loadOr('admin', () => signCert(ca, { commonName: 'kube-skew-admin', organizations: ['system:masters'], usage: 'client' })),
    ensureServiceAccountKey(dir),
  ]);
  return {
    dir,
    ca,
    frontProxyCA,
    admin,
    serving: { certFile: join(dir, 'apiserver.crt'), keyFile: join(dir, 'apiserver.key') },
    frontProxyClient: { certFile: join(dir, 'front-proxy-client.crt'), keyFile: join(dir, 'front-proxy-client.key') },
    caFile: join(dir, 'ca.crt'),
    frontProxyCAFile: join(dir, 'front-proxy-ca.crt'),
    serviceAccount,
  };
}

async function writeAndReturn(dir: string, name: string, pair: KeyPair): Promise<KeyPair> {
  await writeKeyPair(dir, name, pair);
  return pair;
}

/** A running cluster. */
export class Cluster {
  readonly servers = new Map<string, ServerProcess>();
  readonly specs = new Map<string, ServerSpec>();
  readonly kubeconfigPath: string;
  readonly storagePath: string;
  /** The etcd client URLs every server uses, when the store is etcd. */
  etcdServers: string[] = [];
  /** The etcd this cluster started (stopped last). */
  private localEtcd: LocalEtcd | undefined;
  private readonly ports = new Map<string, number>();
  private frontDoor: FrontDoor | undefined;
  /** The sample-apiserver child, when the cluster runs one, and the flags it was started with. */
  sample: { proc: ServerProcess; args: string[] } | undefined;
  /**
   * The cluster's time. Every server follows the anchor in `clockFile`, so `setClock` speeds up,
   * slows down or moves time for all of them at once; this process follows it too.
   */
  readonly clock: ScaledClock;
  readonly clockFile: string;

  private constructor(
    readonly options: ClusterOptions,
    readonly pki: ClusterPKI,
  ) {
    this.kubeconfigPath = join(options.dataDir, 'kubeconfig');
    this.storagePath = join(options.dataDir, 'store.db');
    this.clockFile = join(options.dataDir, 'clock.json');
    this.clock = scaledClock(options.timeScale ?? 1);
  }

  /** Create the data directory and PKI, start every server and wait until all are ready. */
  static async start(options: ClusterOptions): Promise<Cluster> {
    checkLbPolicy(options.lbPolicy ?? { kind: 'round-robin' }, options.servers.map((s) => s.name));
    // A data directory the cluster makes is 0700; one that exists is the user's and keeps its mode,
    // so every file written into it is 0600 on its own.
    await mkdir(options.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const hostIPs = options.servers.flatMap((s) => (s.host ? [s.host.address] : []));
    const cluster = new Cluster(options, await ensurePKI(options.dataDir, [...hostIPs, ...(options.servingIPs ?? [])]));
    await ensurePrivateDir(logsDir(options.dataDir));
    writeClockFile(cluster.clockFile, cluster.clock.anchor);
    if (options.etcdServers?.length) cluster.etcdServers = options.etcdServers;
    else if (options.store === 'etcd') {
      cluster.localEtcd = await startLocalEtcd(join(options.dataDir, 'etcd'));
      cluster.etcdServers = [cluster.localEtcd.url];
    } else await cluster.privateStore();
    options.servers.forEach((spec, i) => {
      cluster.specs.set(spec.name, spec);
      cluster.ports.set(spec.name, options.basePort ? options.basePort + i : 0);
    });
    try {
      // The front door listens first: a server may be told to reach it (`--controllers-via=front-door`).
      // Like a load balancer that health-checks /readyz, it only sends connections to ready servers.
      cluster.frontDoor = await FrontDoor.listen(
        () =>
          [...cluster.servers.entries()].map(([name, proc]) => ({
            name,
            address: () => (proc.alive && proc.ready && proc.info ? `${cluster.specs.get(name)?.host?.address ?? '127.0.0.1'}:${proc.info.port}` : undefined),
            instance: () => proc.pid,
          })),
        options.lbPolicy ?? { kind: 'round-robin' },
        {
          ...(options.seed !== undefined ? { random: seededRandom(options.seed) } : {}),
          healthCheck: { ...(options.healthCheck ?? DEFAULT_HEALTH_CHECK), tls: { ca: cluster.pki.ca.cert } },
          ...(options.onRotationChange ? { onChange: options.onRotationChange } : {}),
        },
      );
      for (const wave of startWaves(options.servers.filter((s) => !s.deferred))) await Promise.all(wave.map((s) => cluster.startServer(s.name)));
      await cluster.writeFiles();
      if (options.sampleApiServer) await cluster.startSampleApiServer();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /**
   * The store holds every object, Secrets too: it is made (or narrowed to) 0600 before any server
   * opens it, and SQLite gives the `-wal` and `-shm` files it creates the database file's mode.
   */
  private async privateStore(): Promise<void> {
    await ensurePrivateFile(this.storagePath);
    for (const side of [`${this.storagePath}-wal`, `${this.storagePath}-shm`]) if (existsSync(side)) await chmod(side, PRIVATE_FILE_MODE);
  }

  /** TLS material that reaches every server as the admin. */
  get tls(): ProbeTLS {
    return { ca: this.pki.ca.cert, cert: this.pki.admin.cert, key: this.pki.admin.key };
  }

  /** The URL of the front door (the `skew` context). */
  get frontDoorURL(): string {
    return this.frontDoor?.url ?? '';
  }

  /** Each server as the front door sees it now: in the rotation or not, and its health record. */
  frontDoorStates(): BackendState[] {
    return this.frontDoor?.states() ?? [];
  }

  /** The front door's policy and health check, once it listens. */
  get frontDoorConfig(): { policy: LbPolicy; healthCheck?: Omit<HealthCheck, 'tls'> } | undefined {
    const door = this.frontDoor;
    if (!door) return undefined;
    const check = door.healthCheck;
    return { policy: door.policy, ...(check ? { healthCheck: { intervalMs: check.intervalMs, timeoutMs: check.timeoutMs, fall: check.fall, rise: check.rise } } : {}) };
  }

  /**
   * The proxy flags a server needs to run (or not run) the Mixed Version Proxy: the gate, the peer
   * CA, and for the StorageVersion generation the StorageVersionAPI gate and its API group. The proxy
   * is off where the cluster has it off (`--no-mvp`) or the user's own feature gates for the server
   * turn `UnknownVersionInteroperabilityProxy` off: then no `--peer-ca-file`, which kube-apiserver
   * refuses without the gate.
   */
  mvpFlags(server: Pick<ServerSpec, 'minor'> & Partial<ServerSpec>): { gates: string[]; runtime: string[]; args: string[] } {
    const profile = loadProfile({ minor: server.minor });
    const spec = profile.featureSpecs.get(MVP_GATE);
    if (!spec) return { gates: [], runtime: [], args: [] };
    if (this.options.mvp === false || this.userGates(server).get(MVP_GATE) === false) return { gates: spec.default ? [`${MVP_GATE}=false`] : [], runtime: [], args: [] };
    const gates = [`${MVP_GATE}=true`];
    const runtime: string[] = [];
    if (profile.mvpGeneration === 'storage-version') {
      gates.push('StorageVersionAPI=true');
      runtime.push('internal.apiserver.k8s.io/v1alpha1=true');
    }
    return { gates, runtime, args: this.options.peerCaFile === false ? [] : [`--peer-ca-file=${this.pki.caFile}`] };
  }

  /**
   * The gates the user set explicitly for a server: the cluster's and the server's `featureGates`
   * and any `--feature-gates` among their extra flags (the flag merges when repeated). A value the
   * server would refuse counts as no setting; the server reports it when it starts.
   */
  private userGates(server: Pick<ServerSpec, 'minor'> & Partial<ServerSpec>): Map<string, boolean> {
    const o = this.options;
    const fromArgs = [...(o.args ?? []), ...(server.args ?? [])].filter((a) => a.startsWith('--feature-gates=')).map((a) => a.slice('--feature-gates='.length));
    const value = [o.featureGates, server.featureGates, ...fromArgs].filter(Boolean).join(',');
    try {
      return parseFeatureGates(value, server.minor).explicit;
    } catch {
      return new Map();
    }
  }

  /** The flags a server is started with. */
  argsFor(spec: ServerSpec): string[] {
    const o = this.options;
    const mvp = this.mvpFlags(spec);
    const gates = [...mvp.gates, o.featureGates, spec.featureGates].filter(Boolean).join(',');
    const runtime = [...mvp.runtime, o.runtimeConfig, spec.runtimeConfig].filter(Boolean).join(',');
    const args = [
      `--emulated-version=${spec.minor}`,
      `--server-name=${spec.name}`,
      // A server of a local cluster listens and advertises on loopback, where its peers dial it
      // (kube-apiserver would advertise the host's default address for a loopback bind address).
      // A server on a host of its own gets the addresses its own flags give.
      ...(spec.host ? [] : ['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1']),
      `--secure-port=${this.ports.get(spec.name) ?? 0}`,
      ...(this.etcdServers.length > 0 ? [`--etcd-servers=${this.etcdServers.join(',')}`] : [`--storage-path=${this.storagePath}`]),
      `--tls-cert-file=${this.pki.serving.certFile}`,
      `--tls-private-key-file=${this.pki.serving.keyFile}`,
      `--client-ca-file=${this.pki.caFile}`,
      // The in-server kube-controller-manager publishes the cluster CA as kubeadm's does.
      `--root-ca-file=${this.pki.caFile}`,
      `--requestheader-client-ca-file=${this.pki.frontProxyCAFile}`,
      '--requestheader-allowed-names=front-proxy-client',
      `--proxy-client-cert-file=${this.pki.frontProxyClient.certFile}`,
      `--proxy-client-key-file=${this.pki.frontProxyClient.keyFile}`,
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${this.pki.serviceAccount.publicKeyFile}`,
      `--service-account-signing-key-file=${this.pki.serviceAccount.keyFile}`,
      `--log-level=${o.logLevel ?? 'warn'}`,
      ...mvp.args,
    ];
    if (gates) args.push(`--feature-gates=${gates}`);
    if (runtime) args.push(`--runtime-config=${runtime}`);
    // kubeadm starts kube-apiserver with Node,RBAC; kube-skew has no Node authorizer (no kubelets),
    // so RBAC alone. The admin is in system:masters, bound to cluster-admin. A server given its
    // own --authorization-mode keeps it.
    if (![...(o.args ?? []), ...(spec.args ?? [])].some((a) => a.startsWith('--authorization-mode'))) args.push(`--authorization-mode=${CLUSTER_AUTHORIZATION_MODE}`);
    args.push(`--clock-file=${this.clockFile}`);
    if (o.seed !== undefined) args.push(`--random-seed=${(o.seed + [...spec.name].reduce((h, c) => h * 31 + c.charCodeAt(0), 7)) >>> 0}`);
    // `--controllers-via=front-door` names the cluster's load balancer.
    return [...args, ...(o.args ?? []), ...(spec.args ?? [])].map((a) => (a === '--controllers-via=front-door' ? `--controllers-via=${this.frontDoorURL}` : a));
  }

  /**
   * Change the cluster's time for every server: from now on it runs `scale` times faster than the
   * wall, after jumping `advanceMs` forward. Time never runs backwards. Servers see the change within
   * a fraction of a second (paused ones when they resume); their pending timers keep their due times.
   */
  setClock(change: { scale?: number; advanceMs?: number }): ClockAnchor {
    const advance = change.advanceMs ?? 0;
    if (!(advance >= 0) || !Number.isFinite(advance)) throw new Error(`the clock only moves forward: cannot advance it by ${advance} ms`);
    const wall = Date.now();
    const was = this.clock.anchor;
    const anchor = { wall, time: was.time + (wall - was.wall) * was.scale + advance, scale: change.scale ?? was.scale };
    writeClockFile(this.clockFile, anchor);
    this.clock.adjust(anchor);
    return anchor;
  }

  /** Start (or start again) the named server and wait until it is ready. */
  async startServer(name: string): Promise<ServerProcess> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`no server named ${name}`);
    const existing = this.servers.get(name);
    if (existing?.alive) throw new Error(`server ${name} is already running (pid ${existing.pid})`);
    const proc = new ServerProcess(name, this.argsFor(spec), {
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(spec.host ? { netns: spec.host.netns, reachAt: spec.host.address } : {}),
      onStderr: (line) => this.options.onServerLog?.(name, line),
      logFile: logFilePath(this.options.dataDir, name),
      onLog: (line) => this.options.onServerRecord?.(name, line),
    });
    this.servers.set(name, proc);
    void proc.exit.then((exit) => {
      if (!proc.stopAsked) this.options.onServerExit?.(name, proc.pid, exit);
    });
    const info = await proc.whenReady(this.tls);
    // Keep the port across restarts so contexts in the kubeconfig stay valid.
    this.ports.set(name, info.port);
    return proc;
  }

  /**
   * Start the sample-apiserver (on the port it had before, if any), register its Service, Endpoints
   * and APIService through a running server, and list it in `cluster.json`.
   */
  async startSampleApiServer(): Promise<ServerProcess> {
    if (this.sample?.proc.alive) throw new Error(`${SAMPLE_APISERVER_NAME} is already running (pid ${this.sample.proc.pid})`);
    const serving = await sampleServingCert(this.pki.dir, this.pki.ca);
    const port = this.sample?.proc.info?.port ?? 0;
    const storagePath = join(this.options.dataDir, 'sample-apiserver.db');
    await ensurePrivateFile(storagePath);
    const proc = await startSampleProcess(sampleArgs(serving, this.kubeconfigPath, storagePath, port, this.options.logLevel), {
      onStderr: (line) => this.options.onServerLog?.(SAMPLE_APISERVER_NAME, line),
      logFile: logFilePath(this.options.dataDir, SAMPLE_APISERVER_NAME),
      onLog: (line) => this.options.onServerRecord?.(SAMPLE_APISERVER_NAME, line),
    });
    const bound = proc.info!.port;
    this.sample = { proc, args: sampleArgs(serving, this.kubeconfigPath, storagePath, bound, this.options.logLevel) };
    const via = [...this.servers.values()].find((p) => p.alive && p.info);
    if (!via?.info) throw new Error(`no running server to register ${SAMPLE_APISERVER_NAME} with`);
    await registerSampleApiServer(via.info.url, this.tls, bound, this.pki.ca.cert);
    await this.writeFiles();
    return proc;
  }

  /** The server process named `name`, or the sample-apiserver's when the name is its own and it has been started. */
  server(name: string): ServerProcess {
    const proc = this.servers.get(name) ?? (name === SAMPLE_APISERVER_NAME ? this.sample?.proc : undefined);
    if (!proc) throw new Error(`no server named ${name}`);
    return proc;
  }

  /** Stop one server (or the sample-apiserver) gracefully. */
  async stopServer(name: string): Promise<void> {
    await this.server(name).stop();
  }

  /** Kill one server (or the sample-apiserver) with SIGKILL. */
  async killServer(name: string): Promise<void> {
    await this.server(name).kill();
  }

  /** Pause one server (or the sample-apiserver) with SIGSTOP. */
  pauseServer(name: string): void {
    this.server(name).pause();
  }

  /** Resume one paused server (or the sample-apiserver). */
  resumeServer(name: string): void {
    this.server(name).resume();
  }

  /**
   * Restart a server, optionally changed: another minor (an upgrade or downgrade), other feature
   * gates, runtime config or flags. A server that is not running is just started.
   */
  async restartServer(name: string, change: Partial<Omit<ServerSpec, 'name'>> = {}): Promise<ServerProcess> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`no server named ${name}`);
    const running = this.servers.get(name);
    if (running?.alive) await running.stop();
    this.specs.set(name, { ...spec, ...change, name, deferred: false });
    const proc = await this.startServer(name);
    await this.writeFiles();
    return proc;
  }

  /** Write `kubeconfig` and `cluster.json`. */
  async writeFiles(): Promise<void> {
    const entries = [...this.servers.entries()];
    await writeKubeconfig(
      this.kubeconfigPath,
      [{ name: 'skew', server: this.frontDoorURL }, ...entries.map(([name, p]) => ({ name: `skew-${name}`, server: p.info?.url ?? '' }))],
      'skew',
      { ca: this.pki.ca.cert, cert: this.pki.admin.cert, key: this.pki.admin.key },
    );
    const doc = {
      kubeconfig: this.kubeconfigPath,
      ...(this.etcdServers.length > 0 ? { etcdServers: this.etcdServers } : { storagePath: this.storagePath }),
      frontDoor: this.frontDoorURL,
      servers: entries.map(([name, p]) => ({ name, minor: this.specs.get(name)?.minor, pid: p.pid, url: p.info?.url ?? '', identity: p.info?.id ?? '' })),
      ...(this.sample
        ? { aggregatedApiServers: [{ name: SAMPLE_APISERVER_NAME, pid: this.sample.proc.pid, url: this.sample.proc.info?.url ?? '', args: this.sample.args } satisfies SampleApiServerEntry] }
        : {}),
    };
    await writePrivateFile(join(this.options.dataDir, 'cluster.json'), `${JSON.stringify(doc, null, 2)}\n`);
  }

  /** Stop every server gracefully, then the etcd the cluster started, even when a server's stop fails. */
  async stop(): Promise<void> {
    try {
      await this.frontDoor?.close();
      await Promise.all([...this.servers.values(), ...(this.sample ? [this.sample.proc] : [])].map((p) => p.stop()));
    } finally {
      await this.localEtcd?.stop();
    }
  }

  /** The log file of the etcd this cluster started, if it started one. */
  get etcdLogPath(): string | undefined {
    return this.localEtcd?.logPath;
  }

  /** A client of the store the servers share (the scenario engine reads it); the caller closes it. */
  openStore(now: () => number): Store {
    if (this.etcdServers.length > 0) return openEtcdStore({ servers: this.etcdServers, now });
    return openSqliteStore(this.storagePath, { now, fileEvents: false });
  }
}
