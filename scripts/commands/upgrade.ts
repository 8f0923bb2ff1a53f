/** `kube-skew upgrade`: restart a server at a newer minor and wait until it is ready (refused, changing nothing, when the minor is not newer). */
import { serverCommand } from './live-options.js';

/** The `upgrade` command. */
export const command = serverCommand('upgrade', ['kube-skew upgrade a 1.37']);
