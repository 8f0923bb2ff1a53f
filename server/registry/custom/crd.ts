/**
 * CustomResourceDefinition (apiextensions.k8s.io/v1) as JSON, and upstream's apihelpers over it:
 * conditions (find, set with its lastTransitionTime rule, compare), served and storage versions,
 * finalizers. Shared by the CRD strategy (below the registry) and the apiextensions controllers.
 */
import type { KubeObject } from '../object.js';
import type { JsonSchemaProps } from './structural.js';

/** The finalizer every deleted CRD carries until its custom resources are gone. */
export const CUSTOM_RESOURCE_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** The CRD resource as this server serves it (group/version/resource). */
export const CRD_GROUP = 'apiextensions.k8s.io';
/** The CRD resource name. */
export const CRD_RESOURCE = 'customresourcedefinitions';

/** `spec.names` and `status.acceptedNames`. */
export interface CrdNames {
  plural?: string;
  singular?: string;
  shortNames?: string[];
  kind?: string;
  listKind?: string;
  categories?: string[];
}

/** `spec.versions[].subresources.scale`. */
export interface CrdScale {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** `spec.versions[].additionalPrinterColumns[]`. */
export interface CrdPrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** One entry of `spec.versions`. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JsonSchemaProps };
  subresources?: { status?: Record<string, never>; scale?: CrdScale };
  additionalPrinterColumns?: CrdPrinterColumn[];
  /** Fields of the version's custom resources that field selectors may name (CustomResourceFieldSelectors). */
  selectableFields?: Array<{ jsonPath: string }>;
}

/** `status.conditions[]`, in upstream's field order. */
export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The fields of a CRD kube-skew reads. */
export interface Crd extends KubeObject {
  spec: {
    group: string;
    names: CrdNames;
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
    conversion?: { strategy?: string; webhook?: Record<string, unknown> };
    preserveUnknownFields?: boolean;
  };
  status?: {
    conditions?: CrdCondition[];
    acceptedNames?: CrdNames;
    storedVersions?: string[];
  };
}

/** The condition of `type`, if any. */
export function findCondition(crd: Crd, type: string): CrdCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** True when the condition of `type` is `True`. */
export function isConditionTrue(crd: Crd, type: string): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/** Upstream's IsCRDConditionEquivalent: same type, status, reason and message. */
export function isConditionEquivalent(a: CrdCondition | undefined, b: CrdCondition | undefined): boolean {
  if (!a || !b) return a === b;
  return a.type === b.type && a.status === b.status && a.reason === b.reason && a.message === b.message;
}

/**
 * Upstream's SetCRDCondition: add the condition or update it in place; lastTransitionTime moves
 * only when the status changes (or was never set).
 */
export function setCondition(crd: Crd, condition: Omit<CrdCondition, 'lastTransitionTime'>, now: string): void {
  const status = (crd.status ??= {});
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === condition.type);
  if (!existing) {
    conditions.push(orderedCondition({ ...condition, lastTransitionTime: now }));
    return;
  }
  const moved = existing.status !== condition.status || !existing.lastTransitionTime;
  const next = orderedCondition({ ...condition, lastTransitionTime: moved ? now : existing.lastTransitionTime! });
  conditions[conditions.indexOf(existing)] = next;
}

/** Upstream's RemoveCRDCondition. */
export function removeCondition(crd: Crd, type: string): void {
  if (crd.status?.conditions) crd.status.conditions = crd.status.conditions.filter((c) => c.type !== type);
}

function orderedCondition(c: CrdCondition): CrdCondition {
  const out: CrdCondition = { type: c.type, status: c.status };
  if (c.lastTransitionTime) out.lastTransitionTime = c.lastTransitionTime;
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}

/** True when the CRD carries `finalizer`. */
export function hasFinalizer(crd: KubeObject, finalizer: string): boolean {
  return (crd.metadata?.finalizers ?? []).includes(finalizer);
}

/** The storage version's name, if the CRD has one. */
export function storageVersionOf(crd: Crd): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

/** The entry of `version` when it is served. */
export function servedVersion(crd: Crd, version: string): CrdVersion | undefined {
  const v = crd.spec?.versions?.find((x) => x.name === version);
  return v?.served ? v : undefined;
}
