/**
 * Local etcd from the machine's `etcd` binary: the single member `up --store etcd` (and a test)
 * starts, its data in `<dir>/data`, its log in `<dir>/etcd.log`, client and peer URLs on free
 * loopback ports; or the members of a multi-member cluster, each on a host address of its own,
 * optionally inside a network namespace (`kube-skew hosts`). Stopping a member sends SIGTERM and
 * waits for the process to exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

/** How long a new etcd has to answer before start fails. */
const READY_TIMEOUT_MS = 30_000;

/** The binary `up --store etcd` runs. */
export const ETCD_BINARY = 'etcd';

/** A running local etcd (one member). */
export interface LocalEtcd {
  /** Its client URL (`--etcd-servers`). */
  readonly url: string;
  /** Its member name and peer URL. */
  readonly name: string;
  readonly peerURL: string;
  /** The process id. */
  readonly pid: number;
  /** Where its output goes (`<dir>/etcd.log`). */
  readonly logPath: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. Safe to call more than once. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash; resolves once it exited. */
  kill(): Promise<void>;
  /** Whether the process still runs. */
  readonly alive: boolean;
}

/** Where and how one etcd member runs. */
export interface EtcdMemberOptions {
  /** Its data (`<dir>/data`) and log (`<dir>/etcd.log`). */
  dir: string;
  binary?: string;
  /** The member name (default `kube-skew`). */
  name?: string;
  /** Run it inside this network namespace (`ip netns exec`), as on a host of its own. */
  netns?: string;
  /** The address it listens on and advertises (default 127.0.0.1). */
  host?: string;
  /** Its ports (default: free ports on 127.0.0.1). */
  clientPort?: number;
  peerPort?: number;
  /** `--initial-cluster`: `name=peerURL` of every member, comma-separated (default: this member alone). */
  initialCluster?: string;
}

/** Why etcd cannot run here, with how to install it; undefined when the binary is on PATH. */
export function etcdMissing(binary: string = ETCD_BINARY): string | undefined {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error === undefined && probe.status === 0) return undefined;
  return `the etcd binary "${binary}" was not found on PATH: install it (on Debian or Ubuntu: apt-get install etcd-server) or pass --etcd-servers with an etcd you run`;
}

/** A free TCP port on 127.0.0.1 (bound and released, as port 0 picks it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether etcd at `url` accepts a TCP connection and then serves a read. */
async function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const open = await new Promise<boolean>((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!open) return false;
  const client = new Etcd3({ hosts: url, dialTimeout: 2000 });
  try {
    await client.get('kube-skew-probe').string();
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/**
 * Spawns one etcd member with its data and log under `opts.dir`, without waiting for it: a member of
 * a new multi-member cluster answers only once a quorum of its peers runs (see {@link waitForEtcd}).
 * Throws with {@link etcdMissing}'s message when the binary is missing.
 */
export async function spawnEtcdMember(opts: EtcdMemberOptions): Promise<LocalEtcd & { readonly exited: () => boolean }> {
  const binary = opts.binary ?? ETCD_BINARY;
  const missing = etcdMissing(binary);
  if (missing !== undefined) throw new Error(missing);
  mkdirSync(opts.dir, { recursive: true });
  const name = opts.name ?? 'kube-skew';
  const host = opts.host ?? '127.0.0.1';
  const clientPort = opts.clientPort ?? (await freePort());
  const peerPort = opts.peerPort ?? (await freePort());
  const url = `http://${host}:${clientPort}`;
  const peerURL = `http://${host}:${peerPort}`;
  const logPath = join(opts.dir, 'etcd.log');
  const log = openSync(logPath, 'a');
  const args = [
    '--name', name,
    '--data-dir', join(opts.dir, 'data'),
    '--listen-client-urls', url,
    '--advertise-client-urls', url,
    '--listen-peer-urls', peerURL,
    '--initial-advertise-peer-urls', peerURL,
    '--initial-cluster', opts.initialCluster ?? `${name}=${peerURL}`,
    '--initial-cluster-state', 'new',
  ];
  // `ip netns exec` enters the namespace and execs the command: the child's pid is etcd's own.
  const child: ChildProcess = opts.netns ? spawn('ip', ['netns', 'exec', opts.netns, binary, ...args], { stdio: ['ignore', log, log] }) : spawn(binary, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  const kill = async (): Promise<void> => {
    if (!exited) child.kill('SIGKILL');
    await exit;
  };
  return { url, name, peerURL, pid: child.pid ?? 0, stop, kill, logPath, exited: () => exited, get alive() { return !exited; } };
}

/**
 * Resolves once `member` answers a read (a fresh client per attempt: the etcd3 client backs off from
 * a host it once failed to reach). Throws with the log's path when it exits or does not answer in time.
 */
export async function waitForEtcd(member: Awaited<ReturnType<typeof spawnEtcdMember>>, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (member.exited()) throw new Error(`etcd exited during start; see ${member.logPath}`);
    if (await answers(member.url)) return;
    if (Date.now() > deadline) throw new Error(`etcd did not answer at ${member.url} within ${timeoutMs / 1000}s; see ${member.logPath}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts etcd with its data and log under `dir` and resolves once it answers a read. Throws with
 * {@link etcdMissing}'s message when the binary is missing, and with the log's path when etcd
 * exits or does not answer in time (the process is stopped first).
 */
export async function startLocalEtcd(dir: string, binary: string = ETCD_BINARY): Promise<LocalEtcd> {
  const member = await spawnEtcdMember({ dir, binary });
  try {
    await waitForEtcd(member);
  } catch (err) {
    await member.stop();
    throw err;
  }
  return member;
}

/**
 * Starts a multi-member etcd cluster: every member spawned at once (each waits for a quorum of the
 * others), then each waited for. Stops every member when one fails to come up.
 */
export async function startEtcdCluster(members: ReadonlyArray<Omit<EtcdMemberOptions, 'initialCluster'> & { name: string; host: string; clientPort: number; peerPort: number }>): Promise<LocalEtcd[]> {
  const initialCluster = members.map((m) => `${m.name}=http://${m.host}:${m.peerPort}`).join(',');
  const started: Array<Awaited<ReturnType<typeof spawnEtcdMember>>> = [];
  try {
    for (const m of members) started.push(await spawnEtcdMember({ ...m, initialCluster }));
    await Promise.all(started.map((m) => waitForEtcd(m)));
  } catch (err) {
    await Promise.all(started.map((m) => m.stop()));
    throw err;
  }
  return started;
}
