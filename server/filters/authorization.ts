/**
 * The authorization filter. kube-skew's servers run with `--authorization-mode=AlwaysAllow` unless a
 * policy is configured; the authorizer is injected so a policy file can replace it.
 */
import type { Filter, UserInfo } from '../http/context.js';
import type { RequestInfo } from '../request-info.js';
import { forbidden } from '../errors/status.js';

/** Decides whether `user` may do what `info` describes; returns a reason when denied. */
export type Authorizer = (user: UserInfo, info: RequestInfo) => { allowed: true } | { allowed: false; reason: string };

/** The AlwaysAllow authorizer. */
export const alwaysAllow: Authorizer = () => ({ allowed: true });

/** Build the authorization filter around `authorizer`. */
export function withAuthorization(authorizer: Authorizer): Filter {
  return (next) => async (ctx) => {
    const user = ctx.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    const decision = authorizer(user, ctx.info);
    if (!decision.allowed) {
      const info = ctx.info;
      const scope = info.namespace ? ` in the namespace "${info.namespace}"` : '';
      throw forbidden(
        { group: info.apiGroup, resource: info.resource },
        info.name,
        `User "${user.name}" cannot ${info.verb} resource "${info.resource}" in API group "${info.apiGroup}"${scope}${decision.reason ? `: ${decision.reason}` : ''}`,
      );
    }
    await next(ctx);
  };
}
