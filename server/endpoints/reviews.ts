/**
 * The create-only review resources, answered and never stored, as upstream's review REST storages:
 * SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview (`kubectl auth can-i`),
 * SelfSubjectRulesReview (`kubectl auth can-i --list`) and SelfSubjectReview (`kubectl auth whoami`).
 * Decisions come from the server's authorizer chain, the one its authorization filter uses: a
 * SubjectAccessReview's status has `allowed`, `denied` (an authorizer denied), `reason` and
 * `evaluationError`; a SelfSubjectRulesReview lists the rule resolvers' rules with `incomplete` and
 * `evaluationError` as they set them. Each answers 201 with the request object and its filled-in
 * status.
 */
import type { MinorInfo } from '../../versions/minors.js';
import type { RequestContext, UserInfo } from '../http/context.js';
import { readObjectBody } from '../http/body.js';
import { badRequest, invalid, type FieldError } from '../errors/status.js';
import type { KubeObject } from '../registry/object.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { AccessAttributes } from '../authz/policy.js';
import { AuthorizerChain } from '../authz/union.js';
import { alwaysAllowMode } from '../authz/modes.js';
import { writeObject, chooseOutput } from './output.js';

/** What the review endpoints need. */
export interface ReviewDeps {
  /** The server's authorizer chain; everything is allowed when absent (AlwaysAllow). */
  authorizer?: AuthorizerChain;
  /** The simulated minor: up to 1.33 an unset creationTimestamp is written as null, as apimachinery did. */
  minor: Pick<MinorInfo, 'writesNullCreationTimestamp'>;
}

const REVIEWS = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authentication.k8s.io/selfsubjectreviews',
]);

/** True when `type` is a review resource these handlers answer. */
export function isReview(type: ResourceType): boolean {
  return REVIEWS.has(`${type.group}/${type.resource}`);
}

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };

/** The metadata a review answers with: the request's, with `creationTimestamp: null` where the minor writes it. */
export function metadataOf(body: KubeObject, writesNullCreationTimestamp: boolean): Record<string, unknown> {
  const meta: Record<string, unknown> = { ...((body.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (writesNullCreationTimestamp && meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  return meta;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Upstream's ValidateSelfSubjectAccessReviewSpec: exactly one of the two attribute sets. */
function specErrors(spec: Record<string, unknown>): FieldError[] {
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  const present = (v: unknown): boolean => v !== undefined && v !== null;
  if (present(ra) && present(nra)) return [{ type: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', value: nra, detail: 'cannot be specified in combination with resourceAttributes' }];
  if (!present(ra) && !present(nra)) return [{ type: 'FieldValueInvalid', field: 'spec.resourceAttributes', value: 'null', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }];
  return [];
}

function attributesFrom(spec: Record<string, unknown>): AccessAttributes {
  const ra = spec.resourceAttributes as Record<string, unknown> | undefined | null;
  if (ra) {
    return {
      isResourceRequest: true,
      verb: str(ra.verb),
      apiGroup: str(ra.group),
      resource: str(ra.resource),
      subresource: str(ra.subresource),
      namespace: str(ra.namespace),
      name: str(ra.name),
    };
  }
  const nra = (spec.nonResourceAttributes ?? {}) as Record<string, unknown>;
  return { isResourceRequest: false, verb: str(nra.verb), path: str(nra.path) };
}

function checkTypeMeta(type: ResourceType, body: KubeObject): void {
  if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== type.groupVersion) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${type.groupVersion})`);
  }
  if (body.kind !== undefined && body.kind !== '' && body.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`);
  }
}

/** Answer a create on a review resource: validate, decide, and write 201 with the filled status. */
export async function serveReview(ctx: RequestContext, deps: ReviewDeps, type: ResourceType, namespace: string): Promise<void> {
  const output = chooseOutput(ctx.req.headers.accept);
  const format = output.as === 'object' ? output.format : 'json';
  const body = (await readObjectBody(ctx)) as KubeObject;
  checkTypeMeta(type, body);
  const chain = deps.authorizer ?? new AuthorizerChain([alwaysAllowMode]);
  const user = ctx.user ?? ANONYMOUS;
  const spec = ((body.spec as Record<string, unknown> | undefined) ?? {}) as Record<string, unknown>;
  const gk = { group: type.group, kind: type.kind };
  const answer = (status: Record<string, unknown>, withSpec = true): Promise<void> => {
    const out: KubeObject = { kind: type.kind, apiVersion: type.groupVersion, metadata: metadataOf(body, deps.minor.writesNullCreationTimestamp) as KubeObject['metadata'] };
    if (withSpec) out.spec = spec;
    out.status = status;
    return writeObject(ctx, 201, out, format);
  };

  switch (type.resource) {
    case 'selfsubjectaccessreviews':
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const errors = specErrors(spec);
      let subject = user;
      if (type.resource !== 'selfsubjectaccessreviews') {
        const groups = Array.isArray(spec.groups) ? (spec.groups as unknown[]).filter((g): g is string => typeof g === 'string') : [];
        if (str(spec.user) === '' && groups.length === 0) errors.push({ type: 'FieldValueInvalid', field: 'spec.user', value: '', detail: 'at least one of user or group must be specified' });
        subject = { name: str(spec.user), groups, extra: (spec.extra as Record<string, string[]> | undefined) ?? {} };
        if (type.resource === 'localsubjectaccessreviews') {
          const ra = spec.resourceAttributes as Record<string, unknown> | undefined;
          if (ra && str(ra.namespace) === '') ra.namespace = namespace;
          if (ra && str(ra.namespace) !== namespace) errors.push({ type: 'FieldValueInvalid', field: 'spec.resourceAttributes.namespace', value: str(ra.namespace), detail: 'must match metadata.namespace' });
        }
      }
      if (errors.length > 0) throw invalid(gk, str(body.metadata?.name), errors);
      const decision = chain.authorize(subject, attributesFrom(spec));
      const status: Record<string, unknown> = { allowed: decision.decision === 'allow' };
      if (decision.decision === 'deny') status.denied = true;
      if (decision.reason) status.reason = decision.reason;
      if (decision.error) status.evaluationError = decision.error;
      return answer(status);
    }
    case 'selfsubjectrulesreviews': {
      const rules = chain.rulesFor(user, str(spec.namespace));
      const status: Record<string, unknown> = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
      if (rules.error) status.evaluationError = rules.error;
      return answer(status);
    }
    case 'selfsubjectreviews': {
      const userInfo: Record<string, unknown> = { username: user.name };
      if (user.uid) userInfo.uid = user.uid;
      if (user.groups.length > 0) userInfo.groups = [...user.groups];
      if (Object.keys(user.extra).length > 0) userInfo.extra = user.extra;
      return answer({ userInfo }, false);
    }
    default:
      throw badRequest(`${type.resource} is not a review resource`);
  }
}
