/**
 * Upstream's webhook authorizer as a delegating API server uses it: each request's user and
 * attributes become a SubjectAccessReview spec, the cluster's answer is cached under that spec (an
 * allowed answer for `allowTtlMs`, any other for `denyTtlMs`; 8192 entries, the oldest dropped first;
 * nothing cached when the requester-controlled attributes total 10000 bytes or more) and mapped as
 * upstream maps it: `allowed` allows, `denied` denies, anything else is no opinion, always with the
 * status's `reason`. A review the cluster cannot answer is no opinion with an error.
 */
import type { Clock } from '../clock.js';
import type { UserInfo } from '../http/context.js';
import type { RequestInfo } from '../request-info.js';
import type { SubjectAccessReviewer, SubjectAccessReviewSpec, SubjectAccessReviewStatus } from './sar-client.js';

/** One authorizer's verdict, as upstream's `authorizer.Decision` with its reason and error. */
export interface Verdict {
  decision: 'allow' | 'deny' | 'no-opinion';
  reason: string;
  error?: string;
}

/** Upstream's `DelegatingAuthorizationOptions` cache TTLs (`--authorization-webhook-cache-*-ttl`). */
export const DEFAULT_ALLOW_CACHE_TTL_MS = 10_000;
export const DEFAULT_DENY_CACHE_TTL_MS = 10_000;
const CACHE_SIZE = 8192;
const MAX_CONTROLLED_ATTR_CACHE_SIZE = 10_000;

/** The spec upstream's webhook authorizer writes for `user` doing what `info` describes. */
export function reviewSpec(user: UserInfo, info: RequestInfo): SubjectAccessReviewSpec {
  const spec: SubjectAccessReviewSpec = { user: user.name };
  if (user.uid) spec.uid = user.uid;
  if (user.groups.length > 0) spec.groups = [...user.groups];
  if (Object.keys(user.extra).length > 0) spec.extra = user.extra;
  if (info.isResourceRequest) {
    spec.resourceAttributes = { namespace: info.namespace, verb: info.verb, group: info.apiGroup, version: info.apiVersion, resource: info.resource, subresource: info.subresource, name: info.name };
  } else {
    spec.nonResourceAttributes = { path: info.path, verb: info.verb };
  }
  return spec;
}

function shouldCache(info: RequestInfo): boolean {
  const size = [info.namespace, info.verb, info.apiGroup, info.apiVersion, info.resource, info.subresource, info.name, info.isResourceRequest ? '' : info.path].reduce((n, s) => n + s.length, 0);
  return size < MAX_CONTROLLED_ATTR_CACHE_SIZE;
}

function verdictOf(status: SubjectAccessReviewStatus): Verdict {
  const reason = status.reason ?? '';
  if (status.denied && status.allowed) return { decision: 'deny', reason, error: 'webhook subject access review returned both allow and deny response' };
  if (status.denied) return { decision: 'deny', reason };
  if (status.allowed) return { decision: 'allow', reason };
  return { decision: 'no-opinion', reason };
}

/** A webhook authorizer over `review`, caching on `clock`. */
export function webhookAuthorizer(review: SubjectAccessReviewer, opts: { clock: Clock; allowTtlMs?: number; denyTtlMs?: number }): (user: UserInfo, info: RequestInfo) => Promise<Verdict> {
  const allowTtl = opts.allowTtlMs ?? DEFAULT_ALLOW_CACHE_TTL_MS;
  const denyTtl = opts.denyTtlMs ?? DEFAULT_DENY_CACHE_TTL_MS;
  const cache = new Map<string, { status: SubjectAccessReviewStatus; expires: number }>();
  return async (user, info) => {
    const spec = reviewSpec(user, info);
    const key = JSON.stringify(spec);
    const now = opts.clock.now().getTime();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return verdictOf(hit.status);
    if (hit) cache.delete(key);
    let status: SubjectAccessReviewStatus;
    try {
      status = await review(spec);
    } catch (err) {
      return { decision: 'no-opinion', reason: '', error: (err as Error).message };
    }
    if (shouldCache(info)) {
      cache.set(key, { status, expires: opts.clock.now().getTime() + (status.allowed ? allowTtl : denyTtl) });
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    return verdictOf(status);
  };
}
