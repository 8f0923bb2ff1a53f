/**
 * The RBAC authorizer and its rule resolver, as upstream's plugin/pkg/auth/authorizer/rbac and
 * pkg/registry/rbac/validation (DefaultRuleResolver): the rules that apply to a user are those of
 * every ClusterRoleBinding naming the user, one of its groups or its ServiceAccount, then, for a
 * namespaced request, those of the namespace's RoleBindings. A binding whose role is missing adds
 * its lister error (`clusterrole.rbac.authorization.k8s.io "x" not found`) to the reasons of a
 * refusal (`RBAC: …`); an allow names its source (`RBAC: allowed by ClusterRoleBinding "x" of
 * ClusterRole "y" to Group "z"`). RBAC never denies: a request no rule allows gets no opinion.
 */
import type { UserInfo } from '../../http/context.js';
import type { KubeObject } from '../../registry/object.js';
import type { AccessAttributes, NonResourceRule, ResourceRule } from '../policy.js';
import { aggregateErrors, type AuthorizerDecision, type ModeAuthorizer, type RuleResolution } from '../authorizer.js';
import type { RbacCache } from './cache.js';
import { ruleAllows, type PolicyRule } from './rules.js';

/** An rbacv1.Subject. */
interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** An rbacv1.RoleRef. */
export interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

/** Called for each rule (with its source) or resolution error; returns false to stop. */
type Visitor = (source: string | undefined, rule: PolicyRule | undefined, error: string | undefined) => boolean;

/** `serviceaccount.MakeUsername`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

function appliesToUser(user: UserInfo, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name ?? '');
    case 'ServiceAccount': {
      // A subject without a namespace means the binding's own namespace.
      const ns = s.namespace || namespace;
      return ns !== '' && user.name === serviceAccountUsername(ns, s.name ?? '');
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name ?? ''}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind ?? ''} ${JSON.stringify(s.name ?? '')}`;
}

function subjectsOf(binding: KubeObject): Subject[] {
  return Array.isArray(binding.subjects) ? (binding.subjects as Subject[]) : [];
}

function roleRefOf(binding: KubeObject): RoleRef {
  return (binding.roleRef as RoleRef | undefined) ?? {};
}

/** DefaultRuleResolver over the server's RBAC cache. */
export class RuleResolver {
  constructor(private readonly cache: RbacCache) {}

  /** `GetRoleReferenceRules`: the rules of the role a binding in `namespace` refers to, or the lister's error. */
  roleReferenceRules(ref: RoleRef, namespace: string): { rules: PolicyRule[] } | { error: string } {
    switch (ref.kind) {
      case 'Role': {
        const role = this.cache.role(namespace, ref.name ?? '');
        return role ? { rules: (role.rules as PolicyRule[] | undefined) ?? [] } : { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name ?? '')} not found` };
      }
      case 'ClusterRole': {
        const role = this.cache.clusterRole(ref.name ?? '');
        return role ? { rules: (role.rules as PolicyRule[] | undefined) ?? [] } : { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name ?? '')} not found` };
      }
      default:
        return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind ?? '')}` };
    }
  }

  /** `VisitRulesFor`: cluster-wide bindings first, then the namespace's. */
  visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): void {
    const scopes: Array<{ bindings: KubeObject[]; ns: string; describe: (b: KubeObject, s: Subject) => string }> = [
      {
        bindings: this.cache.clusterRoleBindings(),
        ns: '',
        describe: (b, s) => `ClusterRoleBinding ${JSON.stringify(b.metadata?.name ?? '')} of ${roleRefOf(b).kind ?? ''} ${JSON.stringify(roleRefOf(b).name ?? '')} to ${describeSubject(s, '')}`,
      },
    ];
    if (namespace !== '') {
      scopes.push({
        bindings: this.cache.roleBindings(namespace),
        ns: namespace,
        describe: (b, s) => `RoleBinding ${JSON.stringify(`${b.metadata?.name ?? ''}/${b.metadata?.namespace ?? ''}`)} of ${roleRefOf(b).kind ?? ''} ${JSON.stringify(roleRefOf(b).name ?? '')} to ${describeSubject(s, namespace)}`,
      });
    }
    for (const scope of scopes) {
      for (const binding of scope.bindings) {
        const subject = subjectsOf(binding).find((s) => appliesToUser(user, s, scope.ns));
        if (!subject) continue;
        const resolved = this.roleReferenceRules(roleRefOf(binding), scope.ns);
        if ('error' in resolved) {
          if (!visit(undefined, undefined, resolved.error)) return;
          continue;
        }
        const source = scope.describe(binding, subject);
        for (const rule of resolved.rules) if (!visit(source, rule, undefined)) return;
      }
    }
  }

  /** `RulesFor`: every rule that applies, and the resolution errors met. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule) rules.push(rule);
      if (error) errors.push(error);
      return true;
    });
    return { rules, errors };
  }
}

/** The RBAC authorization mode. */
export class RbacAuthorizer implements ModeAuthorizer {
  readonly name = 'RBAC';
  constructor(readonly resolver: RuleResolver) {}

  authorize(user: UserInfo, attrs: AccessAttributes): AuthorizerDecision {
    let reason = '';
    const errors: string[] = [];
    this.resolver.visitRulesFor(user, attrs.namespace ?? '', (source, rule, error) => {
      if (rule && ruleAllows(attrs, rule)) {
        reason = `RBAC: allowed by ${source ?? ''}`;
        return false;
      }
      if (error) errors.push(error);
      return true;
    });
    if (reason) return { decision: 'allow', reason };
    return { decision: 'no-opinion', reason: errors.length > 0 ? `RBAC: ${aggregateErrors(errors)}` : '' };
  }

  rulesFor(user: UserInfo, namespace: string): RuleResolution {
    const { rules, errors } = this.resolver.rulesFor(user, namespace);
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    for (const r of rules) {
      if ((r.resources ?? []).length > 0) {
        const out: ResourceRule = { verbs: [...(r.verbs ?? [])] };
        if (r.apiGroups) out.apiGroups = [...r.apiGroups];
        out.resources = [...r.resources!];
        if ((r.resourceNames ?? []).length > 0) out.resourceNames = [...r.resourceNames!];
        resourceRules.push(out);
      }
      if ((r.nonResourceURLs ?? []).length > 0) nonResourceRules.push({ verbs: [...(r.verbs ?? [])], nonResourceURLs: [...r.nonResourceURLs!] });
    }
    // RBAC's RulesFor reports incomplete=false; its resolution errors become evaluationError.
    return { resourceRules, nonResourceRules, incomplete: false, ...(errors.length > 0 ? { error: aggregateErrors(errors) } : {}) };
  }
}
