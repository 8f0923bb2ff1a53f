/**
 * kube-apiserver's `apiVersionPriorities` table, as data: the group priority and the version
 * priority its autoregister controller writes into the Local APIService of each built-in
 * group/version. A group/version missing from the table gets no APIService (upstream logs
 * "Skipping APIService creation"). The table is the union of the entries upstream has carried from
 * 1.25 to 1.36 (no entry was ever renumbered); which minor added which entry is not recorded here.
 *
 * The aggregator lists in legacy `/apis` only group/versions that have an APIService, so a served
 * group/version without an entry would be missing there. The entries marked "not read upstream"
 * fill such gaps for group/versions the manifests serve: their group priority is the group's, their
 * version priority keeps upstream's order (GA over beta over alpha), but the numbers themselves
 * were not read from upstream's table.
 */

/** One entry: `groupPriorityMinimum` and `versionPriority`. */
export interface APIServicePriority {
  group: number;
  version: number;
}

const TABLE: Array<[string, string, number, number]> = [
  ['', 'v1', 18000, 1],
  ['apps', 'v1', 17800, 15],
  ['events.k8s.io', 'v1', 17750, 15],
  ['events.k8s.io', 'v1beta1', 17750, 5],
  ['authentication.k8s.io', 'v1', 17700, 15],
  ['authentication.k8s.io', 'v1beta1', 17700, 9],
  ['authentication.k8s.io', 'v1alpha1', 17700, 1],
  ['authorization.k8s.io', 'v1', 17600, 15],
  ['autoscaling', 'v1', 17500, 15],
  ['autoscaling', 'v2', 17500, 30],
  ['autoscaling', 'v2beta1', 17500, 9],
  ['autoscaling', 'v2beta2', 17500, 1],
  ['batch', 'v1', 17400, 15],
  ['batch', 'v1beta1', 17400, 9],
  ['batch', 'v2alpha1', 17400, 9],
  ['certificates.k8s.io', 'v1', 17300, 15],
  ['certificates.k8s.io', 'v1beta1', 17300, 9],
  ['certificates.k8s.io', 'v1alpha1', 17300, 1],
  ['networking.k8s.io', 'v1', 17200, 15],
  ['networking.k8s.io', 'v1beta1', 17200, 9],
  ['networking.k8s.io', 'v1alpha1', 17200, 1],
  ['policy', 'v1', 17100, 15],
  ['policy', 'v1beta1', 17100, 9],
  ['rbac.authorization.k8s.io', 'v1', 17000, 15],
  ['storage.k8s.io', 'v1', 16800, 15],
  ['storage.k8s.io', 'v1beta1', 16800, 9],
  ['storage.k8s.io', 'v1alpha1', 16800, 1],
  ['apiextensions.k8s.io', 'v1', 16700, 15],
  ['admissionregistration.k8s.io', 'v1', 16700, 15],
  ['admissionregistration.k8s.io', 'v1beta1', 16700, 12],
  ['admissionregistration.k8s.io', 'v1alpha1', 16700, 9],
  ['scheduling.k8s.io', 'v1', 16600, 15],
  ['scheduling.k8s.io', 'v1alpha2', 16600, 10], // not read upstream
  ['scheduling.k8s.io', 'v1alpha1', 16600, 9], // not read upstream
  ['coordination.k8s.io', 'v1', 16500, 15],
  ['coordination.k8s.io', 'v1beta1', 16500, 13],
  ['coordination.k8s.io', 'v1alpha2', 16500, 12],
  ['coordination.k8s.io', 'v1alpha1', 16500, 9], // not read upstream
  ['node.k8s.io', 'v1', 16300, 15],
  ['node.k8s.io', 'v1beta1', 16300, 9],
  ['node.k8s.io', 'v1alpha1', 16300, 1],
  ['discovery.k8s.io', 'v1', 16200, 15],
  ['discovery.k8s.io', 'v1beta1', 16200, 12],
  ['flowcontrol.apiserver.k8s.io', 'v1', 16100, 21],
  ['flowcontrol.apiserver.k8s.io', 'v1beta3', 16100, 18],
  ['flowcontrol.apiserver.k8s.io', 'v1beta2', 16100, 15],
  ['flowcontrol.apiserver.k8s.io', 'v1beta1', 16100, 12],
  ['flowcontrol.apiserver.k8s.io', 'v1alpha1', 16100, 9],
  ['internal.apiserver.k8s.io', 'v1alpha1', 16000, 9],
  // resource.k8s.io v1beta1 and later: the golden discovery documents of 1.32 and 1.33 put the
  // group between discovery.k8s.io (16200) and flowcontrol (16100), so its group priority is in
  // (16100, 16200]; the numbers were not read upstream.
  ['resource.k8s.io', 'v1', 16200, 15],
  ['resource.k8s.io', 'v1beta2', 16200, 12],
  ['resource.k8s.io', 'v1beta1', 16200, 9],
  ['resource.k8s.io', 'v1alpha1', 15900, 9], // not read upstream
  ['resource.k8s.io', 'v1alpha2', 15900, 9],
  ['resource.k8s.io', 'v1alpha3', 15900, 9],
  ['storagemigration.k8s.io', 'v1beta1', 15800, 9],
  ['storagemigration.k8s.io', 'v1alpha1', 15800, 9],
];

const BY_GV = new Map(TABLE.map(([g, v, group, version]) => [`${g}/${v}`, { group, version }]));

/** The priority of a built-in group/version, or undefined when upstream registers no APIService for it. */
export function apiServicePriority(group: string, version: string): APIServicePriority | undefined {
  return BY_GV.get(`${group}/${version}`);
}

/** The priority the crdregistration controller gives every CRD group/version (CRDs sort after built-ins). */
export const CRD_APISERVICE_PRIORITY: APIServicePriority = { group: 1000, version: 100 };
