/**
 * The claims of a bound ServiceAccount token and their validation, as upstream's
 * pkg/serviceaccount/claims.go: the public claims (iss, sub, aud, exp, iat, nbf, and jti where the
 * minor's ServiceAccountTokenJTI gate is on) and the private `kubernetes.io` claim naming the
 * namespace, the ServiceAccount and the object the token is bound to (pod, with its node when
 * ServiceAccountTokenPodNodeInfo is on; secret; or node), plus `warnafter` for the extended tokens
 * of pods. Validation checks the times with go-jose's one-minute leeway, then that the
 * ServiceAccount and the bound object still exist with the same uid.
 */
import type { ServiceAccountTokenFacts } from '../../versions/authentication.js';
import { makeUsername } from './username.js';

/** A reference to a named object and its uid, as the private claims keep it. */
export interface ObjectRef {
  name: string;
  uid: string;
}

/** What a token is issued for. */
export interface ClaimsInput {
  issuer: string;
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** The pod's node (uid may be '' when the Node does not exist), or the node a token is bound to. */
  node?: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  /** Non-zero for an extended pod token: when it starts being reported as stale. */
  warnAfterSeconds: number;
  now: Date;
  /** The token's `jti`, when the minor issues one. */
  jti?: string;
}

/** Upstream's `jwt.DefaultLeeway`. */
export const LEEWAY_SECONDS = 60;

function refClaim(r: ObjectRef): Record<string, string> {
  // `omitempty` on both fields.
  const out: Record<string, string> = {};
  if (r.name) out.name = r.name;
  if (r.uid) out.uid = r.uid;
  return out;
}

/** The claims of a token for `input`. */
export function buildClaims(input: ClaimsInput): Record<string, unknown> {
  const now = Math.floor(input.now.getTime() / 1000);
  const k8s: Record<string, unknown> = { namespace: input.namespace, serviceaccount: refClaim(input.serviceAccount) };
  if (input.pod) {
    k8s.pod = refClaim(input.pod);
    if (input.node) k8s.node = refClaim(input.node);
  } else if (input.secret) {
    k8s.secret = refClaim(input.secret);
  } else if (input.node) {
    k8s.node = refClaim(input.node);
  }
  if (input.warnAfterSeconds !== 0) k8s.warnafter = now + input.warnAfterSeconds;
  const claims: Record<string, unknown> = {
    iss: input.issuer,
    sub: makeUsername(input.namespace, input.serviceAccount.name),
    aud: input.audiences,
    exp: now + input.expirationSeconds,
    iat: now,
    nbf: now,
    'kubernetes.io': k8s,
  };
  if (input.jti) claims.jti = input.jti;
  return claims;
}

/** Upstream's text for a token whose bound Secret, Pod or Node is gone. */
export const INVALIDATED = 'service account token has been invalidated';

/** A token that is not (or no longer) valid; the message is upstream's error text. */
export class TokenError extends Error {
  readonly code = 'TOKEN';
}

/** Reads the objects a token refers to; resolves undefined when one does not exist. */
export interface ClaimObjectGetter {
  get(resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string, name: string): Promise<{ uid: string; deletionTimestamp?: string } | undefined>;
}

/** Who a valid token speaks for, as upstream's ServiceAccountInfo. */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName: string;
  podUID: string;
  nodeName: string;
  nodeUID: string;
  /** `JTI=<jti>` when the minor records it. */
  credentialID: string;
}

function asRef(v: unknown): ObjectRef | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  return { name: typeof r.name === 'string' ? r.name : '', uid: typeof r.uid === 'string' ? r.uid : '' };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Validate the times and the referenced objects of verified `claims` at `now`. */
export async function validateClaims(claims: Record<string, unknown>, now: Date, getter: ClaimObjectGetter, facts: ServiceAccountTokenFacts): Promise<ServiceAccountInfo> {
  const t = now.getTime() / 1000;
  const nbf = num(claims.nbf);
  const exp = num(claims.exp);
  const iat = num(claims.iat);
  if (nbf !== undefined && t + LEEWAY_SECONDS < nbf) throw new TokenError('service account token is not valid yet');
  if (exp !== undefined && t - LEEWAY_SECONDS > exp) throw new TokenError('service account token has expired');
  if (iat !== undefined && t + LEEWAY_SECONDS < iat) throw new TokenError('service account token is issued in the future');

  const k8s = (claims['kubernetes.io'] ?? {}) as Record<string, unknown>;
  const namespace = typeof k8s.namespace === 'string' ? k8s.namespace : '';
  const sa = asRef(k8s.serviceaccount) ?? { name: '', uid: '' };
  const pod = asRef(k8s.pod);
  const secret = asRef(k8s.secret);
  const node = asRef(k8s.node);
  // Objects deleted (gracefully) more than the leeway ago no longer back a token.
  const deletedLongAgo = (o: { deletionTimestamp?: string }): boolean => o.deletionTimestamp !== undefined && Date.parse(o.deletionTimestamp) < now.getTime() - LEEWAY_SECONDS * 1000;

  // Upstream's order for each object: gone, then a new uid, then deleted (gracefully) long ago.
  const account = await getter.get('serviceaccounts', namespace, sa.name);
  if (!account) throw new TokenError(`serviceaccounts "${sa.name}" not found`);
  if (account.uid !== sa.uid) throw new TokenError(`service account UID (${account.uid}) does not match claim (${sa.uid})`);
  if (deletedLongAgo(account)) throw new TokenError(`service account ${namespace}/${sa.name} has been deleted`);

  if (secret) {
    const s = await getter.get('secrets', namespace, secret.name);
    if (!s) throw new TokenError(INVALIDATED);
    if (s.uid !== secret.uid) throw new TokenError(`secret UID (${s.uid}) does not match service account secret ref claim (${secret.uid})`);
    if (deletedLongAgo(s)) throw new TokenError(INVALIDATED);
  }
  let podName = '';
  let podUID = '';
  if (pod) {
    const p = await getter.get('pods', namespace, pod.name);
    if (!p) throw new TokenError(INVALIDATED);
    if (p.uid !== pod.uid) throw new TokenError(`pod UID (${p.uid}) does not match service account pod ref claim (${pod.uid})`);
    if (deletedLongAgo(p)) throw new TokenError(INVALIDATED);
    podName = pod.name;
    podUID = pod.uid;
  }
  let nodeName = '';
  let nodeUID = '';
  if (node) {
    if (pod) {
      // A pod-bound token's node is information only: it is not looked up.
      if (facts.podNodeInfo) {
        nodeName = node.name;
        nodeUID = node.uid;
      }
    } else if (facts.nodeClaimKnown) {
      if (!facts.nodeBindingValidation) throw new TokenError('token is bound to a Node object but the ServiceAccountTokenNodeBindingValidation feature gate is disabled');
      const n = await getter.get('nodes', '', node.name);
      if (!n) throw new TokenError(INVALIDATED);
      if (n.uid !== node.uid) throw new TokenError(`node UID (${n.uid}) does not match service account node ref claim (${node.uid})`);
      if (deletedLongAgo(n)) throw new TokenError(INVALIDATED);
      nodeName = node.name;
      nodeUID = node.uid;
    }
  }
  const jti = facts.jti && typeof claims.jti === 'string' ? claims.jti : '';
  return { namespace, name: sa.name, uid: sa.uid, podName, podUID, nodeName, nodeUID, credentialID: jti ? `JTI=${jti}` : '' };
}
