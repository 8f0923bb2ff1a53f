/** `kube-skew status`: show each server of a running cluster and the front door. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION } from './live-options.js';
import type { StatusOptions } from '../live/status.js';

/** The `status` command. */
export const command: LeafCommand<StatusOptions> = {
  options: [
    DATA_DIR_OPTION,
    { flags: '-o, --output <format>', help: 'table or json', default: 'table' },
  ],
  examples: [
    'kube-skew status',
    'kube-skew status -o json --data-dir /tmp/skew',
  ],
  async run(args, opts) {
    const { runStatus } = await import('../live/status.js');
    return runStatus(args, opts);
  },
};
