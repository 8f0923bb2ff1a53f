/**
 * kube-apiserver's `LongRunningFunc`: `BasicLongRunningRequestCheck` with the verbs `watch` and
 * `proxy` and the subresources `attach`, `exec`, `proxy`, `log` and `portforward`, plus the
 * profiler paths. Long-running requests hold no max-in-flight seat and get no request timeout.
 */
import type { RequestInfo } from '../request-info.js';

const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

/** True for a request upstream treats as long-running. */
export function isLongRunning(info: RequestInfo): boolean {
  if (LONG_RUNNING_VERBS.has(info.verb)) return true;
  if (info.isResourceRequest && LONG_RUNNING_SUBRESOURCES.has(info.subresource)) return true;
  return !info.isResourceRequest && info.path.startsWith('/debug/pprof/');
}
