/**
 * The bearer-token authenticator of bound ServiceAccount tokens, as upstream's
 * jwtTokenAuthenticator with the bound-token validator: a token whose unverified `iss` is not one of
 * `--service-account-issuer` is none of its business (no opinion); otherwise the signature must
 * verify with one of the `--service-account-key-file` keys, the audiences must meet the requested
 * ones (the API audiences by default), and the claims must validate (times, the ServiceAccount and
 * the bound object still there with the same uid). The user is
 * `system:serviceaccount:<ns>:<name>` with the ServiceAccount's uid, its two groups, and the extra
 * fields upstream sets (credential-id, pod and node names and uids).
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { UserInfo } from '../http/context.js';
import type { ServiceAccountTokenFacts } from '../../versions/authentication.js';
import { parseJwt, verifiedBy } from './jwt.js';
import { TokenError, validateClaims, type ClaimObjectGetter, type ServiceAccountInfo } from './claims.js';
import { makeGroupNames, makeUsername } from './username.js';

/** Keys of the user's extra fields (k8s.io/apiserver/pkg/authentication/serviceaccount). */
export const EXTRA_KEYS = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUID: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUID: 'authentication.kubernetes.io/node-uid',
  credentialID: 'authentication.kubernetes.io/credential-id',
} as const;

/** A token authenticator's success: the user and the audiences the token was accepted for. */
export interface TokenResponse {
  user: UserInfo;
  audiences: string[];
}

/**
 * Authenticates a bearer token: the response, undefined for no opinion, or a rejection (a thrown
 * TokenError whose message upstream would report).
 */
export type TokenAuthenticator = (token: string, audiences: string[] | undefined) => Promise<TokenResponse | undefined>;

/** What the authenticator is built from. */
export interface ServiceAccountAuthenticatorOptions {
  /** `--service-account-issuer` values; every one is accepted. */
  issuers: string[];
  /** `--service-account-key-file` public keys. */
  keys: KeyObject[];
  /** `--api-audiences`: the audiences asked for when a request names none. */
  apiAudiences: string[];
  getter: ClaimObjectGetter;
  clock: Clock;
  facts: ServiceAccountTokenFacts;
}

/** Go's `%q` of a []string. */
function quoteList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** The user a ServiceAccount token speaks for (upstream's ServiceAccountInfo.UserInfo). */
export function userOf(sa: ServiceAccountInfo): UserInfo {
  const user: UserInfo = { name: makeUsername(sa.namespace, sa.name), groups: makeGroupNames(sa.namespace), extra: {} };
  if (sa.uid) user.uid = sa.uid;
  if (sa.podName && sa.podUID) {
    user.extra[EXTRA_KEYS.podName] = [sa.podName];
    user.extra[EXTRA_KEYS.podUID] = [sa.podUID];
  }
  if (sa.credentialID) user.extra[EXTRA_KEYS.credentialID] = [sa.credentialID];
  if (sa.nodeName) {
    user.extra[EXTRA_KEYS.nodeName] = [sa.nodeName];
    if (sa.nodeUID) user.extra[EXTRA_KEYS.nodeUID] = [sa.nodeUID];
  }
  return user;
}

/** Build the ServiceAccount token authenticator. */
export function serviceAccountTokenAuthenticator(opts: ServiceAccountAuthenticatorOptions): TokenAuthenticator {
  const issuers = new Set(opts.issuers);
  return async (token, requested) => {
    const jwt = parseJwt(token);
    if (!jwt || typeof jwt.payload.iss !== 'string' || !issuers.has(jwt.payload.iss)) return undefined;
    // go-jose's text for a signature no key verifies (the library's name in it varies by release).
    if (!opts.keys.some((k) => verifiedBy(jwt, k))) throw new TokenError('go-jose/go-jose: error in cryptographic primitive');
    const aud = jwt.payload.aud;
    let tokenAuds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    // A token without audiences (a legacy token) is taken as one for the API server.
    if (tokenAuds.length === 0) tokenAuds = opts.apiAudiences;
    const wanted = requested ?? opts.apiAudiences;
    const audiences = tokenAuds.filter((a) => wanted.includes(a));
    if (audiences.length === 0 && opts.apiAudiences.length > 0) throw new TokenError(`token audiences ${quoteList(tokenAuds)} is invalid for the target audiences ${quoteList(wanted)}`);
    const sa = await validateClaims(jwt.payload, opts.clock.now(), opts.getter, opts.facts);
    return { user: userOf(sa), audiences };
  };
}
