/** `kube-skew hosts up`: a cluster spread over several network-namespace hosts, until SIGINT or SIGTERM. */
import type { LeafCommand } from '../definition.js';
import { HOSTS_PREFIX } from '../../hosts/netns.js';
import { DEFAULT_HOST_MINORS } from '../../hosts/several-hosts.js';

interface Options {
  minors?: string;
  dataDir?: string;
  prefix?: string;
  subnet?: string;
  logLevel: string;
}

/** The `hosts up` command. */
export const command: LeafCommand<Options> = {
  options: [
    { flags: '--minors <list>', help: 'one minor per host', defaultText: DEFAULT_HOST_MINORS.join(',') },
    { flags: '--data-dir <dir>', help: 'where the PKI, kubeconfig, etcd data and logs go', defaultText: 'a new temporary directory' },
    { flags: '--prefix <prefix>', help: 'name prefix of the namespaces and links', defaultText: `${HOSTS_PREFIX} and random hex digits` },
    { flags: '--subnet <a.b.c>', help: "the hosts' /24, e.g. 10.251.7", defaultText: 'a free /24 of 10.251.0.0/16' },
    { flags: '--log-level <level>', help: 'server log level', default: 'warn' },
  ],
  notes: 'Needs root, iproute2 (ip) and the etcd binary (Debian: apt-get install etcd-server).',
  examples: ['sudo kube-skew hosts up --data-dir /tmp/skew-hosts', 'KUBECONFIG=/tmp/skew-hosts/kubeconfig kubectl --context skew-h1 get mutatingadmissionpolicies'],
  async run(_args, opts) {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { startSeveralHosts } = await import('../../hosts/several-hosts.js');
    const { formatHosts } = await import('../../hosts/format.js');
    const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'kube-skew-hosts-')));
    const run = await startSeveralHosts({
      dataDir,
      logLevel: opts.logLevel,
      ...(opts.minors ? { minors: opts.minors.split(',').map((m) => m.trim()) } : {}),
      ...(opts.prefix ? { prefix: opts.prefix } : {}),
      ...(opts.subnet ? { subnet: opts.subnet } : {}),
    });
    process.stdout.write(formatHosts(run));
    process.stdout.write(`ready: ${run.servers.length} hosts; stop with Ctrl-C\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await run.stop();
    process.stdout.write('stopped; hosts removed\n');
    return 0;
  },
};
