/** `kube-skew stop`: stop a server of a running cluster gracefully (SIGTERM); the front door takes it out at once. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `stop` command. */
export const command: LeafCommand<LiveOptions> = {
  arguments: [SERVER_ARGUMENT],
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew stop b',
    'kube-skew stop b --data-dir /tmp/skew',
  ],
  async run(args, opts) {
    const { runStop } = await import('../live/stop.js');
    return runStop(args, opts);
  },
};
