/** `kube-skew downgrade`: restart a server at an older minor and wait until it is ready (refused, changing nothing, when the minor is not older). */
import { serverCommand } from './live-options.js';

/** The `downgrade` command. */
export const command = serverCommand('downgrade', ['kube-skew downgrade b 1.36']);
