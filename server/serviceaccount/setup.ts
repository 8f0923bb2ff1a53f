/**
 * A server's ServiceAccount token machinery from its flags: the issuer that signs TokenRequests, the
 * bearer-token authenticator, and the registry-backed getter both read the ServiceAccount and the
 * bound objects through (upstream reads them from informers with a live fallback; kube-skew reads
 * the shared store, which is always current).
 */
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config.js';
import { isStatusError } from '../errors/status.js';
import type { Registry } from '../registry/rest.js';
import type { ResourceTypes } from '../registry/resource-type.js';
import { serviceAccountTokenFacts, type ServiceAccountTokenFacts } from '../../versions/authentication.js';
import { serviceAccountTokenAuthenticator, type TokenAuthenticator } from './authenticator.js';
import type { ClaimObjectGetter } from './claims.js';
import { TokenIssuer } from './issuer.js';
import { loadPublicKeys, loadSigningKey } from './keys.js';

/** What a server issues and accepts. */
export interface ServiceAccountTokens {
  facts: ServiceAccountTokenFacts;
  apiAudiences: string[];
  /** Absent without `--service-account-issuer`. */
  issuer?: TokenIssuer;
  authenticator?: TokenAuthenticator;
}

/** A getter reading through the registry; a missing object (or a resource the server lacks) is undefined. */
export function registryGetter(registry: Registry, types: ResourceTypes): ClaimObjectGetter {
  return {
    async get(resource, namespace, name) {
      const type = types.lookup('', 'v1', resource);
      if (!type || name === '') return undefined;
      try {
        const obj = await registry.get(type, namespace, name);
        const meta = obj.metadata ?? {};
        return { uid: meta.uid ?? '', ...(meta.deletionTimestamp ? { deletionTimestamp: meta.deletionTimestamp } : {}) };
      } catch (err) {
        if (isStatusError(err) && err.code === 404) return undefined;
        throw err;
      }
    },
  };
}

/** Load the keys the flags name and build the issuer and authenticator. */
export async function createServiceAccountTokens(config: ServerConfig, gates: ReadonlyMap<string, boolean>, registry: Registry, types: ResourceTypes, clock: Clock): Promise<ServiceAccountTokens> {
  const facts = serviceAccountTokenFacts(gates);
  const apiAudiences = config.apiAudiences;
  if (config.serviceAccountIssuers.length === 0) return { facts, apiAudiences };
  const [signingKey, keys] = await Promise.all([loadSigningKey(config.serviceAccountSigningKeyFile), loadPublicKeys(config.serviceAccountKeyFiles)]);
  const issuer = new TokenIssuer({
    issuer: config.serviceAccountIssuers[0]!,
    signingKey,
    apiAudiences,
    maxExpirationSeconds: config.serviceAccountMaxTokenExpirationSeconds,
    extendExpiration: config.serviceAccountExtendTokenExpiration,
    jti: facts.jti,
  });
  const authenticator = serviceAccountTokenAuthenticator({ issuers: config.serviceAccountIssuers, keys, apiAudiences, getter: registryGetter(registry, types), clock, facts });
  return { facts, apiAudiences, issuer, authenticator };
}
