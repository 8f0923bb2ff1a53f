/** `kube-skew kill`: kill a server with SIGKILL, as a crash. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `kill` command. */
export const command: LeafCommand<LiveOptions> = {
  arguments: [SERVER_ARGUMENT],
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew kill b',
  ],
  async run(args, opts) {
    const { runKill } = await import('../live/kill.js');
    return runKill(args, opts);
  },
};
