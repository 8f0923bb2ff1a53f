/**
 * The shape of kube-apiserver's authorizers (k8s.io/apiserver/pkg/authorization/authorizer): each
 * answers allow, deny or no opinion with a reason (and an evaluation error when it could not decide
 * fully), and a rule resolver lists what a user may do in a namespace for SelfSubjectRulesReview.
 * kube-skew's built-in modes decide synchronously from memory, so the same chain can be asked from
 * inside a write (the RBAC escalation checks) as well as by the authorization filter.
 */
import type { UserInfo } from '../http/context.js';
import type { AccessAttributes, NonResourceRule, ResourceRule } from './policy.js';

/** `authorizer.Decision`. */
export type DecisionKind = 'allow' | 'deny' | 'no-opinion';

/** What one authorizer answers. */
export interface AuthorizerDecision {
  decision: DecisionKind;
  reason: string;
  /** The evaluation error, when the authorizer could not decide fully. */
  error?: string;
}

/** What one rule resolver answers (`RulesFor`). */
export interface RuleResolution {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  error?: string;
}

/** One authorization mode: an authorizer, and a rule resolver when it has one. */
export interface ModeAuthorizer {
  /** The mode's name, for logs. */
  readonly name: string;
  authorize(user: UserInfo, attrs: AccessAttributes): AuthorizerDecision;
  rulesFor?(user: UserInfo, namespace: string): RuleResolution;
}

/** `utilerrors.NewAggregate(errs).Error()`: one message alone, several as `[a, b]`, duplicates once. */
export function aggregateErrors(messages: string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0]!;
  return `[${unique.join(', ')}]`;
}
