/**
 * Where the sample-apiserver's front-proxy trust comes from, as upstream's
 * DelegatingAuthenticationOptions: the `--requestheader-*` flags when the CA file is given, else the
 * `kube-system/extension-apiserver-authentication` ConfigMap read through
 * `--authentication-kubeconfig` (its current context's server, CA and client certificate).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { httpsRequest, type ClientTLS } from '../cluster/https-client.js';
import { AUTHENTICATION_CONFIGMAP, type AuthenticationInfo } from '../aggregator/authentication-trust.js';

/** The request-header settings the sample-apiserver trusts: what kube-apiserver publishes, with a front-proxy CA. */
export type RequestHeaderTrust = AuthenticationInfo & { requestHeaderCA: string };

/** A kubeconfig's current context, as far as reading one ConfigMap needs it. */
export interface KubeconfigTarget {
  server: string;
  tls: ClientTLS;
}

type Named<T> = Array<{ name: string } & T>;

/** Read the current context of a kubeconfig with inline or file credentials. */
export async function readKubeconfig(path: string): Promise<KubeconfigTarget> {
  const doc = parseYaml(await readFile(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ context: { cluster: string; user: string } }>;
    clusters?: Named<{ cluster: Record<string, string> }>;
    users?: Named<{ user: Record<string, string> }>;
  };
  const context = doc.contexts?.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`${path}: no cluster for the current context "${doc['current-context'] ?? ''}"`);
  const field = async (data: string | undefined, file: string | undefined): Promise<string | undefined> =>
    data ? Buffer.from(data, 'base64').toString('utf8') : file ? readFile(file, 'utf8') : undefined;
  const ca = await field(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = await field(user['client-certificate-data'], user['client-certificate']);
  const key = await field(user['client-key-data'], user['client-key']);
  return { server: cluster.server, tls: { ca: ca ?? '', ...(cert ? { cert } : {}), ...(key ? { key } : {}) } };
}

function jsonList(text: string | undefined, fallback: string[]): string[] {
  if (!text) return fallback;
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.map(String) : fallback;
}

/** The trust the ConfigMap's `data` publishes; throws when it has no front-proxy CA. */
export function trustFromConfigMap(data: Record<string, string>): RequestHeaderTrust {
  const ca = data['requestheader-client-ca-file'];
  if (!ca) throw new Error(`configmap ${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name} has no requestheader-client-ca-file`);
  return {
    requestHeaderCA: ca,
    requestHeaderAllowedNames: jsonList(data['requestheader-allowed-names'], []),
    usernameHeaders: jsonList(data['requestheader-username-headers'], ['X-Remote-User']),
    groupHeaders: jsonList(data['requestheader-group-headers'], ['X-Remote-Group']),
    extraHeaderPrefixes: jsonList(data['requestheader-extra-headers-prefix'], ['X-Remote-Extra-']),
    ...(data['requestheader-uid-headers'] ? { uidHeaders: jsonList(data['requestheader-uid-headers'], []) } : {}),
    ...(data['client-ca-file'] ? { clientCA: data['client-ca-file'] } : {}),
  };
}

/**
 * GET the ConfigMap through the kubeconfig's cluster and return its trust. A ConfigMap not there yet
 * (a cluster just started) or without the front-proxy CA is asked for again until `waitMs` has
 * passed, then the last failure is thrown.
 */
export async function fetchTrust(kubeconfig: string, waitMs = 30_000): Promise<RequestHeaderTrust> {
  const target = await readKubeconfig(kubeconfig);
  const { namespace, name } = AUTHENTICATION_CONFIGMAP;
  const url = `${target.server.replace(/\/$/, '')}/api/v1/namespaces/${namespace}/configmaps/${name}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const res = await httpsRequest(url, { method: 'GET', headers: { accept: 'application/json' }, tls: target.tls, timeoutMs: 10_000 });
      if (res.status !== 200) throw new Error(`unable to load configmap based request-header-client-ca-file: ${res.status} ${res.text.slice(0, 200)}`);
      return trustFromConfigMap((res.json as { data?: Record<string, string> }).data ?? {});
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
