/** `kube-skew downgrade`: restart a server of a running cluster at an older minor and wait until it is ready. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `downgrade` command. */
export const command: LeafCommand<LiveOptions> = {
  arguments: [SERVER_ARGUMENT, { name: '<minor>', help: 'the older minor, e.g. 1.36' }],
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew downgrade b 1.36',
  ],
  async run(args, opts) {
    const { runDowngrade } = await import('../live/downgrade.js');
    return runDowngrade(args, opts);
  },
};
