/**
 * The APIService object (apiregistration.k8s.io/v1) as the aggregator reads it: its name for a
 * group/version, whether it is Local (no `spec.service`), its `Available` condition, and the
 * automanaged label of the autoregister controller.
 */
import type { KubeObject } from '../registry/object.js';
import { formatTime } from '../registry/object.js';

/** The label the autoregister controller marks the APIServices it manages with. */
export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';
/** Managed only once, when the server starts (built-in group/versions). */
export const MANAGE_ON_START = 'onstart';
/** Managed continuously (CRD group/versions). */
export const MANAGE_CONTINUOUSLY = 'true';

/** `spec.service` of a remote APIService. */
export interface ServiceReference {
  namespace: string;
  name: string;
  port?: number;
}

/** One condition of an APIService. */
export interface APIServiceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** An APIService. */
export interface APIService extends KubeObject {
  spec?: {
    group?: string;
    version?: string;
    service?: ServiceReference | null;
    caBundle?: string;
    insecureSkipTLSVerify?: boolean;
    groupPriorityMinimum?: number;
    versionPriority?: number;
  };
  status?: { conditions?: APIServiceCondition[] };
}

/** The name of the APIService of `group`/`version` (`v1.`, `v1.apps`). */
export function apiServiceName(group: string, version: string): string {
  return `${version}.${group}`;
}

/** True when the APIService is served by the server itself (no `spec.service`). */
export function isLocal(svc: APIService): boolean {
  return !svc.spec?.service;
}

/** The `Available` condition, if any. */
export function availableCondition(svc: APIService): APIServiceCondition | undefined {
  return svc.status?.conditions?.find((c) => c.type === 'Available');
}

/** True when `Available` is `True`. */
export function isAvailable(svc: APIService): boolean {
  return availableCondition(svc)?.status === 'True';
}

/**
 * Set `Available` on a copy of `svc`, as upstream's SetAPIServiceCondition: the transition time is
 * kept when the status did not change. Returns undefined when nothing changed (no write is due).
 */
export function withAvailable(svc: APIService, cond: Omit<APIServiceCondition, 'type' | 'lastTransitionTime'>, now: Date): APIService | undefined {
  const old = availableCondition(svc);
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return undefined;
  const next: APIServiceCondition = {
    type: 'Available',
    status: cond.status,
    lastTransitionTime: old && old.status === cond.status && old.lastTransitionTime ? old.lastTransitionTime : formatTime(now),
    ...(cond.reason !== undefined ? { reason: cond.reason } : {}),
    ...(cond.message !== undefined ? { message: cond.message } : {}),
  };
  const others = (svc.status?.conditions ?? []).filter((c) => c.type !== 'Available');
  return { ...svc, status: { ...svc.status, conditions: [...others, next] } };
}
