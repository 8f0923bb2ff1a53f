/**
 * The kubectl matrix the CRD tests share: kubectl 1.33 against a 1.33 server and kubectl 1.29
 * against a 1.29 server, in one cluster with the proxy off. Each case runs as a subtest, skipped
 * with a message when its kubectl is not installed.
 */
import type { Test } from 'tap';
import type { Cluster } from '../../../server/cluster/cluster.js';
import { kubectl, kubectlBinary, startCluster, urlOf, type KubectlResult } from '../../fixtures/cluster.js';

/** One kubectl binary against a server of its minor. */
export interface KubectlCase {
  label: string;
  binary: string;
  minor: string;
  server: string;
}

/** The cases every CRD test runs. */
export const CASES: readonly KubectlCase[] = [
  { label: 'kubectl.1.33 against 1.33', binary: '1.33', minor: '1.33', server: 's1' },
  { label: 'kubectl.1.29 against 1.29', binary: '1.29', minor: '1.29', server: 's2' },
];

/** What a case's body gets: its kubectl runner, its server's URL and the cluster. */
export interface CaseContext {
  case: KubectlCase;
  cluster: Cluster;
  url: string;
  run(args: string[], stdin?: string): Promise<KubectlResult>;
}

/** Start one cluster for the installed cases and run `body` as a subtest per case. */
export async function forEachKubectlCase(t: Test, body: (t: Test, c: CaseContext) => Promise<void>): Promise<void> {
  const available = CASES.filter((c) => kubectlBinary(c.binary));
  if (available.length === 0) {
    t.plan(0, 'no kubectl binary is installed on this machine');
    return;
  }
  const cluster = await startCluster(t, available.map((c) => ({ name: c.server, minor: c.minor })), { mvp: false });
  for (const c of CASES) {
    const binary = kubectlBinary(c.binary);
    t.test(c.label, { skip: binary ? false : `kubectl ${c.binary} is not installed on this machine` }, async (t) => {
      const context = `skew-${c.server}`;
      const run = (args: string[], stdin?: string) => kubectl(t, binary!, cluster, args, { context, ...(stdin ? { stdin } : {}) });
      await body(t, { case: c, cluster, url: urlOf(cluster, c.server), run });
    });
  }
}
