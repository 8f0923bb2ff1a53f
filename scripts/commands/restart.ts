/** `kube-skew restart`: restart a server gracefully, at another minor with --minor, and wait until it is ready. */
import type { LeafCommand } from './definition.js';
import { DATA_DIR_OPTION, SERVER_ARGUMENT } from './live-options.js';
import type { RestartOptions } from '../live/restart.js';

/** The `restart` command. */
export const command: LeafCommand<RestartOptions> = {
  arguments: [SERVER_ARGUMENT],
  options: [
    { flags: '--minor <minor>', help: 'the minor to start it at', defaultText: 'the minor it runs' },
    DATA_DIR_OPTION,
  ],
  examples: [
    'kube-skew restart b',
    'kube-skew restart b --minor 1.36',
  ],
  async run(args, opts) {
    const { runRestart } = await import('../live/restart.js');
    return runRestart(args, opts);
  },
};
