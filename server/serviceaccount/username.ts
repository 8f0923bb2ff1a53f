/**
 * The user names and groups of ServiceAccounts, as k8s.io/apiserver/pkg/authentication/serviceaccount
 * spells them: `system:serviceaccount:<namespace>:<name>` in the groups `system:serviceaccounts` and
 * `system:serviceaccounts:<namespace>`. The impersonation filter and the token authenticator share
 * them, so a ServiceAccount impersonated and one authenticated by its token look the same.
 */
import { isDNS1123Label, isDNS1123Subdomain } from '../registry/validation.js';

/** The prefix of every ServiceAccount user name. */
export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';
/** The group of every ServiceAccount. */
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

/** The user name of ServiceAccount `namespace/name`. */
export function makeUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USERNAME_PREFIX}${namespace}:${name}`;
}

/** The groups of a ServiceAccount in `namespace` (without `system:authenticated`, added later). */
export function makeGroupNames(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS_GROUP, `${ALL_SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

/**
 * The namespace and name a ServiceAccount user name stands for; undefined when `username` is not one
 * (upstream's SplitUsername: exactly two parts after the prefix, a valid namespace and a valid
 * ServiceAccount name — anything else is an ordinary user).
 */
export function splitUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_USERNAME_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (isDNS1123Label(namespace).length > 0 || isDNS1123Subdomain(name).length > 0) return undefined;
  return { namespace, name };
}
