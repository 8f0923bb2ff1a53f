/**
 * RBAC's rule arithmetic, as upstream's rbacv1helpers (evaluation_helpers.go) and
 * component-helpers' policy comparator: whether a PolicyRule allows a request (`*` verbs, groups and
 * resources, `*`/subresource, resourceNames, nonResourceURLs with a trailing `*`), whether a set of
 * rules covers another (the escalation check), and the compact text the escalation error lists.
 */
import type { AccessAttributes } from '../policy.js';

/** An rbac.authorization.k8s.io/v1 PolicyRule as stored. */
export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const ALL = '*';

function matchesAny(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === ALL || v === value);
}

/** `ResourceMatches`: `*`, the exact `resource/subresource`, or `*` followed by `/<subresource>`. */
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some((r) => r === ALL || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

/** `NonResourceURLMatches`: `*`, the exact path, or a prefix ending in `*`. */
function pathMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === ALL || u === path || (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))));
}

/** Upstream's `RuleAllows`. */
export function ruleAllows(a: AccessAttributes, rule: PolicyRule): boolean {
  if (!matchesAny(rule.verbs, a.verb)) return false;
  if (!a.isResourceRequest) return pathMatches(rule, a.path ?? '');
  const subresource = a.subresource ?? '';
  const combined = subresource ? `${a.resource ?? ''}/${subresource}` : (a.resource ?? '');
  if (!matchesAny(rule.apiGroups, a.apiGroup ?? '')) return false;
  if (!resourceMatches(rule, combined, subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name ?? '');
}

/** `BreakdownRule`: one rule per group × resource × verb (× name), and per URL × verb. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if ((rule.resourceNames ?? []).length > 0) {
          for (const name of rule.resourceNames!) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function hasAll(set: string[] | undefined, wanted: string[] | undefined): boolean {
  const owned = new Set(set ?? []);
  return (wanted ?? []).every((w) => owned.has(w));
}

function resourceCoversAll(set: string[] | undefined, wanted: string[] | undefined): boolean {
  const owned = set ?? [];
  if (owned.includes(ALL) || hasAll(owned, wanted)) return true;
  return (wanted ?? []).every((path) => {
    if (owned.includes(path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && owned.includes(`*/${path.slice(slash + 1)}`);
  });
}

function urlsCoverAll(set: string[] | undefined, wanted: string[] | undefined): boolean {
  return (wanted ?? []).every((path) => (set ?? []).some((owner) => owner === path || (owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, '')))));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = (owner.verbs ?? []).includes(ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = (owner.apiGroups ?? []).includes(ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const ownerNames = owner.resourceNames ?? [];
  const names = (sub.resourceNames ?? []).length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, sub.resourceNames);
  return verbs && groups && resourceCoversAll(owner.resources, sub.resources) && names && urlsCoverAll(owner.nonResourceURLs, sub.nonResourceURLs);
}

/** `Covers`: whether `owner` rules grant everything `servant` rules do; returns the atomic rules missing. */
export function covers(owner: PolicyRule[], servant: PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakdown).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
}

/** `CompactRules`: merge rules with one group and one resource (and nothing else) by their verbs. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = (r.resourceNames ?? []).length === 0 && (r.nonResourceURLs ?? []).length === 0 && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0]]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...(existing.verbs ?? []), ...(r.verbs ?? [])];
    else simple.set(key, { apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...(r.verbs ?? [])] });
  }
  return [...out, ...simple.values()];
}

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** `CompactString`: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if ((r.apiGroups ?? []).length > 0) parts.push(`APIGroups:${goQuoteList(r.apiGroups!)}`);
  if ((r.resources ?? []).length > 0) parts.push(`Resources:${goQuoteList(r.resources!)}`);
  if ((r.nonResourceURLs ?? []).length > 0) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs!)}`);
  if ((r.resourceNames ?? []).length > 0) parts.push(`ResourceNames:${goQuoteList(r.resourceNames!)}`);
  if ((r.verbs ?? []).length > 0) parts.push(`Verbs:${goQuoteList(r.verbs!)}`);
  return `{${parts.join(', ')}}`;
}
