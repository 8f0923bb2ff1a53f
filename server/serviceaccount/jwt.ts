/**
 * Compact JWS signing and verification for ServiceAccount tokens, with Node's crypto: RS256 for RSA
 * keys and ES256 for P-256 keys (the two kinds kube-apiserver's signing key file holds in practice).
 * The header is `{"alg":…,"kid":…}` with upstream's key id (the unpadded base64url SHA-256 of the
 * public key's PKIX DER), and the claims are written with their keys sorted at every level, as
 * go-jose serialises the merged claim map.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A JWT's parts, before its signature is trusted. */
export interface ParsedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** The signing algorithm of a key, or undefined for a key kube-skew cannot sign with. */
export function algorithmOf(key: KeyObject): 'RS256' | 'ES256' | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

/** Upstream's keyIDFromPublicKey: base64url (no padding) of the SHA-256 of the PKIX DER. */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** JSON with object keys sorted at every level (Go's encoding of a map). */
function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value));
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** Sign `claims` with `key`: the compact serialisation `header.payload.signature`. */
export function signJwt(claims: Record<string, unknown>, key: KeyObject): string {
  const alg = algorithmOf(key);
  if (!alg) throw new Error('failed to build signer: unsupported key type');
  const input = `${b64(sortedJson({ alg, kid: keyIdOf(key) }))}.${b64(sortedJson(claims))}`;
  const signature = alg === 'RS256' ? sign('sha256', Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Split and decode a compact JWS; undefined when it is not one. */
export function parseJwt(token: string): ParsedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeJson(parts[0]!);
  const payload = decodeJson(parts[1]!);
  if (!header || !payload) return undefined;
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
}

/** True when `jwt` is signed by `key` with the algorithm its header names (and the key can use). */
export function verifiedBy(jwt: ParsedJwt, key: KeyObject): boolean {
  const alg = algorithmOf(key);
  if (!alg || jwt.header.alg !== alg) return false;
  const input = Buffer.from(jwt.signingInput);
  try {
    return alg === 'RS256' ? verify('sha256', input, key, jwt.signature) : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
  } catch {
    return false;
  }
}
