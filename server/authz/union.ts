/**
 * kube-apiserver's authorizer chain (pkg/kubeapiserver/authorizer and
 * k8s.io/apiserver/pkg/authorization/union): the privileged-group authorizer first — members of
 * `system:masters` are allowed everything whatever the modes say, as upstream adds
 * `NewPrivilegedGroups(system:masters)` before the configured modes — then each mode of
 * `--authorization-mode` in order. The first allow or deny decides; when every authorizer has no
 * opinion the request is refused with their non-empty reasons joined by newlines and their errors
 * aggregated. The rule resolvers (SelfSubjectRulesReview) are those of the modes that have one; the
 * privileged-group authorizer has none.
 */
import type { UserInfo } from '../http/context.js';
import type { AccessAttributes } from './policy.js';
import { aggregateErrors, type AuthorizerDecision, type ModeAuthorizer, type RuleResolution } from './authorizer.js';

/** `user.SystemPrivilegedGroup`. */
export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';

/** `authorizerfactory.NewPrivilegedGroups(system:masters)`. */
export const privilegedGroups: ModeAuthorizer = {
  name: 'system-privileged-group',
  authorize: (user) => ({ decision: user.groups.includes(SYSTEM_PRIVILEGED_GROUP) ? 'allow' : 'no-opinion', reason: '' }),
};

/** The union of the privileged-group authorizer and the configured modes. */
export class AuthorizerChain {
  private readonly authorizers: ModeAuthorizer[];

  constructor(readonly modes: ModeAuthorizer[]) {
    this.authorizers = [privilegedGroups, ...modes];
  }

  /** `unionAuthzHandler.Authorize`. */
  authorize(user: UserInfo, attrs: AccessAttributes): AuthorizerDecision {
    const reasons: string[] = [];
    const errors: string[] = [];
    for (const a of this.authorizers) {
      const d = a.authorize(user, attrs);
      if (d.error) errors.push(d.error);
      if (d.reason) reasons.push(d.reason);
      if (d.decision !== 'no-opinion') return { decision: d.decision, reason: d.reason, ...(d.error ? { error: d.error } : {}) };
    }
    return { decision: 'no-opinion', reason: reasons.join('\n'), ...(errors.length > 0 ? { error: aggregateErrors(errors) } : {}) };
  }

  /** `unionAuthzRulesHandler.RulesFor`: every resolver's rules, incomplete when any is. */
  rulesFor(user: UserInfo, namespace: string): RuleResolution {
    const out: RuleResolution = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errors: string[] = [];
    for (const a of this.authorizers) {
      if (!a.rulesFor) continue;
      const r = a.rulesFor(user, namespace);
      out.resourceRules.push(...r.resourceRules);
      out.nonResourceRules.push(...r.nonResourceRules);
      if (r.incomplete) out.incomplete = true;
      if (r.error) errors.push(r.error);
    }
    if (errors.length > 0) out.error = aggregateErrors(errors);
    return out;
  }
}
