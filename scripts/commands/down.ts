/** `kube-skew down`: stop a running cluster and its kube-skew up; returns once every process is gone. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION } from './live-options.js';
import type { LiveOptions } from '../live/request.js';

/** The `down` command. */
export const command: LeafCommand<LiveOptions> = {
  options: [
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew down',
    'kube-skew down --data-dir /tmp/skew',
  ],
  async run(args, opts) {
    const { runDown } = await import('../live/down.js');
    return runDown(args, opts);
  },
};
