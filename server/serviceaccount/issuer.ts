/**
 * The token issuer of a server: its `--service-account-issuer` (the first one signs), its
 * `--service-account-signing-key-file` key, the API audiences a TokenRequest defaults to, the
 * `--service-account-max-token-expiration` cap and `--service-account-extend-token-expiration`.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { buildClaims, type ClaimsInput } from './claims.js';
import { signJwt } from './jwt.js';

/** Upstream's WarnOnlyBoundTokenExpirationSeconds: the pod token expiry that is extended (1 h 7 s). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** Upstream's ExpirationExtensionSeconds: how long an extended pod token really lives (one year). */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** TokenRequest's default `expirationSeconds` (authentication/v1 defaulting: one hour). */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** What a server issues tokens with. */
export interface TokenIssuerOptions {
  issuer: string;
  signingKey: KeyObject;
  apiAudiences: string[];
  /** `--service-account-max-token-expiration` in seconds; 0 is no cap. */
  maxExpirationSeconds: number;
  /** `--service-account-extend-token-expiration` (default true). */
  extendExpiration: boolean;
  /** Whether tokens carry a `jti` (ServiceAccountTokenJTI). */
  jti: boolean;
}

/** Signs ServiceAccount tokens. */
export class TokenIssuer {
  constructor(readonly opts: TokenIssuerOptions) {}

  /** Sign a token for `input` (the issuer and jti are this issuer's). */
  issue(input: Omit<ClaimsInput, 'issuer' | 'jti'>): { token: string; jti?: string } {
    const jti = this.opts.jti ? randomUUID() : undefined;
    const claims = buildClaims({ ...input, issuer: this.opts.issuer, ...(jti ? { jti } : {}) });
    return { token: signJwt(claims, this.opts.signingKey), ...(jti ? { jti } : {}) };
  }

  /** True when every audience is one of the API server's (upstream's isKubeAudiences). */
  isKubeAudiences(audiences: string[]): boolean {
    return audiences.every((a) => this.opts.apiAudiences.includes(a));
  }
}
