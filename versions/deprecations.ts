/**
 * API lifecycle data per served type, as upstream's prerelease-lifecycle-gen writes it into each
 * package's zz_generated.prerelease-lifecycle.go (APILifecycleDeprecated / Removed / Replacement),
 * and the `Warning` text kube-apiserver's installer derives from it (apiserver's
 * endpoints/deprecation.WarningMessage). A version is data: the warning for a minor is computed, never
 * branched on.
 *
 * Sources (kubernetes/kubernetes staging/src/k8s.io/api/<group>/<version>/zz_generated.prerelease-lifecycle.go):
 * flowcontrol v1beta1 (deprecated 1.23, removed 1.26), v1beta2 (1.26, 1.29, → v1beta3), v1beta3
 * (1.29, 1.32, → v1); autoscaling/v2beta2 (1.23, 1.26); admissionregistration v1alpha1
 * ValidatingAdmissionPolicy[Binding] (1.29, 1.32, → v1); authentication v1alpha1 SelfSubjectReview
 * (1.29). Observed warnings fill in what the stored files lacked: autoscaling/v2beta2 → autoscaling/v2,
 * storage/v1beta1 CSIStorageCapacity (1.24, 1.27, → storage/v1), core/v1 ComponentStatus (1.19, no
 * removal), core/v1 Endpoints (1.33, → discovery.k8s.io/v1 EndpointSlice).
 */

/** The lifecycle of one group/version/kind. */
export interface ApiLifecycle {
  group: string;
  version: string;
  kind: string;
  /** `[major, minor]` of the release that deprecated it. */
  deprecated: [number, number];
  /** The release that stops serving it, when one is set. */
  removed?: [number, number];
  /** What to use instead. */
  replacement?: { group: string; version: string; kind: string };
}

const fc = (version: string, kind: string, deprecated: number, removed: number, replacementVersion: string): ApiLifecycle => ({
  group: 'flowcontrol.apiserver.k8s.io',
  version,
  kind,
  deprecated: [1, deprecated],
  removed: [1, removed],
  replacement: { group: 'flowcontrol.apiserver.k8s.io', version: replacementVersion, kind },
});

const vap = (kind: string): ApiLifecycle => ({
  group: 'admissionregistration.k8s.io',
  version: 'v1alpha1',
  kind,
  deprecated: [1, 29],
  removed: [1, 32],
  replacement: { group: 'admissionregistration.k8s.io', version: 'v1', kind },
});

/** Every deprecated type kube-skew can serve, with its lifecycle. */
export const API_LIFECYCLES: ApiLifecycle[] = [
  { group: '', version: 'v1', kind: 'ComponentStatus', deprecated: [1, 19] },
  { group: '', version: 'v1', kind: 'Endpoints', deprecated: [1, 33], replacement: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' } },
  {
    group: 'autoscaling',
    version: 'v2beta2',
    kind: 'HorizontalPodAutoscaler',
    deprecated: [1, 23],
    removed: [1, 26],
    replacement: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
  },
  {
    group: 'storage.k8s.io',
    version: 'v1beta1',
    kind: 'CSIStorageCapacity',
    deprecated: [1, 24],
    removed: [1, 27],
    replacement: { group: 'storage.k8s.io', version: 'v1', kind: 'CSIStorageCapacity' },
  },
  fc('v1beta1', 'FlowSchema', 23, 26, 'v1beta3'),
  fc('v1beta1', 'PriorityLevelConfiguration', 23, 26, 'v1beta3'),
  fc('v1beta2', 'FlowSchema', 26, 29, 'v1beta3'),
  fc('v1beta2', 'PriorityLevelConfiguration', 26, 29, 'v1beta3'),
  fc('v1beta3', 'FlowSchema', 29, 32, 'v1'),
  fc('v1beta3', 'PriorityLevelConfiguration', 29, 32, 'v1'),
  vap('ValidatingAdmissionPolicy'),
  vap('ValidatingAdmissionPolicyBinding'),
  { group: 'authentication.k8s.io', version: 'v1alpha1', kind: 'SelfSubjectReview', deprecated: [1, 29], removed: [1, 32] },
];

const byGVK = new Map(API_LIFECYCLES.map((l) => [`${l.group}/${l.version}/${l.kind}`, l]));

function gvString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The lifecycle of group/version/kind, if it has a deprecation. */
export function lifecycleOf(group: string, version: string, kind: string): ApiLifecycle | undefined {
  return byGVK.get(`${group}/${version}/${kind}`);
}

/**
 * The deprecation warning a server of `major.minor` sends for group/version/kind, or undefined when
 * the type is not (yet) deprecated there: upstream's IsDeprecated + WarningMessage, e.g.
 * `flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema`.
 */
export function deprecationWarning(group: string, version: string, kind: string, major: number, minor: number): string | undefined {
  const l = lifecycleOf(group, version, kind);
  if (!l) return undefined;
  const [dMajor, dMinor] = l.deprecated;
  if (dMajor > major || (dMajor === major && dMinor > minor)) return undefined;
  let text = `${gvString(l.group, l.version)} ${l.kind} is deprecated in v${dMajor}.${dMinor}+`;
  if (l.removed) text += `, unavailable in v${l.removed[0]}.${l.removed[1]}+`;
  if (l.replacement) text += `; use ${gvString(l.replacement.group, l.replacement.version)} ${l.replacement.kind}`;
  return text;
}
