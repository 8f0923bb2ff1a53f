/**
 * Deliberately wrong proxies, for the scenario library's own tests only: they show that the
 * scenarios fail when the proxy misbehaves. `KUBE_SKEW_PROXY_MUTATION` (in a server's environment)
 * selects one: `no-proxy` (never forward), `wrong-header` (mark forwarded requests with the header
 * the KEP named, `X-Kubernetes-APIServer-Rerouted`, instead of the shipped one), or
 * `retry-other-peer` (after a transport failure, try another peer instead of answering 503).
 * Unset, nothing changes.
 */

/** The mutations a test can ask for. */
export type ProxyMutation = 'no-proxy' | 'wrong-header' | 'retry-other-peer';

/** The environment variable that selects a mutation. */
export const MUTATION_ENV = 'KUBE_SKEW_PROXY_MUTATION';

/** The mutation this process runs with, if any. */
export function proxyMutation(env: NodeJS.ProcessEnv = process.env): ProxyMutation | undefined {
  const value = env[MUTATION_ENV];
  return value === 'no-proxy' || value === 'wrong-header' || value === 'retry-other-peer' ? value : undefined;
}
