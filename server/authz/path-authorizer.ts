/**
 * Upstream's path authorizer (`k8s.io/apiserver/pkg/authorization/path`), which a delegating
 * aggregated API server puts before its SubjectAccessReviews (`--authorization-always-allow-paths`):
 * a non-resource request whose path is listed is allowed without asking anyone. A listed path ending
 * in `*` matches by prefix; a leading `/` is optional. Resource requests get no opinion.
 */
import type { RequestInfo } from '../request-info.js';

/** A path check built once from the listed paths; true when `info` is an always-allowed non-resource request. */
export function alwaysAllowPaths(paths: string[]): (info: RequestInfo) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const raw of paths) {
    const p = raw.startsWith('/') ? raw : `/${raw}`;
    if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return (info) => !info.isResourceRequest && (exact.has(info.path) || prefixes.some((prefix) => info.path.startsWith(prefix)));
}
