/**
 * kube-skew's policy file (`--authorization-policy-file`): a request is allowed when one of the
 * file's rules matches it. It is one authorizer of the server's chain (see modes.ts and union.ts),
 * after the `--authorization-mode` ones, which the filter and the review endpoints both ask, so
 * `kubectl auth can-i` answers what the server then does.
 *
 * As on a real cluster, some access is granted whatever the file says: `system:masters` may do
 * everything (upstream's privileged-group authorizer), every user may read the health and version
 * endpoints (system:public-info-viewer), and authenticated users may read discovery and OpenAPI and
 * create self reviews (system:discovery, system:basic-user).
 *
 * The file is JSON or YAML: a list of rules, or `{apiVersion: kube-skew.io/v1alpha1, kind:
 * AuthorizationPolicy, rules: [...]}`. A rule names `user` or `group` (`*` for anyone) and `verbs`,
 * and optionally `apiGroups` (default any), `resources` (`pods`, `pods/log`, `*`, or `*` followed by
 * `/scale` for that subresource of every resource), `resourceNames`, `namespaces` (default any
 * namespace and the cluster scope) or `nonResourceURLs` (`/healthz`, `/apis/` followed by `*`).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../http/context.js';
import type { RequestInfo } from '../request-info.js';

/** One allow rule of a policy file. */
export interface PolicyRule {
  user?: string;
  group?: string;
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  namespaces?: string[];
  nonResourceURLs?: string[];
}

/** What is being asked: a resource request or a non-resource one, as upstream's authorizer.Attributes. */
export interface AccessAttributes {
  isResourceRequest: boolean;
  verb: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

/** A decision; `reason` is what a review reports and a 403 appends. */
export interface Decision {
  allowed: boolean;
  reason: string;
}

/** A rule as a SelfSubjectRulesReview lists it. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** A non-resource rule as a SelfSubjectRulesReview lists it. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** What a user may do in a namespace, as a SelfSubjectRulesReview's status. */
export interface RulesResult {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
}

/** A policy file that cannot be used; printed as a start-up error. */
export class PolicyError extends Error {
  readonly code = 'POLICY';
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

const PUBLIC_INFO = ['/healthz', '/livez', '/readyz', '/version', '/version/'];
const DISCOVERY = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];

/** The bootstrap rules a real cluster grants through its default ClusterRoleBindings. */
const BOOTSTRAP: PolicyRule[] = [
  { group: 'system:unauthenticated', verbs: ['get'], nonResourceURLs: PUBLIC_INFO },
  { group: 'system:authenticated', verbs: ['get'], nonResourceURLs: DISCOVERY },
  { group: 'system:authenticated', verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { group: 'system:authenticated', verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

const ALL_RULES: RulesResult = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
};

function matchesSubject(rule: PolicyRule, user: UserInfo): boolean {
  if (rule.user !== undefined && (rule.user === '*' || rule.user === user.name)) return true;
  if (rule.group !== undefined && (rule.group === '*' || user.groups.includes(rule.group))) return true;
  return false;
}

function has(list: string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

function matchesResource(rule: PolicyRule, resource: string, subresource: string): boolean {
  if (!rule.resources) return false;
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return rule.resources.some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

function matchesPath(rule: PolicyRule, path: string): boolean {
  if (!rule.nonResourceURLs) return false;
  return rule.nonResourceURLs.some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

function ruleAllows(rule: PolicyRule, a: AccessAttributes): boolean {
  if (!rule.verbs.includes('*') && !rule.verbs.includes(a.verb)) return false;
  if (!a.isResourceRequest) return matchesPath(rule, a.path ?? '');
  if (!has(rule.apiGroups, a.apiGroup ?? '')) return false;
  if (!matchesResource(rule, a.resource ?? '', a.subresource ?? '')) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0 && !rule.resourceNames.includes(a.name ?? '')) return false;
  if (rule.namespaces && !rule.namespaces.includes('*') && !rule.namespaces.includes(a.namespace ?? '')) return false;
  return true;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new PolicyError(`${where}: must be a list of strings`);
  return value as string[];
}

const RULE_FIELDS = new Set(['user', 'group', 'verbs', 'apiGroups', 'resources', 'resourceNames', 'namespaces', 'nonResourceURLs']);

/** Validate and normalise the rules of a parsed policy document. */
export function parsePolicyRules(doc: unknown, source = 'policy'): PolicyRule[] {
  let rules: unknown = doc;
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const d = doc as Record<string, unknown>;
    if (d.kind !== undefined && d.kind !== 'AuthorizationPolicy') throw new PolicyError(`${source}: kind must be AuthorizationPolicy, not ${JSON.stringify(d.kind)}`);
    rules = d.rules;
  }
  if (!Array.isArray(rules)) throw new PolicyError(`${source}: expected a list of rules or an AuthorizationPolicy with rules`);
  return rules.map((raw, i) => {
    const where = `${source}: rule ${i + 1}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError(`${where}: must be an object`);
    const r = raw as Record<string, unknown>;
    for (const key of Object.keys(r)) if (!RULE_FIELDS.has(key)) throw new PolicyError(`${where}: unknown field ${JSON.stringify(key)}`);
    if (r.user === undefined && r.group === undefined) throw new PolicyError(`${where}: needs user or group ("*" for anyone)`);
    if (r.user !== undefined && typeof r.user !== 'string') throw new PolicyError(`${where}.user: must be a string`);
    if (r.group !== undefined && typeof r.group !== 'string') throw new PolicyError(`${where}.group: must be a string`);
    const verbs = stringList(r.verbs, `${where}.verbs`);
    if (!verbs || verbs.length === 0) throw new PolicyError(`${where}.verbs: required`);
    const rule: PolicyRule = { verbs };
    if (r.user !== undefined) rule.user = r.user as string;
    if (r.group !== undefined) rule.group = r.group as string;
    for (const key of ['apiGroups', 'resources', 'resourceNames', 'namespaces', 'nonResourceURLs'] as const) {
      const list = stringList(r[key], `${where}.${key}`);
      if (list) rule[key] = list;
    }
    if (!rule.resources && !rule.nonResourceURLs) throw new PolicyError(`${where}: needs resources or nonResourceURLs`);
    return rule;
  });
}

/** An authorization policy; see the module comment for its rules. */
export class AuthorizationPolicy {
  /** `undefined` rules: allow everything. */
  private constructor(private readonly rules: PolicyRule[] | undefined) {}

  /** The policy without a file: everything is allowed (upstream's AlwaysAllow). */
  static allowAll(): AuthorizationPolicy {
    return new AuthorizationPolicy(undefined);
  }

  /** A policy from already parsed rules. */
  static fromRules(rules: PolicyRule[]): AuthorizationPolicy {
    return new AuthorizationPolicy(rules);
  }

  /** Read a JSON or YAML policy file; throws PolicyError when it cannot be read or is invalid. */
  static async load(path: string): Promise<AuthorizationPolicy> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new PolicyError(`--authorization-policy-file: ${(err as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new PolicyError(`--authorization-policy-file ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
    return new AuthorizationPolicy(parsePolicyRules(doc, `--authorization-policy-file ${path}`));
  }

  /** True when no policy file restricts anything. */
  get allowsAll(): boolean {
    return this.rules === undefined;
  }

  /** Decide whether `user` may do what `attrs` describes. */
  authorize(user: UserInfo, attrs: AccessAttributes): Decision {
    if (this.rules === undefined || user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    const rules = [...BOOTSTRAP, ...this.rules];
    const allowed = rules.some((r) => matchesSubject(r, user) && ruleAllows(r, attrs));
    return { allowed, reason: '' };
  }

  /** What `user` may do in `namespace`, for a SelfSubjectRulesReview. */
  rulesFor(user: UserInfo, namespace: string): RulesResult {
    if (this.rules === undefined || user.groups.includes('system:masters')) return structuredClone(ALL_RULES);
    const out: RulesResult = { resourceRules: [], nonResourceRules: [], incomplete: false };
    for (const r of [...BOOTSTRAP, ...this.rules]) {
      if (!matchesSubject(r, user)) continue;
      if (r.namespaces && !r.namespaces.includes('*') && !r.namespaces.includes(namespace)) continue;
      if (r.resources) {
        const rule: ResourceRule = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? ['*'])], resources: [...r.resources] };
        if (r.resourceNames && r.resourceNames.length > 0) rule.resourceNames = [...r.resourceNames];
        out.resourceRules.push(rule);
      }
      if (r.nonResourceURLs) out.nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
    }
    return out;
  }
}

/** The attributes of a request as the filter chain resolved it. */
export function attributesOf(info: RequestInfo): AccessAttributes {
  if (!info.isResourceRequest) return { isResourceRequest: false, verb: info.verb, path: info.path };
  return {
    isResourceRequest: true,
    verb: info.verb,
    apiGroup: info.apiGroup,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
  };
}
