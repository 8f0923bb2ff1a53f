/** `kube-skew start`: start a stopped, killed or exited server again and wait until it is ready. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `start` command. */
export const command: LeafCommand<LiveOptions> = {
  arguments: [SERVER_ARGUMENT],
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew start b',
  ],
  async run(args, opts) {
    const { runStart } = await import('../live/start.js');
    return runStart(args, opts);
  },
};
