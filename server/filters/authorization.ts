/**
 * The authorization filter. A kube-skew server asks its authorizer chain (`--authorization-mode`,
 * see authz/union.ts); the authorizer is injected so the sample-apiserver can ask the cluster with
 * SubjectAccessReviews instead. A denial answers upstream's 403 with its `forbiddenMessage` text and
 * the authorizers' reasons after a colon; an authorizer that failed without allowing answers
 * upstream's 500 InternalError with its error, as `WithAuthorization` does.
 */
import type { Filter, UserInfo } from '../http/context.js';
import type { RequestInfo } from '../request-info.js';
import { forbidden, internalError } from '../errors/status.js';
import { attributesOf, type AuthorizationPolicy } from '../authz/policy.js';
import { AuthorizerChain } from '../authz/union.js';
import { policyMode } from '../authz/modes.js';

/** An authorizer's answer: allowed, or refused with a reason (and an error when it could not decide). */
export type AuthorizerResult = { allowed: true } | { allowed: false; reason: string; error?: string };

/** Decides whether `user` may do what `info` describes; returns a reason when denied. */
export type Authorizer = (user: UserInfo, info: RequestInfo) => AuthorizerResult | Promise<AuthorizerResult>;

/** The AlwaysAllow authorizer. */
export const alwaysAllow: Authorizer = () => ({ allowed: true });

/** The authorizer that asks `chain`, the same chain the review endpoints answer from. */
export function chainAuthorizer(chain: AuthorizerChain): Authorizer {
  return (user, info) => {
    const d = chain.authorize(user, attributesOf(info));
    if (d.decision === 'allow') return { allowed: true };
    return { allowed: false, reason: d.reason, ...(d.error ? { error: d.error } : {}) };
  };
}

/** The authorizer of a policy file alone (the chain of just that file). */
export function policyAuthorizer(policy: AuthorizationPolicy): Authorizer {
  return chainAuthorizer(new AuthorizerChain([policyMode(policy)]));
}

/** Upstream's `forbiddenMessage`: what `user` was refused, by path or by resource and scope. */
export function forbiddenMessage(user: string, info: RequestInfo): string {
  if (!info.isResourceRequest) return `User "${user}" cannot ${info.verb} path "${info.path}"`;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  return `User "${user}" cannot ${info.verb} resource "${resource}" in API group "${info.apiGroup}" ${scope}`;
}

/** Build the authorization filter around `authorizer`. */
export function withAuthorization(authorizer: Authorizer): Filter {
  return (next) => async (ctx) => {
    const user = ctx.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    const decision = await authorizer(user, ctx.info);
    if (!decision.allowed) {
      if (decision.error) throw internalError(decision.error);
      const info = ctx.info;
      const message = forbiddenMessage(user.name, info);
      throw forbidden({ group: info.apiGroup, resource: info.resource }, info.name, decision.reason ? `${message}: ${decision.reason}` : message);
    }
    await next(ctx);
  };
}
