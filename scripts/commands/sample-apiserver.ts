/** `kube-skew sample-apiserver`: an aggregated API server for wardle.example.com, like upstream's sample-apiserver. */
import type { RawCommand } from './definition.js';
import { runSampleApiserver } from '../../server/sample-apiserver/main.js';

/** The `sample-apiserver` command: its own flag parsing, no commander. */
export const command: RawCommand = { run: runSampleApiserver };
