/** `kube-skew pause`: freeze a server with SIGSTOP (the front door takes it out once its /readyz checks fail). */
import { serverCommand } from './live-options.js';

/** The `pause` command. */
export const command = serverCommand('pause', ['kube-skew pause b']);
