/**
 * `--authorization-mode`: parsing and validation with kube-apiserver's startup errors
 * (BuiltInAuthorizationOptions.Validate), and the simple modes. kube-skew implements AlwaysAllow,
 * AlwaysDeny and RBAC; Node, ABAC and Webhook are valid upstream modes it does not simulate and are
 * refused at start. Without the flag the mode is AlwaysAllow, kube-apiserver's default.
 *
 * kube-skew's own policy file (`--authorization-policy-file`, see policy.ts) is an extra authorizer
 * after the listed modes. Upstream's flag of that name is ABAC's file and is refused without mode
 * ABAC; kube-skew keeps its older meaning instead: with the file and no `--authorization-mode`, the
 * file alone decides (no AlwaysAllow), as before the flag existed.
 */
import type { AuthorizationPolicy } from './policy.js';
import type { ModeAuthorizer } from './authorizer.js';
import { goQuoteList } from './rbac/rules.js';

/** The modes upstream accepts (`authzmodes.AuthorizationModeChoices`). */
export const AUTHORIZATION_MODE_CHOICES = ['AlwaysAllow', 'AlwaysDeny', 'ABAC', 'Webhook', 'RBAC', 'Node'] as const;
/** The modes kube-skew simulates. */
export const IMPLEMENTED_MODES = new Set(['AlwaysAllow', 'AlwaysDeny', 'RBAC']);
/** kube-apiserver's default `--authorization-mode`. */
export const DEFAULT_AUTHORIZATION_MODES = ['AlwaysAllow'];

/**
 * Validate `--authorization-mode` (already split on commas) as kube-apiserver does; returns the
 * error messages, empty when valid.
 */
export function authorizationModeErrors(modes: string[]): string[] {
  const errors: string[] = [];
  if (modes.length === 0) errors.push('at least one authorization-mode must be passed');
  for (const mode of modes) {
    if (!(AUTHORIZATION_MODE_CHOICES as readonly string[]).includes(mode)) errors.push(`authorization-mode ${JSON.stringify(mode)} is not a valid mode`);
    else if (!IMPLEMENTED_MODES.has(mode)) errors.push(`authorization-mode ${JSON.stringify(mode)} is not simulated by kube-skew (it has ${[...IMPLEMENTED_MODES].join(', ')})`);
  }
  if (new Set(modes).size !== modes.length) errors.push(`authorization-mode ${goQuoteList(modes)} has mode specified more than once`);
  return errors;
}

/** `authorizerfactory.NewAlwaysAllowAuthorizer()`: allow, and every rule in SelfSubjectRulesReview. */
export const alwaysAllowMode: ModeAuthorizer = {
  name: 'AlwaysAllow',
  authorize: () => ({ decision: 'allow', reason: '' }),
  rulesFor: () => ({
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }),
};

/** `authorizerfactory.NewAlwaysDenyAuthorizer()`: no opinion with upstream's reason, and no rules. */
export const alwaysDenyMode: ModeAuthorizer = {
  name: 'AlwaysDeny',
  authorize: () => ({ decision: 'no-opinion', reason: 'Everything is forbidden.' }),
  rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false }),
};

/** kube-skew's policy file as an authorizer: allow what a rule grants, otherwise no opinion. */
export function policyMode(policy: AuthorizationPolicy): ModeAuthorizer {
  return {
    name: 'kube-skew-policy-file',
    authorize: (user, attrs) => {
      const d = policy.authorize(user, attrs);
      return { decision: d.allowed ? 'allow' : 'no-opinion', reason: d.reason };
    },
    rulesFor: (user, namespace) => policy.rulesFor(user, namespace),
  };
}
