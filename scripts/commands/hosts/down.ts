/** `kube-skew hosts down`: remove the network-namespace hosts a run left behind. */
import type { LeafCommand } from '../definition.js';
import { HOSTS_PREFIX } from '../../hosts/netns.js';

interface Options {
  prefix: string;
  force?: boolean;
}

/** The `hosts down` command. */
export const command: LeafCommand<Options> = {
  options: [
    { flags: '--prefix <prefix>', help: 'remove only names starting with this prefix', default: HOSTS_PREFIX },
    { flags: '--force', help: 'remove them even while processes run inside' },
  ],
  examples: ['sudo kube-skew hosts down', 'sudo kube-skew hosts down --prefix ksk1a2b3c --force'],
  async run(_args, opts) {
    const { removeHosts } = await import('../../hosts/netns.js');
    const removed = await removeHosts(opts.prefix, { force: opts.force === true });
    process.stdout.write(removed.length > 0 ? `${removed.join('\n')}\n` : `nothing starts with ${opts.prefix}\n`);
    return 0;
  },
};
