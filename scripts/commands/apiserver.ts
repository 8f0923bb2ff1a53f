/** `kube-skew apiserver`: one simulated kube-apiserver, with kube-apiserver's flags (its own `--help`). */
import type { RawCommand } from './definition.js';
import { runApiserver } from '../../server/main.js';

/** The `apiserver` command: the server's own flag parsing, no commander. */
export const command: RawCommand = { run: runApiserver };
