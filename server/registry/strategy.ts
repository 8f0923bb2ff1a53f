/**
 * Per-kind strategies, as upstream's registry strategies: what create and update reset, which kinds
 * track `metadata.generation`, which allow create-on-update, and the status subresource split.
 * Kinds are data here (keyed by `group/resource`); unknown kinds get the generic strategy.
 */
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-type.js';
import { crdStrategy } from './custom/crd-strategy.js';
import { customResourceStrategy } from './custom/strategy.js';
import { defaultEndpoints } from './kinds/endpoints.js';
import { defaultEndpointSlice } from './kinds/endpointslices.js';
import { defaultTemplate, TEMPLATE_RULES } from './kinds/pod-templates.js';
import { defaultPod } from './kinds/pods.js';
import { defaultService } from './kinds/services.js';

/** How one group/resource behaves on writes. */
export interface Strategy {
  /** `metadata.generation` starts at 1 and increments on spec changes. */
  tracksGeneration: boolean;
  /** PUT of a missing object creates it (upstream's `AllowCreateOnUpdate`). */
  allowCreateOnUpdate: boolean;
  /** The main resource ignores `status` and the status subresource ignores everything else. */
  hasStatus: boolean;
  /** Extra create-time preparation (after status reset). */
  prepareForCreate?(obj: KubeObject): void;
  /** Extra update-time preparation of the main resource (after status was kept from `old`). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** What every written object goes through before validation (custom resources: pruning and defaulting). */
  canonicalize?(obj: KubeObject): void;
  /** The part of an object whose change increments `metadata.generation` (default {@link specOf}). */
  generationSubject?(obj: KubeObject): unknown;
  /**
   * The first DELETE of an object without a deletionTimestamp marks it with this instead of
   * removing it (a CRD gains its cleanup finalizer and the Terminating condition).
   */
  markForDeletion?(obj: KubeObject, now: Date): KubeObject;
}

/** Kinds whose strategy sets generation (apps, batch, policy, autoscaling, networking policy/ingress …). */
const GENERATION_GROUPS = new Set([
  'apps',
  'batch',
  'policy',
  'autoscaling',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'storagemigration.k8s.io',
  'resource.k8s.io',
]);
const GENERATION_CORE = new Set(['replicationcontrollers']);

/** `AllowCreateOnUpdate` is true upstream for these group/resources. */
const CREATE_ON_UPDATE = new Set(['/endpoints', '/events', 'events.k8s.io/events', 'coordination.k8s.io/leases', 'discovery.k8s.io/endpointslices', 'apiregistration.k8s.io/apiservices']);

const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';

/**
 * Per-kind extras. `canonicalize` holds the core/v1 defaulting kube-apiserver applies when it
 * decodes a body, so what is validated and stored carries the defaults upstream's would.
 */
const EXTRA: Record<string, Pick<Strategy, 'prepareForCreate' | 'prepareForUpdate' | 'markForDeletion' | 'canonicalize'>> = {
  '/namespaces': {
    prepareForCreate(obj) {
      const spec = (obj.spec ??= {}) as Record<string, unknown>;
      const finalizers = Array.isArray(spec.finalizers) ? (spec.finalizers as string[]) : [];
      if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
      spec.finalizers = finalizers;
      obj.status = { phase: 'Active' };
    },
  },
  '/services': { canonicalize: defaultService },
  '/endpoints': { canonicalize: defaultEndpoints },
  'discovery.k8s.io/endpointslices': { canonicalize: defaultEndpointSlice },
  '/pods': {
    canonicalize: defaultPod,
    prepareForCreate(obj) {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    },
  },
  // The workloads whose pod template gets the core/v1 defaults.
  ...Object.fromEntries(Object.keys(TEMPLATE_RULES).map((key) => [key, { canonicalize: (obj: KubeObject) => defaultTemplate(key, obj) }])),
};

/** The strategy of a resource type. */
export function strategyFor(type: ResourceType): Strategy {
  if (type.custom) return customResourceStrategy(type);
  const key = `${type.group}/${type.resource}`;
  const tracksGeneration = GENERATION_GROUPS.has(type.group) || (type.group === '' && GENERATION_CORE.has(type.resource));
  const strategy: Strategy = {
    tracksGeneration,
    allowCreateOnUpdate: CREATE_ON_UPDATE.has(key),
    hasStatus: type.subresources.has('status'),
  };
  return { ...strategy, ...(key === CRDS ? crdStrategy(type.featureGates) : EXTRA[key]) };
}

/** Fields other than metadata and status: what a spec change compares. */
export function specOf(obj: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'metadata' && k !== 'status' && k !== 'kind' && k !== 'apiVersion') out[k] = v;
  return out;
}
