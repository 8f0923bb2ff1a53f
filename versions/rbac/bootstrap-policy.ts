/**
 * The bootstrap RBAC policy kube-apiserver reconciles at start (the `rbac/bootstrap-roles`
 * post-start hook), per minor, as data: each object as the oldest simulated minor (1.25) has it,
 * with the minors from which its rules or subjects changed ({@link RoleData.changes},
 * {@link BindingData.changes}) and the minors it exists in (`since`). Transcribed from upstream's
 * golden files plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/ in kubernetes/kubernetes.
 *
 * What was read, and at which commit (the stored history of those files is a sample of commits
 * whose releases are not recorded; a state is placed in a release by what it contains):
 *
 * - cluster-roles.yaml at 025f2834a128798cef30018a5e6a6ae82b5ad885: a state with
 *   `creationTimestamp: null` (generated before the 1.34 cycle dropped it) and no
 *   resource.k8s.io rules: the base of every minor up to 1.33; and aks-lts/kubernetes's copy at
 *   ec451e29abeced580a69170d5e4633da583964a6, a 1.34-or-later state ({@link SINCE_1_34}).
 * - namespace-roles.yaml at 1892e4deb967a2b39cfc2fea87a8bd49274449ef (`creationTimestamp: null`,
 *   with `leasecandidates`: a 1.31–1.33 state) and at 008b3652959ca58af8be3fb5b6ecfe9ae7638282
 *   (no creationTimestamp: a 1.34-or-later state, where the leader-locking Roles no longer have
 *   their `configmaps` rules).
 * - namespace-role-bindings.yaml at 008b3652959ca58af8be3fb5b6ecfe9ae7638282 (the
 *   `leader-election-controller` ServiceAccount in the kube-controller-manager leader-locking
 *   binding) and at 1fb55a567d82d58ed5dc2abb5693e9571313fee8 (a v1beta1-era state without it).
 * - controller-roles.yaml at 008b3652959ca58af8be3fb5b6ecfe9ae7638282 (a 1.34-or-later state): the
 *   roles of the controllers kube-skew runs; compared with a stored controller_policy.go of the
 *   1.30–1.31 era (it serves podschedulingcontexts and StorageVersionMigrator; a fork's copy, its
 *   commit not reported), which has the same roles except `watch` for the namespace controller.
 * - cluster-role-bindings.yaml at c60df8997f62f861cf0cd2b13ab62271464589ed, and openshift/kubernetes's
 *   copy at 95e062fd30e833905cde9671a87b83257b477b6f (a recent state, its OpenShift-only binding
 *   left out) for the `system:monitoring` and `system:service-account-issuer-discovery` bindings,
 *   which predate 1.25.
 *
 * Not pinned: no golden file could be read at a release's own commit, so the minor in which each
 * change below happened is placed by the feature gate that carried it or by the snapshots above,
 * and says so in its `source`. Not reproduced: the controller roles of controllers kube-skew does
 * not run (the per-minor changes of those roles included). Every object carries
 * `kubernetes.io/bootstrapping: rbac-defaults` and the autoupdate annotation, which
 * {@link bootstrapPolicy} adds.
 */
import { minorNumberOf } from '../manifest.js';

/** An rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRuleData {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/** From minor `since` on, the rules of a role (or the subjects of a binding) are `value`. */
export interface Change<T> {
  since: string;
  value: T;
  /** Where the change and its minor come from. */
  source: string;
}

/** A bootstrap ClusterRole or Role. */
export interface RoleData {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  aggregateFrom?: string;
  /** The rules of the oldest minor the role exists in. */
  rules: PolicyRuleData[];
  /** The first minor that creates the role (every minor when absent). */
  since?: string;
  /** Later rule sets, in increasing `since` order. */
  changes?: Change<PolicyRuleData[]>[];
}

/** A subject of a bootstrap binding. */
export interface SubjectData {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  namespace?: string;
}

/** A bootstrap ClusterRoleBinding or RoleBinding. */
export interface BindingData {
  name: string;
  namespace?: string;
  roleRef: { kind: 'ClusterRole' | 'Role'; name: string };
  /** The subjects of the oldest minor the binding exists in. */
  subjects: SubjectData[];
  since?: string;
  /** Later subject lists, in increasing `since` order. */
  changes?: Change<SubjectData[]>[];
}

const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRuleData => ({
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
  verbs,
});
const urls = (nonResourceURLs: string[], verbs: string[]): PolicyRuleData => ({ nonResourceURLs, verbs });

const RW = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const RO = ['get', 'list', 'watch'];
const EVENTS = rule(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']);
const AGG = (to: string): Record<string, string> => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });
const group = (name: string): SubjectData => ({ kind: 'Group', name });
const user = (name: string): SubjectData => ({ kind: 'User', name });
const sa = (name: string, namespace = 'kube-system'): SubjectData => ({ kind: 'ServiceAccount', name, namespace });

/** cluster-roles.yaml */
const CLUSTER_ROLES: RoleData[] = [
  { name: 'admin', aggregateFrom: 'admin', rules: [] },
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  { name: 'edit', labels: AGG('admin'), aggregateFrom: 'edit', rules: [] },
  {
    name: 'system:aggregate-to-admin',
    labels: AGG('admin'),
    rules: [
      rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
      rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']),
    ],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: AGG('edit'),
    rules: [
      rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], RO),
      rule([''], ['serviceaccounts'], ['impersonate']),
      rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], RW),
      rule([''], ['pods/eviction'], ['create']),
      rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], RW),
      rule([''], ['serviceaccounts/token'], ['create']),
      rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], RW),
      rule(['autoscaling'], ['horizontalpodautoscalers'], RW),
      rule(['batch'], ['cronjobs', 'jobs'], RW),
      rule(['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'], RW),
      rule(['policy'], ['poddisruptionbudgets'], RW),
      rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], RW),
      rule(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: AGG('view'),
    rules: [
      rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], RO),
      rule([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], RO),
      rule([''], ['namespaces'], RO),
      rule(['discovery.k8s.io'], ['endpointslices'], RO),
      rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], RO),
      rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], RO),
      rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], RO),
      rule(['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale'], RO),
      rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], RO),
      rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], RO),
    ],
  },
  { name: 'system:auth-delegator', rules: [rule(['authentication.k8s.io'], ['tokenreviews'], ['create']), rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create'])] },
  {
    name: 'system:basic-user',
    rules: [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create'])],
    changes: [
      {
        since: '1.27',
        value: [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])],
        source: 'rule in cluster-roles.yaml@025f2834; added behind APISelfSubjectReview (alpha 1.26, on by default from its 1.27 beta), so the default-gate golden has it from 1.27',
      },
    ],
  },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [rule(['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'], ['create'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [rule(['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'], ['create'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-approver', rules: [rule(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', rules: [rule(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client-kubelet'])] },
  { name: 'system:certificates.k8s.io:kubelet-serving-approver', rules: [rule(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kubelet-serving'])] },
  { name: 'system:certificates.k8s.io:legacy-unknown-approver', rules: [rule(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/legacy-unknown'])] },
  { name: 'system:discovery', rules: [urls(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], ['get'])] },
  { name: 'system:heapster', rules: [rule([''], ['events', 'namespaces', 'nodes', 'pods'], RO), rule(['extensions'], ['deployments'], RO)] },
  { name: 'system:kube-aggregator', rules: [rule([''], ['endpoints', 'services'], RO)] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      EVENTS,
      rule(['coordination.k8s.io'], ['leases'], ['create']),
      rule(['coordination.k8s.io'], ['leases'], ['get', 'update'], ['kube-controller-manager']),
      rule([''], ['secrets', 'serviceaccounts'], ['create']),
      rule([''], ['secrets'], ['delete']),
      rule([''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts'], ['get']),
      rule([''], ['secrets', 'serviceaccounts'], ['update']),
      rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
      rule(['*'], ['*'], ['list', 'watch']),
      rule([''], ['serviceaccounts/token'], ['create']),
    ],
  },
  { name: 'system:kube-dns', rules: [rule([''], ['endpoints', 'services'], ['list', 'watch'])] },
  {
    name: 'system:kube-scheduler',
    rules: [
      EVENTS,
      rule(['coordination.k8s.io'], ['leases'], ['create']),
      rule(['coordination.k8s.io'], ['leases'], ['get', 'update'], ['kube-scheduler']),
      rule([''], ['nodes'], RO),
      rule([''], ['pods'], ['delete', 'get', 'list', 'watch']),
      rule([''], ['bindings', 'pods/binding'], ['create']),
      rule([''], ['pods/status'], ['patch', 'update']),
      rule([''], ['replicationcontrollers', 'services'], RO),
      rule(['apps', 'extensions'], ['replicasets'], RO),
      rule(['apps'], ['statefulsets'], RO),
      rule(['policy'], ['poddisruptionbudgets'], RO),
      rule([''], ['persistentvolumeclaims', 'persistentvolumes'], RO),
      rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
      rule(['storage.k8s.io'], ['csinodes'], RO),
      rule([''], ['namespaces'], RO),
      rule(['storage.k8s.io'], ['csidrivers'], RO),
      rule(['storage.k8s.io'], ['csistoragecapacities'], RO),
    ],
  },
  { name: 'system:kubelet-api-admin', rules: [rule([''], ['nodes'], RO), rule([''], ['nodes'], ['proxy']), rule([''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats'], ['*'])] },
  {
    name: 'system:monitoring',
    rules: [urls(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/readyz', '/readyz/*'], ['get'])],
    changes: [
      {
        since: '1.26',
        value: [urls(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], ['get'])],
        source: '`/metrics/slis` in cluster-roles.yaml@025f2834; the endpoint came with KEP-3466 (component SLIs, 1.26)',
      },
    ],
  },
  {
    name: 'system:node',
    rules: [
      rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      rule(['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews'], ['create']),
      rule([''], ['services'], RO),
      rule([''], ['nodes'], ['create', 'get', 'list', 'watch']),
      rule([''], ['nodes/status'], ['patch', 'update']),
      rule([''], ['nodes'], ['patch', 'update']),
      rule([''], ['events'], ['create', 'patch', 'update']),
      rule([''], ['pods'], RO),
      rule([''], ['pods'], ['create', 'delete']),
      rule([''], ['pods/status'], ['patch', 'update']),
      rule([''], ['pods/eviction'], ['create']),
      rule([''], ['configmaps', 'secrets'], RO),
      rule([''], ['persistentvolumeclaims', 'persistentvolumes'], ['get']),
      rule([''], ['endpoints'], ['get']),
      rule(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch']),
      rule(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'get', 'patch', 'update']),
      rule(['storage.k8s.io'], ['volumeattachments'], ['get']),
      rule([''], ['serviceaccounts/token'], ['create']),
      rule([''], ['persistentvolumeclaims/status'], ['get', 'patch', 'update']),
      rule(['storage.k8s.io'], ['csidrivers'], RO),
      rule(['storage.k8s.io'], ['csinodes'], ['create', 'delete', 'get', 'patch', 'update']),
      rule(['node.k8s.io'], ['runtimeclasses'], RO),
    ],
  },
  { name: 'system:node-bootstrapper', rules: [rule(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch'])] },
  { name: 'system:node-problem-detector', rules: [rule([''], ['nodes'], ['get']), rule([''], ['nodes/status'], ['patch']), EVENTS] },
  { name: 'system:node-proxier', rules: [rule([''], ['endpoints', 'services'], ['list', 'watch']), rule([''], ['nodes'], RO), EVENTS, rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch'])] },
  {
    name: 'system:persistent-volume-provisioner',
    rules: [
      rule([''], ['persistentvolumes'], ['create', 'delete', 'get', 'list', 'watch']),
      rule([''], ['persistentvolumeclaims'], ['get', 'list', 'update', 'watch']),
      rule(['storage.k8s.io'], ['storageclasses'], RO),
      rule([''], ['events'], ['watch']),
      EVENTS,
    ],
  },
  { name: 'system:public-info-viewer', rules: [urls(['/healthz', '/livez', '/readyz', '/version', '/version/'], ['get'])] },
  { name: 'system:service-account-issuer-discovery', rules: [urls(['/.well-known/openid-configuration', '/openid/v1/jwks'], ['get'])] },
  {
    name: 'system:volume-scheduler',
    rules: [
      rule([''], ['persistentvolumes'], ['get', 'list', 'patch', 'update', 'watch']),
      rule(['storage.k8s.io'], ['storageclasses'], RO),
      rule([''], ['persistentvolumeclaims'], ['get', 'list', 'patch', 'update', 'watch']),
    ],
  },
  { name: 'view', labels: { ...AGG('edit') }, aggregateFrom: 'view', rules: [] },
];

const RW_EVENTS = rule(['', 'events.k8s.io'], ['events'], RW);
const RO_EVENTS = rule(['', 'events.k8s.io'], ['events'], RO);

/**
 * The rules of cluster-roles.yaml in a 1.34-or-later state (aks-lts/kubernetes@ec451e29abeced580a69170d5e4633da583964a6,
 * a copy of upstream's golden file without `creationTimestamp` and with resource.k8s.io/v1-era
 * rules) for the roles that differ from the base. The differences are placed at 1.34, the first
 * minor of that era: a change of 1.35 or 1.36, or of 1.33 after the base snapshot, is not told
 * apart (DRA went GA in 1.34; the kubelet's fine-grained authorization, the ServiceCIDR watch of
 * kube-proxy and the rest are not pinned).
 */
const SINCE_1_34: Record<string, PolicyRuleData[]> = {
  'system:aggregate-to-edit': [
    rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], RO),
    rule([''], ['serviceaccounts'], ['impersonate']),
    rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], RW),
    rule([''], ['pods/eviction'], ['create']),
    rule([''], ['configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], RW),
    rule([''], ['serviceaccounts/token'], ['create']),
    RW_EVENTS,
    rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], RW),
    rule(['autoscaling'], ['horizontalpodautoscalers'], RW),
    rule(['batch'], ['cronjobs', 'jobs'], RW),
    rule(['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'], RW),
    rule(['policy'], ['poddisruptionbudgets'], RW),
    rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], RW),
    rule(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']),
    rule(['resource.k8s.io'], ['resourceclaims', 'resourceclaimtemplates'], RW),
  ],
  'system:aggregate-to-view': [
    rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], RO),
    rule([''], ['bindings', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], RO),
    rule([''], ['namespaces'], RO),
    RO_EVENTS,
    rule(['discovery.k8s.io'], ['endpointslices'], RO),
    rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], RO),
    rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], RO),
    rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], RO),
    rule(['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale'], RO),
    rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], RO),
    rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], RO),
    rule(['resource.k8s.io'], ['resourceclaims', 'resourceclaims/status', 'resourceclaimtemplates'], RO),
  ],
  'system:kube-scheduler': [
    EVENTS,
    rule(['coordination.k8s.io'], ['leases'], ['create']),
    rule(['coordination.k8s.io'], ['leases'], ['get', 'list', 'update', 'watch'], ['kube-scheduler']),
    rule(['coordination.k8s.io'], ['leasecandidates'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']),
    rule([''], ['nodes'], RO),
    rule([''], ['pods'], ['delete', 'get', 'list', 'watch']),
    rule([''], ['bindings', 'pods/binding'], ['create']),
    rule([''], ['pods/status'], ['patch', 'update']),
    rule([''], ['replicationcontrollers', 'services'], RO),
    rule(['apps', 'extensions'], ['replicasets'], RO),
    rule(['apps'], ['statefulsets'], RO),
    rule(['policy'], ['poddisruptionbudgets'], RO),
    rule([''], ['persistentvolumeclaims', 'persistentvolumes'], RO),
    rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    rule(['storage.k8s.io'], ['csinodes'], RO),
    rule(['storage.k8s.io'], ['volumeattachments'], RO),
    rule([''], ['namespaces'], RO),
    rule(['storage.k8s.io'], ['csidrivers'], RO),
    rule(['storage.k8s.io'], ['csistoragecapacities'], RO),
    rule(['resource.k8s.io'], ['deviceclasses'], RO),
    rule(['resource.k8s.io'], ['resourceclaims'], ['get', 'list', 'patch', 'update', 'watch']),
    rule(['resource.k8s.io'], ['resourceclaims/status'], ['get', 'list', 'patch', 'update', 'watch']),
    rule([''], ['pods/finalizers'], ['update']),
    rule(['resource.k8s.io'], ['resourceslices'], RO),
    rule(['resource.k8s.io'], ['resourceclaims'], ['create', 'delete']),
  ],
  'system:kubelet-api-admin': [
    rule([''], ['nodes'], RO),
    rule([''], ['nodes'], ['proxy']),
    rule([''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats'], ['*']),
    rule([''], ['nodes/configz', 'nodes/healthz', 'nodes/pods'], ['*']),
  ],
  'system:monitoring': [
    urls(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*', '/statusz'], ['get']),
    rule([''], ['nodes/metrics'], ['get']),
  ],
  'system:node': [
    rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    rule(['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews'], ['create']),
    rule([''], ['services'], RO),
    rule([''], ['nodes'], ['create', 'get', 'list', 'watch']),
    rule([''], ['nodes/status'], ['patch', 'update']),
    rule([''], ['nodes'], ['patch', 'update']),
    EVENTS,
    rule([''], ['pods'], RO),
    rule([''], ['pods'], ['create', 'delete']),
    rule([''], ['pods/status'], ['patch', 'update']),
    rule([''], ['pods/eviction'], ['create']),
    rule([''], ['configmaps', 'secrets'], RO),
    rule([''], ['persistentvolumeclaims', 'persistentvolumes'], ['get']),
    rule([''], ['endpoints'], ['get']),
    rule(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch']),
    rule(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'get', 'patch', 'update']),
    rule(['storage.k8s.io'], ['volumeattachments'], ['get']),
    rule([''], ['serviceaccounts/token'], ['create']),
    rule([''], ['persistentvolumeclaims/status'], ['get', 'patch', 'update']),
    rule(['storage.k8s.io'], ['csidrivers'], RO),
    rule(['storage.k8s.io'], ['csinodes'], ['create', 'delete', 'get', 'patch', 'update']),
    rule(['node.k8s.io'], ['runtimeclasses'], RO),
    rule(['resource.k8s.io'], ['resourceclaims'], ['get']),
    rule(['resource.k8s.io'], ['resourceslices'], ['deletecollection']),
    rule([''], ['serviceaccounts'], ['get']),
  ],
  'system:node-proxier': [
    rule([''], ['endpoints', 'services'], ['list', 'watch']),
    rule([''], ['nodes'], RO),
    EVENTS,
    rule(['networking.k8s.io'], ['servicecidrs'], ['list', 'watch']),
    rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch']),
  ],
  'system:service-account-issuer-discovery': [urls(['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'], ['get'])],
};

/** The cluster roles of every minor: the base with the 1.34-era state added as a change. */
const CLUSTER_ROLES_BY_MINOR: RoleData[] = CLUSTER_ROLES.map((r) => {
  const late = SINCE_1_34[r.name];
  if (!late) return r;
  const source = 'cluster-roles.yaml@aks-lts/kubernetes@ec451e29 (a 1.34-or-later state); placed at 1.34, not pinned (see SINCE_1_34)';
  return { ...r, changes: [...(r.changes ?? []), { since: '1.34', value: late, source }] };
});

/** The roles of the controllers kube-skew runs (controller-roles.yaml@008b3652; see the module comment). */
const CONTROLLER_ROLES: RoleData[] = [
  { name: 'system:controller:clusterrole-aggregation-controller', rules: [rule(['rbac.authorization.k8s.io'], ['clusterroles'], ['escalate', 'get', 'list', 'patch', 'update', 'watch'])] },
  {
    name: 'system:controller:deployment-controller',
    rules: [
      rule(['apps', 'extensions'], ['deployments'], ['get', 'list', 'update', 'watch']),
      rule(['apps', 'extensions'], ['deployments/status'], ['update']),
      rule(['apps', 'extensions'], ['deployments/finalizers'], ['update']),
      rule(['apps', 'extensions'], ['replicasets'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
      rule([''], ['pods'], ['get', 'list', 'update', 'watch']),
      EVENTS,
    ],
  },
  { name: 'system:controller:generic-garbage-collector', rules: [rule(['*'], ['*'], ['delete', 'get', 'list', 'patch', 'update', 'watch']), EVENTS] },
  {
    name: 'system:controller:namespace-controller',
    rules: [
      rule([''], ['namespaces'], ['delete', 'get', 'list', 'watch']),
      rule([''], ['namespaces/finalize', 'namespaces/status'], ['update']),
      rule(['*'], ['*'], ['delete', 'deletecollection', 'get', 'list']),
    ],
    changes: [
      {
        since: '1.34',
        value: [
          rule([''], ['namespaces'], ['delete', 'get', 'list', 'watch']),
          rule([''], ['namespaces/finalize', 'namespaces/status'], ['update']),
          rule(['*'], ['*'], ['delete', 'deletecollection', 'get', 'list', 'watch']),
        ],
        source: 'watch on */* in controller-roles.yaml@008b3652 (a 1.34-or-later state), not in a stored controller_policy.go of the 1.30-1.31 era; the minor in between is not pinned',
      },
    ],
  },
  {
    name: 'system:controller:root-ca-cert-publisher',
    rules: [rule([''], ['configmaps'], ['create', 'update']), EVENTS],
  },
  {
    name: 'system:controller:service-account-controller',
    rules: [rule([''], ['serviceaccounts'], ['create']), EVENTS],
  },
];

/** cluster-role-bindings.yaml, plus each controller role bound to its ServiceAccount (controller-role-bindings.yaml). */
const CLUSTER_ROLE_BINDINGS: BindingData[] = [
  { name: 'cluster-admin', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [group('system:masters')] },
  { name: 'system:basic-user', roleRef: { kind: 'ClusterRole', name: 'system:basic-user' }, subjects: [group('system:authenticated')] },
  { name: 'system:discovery', roleRef: { kind: 'ClusterRole', name: 'system:discovery' }, subjects: [group('system:authenticated')] },
  { name: 'system:kube-controller-manager', roleRef: { kind: 'ClusterRole', name: 'system:kube-controller-manager' }, subjects: [user('system:kube-controller-manager')] },
  { name: 'system:kube-dns', roleRef: { kind: 'ClusterRole', name: 'system:kube-dns' }, subjects: [sa('kube-dns')] },
  { name: 'system:kube-scheduler', roleRef: { kind: 'ClusterRole', name: 'system:kube-scheduler' }, subjects: [user('system:kube-scheduler')] },
  { name: 'system:monitoring', roleRef: { kind: 'ClusterRole', name: 'system:monitoring' }, subjects: [group('system:monitoring')] },
  { name: 'system:node', roleRef: { kind: 'ClusterRole', name: 'system:node' }, subjects: [] },
  { name: 'system:node-proxier', roleRef: { kind: 'ClusterRole', name: 'system:node-proxier' }, subjects: [user('system:kube-proxy')] },
  { name: 'system:public-info-viewer', roleRef: { kind: 'ClusterRole', name: 'system:public-info-viewer' }, subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:service-account-issuer-discovery', roleRef: { kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' }, subjects: [group('system:serviceaccounts')] },
  { name: 'system:volume-scheduler', roleRef: { kind: 'ClusterRole', name: 'system:volume-scheduler' }, subjects: [user('system:kube-scheduler')] },
  ...CONTROLLER_ROLES.map((r): BindingData => ({ name: r.name, roleRef: { kind: 'ClusterRole', name: r.name }, subjects: [sa(r.name.slice('system:controller:'.length))] })),
];

/**
 * The Role a component's leader election needs in kube-system: configmap locks up to 1.33, leases,
 * and from 1.31 the LeaseCandidates of coordinated leader election.
 */
function leaderLocking(component: string): RoleData {
  const configmaps = [rule([''], ['configmaps'], ['watch']), rule([''], ['configmaps'], ['get', 'update'], [component])];
  const leases = rule(['coordination.k8s.io'], ['leases'], ['create', 'get', 'list', 'update', 'watch']);
  const candidates = rule(['coordination.k8s.io'], ['leasecandidates'], ['create', 'get', 'list', 'update', 'watch']);
  return {
    name: `system::leader-locking-${component}`,
    namespace: 'kube-system',
    rules: [...configmaps, leases],
    changes: [
      {
        since: '1.31',
        value: [...configmaps, leases, candidates],
        source: 'namespace-roles.yaml@1892e4de (a 1.31-1.33 state); leasecandidates came with CoordinatedLeaderElection (alpha 1.31)',
      },
      {
        since: '1.34',
        value: [leases, candidates],
        source: 'namespace-roles.yaml@008b3652 (a 1.34-or-later state) has no configmaps rules; the minor of their removal is not pinned',
      },
    ],
  };
}

/** namespace-roles.yaml */
const NAMESPACE_ROLES: RoleData[] = [
  {
    name: 'system:controller:bootstrap-signer',
    namespace: 'kube-public',
    rules: [rule([''], ['configmaps'], RO), rule([''], ['configmaps'], ['update'], ['cluster-info']), EVENTS],
  },
  { name: 'extension-apiserver-authentication-reader', namespace: 'kube-system', rules: [rule([''], ['configmaps'], RO, ['extension-apiserver-authentication'])] },
  leaderLocking('kube-controller-manager'),
  leaderLocking('kube-scheduler'),
  { name: 'system:controller:bootstrap-signer', namespace: 'kube-system', rules: [rule([''], ['secrets'], RO)] },
  { name: 'system:controller:cloud-provider', namespace: 'kube-system', rules: [rule([''], ['configmaps'], ['create', 'get', 'list', 'watch'])] },
  { name: 'system:controller:token-cleaner', namespace: 'kube-system', rules: [rule([''], ['secrets'], ['delete', 'get', 'list', 'watch']), EVENTS] },
];

/** namespace-role-bindings.yaml */
const NAMESPACE_ROLE_BINDINGS: BindingData[] = [
  { name: 'system:controller:bootstrap-signer', namespace: 'kube-public', roleRef: { kind: 'Role', name: 'system:controller:bootstrap-signer' }, subjects: [sa('bootstrap-signer')] },
  {
    name: 'system::extension-apiserver-authentication-reader',
    namespace: 'kube-system',
    roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' },
    subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler')],
  },
  {
    name: 'system::leader-locking-kube-controller-manager',
    namespace: 'kube-system',
    roleRef: { kind: 'Role', name: 'system::leader-locking-kube-controller-manager' },
    subjects: [user('system:kube-controller-manager'), sa('kube-controller-manager')],
    changes: [
      {
        since: '1.31',
        value: [user('system:kube-controller-manager'), sa('kube-controller-manager'), sa('leader-election-controller')],
        source: 'namespace-role-bindings.yaml@008b3652; the leader-election-controller ServiceAccount came with CoordinatedLeaderElection (alpha 1.31)',
      },
    ],
  },
  {
    name: 'system::leader-locking-kube-scheduler',
    namespace: 'kube-system',
    roleRef: { kind: 'Role', name: 'system::leader-locking-kube-scheduler' },
    subjects: [user('system:kube-scheduler'), sa('kube-scheduler')],
  },
  { name: 'system:controller:bootstrap-signer', namespace: 'kube-system', roleRef: { kind: 'Role', name: 'system:controller:bootstrap-signer' }, subjects: [sa('bootstrap-signer')] },
  { name: 'system:controller:cloud-provider', namespace: 'kube-system', roleRef: { kind: 'Role', name: 'system:controller:cloud-provider' }, subjects: [sa('cloud-provider')] },
  { name: 'system:controller:token-cleaner', namespace: 'kube-system', roleRef: { kind: 'Role', name: 'system:controller:token-cleaner' }, subjects: [sa('token-cleaner')] },
];

/** The label every bootstrap object carries. */
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';
/** The annotation that lets the reconciler add to an object (`"false"` protects it). */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

/** The bootstrap policy of a minor, as API objects (wire form, rbac.authorization.k8s.io/v1). */
export interface BootstrapPolicy {
  clusterRoles: Record<string, unknown>[];
  clusterRoleBindings: Record<string, unknown>[];
  roles: Record<string, unknown>[];
  roleBindings: Record<string, unknown>[];
}

function meta(name: string, namespace: string | undefined, labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults', ...labels },
    annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
  };
}

/** The value in force at `minor`: the last change at or before it, else `initial`. */
function atMinor<T>(initial: T, changes: Change<T>[] | undefined, minor: number): T {
  let value = initial;
  for (const c of changes ?? []) if (minorNumberOf(c.since) <= minor) value = c.value;
  return value;
}

/** True when the object exists at `minor`. */
function exists(since: string | undefined, minor: number): boolean {
  return since === undefined || minorNumberOf(since) <= minor;
}

function roleObject(kind: 'ClusterRole' | 'Role', r: RoleData, minor: number): Record<string, unknown> {
  const rules = atMinor(r.rules, r.changes, minor);
  const obj: Record<string, unknown> = { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: meta(r.name, r.namespace, r.labels), rules: structuredClone(rules) };
  if (r.aggregateFrom) obj.aggregationRule = { clusterRoleSelectors: [{ matchLabels: AGG(r.aggregateFrom) }] };
  return obj;
}

function bindingObject(kind: 'ClusterRoleBinding' | 'RoleBinding', b: BindingData, minor: number): Record<string, unknown> {
  const subjects = atMinor(b.subjects, b.changes, minor).map((s) => (s.kind === 'ServiceAccount' ? { ...s } : { apiGroup: 'rbac.authorization.k8s.io', ...s }));
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: meta(b.name, b.namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...b.roleRef },
    ...(subjects.length > 0 ? { subjects } : {}),
  };
}

/** The bootstrap policy a server of `minor` (`1.N`) reconciles at start: exactly that minor's objects. */
export function bootstrapPolicy(minor: string): BootstrapPolicy {
  const n = minorNumberOf(minor);
  const roles = (list: RoleData[], kind: 'ClusterRole' | 'Role') => list.filter((r) => exists(r.since, n)).map((r) => roleObject(kind, r, n));
  const bindings = (list: BindingData[], kind: 'ClusterRoleBinding' | 'RoleBinding') => list.filter((b) => exists(b.since, n)).map((b) => bindingObject(kind, b, n));
  return {
    clusterRoles: roles([...CLUSTER_ROLES_BY_MINOR, ...CONTROLLER_ROLES], 'ClusterRole'),
    clusterRoleBindings: bindings(CLUSTER_ROLE_BINDINGS, 'ClusterRoleBinding'),
    roles: roles(NAMESPACE_ROLES, 'Role'),
    roleBindings: bindings(NAMESPACE_ROLE_BINDINGS, 'RoleBinding'),
  };
}
