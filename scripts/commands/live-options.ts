/** What the commands against a running cluster share: the `--data-dir` that finds it. */
import type { OptionSpec } from './definition.js';

/** `--data-dir`, defaulting to the cluster `kube-skew up` made last. */
export const DATA_DIR_OPTION: OptionSpec = {
  flags: '--data-dir <dir>',
  help: "the cluster's data directory",
  defaultText: 'the cluster kube-skew up made last',
};

/** The `<server>` argument: a server's name, as `up` and `status` print it. */
export const SERVER_ARGUMENT = { name: '<server>', help: "the server's name, as kube-skew up and status print it" };
