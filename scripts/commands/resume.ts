/** `kube-skew resume`: thaw a paused server with SIGCONT. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `resume` command. */
export const command: LeafCommand<LiveOptions> = {
  arguments: [SERVER_ARGUMENT],
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew resume b',
  ],
  async run(args, opts) {
    const { runResume } = await import('../live/resume.js');
    return runResume(args, opts);
  },
};
