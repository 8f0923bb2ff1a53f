/**
 * Upstream's API approval policy for CRDs in community groups (apiextensions-apiserver
 * pkg/apihelpers and validateAPIApproval in pkg/apis/apiextensions/validation/validation.go, KEP
 * kubernetes/enhancements#1111): a CRD whose group is `k8s.io`, `kubernetes.io` or a subdomain of
 * either needs the `api-approved.kubernetes.io` annotation, set to the URL of the approving pull
 * request (approved) or to text starting with `unapproved` (bypassed). Missing or anything else is
 * refused, unless an update leaves the approval state as the stored CRD has it. The same state
 * gives the `KubernetesAPIApprovalPolicyConformant` condition its status, reason and message.
 */
import type { FieldError } from '../../errors/status.js';
import type { Crd, CrdCondition } from './crd.js';

/** The annotation that records a community group API's approval. */
export const API_APPROVED_ANNOTATION = 'api-approved.kubernetes.io';
/** The condition the API approval controller maintains. */
export const API_APPROVAL_CONDITION = 'KubernetesAPIApprovalPolicyConformant';

const KEP = 'see https://github.com/kubernetes/enhancements/pull/1111';

/** Upstream's APIApprovalState. */
export type ApiApprovalState = 'Invalid' | 'Approved' | 'Bypassed' | 'Missing';

/** Upstream's IsProtectedCommunityGroup. */
export function isProtectedCommunityGroup(group: string): boolean {
  return group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io');
}

/** Characters Go's url package leaves unescaped in a host (shouldEscape in encodeHost mode), plus '%' escapes. */
const HOST = /^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"%]*$/;

/**
 * True when Go's url.ParseRequestURI parses `value` with a scheme and a non-empty host, which is
 * what approval needs. Go's host rules are reduced to its character set and a numeric port.
 */
function isApprovalUrl(value: string): boolean {
  if (/[\x00-\x1f\x7f]/.test(value)) return false;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(value);
  if (!scheme) return false;
  const rest = value.slice(scheme[0].length).split('?')[0]!;
  if (!rest.startsWith('//')) return false;
  const end = rest.indexOf('/', 2);
  const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host === '' || !HOST.test(host)) return false;
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !host.startsWith('[')) return /^\d*$/.test(host.slice(colon + 1)) && colon > 0;
  return true;
}

/** Upstream's GetAPIApprovalState: the state of `annotations` and the reason text it reports. */
export function apiApprovalState(annotations: Record<string, string> | undefined): { state: ApiApprovalState; reason: string } {
  const value = annotations?.[API_APPROVED_ANNOTATION] ?? '';
  const key = JSON.stringify(API_APPROVED_ANNOTATION);
  if (value === '') return { state: 'Missing', reason: `protected groups must have approval annotation ${key}, ${KEP}` };
  if (value.startsWith('unapproved')) return { state: 'Bypassed', reason: `not approved: ${JSON.stringify(value)}` };
  if (isApprovalUrl(value)) return { state: 'Approved', reason: `approved in ${value}` };
  return { state: 'Invalid', reason: `protected groups must have approval annotation ${key} with either a URL or a reason starting with "unapproved", ${KEP}` };
}

/** Upstream's validateAPIApproval for a create (`old` undefined) or update of `crd`. */
export function validateApiApproval(crd: Crd, old: Crd | undefined): FieldError[] {
  if (!isProtectedCommunityGroup(typeof crd.spec?.group === 'string' ? crd.spec.group : '')) return [];
  const { state, reason } = apiApprovalState(crd.metadata?.annotations);
  // An update that keeps the approval state is never refused, so a controller that only edits the spec keeps working.
  if (old && apiApprovalState(old.metadata?.annotations).state === state) return [];
  const field = `metadata.annotations[${API_APPROVED_ANNOTATION}]`;
  if (state === 'Missing') return [{ type: 'FieldValueRequired', field, detail: reason }];
  if (state === 'Invalid') return [{ type: 'FieldValueInvalid', field, value: crd.metadata?.annotations?.[API_APPROVED_ANNOTATION] ?? '', detail: reason }];
  return [];
}

/** Upstream's calculateCondition of the API approval controller: undefined outside the community groups. */
export function apiApprovalCondition(crd: Crd): Omit<CrdCondition, 'lastTransitionTime'> | undefined {
  if (!isProtectedCommunityGroup(crd.spec?.group ?? '')) return undefined;
  const { state, reason } = apiApprovalState(crd.metadata?.annotations);
  const byState: Record<ApiApprovalState, [CrdCondition['status'], string]> = {
    Invalid: ['False', 'InvalidAnnotation'],
    Missing: ['False', 'MissingAnnotation'],
    Approved: ['True', 'ApprovedAnnotation'],
    Bypassed: ['False', 'UnapprovedAnnotation'],
  };
  const [status, why] = byState[state];
  return { type: API_APPROVAL_CONDITION, status, reason: why, message: reason };
}
