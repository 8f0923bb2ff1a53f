/** Writing the kubeconfig `up` hands to users: one context per server and the current context `skew`. */
import { stringify } from 'yaml';
import { writePrivateFile } from './private-file.js';

/** A cluster entry of the kubeconfig. */
export interface KubeconfigCluster {
  /** The context and cluster name (`skew`, `skew-<server>`). */
  name: string;
  server: string;
}

/** Write a kubeconfig (mode 0600, replaced atomically) with one context per entry, `current` selected, and one admin user. */
export async function writeKubeconfig(
  path: string,
  clusters: KubeconfigCluster[],
  current: string,
  credentials: { ca: string; cert: string; key: string },
): Promise<void> {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: clusters.map((c) => ({ name: c.name, cluster: { server: c.server, 'certificate-authority-data': b64(credentials.ca) } })),
    users: [{ name: 'skew-admin', user: { 'client-certificate-data': b64(credentials.cert), 'client-key-data': b64(credentials.key) } }],
    contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: 'skew-admin' } })),
    'current-context': current,
  };
  await writePrivateFile(path, stringify(doc));
}
