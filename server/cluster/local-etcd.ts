/**
 * A single-member etcd that `up --store etcd` (and a test) starts with the machine's `etcd` binary:
 * its data in `<dir>/data`, its log in `<dir>/etcd.log`, client and peer URLs on free loopback
 * ports. Stopping it sends SIGTERM and waits for the process to exit.
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

/** A running local etcd. */
export interface LocalEtcd {
  /** Its client URL (`--etcd-servers`). */
  readonly url: string;
  /** The process id. */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. Safe to call more than once. */
  stop(): Promise<void>;
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

/** Whether etcd at `url` accepts a TCP connection on `port` and then serves a read. */
async function answers(url: string, port: number): Promise<boolean> {
  const open = await new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
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
 * Starts etcd with its data and log under `dir` and resolves once it answers a read. Throws with
 * {@link etcdMissing}'s message when the binary is missing, and with the log's path when etcd
 * exits or does not answer in time (the process is stopped first).
 */
export async function startLocalEtcd(dir: string, binary: string = ETCD_BINARY): Promise<LocalEtcd> {
  const missing = etcdMissing(binary);
  if (missing !== undefined) throw new Error(missing);
  mkdirSync(dir, { recursive: true });
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const logPath = join(dir, 'etcd.log');
  const log = openSync(logPath, 'a');
  const child: ChildProcess = spawn(
    binary,
    [
      '--name', 'kube-skew',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `kube-skew=${peer}`,
      '--initial-cluster-state', 'new',
    ],
    { stdio: ['ignore', log, log] },
  );
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
  // A fresh client per attempt: the etcd3 client backs off from a host it once failed to reach.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited) throw new Error(`etcd exited during start; see ${logPath}`);
      if (await answers(url, clientPort)) break;
      if (Date.now() > deadline) throw new Error(`etcd did not answer at ${url} within ${READY_TIMEOUT_MS / 1000}s; see ${logPath}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid ?? 0, stop };
}
