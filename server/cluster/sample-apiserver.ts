/**
 * The sample-apiserver beside a cluster (`up --with-sample-apiserver`): a serving certificate for
 * `api.wardle.svc` signed by the cluster CA, the `kube-skew sample-apiserver` child (trusting the
 * front-proxy CA through the cluster's `extension-apiserver-authentication` ConfigMap, and asking the
 * cluster's SubjectAccessReviews through the same admin kubeconfig), and its
 * Namespace `wardle`, Service `api`, Endpoints (the machine's non-loopback address and its port) and APIService
 * `v1alpha1.wardle.example.com` with the cluster CA as `caBundle`, as upstream's sample-apiserver
 * manifests register it.
 */
import { endpointAddress } from './endpoint-address.js';
import { join } from 'node:path';
import { httpsRequest, type ClientTLS } from './https-client.js';
import { readKeyPair, signCert, writeKeyPair, type KeyPair } from './pki.js';
import { ServerProcess } from './server-process.js';
import { WARDLE_APISERVICE, WARDLE_GROUP, WARDLE_VERSION } from '../sample-apiserver/wardle.js';

/** The name the sample-apiserver has in `cluster.json`. */
export const SAMPLE_APISERVER_NAME = 'sample-apiserver';
/** Where its Service lives. */
export const SAMPLE_SERVICE = { namespace: 'wardle', name: 'api' } as const;

/** What `cluster.json` lists of it. */
export interface SampleApiServerEntry {
  name: typeof SAMPLE_APISERVER_NAME;
  pid: number;
  url: string;
  /** The flags it was started with (after `kube-skew sample-apiserver`), to start it again by hand. */
  args: string[];
}

/** The serving certificate of the sample-apiserver, made once per data directory. */
export async function sampleServingCert(pkiDir: string, ca: KeyPair): Promise<{ certFile: string; keyFile: string }> {
  const name = 'sample-apiserver';
  if (!(await readKeyPair(pkiDir, name))) {
    const { namespace, name: svc } = SAMPLE_SERVICE;
    await writeKeyPair(pkiDir, name, await signCert(ca, { commonName: `${svc}.${namespace}.svc`, dnsNames: [`${svc}.${namespace}.svc`, 'localhost'], ipAddresses: ['127.0.0.1', endpointAddress()], usage: 'server' }));
  }
  return { certFile: join(pkiDir, `${name}.crt`), keyFile: join(pkiDir, `${name}.key`) };
}

/** The flags of the sample-apiserver beside a cluster: its objects are kept in `storagePath`, so they outlive a restart; it logs at the cluster's `logLevel` (default warn). */
export function sampleArgs(serving: { certFile: string; keyFile: string }, kubeconfig: string, storagePath: string, port: number, logLevel = 'warn'): string[] {
  return [
    `--bind-address=${endpointAddress()}`,
    `--secure-port=${port}`,
    `--tls-cert-file=${serving.certFile}`,
    `--tls-private-key-file=${serving.keyFile}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--storage-path=${storagePath}`,
    `--log-level=${logLevel}`,
  ];
}

/** Start the child and wait until it listens; `output` says where its standard error and log records go. */
export async function startSampleProcess(args: string[], output: { onStderr?: (line: string) => void; logFile?: string; onLog?: (line: string) => void } = {}): Promise<ServerProcess> {
  const proc = new ServerProcess(SAMPLE_APISERVER_NAME, args, { verb: 'sample-apiserver', ...output });
  await proc.whenListening();
  return proc;
}

/** Create `obj` at `collection`, or replace what is there (its resourceVersion kept). */
async function apply(server: string, tls: ClientTLS, collection: string, obj: { metadata: { name: string; namespace?: string } } & Record<string, unknown>): Promise<void> {
  const created = await httpsRequest(`${server}${collection}`, { method: 'POST', body: obj, tls });
  if (created.status === 201 || created.status === 200) return;
  if (created.status !== 409) throw new Error(`POST ${collection}: ${created.status} ${created.text}`);
  const path = `${server}${collection}/${obj.metadata.name}`;
  const current = await httpsRequest(path, { method: 'GET', tls });
  const replaced = await httpsRequest(path, { method: 'PUT', body: { ...obj, metadata: { ...obj.metadata, resourceVersion: current.json?.metadata?.resourceVersion } }, tls });
  if (replaced.status !== 200) throw new Error(`PUT ${path}: ${replaced.status} ${replaced.text}`);
}

/** Register the sample-apiserver listening on `port` through `server` as the cluster admin. */
export async function registerSampleApiServer(server: string, tls: ClientTLS, port: number, caBundle: string): Promise<void> {
  const { namespace, name } = SAMPLE_SERVICE;
  await apply(server, tls, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await apply(server, tls, `/api/v1/namespaces/${namespace}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ port: 443, protocol: 'TCP', targetPort: port }] },
  });
  await apply(server, tls, `/api/v1/namespaces/${namespace}/endpoints`, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace },
    subsets: [{ addresses: [{ ip: endpointAddress() }], ports: [{ port, protocol: 'TCP' }] }],
  });
  await apply(server, tls, '/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: WARDLE_APISERVICE },
    spec: {
      group: WARDLE_GROUP,
      version: WARDLE_VERSION,
      service: { namespace, name, port: 443 },
      caBundle: Buffer.from(caBundle).toString('base64'),
      groupPriorityMinimum: 1000,
      versionPriority: 15,
    },
  });
}
