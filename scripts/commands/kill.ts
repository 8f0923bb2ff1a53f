/** `kube-skew kill`: kill a server with SIGKILL, as a crash: no graceful shutdown, and up does not start it again. */
import { serverCommand } from './live-options.js';

/** The `kill` command. */
export const command = serverCommand('kill', ['kube-skew kill b']);
