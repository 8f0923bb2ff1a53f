/**
 * The authorizer of a delegating API server (upstream's `DelegatingAuthorizationOptions.toAuthorizer`):
 * a union, asked in order, of the privileged groups (`system:masters` by default: kube-apiserver
 * allows them everything in a hard-coded authorizer, so there is nothing to ask), the always-allowed
 * paths (`/healthz`, `/readyz`, `/livez` by default) and the webhook authorizer that asks the
 * cluster with SubjectAccessReviews. The first allow or deny decides; when all have no opinion the
 * request is refused with their reasons joined by newlines and, when a review failed, its error
 * (which the authorization filter answers with a 500, as upstream's filter does).
 */
import type { Authorizer, AuthorizerResult } from '../filters/authorization.js';
import { alwaysAllowPaths } from './path-authorizer.js';
import type { Verdict } from './webhook.js';
import type { UserInfo } from '../http/context.js';
import type { RequestInfo } from '../request-info.js';

/** Upstream's defaults of `NewDelegatingAuthorizationOptions`. */
export const DEFAULT_ALWAYS_ALLOW_PATHS = ['/healthz', '/readyz', '/livez'];
export const DEFAULT_ALWAYS_ALLOW_GROUPS = ['system:masters'];

/** What the union is built from. */
export interface DelegatingAuthorizerOptions {
  alwaysAllowGroups?: string[];
  alwaysAllowPaths?: string[];
  /** The webhook authorizer; without one only the groups and paths are allowed (upstream warns and forbids the rest). */
  webhook?: (user: UserInfo, info: RequestInfo) => Promise<Verdict>;
}

/** Build the delegating authorizer. */
export function delegatingAuthorizer(opts: DelegatingAuthorizerOptions): Authorizer {
  const groups = opts.alwaysAllowGroups ?? DEFAULT_ALWAYS_ALLOW_GROUPS;
  const pathAllowed = alwaysAllowPaths(opts.alwaysAllowPaths ?? DEFAULT_ALWAYS_ALLOW_PATHS);
  return async (user, info): Promise<AuthorizerResult> => {
    if (user.groups.some((g) => groups.includes(g))) return { allowed: true };
    if (pathAllowed(info)) return { allowed: true };
    if (!opts.webhook) return { allowed: false, reason: '' };
    const verdict = await opts.webhook(user, info);
    if (verdict.decision === 'allow') return { allowed: true };
    return { allowed: false, reason: verdict.reason, ...(verdict.error ? { error: verdict.error } : {}) };
  };
}
