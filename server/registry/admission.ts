/**
 * Object validation on create and update: the object-meta rules every built-in kind shares, with
 * the name rule of its resource, plus the data-key rules of ConfigMaps and Secrets, the spec rules
 * of Endpoints, EndpointSlices, Services, Pods, Leases and Events and the pod templates of workloads
 * (server/registry/kinds/), the OpenAPI
 * schema and CEL rules of a custom resource's version and the basic CRD rules. Returns
 * upstream's field errors; the registry turns them into a 422 Invalid Status.
 */
import type { FieldError } from '../errors/status.js';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-type.js';
import { validateCustomResource } from './custom/validate-resource.js';
import { validateCrd } from './custom/crd-validation.js';
import { validateEndpoints } from './kinds/endpoints.js';
import { validateEndpointSlice } from './kinds/endpointslices.js';
import { validateEvent } from './kinds/events.js';
import { validateLease } from './kinds/leases.js';
import { TEMPLATE_RULES, validateTemplate } from './kinds/pod-templates.js';
import { validatePod } from './kinds/pods.js';
import { validateService } from './kinds/services.js';
import { kindFacts } from './kinds/facts.js';
import { nameValidatorFor, validateConfigMapData, validateObjectMeta, validateSecretData, type ValidatedMeta } from './validation.js';

/** What a write tells validation beyond the objects (see WriteOptions in rest.ts). */
export interface ValidationContext {
  /** Loopback addresses are accepted in Endpoints and EndpointSlices (the in-process reconciler only). */
  allowLoopbackEndpoints?: boolean;
}

/** A validator for one resource type: `(object, isCreate, old?, context?) => field errors`. */
export type ObjectValidator = (obj: KubeObject, isCreate: boolean, old?: KubeObject, ctx?: ValidationContext) => FieldError[];

const cache = new WeakMap<ResourceType, ObjectValidator>();

/** Groups whose servers validate object meta with apimachinery's rules only (not pkg/apis/core's). */
const APIMACHINERY_META_GROUPS = new Set(['apiextensions.k8s.io', 'apiregistration.k8s.io']);

/** The kind-specific rules beyond object meta, by `group/resource`. */
const KIND_VALIDATORS: Record<string, (obj: KubeObject, old: KubeObject | undefined, type: ResourceType, ctx: ValidationContext) => FieldError[]> = {
  '/configmaps': validateConfigMapData,
  '/secrets': validateSecretData,
  '/endpoints': validateEndpoints,
  '/services': validateService,
  '/pods': validatePod,
  '/events': validateEvent,
  'events.k8s.io/events': validateEvent,
  'discovery.k8s.io/endpointslices': validateEndpointSlice,
  'coordination.k8s.io/leases': validateLease,
  'apiextensions.k8s.io/customresourcedefinitions': validateCrd,
  // Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs: their pod templates.
  ...Object.fromEntries(Object.keys(TEMPLATE_RULES).map((key) => [key, validateTemplate])),
};

/** The validator of `type` (built once per resource type). */
export function objectValidator(type: ResourceType): ObjectValidator {
  let v = cache.get(type);
  if (v) return v;
  const nameValidator = nameValidatorFor(type.group, type.resource, kindFacts(type).statefulSetNameRule);
  const custom = type.custom;
  const kubeMetaExempt = Boolean(custom) || APIMACHINERY_META_GROUPS.has(type.group);
  const extra = custom ? (obj: KubeObject, old?: KubeObject) => validateCustomResource(custom, obj, old) : KIND_VALIDATORS[`${type.group}/${type.resource}`];
  v = (obj, isCreate, old, ctx = {}) => {
    const opts: Parameters<typeof validateObjectMeta>[1] = { namespaced: type.namespaced, nameValidator, isCreate, kubeFinalizerNames: !kubeMetaExempt };
    if (old?.metadata) opts.old = old.metadata as ValidatedMeta;
    const errs = validateObjectMeta(obj.metadata as ValidatedMeta, opts);
    if (extra) errs.push(...extra(obj, old, type, ctx));
    return errs;
  };
  cache.set(type, v);
  return v;
}
