/**
 * A kube-skew cluster spread over several hosts on this machine (see `netns.ts`): a 3-member etcd
 * cluster with one member on each host, then one `kube-skew apiserver` of a different minor on each
 * host, every one on port 6443 of its own host's address and all sharing the etcd cluster through
 * `--etcd-servers`. Each host shows one of the ways a server finds the address its peers dial, as
 * kube-apiserver resolves it (`ADDRESSING`).
 */
import { join } from 'node:path';
import { Cluster, type ServerSpec } from '../../server/cluster/cluster.js';
import { etcdMissing, startEtcdCluster, type LocalEtcd } from '../../server/cluster/local-etcd.js';
import { Hosts, type Host } from './netns.js';

/** The minors of the three hosts by default: each a different MVP minor. */
export const DEFAULT_HOST_MINORS = ['1.34', '1.35', '1.36'];

/** The port every server listens on, each on its own host (kube-apiserver's default). */
export const HOST_SECURE_PORT = 6443;
/** etcd's client and peer ports, each member on its own host. */
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/** How a host's server is told (or not told) its addresses. */
export type Addressing = 'peer-advertise-ip' | 'advertise-address' | 'default-interface';

/**
 * The addressing of host n (cycled): `--peer-advertise-ip` and `--peer-advertise-port` (on a
 * second address of the host) beside an `--advertise-address`; only `--advertise-address`; no
 * address flag at all, so the server takes its default interface's address (the host gets a
 * default route on its link for that, as kube-apiserver finds no address without one).
 */
export const ADDRESSING: readonly Addressing[] = ['peer-advertise-ip', 'advertise-address', 'default-interface'];

/** Options of {@link startSeveralHosts}. */
export interface SeveralHostsOptions {
  /** Where the PKI, kubeconfig, cluster.json, etcd data and logs go. */
  dataDir: string;
  /** One minor per host (default {@link DEFAULT_HOST_MINORS}). */
  minors?: string[];
  /** Hosts made already (default: made here, one per minor, and removed by `stop`). */
  hosts?: Hosts;
  /** Name prefix and subnet of hosts made here. */
  prefix?: string;
  subnet?: string;
  logLevel?: string;
  timeScale?: number;
  /** kube-apiserver flags for every server (after the generated ones). */
  args?: string[];
  onServerLog?: (server: string, line: string) => void;
}

/** One host of the cluster: its server's name, minor, addressing, and the addresses it should end up with. */
export interface HostServer {
  host: Host;
  server: string;
  minor: string;
  addressing: Addressing;
  /** What kube-apiserver resolves as its public address (`kubernetes` Endpoints, discovery). */
  publicAddress: string;
  /** `ip:port` its peers dial (its peer endpoint lease). */
  peerAddress: string;
}

/** A running several-hosts cluster. */
export interface SeveralHosts {
  hosts: Hosts;
  etcd: LocalEtcd[];
  cluster: Cluster;
  servers: HostServer[];
  /** Stop the servers, then etcd, then remove the hosts when they were made here. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The second address of host n: the one its server advertises to peers only. */
export function peerOnlyAddress(hosts: Hosts, host: Host): string {
  return Hosts.address(hosts.subnet, hosts.hosts.indexOf(host) + 1, 1);
}

/** The server spec and expected addresses of one host. */
function hostServer(hosts: Hosts, host: Host, minor: string, addressing: Addressing): { spec: ServerSpec; expected: HostServer } {
  const server = `${host.name}`;
  const base = [`--secure-port=${HOST_SECURE_PORT}`];
  let args: string[];
  let peer: string;
  switch (addressing) {
    case 'peer-advertise-ip':
      peer = peerOnlyAddress(hosts, host);
      args = [...base, `--advertise-address=${host.address}`, `--peer-advertise-ip=${peer}`, `--peer-advertise-port=${HOST_SECURE_PORT}`];
      break;
    case 'advertise-address':
      peer = host.address;
      args = [...base, `--advertise-address=${host.address}`];
      break;
    case 'default-interface':
      peer = host.address;
      args = base;
      break;
  }
  return {
    spec: { name: server, minor, args, host: { netns: host.netns, address: host.address } },
    expected: { host, server, minor, addressing, publicAddress: host.address, peerAddress: `${peer}:${HOST_SECURE_PORT}` },
  };
}

/**
 * Make the hosts (unless given), start the etcd cluster across them and one server per host, and
 * resolve once every server is ready. Everything started is stopped when a step fails.
 */
export async function startSeveralHosts(opts: SeveralHostsOptions): Promise<SeveralHosts> {
  const missing = etcdMissing();
  if (missing) throw new Error(missing);
  const minors = opts.minors ?? DEFAULT_HOST_MINORS;
  const ownHosts = opts.hosts === undefined;
  const hosts = opts.hosts ?? (await Hosts.create({ count: minors.length, ...(opts.prefix ? { prefix: opts.prefix } : {}), ...(opts.subnet ? { subnet: opts.subnet } : {}) }));
  if (hosts.hosts.length < minors.length) throw new Error(`${minors.length} minors need ${minors.length} hosts; there are ${hosts.hosts.length}`);
  let etcd: LocalEtcd[] = [];
  let cluster: Cluster | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      try {
        await cluster?.stop();
      } finally {
        try {
          await Promise.all(etcd.map((m) => m.stop()));
        } finally {
          if (ownHosts) await hosts.destroy();
        }
      }
    })());
  try {
    etcd = await startEtcdCluster(
      minors.map((_, i) => {
        const host = hosts.hosts[i]!;
        return { name: host.name, netns: host.netns, host: host.address, clientPort: ETCD_CLIENT_PORT, peerPort: ETCD_PEER_PORT, dir: join(opts.dataDir, 'etcd', host.name) };
      }),
    );
    const planned = minors.map((minor, i) => hostServer(hosts, hosts.hosts[i]!, minor, ADDRESSING[i % ADDRESSING.length]!));
    for (const p of planned) {
      if (p.expected.addressing === 'peer-advertise-ip') await hosts.addAddress(p.expected.host, peerOnlyAddress(hosts, p.expected.host));
      if (p.expected.addressing === 'default-interface') await hosts.addDefaultRoute(p.expected.host);
    }
    cluster = await Cluster.start({
      dataDir: opts.dataDir,
      servers: planned.map((p) => p.spec),
      etcdServers: etcd.map((m) => m.url),
      servingIPs: planned.filter((p) => p.expected.addressing === 'peer-advertise-ip').map((p) => p.expected.peerAddress.split(':')[0]!),
      ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
      ...(opts.timeScale ? { timeScale: opts.timeScale } : {}),
      ...(opts.args ? { args: opts.args } : {}),
      ...(opts.onServerLog ? { onServerLog: opts.onServerLog } : {}),
    });
    return { hosts, etcd, cluster, servers: planned.map((p) => p.expected), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
