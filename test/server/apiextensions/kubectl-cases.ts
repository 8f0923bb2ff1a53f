/**
 * The kubectl matrix the CRD tests share: kubectl 1.29 … 1.33, each against a server of its own
 * minor (one cluster of five servers, the proxy off), and kubectl 1.33 through the front door of a
 * 1.35 and a 1.36 server with the Mixed Version Proxy on (a second cluster). Each case runs as a
 * subtest, skipped with a message when its kubectl is not installed; the clusters are started once
 * per file, for the installed cases only.
 */
import type { Test } from 'tap';
import type { Cluster, ServerSpec } from '../../../server/cluster/cluster.js';
import { kubectl, kubectlBinary, startCluster, urlOf, type KubectlResult } from '../../fixtures/cluster.js';

/** Which of a file's clusters a case talks to. */
export type CaseCluster = 'matrix' | 'mvp';

/** One kubectl binary against one server of a cluster, or against its front door. */
export interface KubectlCase {
  label: string;
  /** The kubectl minor (`kubectl.<binary>`). */
  binary: string;
  cluster: CaseCluster;
  /** The servers of the cluster the case needs. */
  servers: readonly ServerSpec[];
  /** The server the case's context names, or undefined for the front door (context `skew`). */
  server?: string;
}

const sameMinor = (minor: string): KubectlCase => ({
  label: `kubectl.${minor} against ${minor}`,
  binary: minor,
  cluster: 'matrix',
  servers: [{ name: `k${minor.replace('.', '')}`, minor }],
  server: `k${minor.replace('.', '')}`,
});

/** The cases every CRD test runs. */
export const CASES: readonly KubectlCase[] = [
  sameMinor('1.29'),
  sameMinor('1.30'),
  sameMinor('1.31'),
  sameMinor('1.32'),
  sameMinor('1.33'),
  {
    label: 'kubectl.1.33 through the front door of 1.35 and 1.36 with the proxy on',
    binary: '1.33',
    cluster: 'mvp',
    servers: [
      { name: 'm135', minor: '1.35' },
      { name: 'm136', minor: '1.36' },
    ],
  },
];

/** What a case's body gets: its kubectl runner, the URL it talks to and its cluster. */
export interface CaseContext {
  case: KubectlCase;
  cluster: Cluster;
  /** The case's server, or the front door. */
  url: string;
  /** The URL of every server of the case (one, or each behind the front door). */
  serverUrls: string[];
  run(args: string[], stdin?: string): Promise<KubectlResult>;
}

/** Start one cluster per kind of case, for the installed cases, and run `body` as a subtest per case. */
export async function forEachKubectlCase(t: Test, body: (t: Test, c: CaseContext) => Promise<void>): Promise<void> {
  const available = CASES.filter((c) => kubectlBinary(c.binary));
  if (available.length === 0) {
    t.plan(0, 'no kubectl binary is installed on this machine');
    return;
  }
  const kinds = [...new Set(available.map((c) => c.cluster))];
  const started = await Promise.all(
    kinds.map((kind) => {
      const servers = available.filter((c) => c.cluster === kind).flatMap((c) => c.servers);
      return startCluster(t, servers, { mvp: kind === 'mvp' });
    }),
  );
  const clusters = new Map(kinds.map((kind, i) => [kind, started[i]!]));
  for (const c of CASES) {
    const binary = kubectlBinary(c.binary);
    t.test(c.label, { skip: binary ? false : `kubectl ${c.binary} is not installed on this machine` }, async (t) => {
      const cluster = clusters.get(c.cluster)!;
      const context = c.server ? `skew-${c.server}` : 'skew';
      const run = (args: string[], stdin?: string) => kubectl(t, binary!, cluster, args, { context, ...(stdin ? { stdin } : {}) });
      const serverUrls = c.servers.map((s) => urlOf(cluster, s.name));
      await body(t, { case: c, cluster, url: c.server ? urlOf(cluster, c.server) : cluster.frontDoorURL, serverUrls, run });
    });
  }
}
