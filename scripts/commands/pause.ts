/** `kube-skew pause`: freeze a server with SIGSTOP (the front door takes it out once its /readyz checks fail). */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `pause` command. */
export const command: LeafCommand<LiveOptions> = {
  arguments: [SERVER_ARGUMENT],
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew pause b',
  ],
  async run(args, opts) {
    const { runPause } = await import('../live/pause.js');
    return runPause(args, opts);
  },
};
