/** `kube-skew resume`: thaw a paused server with SIGCONT. */
import { serverCommand } from './live-options.js';

/** The `resume` command. */
export const command = serverCommand('resume', ['kube-skew resume b']);
