/**
 * The `rbac/bootstrap-roles` post-start hook: kube-apiserver's reconciliation of the bootstrap
 * policy at start (pkg/registry/rbac/rest and pkg/registry/rbac/reconciliation), through the
 * registry. A missing object is created. An existing one whose `autoupdate` annotation is not
 * `"false"` keeps everything it has and gains what is missing: labels and annotations it lacks, the
 * rules (as atomic rules, the way `Covers` reports them) and aggregation selectors it does not
 * cover, the subjects it does not name. A binding whose roleRef differs is deleted and created
 * again (roleRef is immutable). No rule, subject or selector is removed (upstream's EnsureRBACPolicy
 * runs with RemoveExtraPermissions and RemoveExtraSubjects off); the one removal is the
 * aggregationRule of a role the policy does not aggregate (computeReconciledRole). So servers of
 * different minors sharing a store leave every object at the union of their policies. Servers of
 * one cluster reconcile at once; a conflict or an "already exists" is decided again on the object
 * as it now is.
 */
import type { Logger } from 'pino';
import { AUTOUPDATE_ANNOTATION, bootstrapPolicy } from '../../../versions/index.js';
import { isStatusError } from '../../errors/status.js';
import type { KubeObject } from '../../registry/object.js';
import type { Registry } from '../../registry/rest.js';
import type { ResourceType, ResourceTypes } from '../../registry/resource-type.js';
import { RBAC_GROUP } from './cache.js';
import { covers, type PolicyRule } from './rules.js';

/** The post-start hook's name (its readyz check is `poststarthook/rbac/bootstrap-roles`). */
export const BOOTSTRAP_ROLES_HOOK = 'rbac/bootstrap-roles';
const MAX_ATTEMPTS = 10;

/** The existing map with the keys it lacks taken from the expected one (the existing values win). */
function merged(expected: Record<string, string> | undefined, existing: Record<string, string> | undefined): Record<string, string> | undefined {
  const out = { ...(existing ?? {}) };
  for (const [k, v] of Object.entries(expected ?? {})) if (!(k in out)) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

function withMergedMeta(existing: KubeObject, expected: KubeObject): KubeObject {
  const out = structuredClone(existing);
  const meta = (out.metadata ??= {});
  const labels = merged(expected.metadata?.labels, existing.metadata?.labels);
  const annotations = merged(expected.metadata?.annotations, existing.metadata?.annotations);
  if (labels) meta.labels = labels;
  if (annotations) meta.annotations = annotations;
  return out;
}

type Selector = Record<string, unknown>;

/** `computeReconciledRole` without removal: the role with what it lacks added. */
function reconcileRole(existing: KubeObject, expected: KubeObject): KubeObject {
  const out = withMergedMeta(existing, expected);
  const missing = covers((existing.rules as PolicyRule[] | undefined) ?? [], (expected.rules as PolicyRule[] | undefined) ?? []);
  if (missing.length > 0) out.rules = [...((existing.rules as PolicyRule[] | undefined) ?? []), ...missing];
  const want = ((expected.aggregationRule as { clusterRoleSelectors?: Selector[] } | undefined)?.clusterRoleSelectors ?? []) as Selector[];
  if (expected.aggregationRule === undefined && existing.aggregationRule !== undefined) {
    // The one removal of the union reconciliation: a role the policy does not aggregate stops aggregating.
    delete out.aggregationRule;
  } else if (want.length > 0) {
    const have = ((existing.aggregationRule as { clusterRoleSelectors?: Selector[] } | undefined)?.clusterRoleSelectors ?? []) as Selector[];
    const seen = new Set(have.map((s) => JSON.stringify(s)));
    const add = want.filter((s) => !seen.has(JSON.stringify(s)));
    if (add.length > 0) out.aggregationRule = { clusterRoleSelectors: [...have, ...add] };
  }
  return out;
}

/** `computeReconciledRoleBinding` without removal: the binding with its missing subjects added. */
function reconcileBinding(existing: KubeObject, expected: KubeObject): KubeObject {
  const out = withMergedMeta(existing, expected);
  const have = (existing.subjects as Selector[] | undefined) ?? [];
  const key = (s: Selector): string => JSON.stringify([s.kind, s.name, s.namespace ?? '']);
  const seen = new Set(have.map(key));
  const add = ((expected.subjects as Selector[] | undefined) ?? []).filter((s) => !seen.has(key(s)));
  if (add.length > 0) out.subjects = [...have, ...add];
  return out;
}

function code(err: unknown): number | undefined {
  return isStatusError(err) ? err.code : undefined;
}

async function ensure(registry: Registry, type: ResourceType, expected: KubeObject, isBinding: boolean): Promise<void> {
  const name = expected.metadata?.name ?? '';
  const namespace = expected.metadata?.namespace ?? '';
  for (let attempt = 1; ; attempt++) {
    try {
      let existing: KubeObject;
      try {
        existing = await registry.get(type, namespace, name);
      } catch (err) {
        if (code(err) !== 404) throw err;
        await registry.create(type, namespace, expected);
        return;
      }
      if (existing.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return;
      if (isBinding && JSON.stringify(existing.roleRef) !== JSON.stringify(expected.roleRef)) {
        await registry.delete(type, namespace, name, { preconditions: { uid: existing.metadata?.uid ?? '' } });
        await registry.create(type, namespace, reconcileBinding({ ...existing, roleRef: expected.roleRef }, expected));
        return;
      }
      const next = isBinding ? reconcileBinding(existing, expected) : reconcileRole(existing, expected);
      if (JSON.stringify(next) === JSON.stringify(existing)) return;
      await registry.update(type, namespace, name, next);
      return;
    } catch (err) {
      // Another server reconciled the same object first: decide again on what it wrote.
      if ((code(err) === 409 || code(err) === 404) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** Reconcile `minor`'s bootstrap policy into the store; throws when an object cannot be written. */
export async function reconcileBootstrapPolicy(registry: Registry, types: ResourceTypes, minor: string, log: Logger): Promise<void> {
  const policy = bootstrapPolicy(minor);
  const type = (resource: string): ResourceType => {
    const t = types.lookup(RBAC_GROUP, 'v1', resource);
    if (!t) throw new Error(`${resource}.${RBAC_GROUP}/v1 is not served`);
    return t;
  };
  const sets: Array<[string, Record<string, unknown>[], boolean]> = [
    ['clusterroles', policy.clusterRoles, false],
    ['clusterrolebindings', policy.clusterRoleBindings, true],
    ['roles', policy.roles, false],
    ['rolebindings', policy.roleBindings, true],
  ];
  for (const [resource, objects, isBinding] of sets) {
    const t = type(resource);
    for (const obj of objects) await ensure(registry, t, obj as KubeObject, isBinding);
  }
  log.info({ minor }, 'reconciled the bootstrap RBAC policy');
}
