/**
 * Object validation on create and update: the object-meta rules every built-in kind shares, with
 * the name rule of its resource, plus the data-key rules of ConfigMaps and Secrets, the OpenAPI
 * schema and CEL rules of a custom resource's version and the basic CRD rules. Returns
 * upstream's field errors; the registry turns them into a 422 Invalid Status.
 */
import type { FieldError } from '../errors/status.js';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-type.js';
import { validateCustomResource } from './custom/validate-resource.js';
import { validateCrd } from './custom/crd-validation.js';
import { nameValidatorFor, validateConfigMapData, validateObjectMeta, validateSecretData, type ValidatedMeta } from './validation.js';

/** A validator for one resource type: `(object, isCreate, old?) => field errors`. */
export type ObjectValidator = (obj: KubeObject, isCreate: boolean, old?: KubeObject) => FieldError[];

const cache = new WeakMap<ResourceType, ObjectValidator>();

/** Groups whose servers validate object meta with apimachinery's rules only (not pkg/apis/core's). */
const APIMACHINERY_META_GROUPS = new Set(['apiextensions.k8s.io', 'apiregistration.k8s.io']);

/** The kind-specific rules beyond object meta, by `group/resource`. */
const KIND_VALIDATORS: Record<string, (obj: KubeObject, old: KubeObject | undefined, type: ResourceType) => FieldError[]> = {
  '/configmaps': validateConfigMapData,
  '/secrets': validateSecretData,
  'apiextensions.k8s.io/customresourcedefinitions': validateCrd,
};

/** The validator of `type` (built once per resource type). */
export function objectValidator(type: ResourceType): ObjectValidator {
  let v = cache.get(type);
  if (v) return v;
  const nameValidator = nameValidatorFor(type.group, type.resource);
  const custom = type.custom;
  const kubeMetaExempt = Boolean(custom) || APIMACHINERY_META_GROUPS.has(type.group);
  const extra = custom ? (obj: KubeObject, old?: KubeObject) => validateCustomResource(custom, obj, old) : KIND_VALIDATORS[`${type.group}/${type.resource}`];
  v = (obj, isCreate, old) => {
    const opts: Parameters<typeof validateObjectMeta>[1] = { namespaced: type.namespaced, nameValidator, isCreate, kubeFinalizerNames: !kubeMetaExempt };
    if (old?.metadata) opts.old = old.metadata as ValidatedMeta;
    const errs = validateObjectMeta(obj.metadata as ValidatedMeta, opts);
    if (extra) errs.push(...extra(obj, old, type));
    return errs;
  };
  cache.set(type, v);
  return v;
}
