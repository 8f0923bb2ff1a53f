/**
 * The object the benchmarks aim at the Mixed Version Proxy: an `admissionregistration.k8s.io/v1`
 * MutatingAdmissionPolicy, which only 1.36 serves, so a 1.35 server must forward every request for
 * it to a peer.
 */

/** The collection only 1.36 serves. */
export const POLICIES_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies';

/** A valid MutatingAdmissionPolicy named `name`, with `filler` bytes in an annotation (to make it large). */
export function policy(name: string, filler = 0): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingAdmissionPolicy',
    metadata: { name, ...(filler ? { annotations: { filler: 'x'.repeat(filler) } } : {}) },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
      failurePolicy: 'Fail',
      reinvocationPolicy: 'IfNeeded',
      mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{}' } }],
    },
  };
}
