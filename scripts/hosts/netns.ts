/**
 * Hosts on this machine, made of Linux network namespaces: each host is a namespace with loopback
 * up and one veth pair whose inner end (`eth0`) holds the host's address and whose outer end is a
 * port of one bridge in the root namespace. The bridge holds the subnet's first address, so this
 * process (and kubectl) reaches every host; the hosts have no route anywhere else (a default route
 * is added only on request, and then on the host's own link: there is no gateway and no NAT).
 * Every name starts with a per-run prefix, so parallel runs do not collide, and `removeHosts`
 * removes whatever a prefix left behind. Needs root and iproute2's `ip`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The prefix every kube-skew host name starts with (`<prefix><random>` per run). */
export const HOSTS_PREFIX = 'ksk';

/** The /16 whose /24s kube-skew's hosts use, one per run. */
export const HOSTS_NETWORK = '10.251';

/** Why hosts cannot be made here, or undefined when they can (root and `ip`). */
export function hostsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root: run as root (e.g. sudo)';
  const probe = spawnSync('ip', ['-V'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) return 'the "ip" command (iproute2) was not found on PATH: install it (on Debian or Ubuntu: apt-get install iproute2)';
  return undefined;
}

/** Run `ip` with `args`; rejects with its stderr. */
async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** One host: a network namespace with one link onto the bridge. */
export interface Host {
  /** `h1`, `h2`, … */
  name: string;
  /** The network namespace. */
  netns: string;
  /** The outer end of its veth pair (a bridge port in the root namespace): down cuts the host off. */
  link: string;
  /** Its address on the bridge's subnet. */
  address: string;
}

/** Options of {@link createHosts}. */
export interface HostsOptions {
  /** How many hosts (default 3). */
  count?: number;
  /** The run's name prefix (default `ksk` and six random hex digits); at most 10 characters. */
  prefix?: string;
  /** The subnet's first three octets, e.g. `10.251.7` (default: a free /24 of 10.251.0.0/16). */
  subnet?: string;
}

/** Hosts that exist until {@link Hosts.destroy}. */
export class Hosts {
  private constructor(
    readonly prefix: string,
    readonly bridge: string,
    readonly subnet: string,
    readonly hosts: Host[],
  ) {}

  /** The bridge's address: this machine, as the hosts see it. */
  get gateway(): string {
    return `${this.subnet}.1`;
  }

  /** The address of the `n`th host (1-based) or of a further address on it (`extra` > 0 gives .(10·extra+10+n)). */
  static address(subnet: string, n: number, extra = 0): string {
    return `${subnet}.${10 + n + 10 * extra}`;
  }

  /** Make `count` hosts on a new bridge; everything made so far is removed when a step fails. */
  static async create(opts: HostsOptions = {}): Promise<Hosts> {
    const missing = hostsMissing();
    if (missing) throw new Error(missing);
    const prefix = opts.prefix ?? `${HOSTS_PREFIX}${randomBytes(3).toString('hex')}`;
    if (!/^[a-z][a-z0-9]{0,9}$/.test(prefix)) throw new Error(`invalid host prefix "${prefix}": 1–10 lower-case letters and digits, starting with a letter`);
    const count = opts.count ?? 3;
    if (!(count >= 1 && count <= 9)) throw new Error(`invalid host count ${count}: 1 to 9`);
    const subnet = opts.subnet ?? (await freeSubnet());
    const bridge = `${prefix}br`;
    const hosts = Array.from({ length: count }, (_, i): Host => ({ name: `h${i + 1}`, netns: `${prefix}-h${i + 1}`, link: `${prefix}h${i + 1}`, address: Hosts.address(subnet, i + 1) }));
    const made = new Hosts(prefix, bridge, subnet, hosts);
    try {
      await ip('link', 'add', bridge, 'type', 'bridge');
      await ip('addr', 'add', `${made.gateway}/24`, 'dev', bridge);
      await ip('link', 'set', bridge, 'up');
      for (const h of hosts) {
        await ip('netns', 'add', h.netns);
        await ip('-n', h.netns, 'link', 'set', 'lo', 'up');
        const inner = `${h.link}i`;
        await ip('link', 'add', h.link, 'type', 'veth', 'peer', 'name', inner);
        await ip('link', 'set', inner, 'netns', h.netns);
        await ip('-n', h.netns, 'link', 'set', inner, 'name', 'eth0');
        await ip('-n', h.netns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
        await ip('-n', h.netns, 'link', 'set', 'eth0', 'up');
        await ip('link', 'set', h.link, 'master', bridge);
        await ip('link', 'set', h.link, 'up');
      }
    } catch (err) {
      await removeHosts(prefix, { force: true });
      throw err;
    }
    return made;
  }

  /** The host named `name` (`h1`, …). */
  host(name: string): Host {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host named ${name}`);
    return h;
  }

  /** Give a host a further address on its link (e.g. one to advertise to peers only). */
  async addAddress(host: Host, address: string): Promise<void> {
    await ip('-n', host.netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
  }

  /**
   * Give a host a default route on its own link, without a gateway: enough for a server's default
   * interface to be found, while nothing reaches beyond the bridge (no address there answers).
   */
  async addDefaultRoute(host: Host): Promise<void> {
    await ip('-n', host.netns, 'route', 'add', 'default', 'dev', 'eth0');
  }

  /** Cut a host off: its link on the bridge goes down. */
  async cutOff(host: Host): Promise<void> {
    await ip('link', 'set', host.link, 'down');
  }

  /** Connect a cut-off host again. */
  async reconnect(host: Host): Promise<void> {
    await ip('link', 'set', host.link, 'up');
  }

  /** Remove every namespace and link of this run (processes still inside keep running, unreachable). */
  async destroy(): Promise<void> {
    await removeHosts(this.prefix, { force: true });
  }
}

/** A /24 of {@link HOSTS_NETWORK} that no address or route of this machine touches yet, picked at random. */
async function freeSubnet(): Promise<string> {
  const used = `${await ip('-4', '-o', 'addr', 'show')}\n${await ip('-4', 'route', 'show', 'table', 'all')}`;
  const start = randomBytes(1)[0]! % 254;
  for (let i = 0; i < 254; i++) {
    const subnet = `${HOSTS_NETWORK}.${((start + i) % 254) + 1}`;
    if (!used.includes(`${subnet}.`)) return subnet;
  }
  throw new Error(`no free /24 left in ${HOSTS_NETWORK}.0.0/16`);
}

/**
 * Remove the namespaces and links whose names start with `prefix` (default: every kube-skew run's).
 * Without `force`, a namespace that still holds a process is left alone (a run in progress), and so
 * is its bridge. Resolves with what was removed.
 */
export async function removeHosts(prefix: string = HOSTS_PREFIX, opts: { force?: boolean } = {}): Promise<string[]> {
  const removed: string[] = [];
  const busyRuns = new Set<string>();
  const namespaces = (await ip('netns', 'list')).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix));
  for (const ns of namespaces) {
    const run = ns.replace(/-h\d+$/, '');
    if (!opts.force && (await ip('netns', 'pids', ns).catch(() => '')).trim() !== '') {
      busyRuns.add(run);
      continue;
    }
    await ip('netns', 'del', ns).catch(() => undefined);
    removed.push(`netns ${ns}`);
  }
  const links = (await ip('-o', 'link', 'show'))
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter((n) => n.startsWith(prefix));
  for (const link of links) {
    if ([...busyRuns].some((r) => link.startsWith(r))) continue;
    await ip('link', 'del', link).catch(() => undefined);
    removed.push(`link ${link}`);
  }
  return removed;
}
