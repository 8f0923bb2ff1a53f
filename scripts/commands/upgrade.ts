/** `kube-skew upgrade`: restart a server of a running cluster at a newer minor and wait until it is ready. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `upgrade` command. */
export const command: LeafCommand<LiveOptions> = {
  arguments: [SERVER_ARGUMENT, { name: '<minor>', help: 'the newer minor, e.g. 1.37' }],
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew upgrade a 1.37',
  ],
  async run(args, opts) {
    const { runUpgrade } = await import('../live/upgrade.js');
    return runUpgrade(args, opts);
  },
};
