/**
 * The bootstrap RBAC policy kube-apiserver reconciles at start (the `rbac/bootstrap-roles`
 * post-start hook), as data. Transcribed from upstream's golden files
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/ in kubernetes/kubernetes:
 *
 * - cluster-roles.yaml at 025f2834a128798cef30018a5e6a6ae82b5ad885;
 * - cluster-role-bindings.yaml at c60df8997f62f861cf0cd2b13ab62271464589ed;
 * - namespace-roles.yaml and namespace-role-bindings.yaml at 008b3652959ca58af8be3fb5b6ecfe9ae7638282.
 *
 * One copy serves every minor: the stored history did not say which commit belongs to which
 * release, so the per-minor differences (a rule added here and there, e.g. `leasecandidates` in the
 * leader-locking Roles from 1.31) are not reproduced. The controller roles (controller-roles.yaml)
 * are only those of the controllers kube-skew runs, written from upstream's controller_policy.go as
 * recalled, not read from a stored golden file (the one stored was a 1.5-era v1alpha1 copy).
 * Every object carries `kubernetes.io/bootstrapping: rbac-defaults` and the autoupdate annotation,
 * which {@link bootstrapPolicy} adds.
 */

/** An rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRuleData {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/** A bootstrap ClusterRole or Role. */
export interface RoleData {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  aggregateFrom?: string;
  rules: PolicyRuleData[];
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
  subjects: SubjectData[];
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
    rules: [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])],
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
  { name: 'system:monitoring', rules: [urls(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], ['get'])] },
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

/** The roles of the controllers kube-skew runs (controller-roles.yaml; see the module comment). */
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
  { name: 'system:controller:generic-garbage-collector', rules: [rule(['*'], ['*'], ['delete', 'get', 'list', 'patch', 'update', 'watch'])] },
  {
    name: 'system:controller:namespace-controller',
    rules: [
      rule([''], ['namespaces'], ['delete', 'get', 'list', 'watch']),
      rule([''], ['namespaces/finalize', 'namespaces/status'], ['update']),
      rule(['*'], ['*'], ['delete', 'deletecollection', 'get', 'list']),
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
  { name: 'system:node', roleRef: { kind: 'ClusterRole', name: 'system:node' }, subjects: [] },
  { name: 'system:node-proxier', roleRef: { kind: 'ClusterRole', name: 'system:node-proxier' }, subjects: [user('system:kube-proxy')] },
  { name: 'system:public-info-viewer', roleRef: { kind: 'ClusterRole', name: 'system:public-info-viewer' }, subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:volume-scheduler', roleRef: { kind: 'ClusterRole', name: 'system:volume-scheduler' }, subjects: [user('system:kube-scheduler')] },
  ...CONTROLLER_ROLES.map((r): BindingData => ({ name: r.name, roleRef: { kind: 'ClusterRole', name: r.name }, subjects: [sa(r.name.slice('system:controller:'.length))] })),
];

/** namespace-roles.yaml */
const NAMESPACE_ROLES: RoleData[] = [
  {
    name: 'system:controller:bootstrap-signer',
    namespace: 'kube-public',
    rules: [rule([''], ['configmaps'], RO), rule([''], ['configmaps'], ['update'], ['cluster-info']), EVENTS],
  },
  { name: 'extension-apiserver-authentication-reader', namespace: 'kube-system', rules: [rule([''], ['configmaps'], RO, ['extension-apiserver-authentication'])] },
  {
    name: 'system::leader-locking-kube-controller-manager',
    namespace: 'kube-system',
    rules: [rule(['coordination.k8s.io'], ['leases'], ['create', 'get', 'list', 'update', 'watch']), rule(['coordination.k8s.io'], ['leasecandidates'], ['create', 'get', 'list', 'update', 'watch'])],
  },
  {
    name: 'system::leader-locking-kube-scheduler',
    namespace: 'kube-system',
    rules: [rule(['coordination.k8s.io'], ['leases'], ['create', 'get', 'list', 'update', 'watch']), rule(['coordination.k8s.io'], ['leasecandidates'], ['create', 'get', 'list', 'update', 'watch'])],
  },
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
    subjects: [user('system:kube-controller-manager'), sa('kube-controller-manager'), sa('leader-election-controller')],
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

function roleObject(kind: 'ClusterRole' | 'Role', r: RoleData): Record<string, unknown> {
  const obj: Record<string, unknown> = { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: meta(r.name, r.namespace, r.labels), rules: structuredClone(r.rules) };
  if (r.aggregateFrom) obj.aggregationRule = { clusterRoleSelectors: [{ matchLabels: AGG(r.aggregateFrom) }] };
  return obj;
}

function bindingObject(kind: 'ClusterRoleBinding' | 'RoleBinding', b: BindingData): Record<string, unknown> {
  const subjects = b.subjects.map((s) => (s.kind === 'ServiceAccount' ? { ...s } : { apiGroup: 'rbac.authorization.k8s.io', ...s }));
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: meta(b.name, b.namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...b.roleRef },
    ...(subjects.length > 0 ? { subjects } : {}),
  };
}

/** The bootstrap policy `minor` reconciles at start (the same for every minor; see the module comment). */
export function bootstrapPolicy(_minor: string): BootstrapPolicy {
  return {
    clusterRoles: [...CLUSTER_ROLES, ...CONTROLLER_ROLES].map((r) => roleObject('ClusterRole', r)),
    clusterRoleBindings: CLUSTER_ROLE_BINDINGS.map((b) => bindingObject('ClusterRoleBinding', b)),
    roles: NAMESPACE_ROLES.map((r) => roleObject('Role', r)),
    roleBindings: NAMESPACE_ROLE_BINDINGS.map((b) => bindingObject('RoleBinding', b)),
  };
}
