/**
 * Helpers of the trust tests: client identities made from a running cluster's PKI (and from CAs the
 * cluster does not know), one request with any of them, and the bodies and reviews the tests expect.
 */
import { connect } from 'node:net';
import type { Cluster } from '../../server/cluster/cluster.js';
import { createCA, readKeyPair, signCert, type KeyPair } from '../../server/cluster/pki.js';
import { httpsRequest, type HttpsResponse } from '../../server/cluster/https-client.js';

/** The client certificates the tests present; `anonymous` presents none. */
export interface Identities {
  /** The cluster admin (CN kube-skew-admin, O system:masters, signed by the client CA). */
  admin: KeyPair;
  /** An ordinary user the cluster CA signed: CN bob, no groups. */
  bob: KeyPair;
  /** The front-proxy client certificate every server uses on the peer hop (CN front-proxy-client). */
  frontProxy: KeyPair;
  /** Signed by the front-proxy CA, but its CN is not in `--requestheader-allowed-names`. */
  intruder: KeyPair;
  /** CN kube-skew-admin, O system:masters, signed by a CA no server trusts. */
  stranger: KeyPair;
  /** The servers' own serving certificate: signed by the cluster CA, but for server auth only. */
  serving: KeyPair;
}

/** Make the identities for `cluster`. */
export async function identities(cluster: Cluster): Promise<Identities> {
  const strangerCA = await createCA('kube-skew-ca');
  const [bob, intruder, stranger, frontProxy, serving] = await Promise.all([
    signCert(cluster.pki.ca, { commonName: 'bob', usage: 'client' }),
    signCert(cluster.pki.frontProxyCA, { commonName: 'intruder', usage: 'client' }),
    signCert(strangerCA, { commonName: 'kube-skew-admin', organizations: ['system:masters'], usage: 'client' }),
    readKeyPair(cluster.pki.dir, 'front-proxy-client'),
    readKeyPair(cluster.pki.dir, 'apiserver'),
  ]);
  if (!frontProxy || !serving) throw new Error('the cluster PKI lacks front-proxy-client or apiserver');
  return { admin: cluster.pki.admin, bob, frontProxy, intruder, stranger, serving };
}

/** Send one request to `url` with `who`'s client certificate (none for 'anonymous'). */
export function send(cluster: Cluster, who: KeyPair | 'anonymous', url: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpsResponse> {
  return httpsRequest(`${url}${path}`, {
    method,
    headers: { accept: 'application/json', 'x-kube-skew-trace': '1', ...(opts.headers ?? {}) },
    body: opts.body,
    tls: who === 'anonymous' ? { ca: cluster.pki.ca.cert } : { ca: cluster.pki.ca.cert, cert: who.cert, key: who.key },
  });
}

/** Identity headers a client might forge to act as the admin (one header line per group). */
export const FORGED = {
  'x-remote-user': 'alice',
  'x-remote-group': 'system:masters',
  'x-remote-extra-scopes': 'everything',
  'x-remote-uid': 'forged-uid',
};

/** Upstream's 401 (`apierrors.NewUnauthorized("Unauthorized")`), as serialised on the wire. */
export const UNAUTHORIZED_BODY = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n';

export const SSR_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
export const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
export const SSR = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };

/** A SelfSubjectAccessReview body for a resource request. */
export function ssar(verb: string, resource: string, namespace?: string, group = ''): Record<string, unknown> {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) } },
  };
}

/** Write raw bytes to a TCP port and collect what comes back until the peer closes (or `ms` pass). */
export async function rawExchange(port: number, payload: string, ms = 5_000): Promise<{ reply: string; closed: boolean }> {
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (reply += d));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(payload);
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  socket.destroy();
  return { reply, closed };
}
