/**
 * `kube-skew hosts up|down`: a cluster spread over several hosts made of network namespaces on this
 * machine (`several-hosts.ts`), and the removal of hosts a run left behind (`netns.ts`). Needs root.
 */
import type { Command } from 'commander';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS_PREFIX, removeHosts } from './netns.js';
import { DEFAULT_HOST_MINORS, startSeveralHosts, type SeveralHosts } from './several-hosts.js';

/** One line per host: its namespace, address, minor, how its peer address is found, and the address itself. */
export function formatHosts(run: SeveralHosts): string {
  const lines = run.servers.map((s) => {
    const etcd = run.etcd.find((m) => m.name === s.host.name);
    return `${s.host.name}  netns ${s.host.netns}  ${s.host.address}  kube-skew ${s.minor} (${s.addressing}: peers dial ${s.peerAddress})  etcd ${etcd?.url ?? '-'}`;
  });
  return `${lines.join('\n')}\nbridge ${run.hosts.bridge} ${run.hosts.gateway}/24 (this machine)\nkubeconfig ${run.cluster.kubeconfigPath}\n`;
}

/** Register `hosts up` and `hosts down`. */
export function registerHosts(program: Command): void {
  const hosts = program.command('hosts').description('a cluster over several hosts made of network namespaces on this machine (needs root and ip)');
  hosts
    .command('up')
    .description('make one host per minor, a 3-member etcd across them and one server per host; prints "ready", removes everything on SIGINT/SIGTERM')
    .option('--minors <list>', `one minor per host (default: ${DEFAULT_HOST_MINORS.join(',')})`)
    .option('--data-dir <dir>', 'where the PKI, kubeconfig, etcd data and logs go (default: a new temporary directory)')
    .option('--prefix <prefix>', `name prefix of the namespaces and links (default: ${HOSTS_PREFIX} and random hex digits)`)
    .option('--subnet <a.b.c>', 'the hosts\' /24, e.g. 10.251.7 (default: a free /24 of 10.251.0.0/16)')
    .option('--log-level <level>', 'server log level', 'warn')
    .action(async (opts: { minors?: string; dataDir?: string; prefix?: string; subnet?: string; logLevel: string }) => {
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
    });
  hosts
    .command('down')
    .description('remove the namespaces and links a run left behind (a namespace with a process inside is kept unless --force)')
    .option('--prefix <prefix>', 'remove only names starting with this prefix', HOSTS_PREFIX)
    .option('--force', 'remove them even while processes run inside')
    .action(async (opts: { prefix: string; force?: boolean }) => {
      const removed = await removeHosts(opts.prefix, { force: opts.force === true });
      process.stdout.write(removed.length > 0 ? `${removed.join('\n')}\n` : `nothing starts with ${opts.prefix}\n`);
    });
}
