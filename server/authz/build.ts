/**
 * A server's authorization, built from its flags: the authorizer chain of `--authorization-mode`
 * (plus kube-skew's policy file), and, when RBAC is among the modes, the RBAC cache it reads and
 * the escalation checks on writes of RBAC objects. The filter, the review endpoints and the
 * escalation checks all ask the same chain.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config.js';
import type { RequestContext } from '../http/context.js';
import type { Registry, WriteGuard } from '../registry/rest.js';
import type { ResourceType, ResourceTypes } from '../registry/resource-type.js';
import type { ModeAuthorizer } from './authorizer.js';
import { alwaysAllowMode, alwaysDenyMode, DEFAULT_AUTHORIZATION_MODES, policyMode } from './modes.js';
import { AuthorizationPolicy } from './policy.js';
import { RbacCache } from './rbac/cache.js';
import { RbacAuthorizer, RuleResolver } from './rbac/authorizer.js';
import { rbacWriteGuard } from './rbac/escalation.js';
import { AuthorizerChain } from './union.js';

/** A server's authorization. */
export interface Authorization {
  chain: AuthorizerChain;
  /** The RBAC cache, when RBAC is a mode (started by {@link Authorization.start}). */
  rbac?: RbacCache;
  /** The escalation check of a write, when RBAC is a mode. */
  writeGuard?: (ctx: RequestContext, type: ResourceType, namespace: string) => WriteGuard | undefined;
  /** Fill the RBAC cache (the informers' initial sync); resolves at once without RBAC. */
  start(): Promise<void>;
  stop(): void;
}

const ANONYMOUS = { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };

/** Build the authorization of a server from its configuration. */
export async function buildAuthorization(deps: { config: ServerConfig; registry: Registry; types: ResourceTypes; clock: Clock; log: Logger }): Promise<Authorization> {
  const { config } = deps;
  const modes: ModeAuthorizer[] = [];
  let cache: RbacCache | undefined;
  let resolver: RuleResolver | undefined;
  for (const mode of config.authorizationModes ?? DEFAULT_AUTHORIZATION_MODES) {
    if (mode === 'AlwaysAllow') modes.push(alwaysAllowMode);
    else if (mode === 'AlwaysDeny') modes.push(alwaysDenyMode);
    else if (mode === 'RBAC') {
      cache = new RbacCache(deps.registry, deps.types, deps.clock, deps.log.child({ component: 'rbac-cache' }));
      resolver = new RuleResolver(cache);
      modes.push(new RbacAuthorizer(resolver));
    }
  }
  if (config.authorizationPolicyFile) modes.push(policyMode(await AuthorizationPolicy.load(config.authorizationPolicyFile)));
  const chain = new AuthorizerChain(modes);
  return {
    chain,
    ...(cache ? { rbac: cache } : {}),
    // Upstream checks every RBAC write against the chain; with AlwaysAllow the escalate and bind
    // checks always pass, so kube-skew installs the check only where it can refuse: with RBAC.
    ...(resolver ? { writeGuard: (ctx: RequestContext, type: ResourceType, namespace: string) => rbacWriteGuard({ chain, resolver: resolver! }, ctx.user ?? ANONYMOUS, type, namespace, ctx.info.name) } : {}),
    start: async () => {
      await cache?.start();
    },
    stop: () => cache?.stop(),
  };
}
