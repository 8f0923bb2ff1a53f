/** `kube-skew start`: start a stopped, killed or exited server again and wait until it is ready. */
import { serverCommand } from './live-options.js';

/** The `start` command. */
export const command = serverCommand('start', ['kube-skew start b']);
