/** `kube-skew hosts`: a cluster over several hosts made of network namespaces on this machine (needs root and ip). */
import type { GroupCommand } from './definition.js';

/** The `hosts` command group. */
export const command: GroupCommand = {
  subcommands: [
    {
      name: 'up',
      summary: 'make one host per minor, a 3-member etcd across them and one server per host; prints "ready", removes everything on SIGINT/SIGTERM',
      usage: '[options]',
      load: () => import('./hosts/up.js'),
    },
    {
      name: 'down',
      summary: 'remove the namespaces and links a run left behind (a namespace with a process inside is kept unless --force)',
      usage: '[options]',
      load: () => import('./hosts/down.js'),
    },
  ],
};
