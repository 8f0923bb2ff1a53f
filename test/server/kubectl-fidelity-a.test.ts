/**
 * Client fidelity, kubectl 1.27 and 1.28: each kubectl minor drives a server of its own minor through
 * the protobuf generators, scale, auth can-i / --list / whoami, logs and a deprecation warning
 * (see kubectl-fidelity.ts). Minors are spread over three files so no cluster is too heavy for 2 cores.
 */
import t from 'tap';
import { runFidelitySuite } from './kubectl-fidelity.js';

t.test('kubectl client fidelity', async (t) => {
  await runFidelitySuite(t, ['1.27', '1.28']);
});
