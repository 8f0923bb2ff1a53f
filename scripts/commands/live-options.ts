/** What the commands against a running cluster share: the `--data-dir` that finds it, and the shape of a command on one server. */
import type { LeafCommand, OptionSpec } from './definition.js';
import type { ServerVerb } from '../../server/cluster/control/protocol.js';
import type { LiveOptions } from '../live/request.js';

/** `--data-dir`, defaulting to the cluster `kube-skew up` made last. */
export const DATA_DIR_OPTION: OptionSpec = {
  flags: '--data-dir <dir>',
  help: "the cluster's data directory",
  defaultText: 'the cluster kube-skew up made last',
};

/** The `<server>` argument: a server's name, as `up` and `status` print it. */
export const SERVER_ARGUMENT = { name: '<server>', help: "the server's name, as kube-skew up and status print it" };

/**
 * The definition of a command on one server of a running cluster: `stop`, `start`, `kill`, `pause`,
 * `resume` and `restart` take `<server>`; `upgrade` and `downgrade` take `<server> <minor>`.
 */
export function serverCommand(name: ServerVerb | 'upgrade' | 'downgrade', examples: string[], options: OptionSpec[] = []): LeafCommand<LiveOptions & { minor?: string }> {
  const direction = name === 'upgrade' || name === 'downgrade' ? name : undefined;
  return {
    arguments: direction ? [SERVER_ARGUMENT, { name: '<minor>', help: `the ${direction === 'upgrade' ? 'newer' : 'older'} minor` }] : [SERVER_ARGUMENT],
    options: [...options, DATA_DIR_OPTION],
    examples,
    async run(args, opts) {
      const { runServerCommand } = await import('../live/request.js');
      return direction ? runServerCommand('restart', args, { ...opts, direction }, process) : runServerCommand(name as ServerVerb, args, opts, process);
    },
  };
}
