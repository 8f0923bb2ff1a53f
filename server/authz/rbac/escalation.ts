/**
 * RBAC's escalation prevention on writes of Roles, ClusterRoles and their bindings, as upstream's
 * policybased storages (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased) and escalation_check.go:
 *
 * - members of `system:masters` may write anything (`EscalationAllowed`);
 * - a Role or ClusterRole is accepted when the writer may `escalate` it, or when the writer already
 *   holds every rule it grants (`ConfirmNoEscalation`); a ClusterRole with an aggregationRule also
 *   needs the writer to hold everything (`must have cluster-admin privileges to use the
 *   aggregationRule`);
 * - a binding is accepted when the writer may `bind` the role it refers to, or already holds every
 *   rule of that role;
 * - an update that changes only what the garbage collector changes (owner references, finalizers)
 *   is not checked.
 *
 * A refusal is upstream's 403: `roles.rbac.authorization.k8s.io "x" is forbidden: user "jane"
 * (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:`
 * followed by the missing rules, one per line. The check runs inside the write, on the object the
 * write computed, so a patch is checked on its result.
 */
import type { UserInfo } from '../../http/context.js';
import type { KubeObject } from '../../registry/object.js';
import type { ResourceType } from '../../registry/resource-type.js';
import type { WriteGuard } from '../../registry/rest.js';
import { forbidden } from '../../errors/status.js';
import type { AuthorizerChain } from '../union.js';
import { SYSTEM_PRIVILEGED_GROUP } from '../union.js';
import { RBAC_GROUP } from './cache.js';
import type { RoleRef, RuleResolver } from './authorizer.js';
import { compactRules, compactString, covers, goQuoteList, type PolicyRule } from './rules.js';

/** What the escalation checks ask. */
export interface EscalationDeps {
  chain: AuthorizerChain;
  resolver: RuleResolver;
}

const ROLE_RESOURCES = new Set(['roles', 'clusterroles']);
const BINDING_RESOURCES = new Set(['rolebindings', 'clusterrolebindings']);
/** What an aggregationRule may gather: everything. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** `ConfirmNoEscalation`: the error text when `user` does not hold every rule of `rules` in `namespace`, else undefined. */
export function escalationError(resolver: RuleResolver, user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
  const owned = resolver.rulesFor(user, namespace);
  const missing = covers(owned.rules, rules);
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  // Go prints the []error holding the one aggregate as `[…]`.
  if (owned.errors.length > 0) msg += `; resolution errors: [${owned.errors.length === 1 ? owned.errors[0] : `[${[...new Set(owned.errors)].join(', ')}]`}]`;
  return msg;
}

/** `IsOnlyMutatingGCFields`: the update changes nothing but owner references and finalizers. */
function onlyGcFields(obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return false;
  const strip = (o: KubeObject): unknown => {
    const c = structuredClone(o);
    const m = (c.metadata ?? {}) as Record<string, unknown>;
    for (const k of ['ownerReferences', 'finalizers', 'selfLink', 'managedFields', 'resourceVersion']) delete m[k];
    return c;
  };
  return JSON.stringify(strip(obj)) === JSON.stringify(strip(old));
}

/**
 * The guard of a write of `type` by `user` in `namespace` (the request's `name` for the escalate
 * check), or undefined when the write needs no check.
 */
export function rbacWriteGuard(deps: EscalationDeps, user: UserInfo, type: ResourceType, namespace: string, requestName: string): WriteGuard | undefined {
  if (type.group !== RBAC_GROUP) return undefined;
  if (!ROLE_RESOURCES.has(type.resource) && !BINDING_RESOURCES.has(type.resource)) return undefined;
  if (user.groups.includes(SYSTEM_PRIVILEGED_GROUP)) return undefined;
  const gr = { group: RBAC_GROUP, resource: type.resource };
  const may = (verb: string, resource: string, name: string, ns: string, group = RBAC_GROUP): boolean =>
    deps.chain.authorize(user, { isResourceRequest: true, verb, apiGroup: group, resource, name, namespace: ns, subresource: '' }).decision === 'allow';

  if (ROLE_RESOURCES.has(type.resource)) {
    if (may('escalate', type.resource, requestName, namespace)) return undefined;
    return (obj, old) => {
      if (onlyGcFields(obj, old)) return;
      const name = obj.metadata?.name ?? '';
      const err = escalationError(deps.resolver, user, namespace, (obj.rules as PolicyRule[] | undefined) ?? []);
      if (err) throw forbidden(gr, name, err);
      if (type.resource === 'clusterroles' && obj.aggregationRule && escalationError(deps.resolver, user, namespace, FULL_AUTHORITY)) {
        throw forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
    };
  }
  return (obj, old) => {
    if (onlyGcFields(obj, old)) return;
    const name = obj.metadata?.name ?? '';
    const ref = (obj.roleRef as RoleRef | undefined) ?? {};
    // BindingAuthorized: `bind` on the referred role, in the binding's namespace.
    const refResource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : '';
    if (refResource && may('bind', refResource, ref.name ?? '', namespace, ref.apiGroup ?? '')) return;
    const resolved = deps.resolver.roleReferenceRules(ref, namespace);
    if ('error' in resolved) throw forbidden(gr, name, resolved.error);
    const err = escalationError(deps.resolver, user, namespace, resolved.rules);
    if (err) throw forbidden(gr, name, err);
  };
}
