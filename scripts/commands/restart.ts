/** `kube-skew restart`: stop a server gracefully and start it again, at another minor with --minor, and wait until it is ready. */
import { serverCommand } from './live-options.js';

/** The `restart` command. */
export const command = serverCommand('restart', ['kube-skew restart b', 'kube-skew restart b --minor 1.36'], [{ flags: '--minor <minor>', help: 'the minor to start it at', defaultText: 'the minor it runs' }]);
