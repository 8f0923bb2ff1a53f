/** `kube-skew stop`: stop a server of a running cluster gracefully (SIGTERM); the front door takes it out at once. */
import { serverCommand } from './live-options.js';

/** The `stop` command. */
export const command = serverCommand('stop', ['kube-skew stop b', 'kube-skew stop b --data-dir /tmp/skew']);
