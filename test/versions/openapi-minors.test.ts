/**
 * The OpenAPI data of each minor is that minor's: fields introduced in 1.26, 1.31 and 1.35 (which
 * no client-node version was generated from) appear exactly there, and enum fields carry the values
 * of the minor's own v3 spec, including those that changed between 1.25 and 1.36.
 */
import t from 'tap';
import { definition, openApiSource, schemaForKind } from '../../versions/openapi.js';

const props = (minor: string, name: string): Record<string, any> => (definition(minor, name)?.properties ?? {}) as Record<string, any>;
const has = (minor: string, name: string, field: string): boolean => props(minor, name)[field] !== undefined;
const CORE = 'io.k8s.api.core.v1';

t.test('fields introduced in 1.26, 1.31 and 1.35', async (t) => {
  // 1.26: PodSpec schedulingGates (KEP-3521) and resourceClaims; Container resizePolicy is 1.27's.
  t.notOk(has('1.25', `${CORE}.PodSpec`, 'schedulingGates'));
  t.ok(has('1.26', `${CORE}.PodSpec`, 'schedulingGates'), '1.26 PodSpec.schedulingGates');
  t.ok(has('1.26', `${CORE}.PodSpec`, 'resourceClaims'), '1.26 PodSpec.resourceClaims');
  t.notOk(has('1.26', `${CORE}.Container`, 'resizePolicy'), 'no Container.resizePolicy in 1.26');
  t.ok(has('1.27', `${CORE}.Container`, 'resizePolicy'));
  // 1.26 serves resource.k8s.io/v1alpha1 (no other minor does): its own schema, not a placeholder.
  const claim = schemaForKind('1.26', { group: 'resource.k8s.io', version: 'v1alpha1', kind: 'ResourceClaim' });
  t.ok(claim?.properties?.spec, '1.26 resource.k8s.io/v1alpha1 ResourceClaim has a schema');
  // 1.31: the image volume source (KEP-4639); PodSpec resources (pod-level resources) is 1.32's.
  t.notOk(has('1.30', `${CORE}.Volume`, 'image'));
  t.ok(has('1.31', `${CORE}.Volume`, 'image'), '1.31 Volume.image');
  t.notOk(has('1.31', `${CORE}.PodSpec`, 'resources'), 'no PodSpec.resources in 1.31');
  t.ok(has('1.32', `${CORE}.PodSpec`, 'resources'));
  t.ok(schemaForKind('1.31', { group: 'coordination.k8s.io', version: 'v1alpha1', kind: 'LeaseCandidate' })?.properties?.spec, '1.31 LeaseCandidate');
  // 1.35: PodSpec workloadRef (1.36 replaced it with schedulingGroup).
  t.notOk(has('1.34', `${CORE}.PodSpec`, 'workloadRef'));
  t.ok(has('1.35', `${CORE}.PodSpec`, 'workloadRef'), '1.35 PodSpec.workloadRef');
  t.notOk(has('1.35', `${CORE}.PodSpec`, 'schedulingGroup'), 'no PodSpec.schedulingGroup in 1.35');
  t.ok(has('1.36', `${CORE}.PodSpec`, 'schedulingGroup'));
  t.notOk(has('1.36', `${CORE}.PodSpec`, 'workloadRef'));
  // Pulumi keeps fields upstream removed; they are calibrated out.
  t.notOk(has('1.35', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'clusterName'), 'no ObjectMeta.clusterName');
  t.notOk(has('1.31', `${CORE}.ServiceSpec`, 'topologyKeys'), 'no ServiceSpec.topologyKeys');
  // The same formats as the neighbours where the field is the same.
  t.same(props('1.35', `${CORE}.PodSpec`).activeDeadlineSeconds?.format, 'int64');
  t.same(props('1.26', `${CORE}.Container`).ports?.['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  for (const minor of ['1.26', '1.31', '1.35']) t.match(openApiSource(minor), /^@pulumi\/kubernetes@/);
});

t.test('enum values per minor', async (t) => {
  const etp = (minor: string) => props(minor, `${CORE}.ServiceSpec`).externalTrafficPolicy;
  t.same(etp('1.25').enum, ['Cluster', 'Local']);
  // 1.27's type kept the deprecated constant names beside the new ones: upstream lists both.
  t.same(etp('1.27').enum, ['Cluster', 'Cluster', 'Local', 'Local']);
  for (const minor of ['1.33', '1.34', '1.35', '1.36']) {
    t.same(etp(minor).enum, ['Cluster', 'Local'], `${minor} externalTrafficPolicy`);
    t.ok((etp(minor).description as string).endsWith('\n\nPossible enum values:\n - `"Cluster"` routes traffic to all endpoints.\n - `"Local"` preserves the source IP of the traffic by routing only to endpoints on the same node as the traffic was received on (dropping the traffic if there are no local endpoints).'));
  }
  t.notOk(etp('1.26').enum, '1.26 externalTrafficPolicy: changed between 1.25 and 1.27, left without');
  // 1.26's enum fields are those kubernetes-types 1.26.0 marks: IngressPortStatus.protocol gained
  // its enum in 1.26; the webhook and Service traffic enums came in 1.27.
  t.notOk(props('1.25', 'io.k8s.api.networking.v1.IngressPortStatus').protocol?.enum);
  t.same(props('1.26', 'io.k8s.api.networking.v1.IngressPortStatus').protocol?.enum, ['SCTP', 'TCP', 'UDP'], '1.26 IngressPortStatus.protocol');
  t.notOk(props('1.26', `${CORE}.ServiceSpec`).ipFamilyPolicy?.enum, '1.26 ipFamilyPolicy has none');
  t.notOk(props('1.26', 'io.k8s.api.admissionregistration.v1.ValidatingWebhook').failurePolicy?.enum, '1.26 webhook failurePolicy has none');
  t.same(props('1.27', 'io.k8s.api.admissionregistration.v1.ValidatingWebhook').failurePolicy?.enum, ['Fail', 'Ignore']);
  t.same(props('1.26', 'io.k8s.api.discovery.v1.EndpointSlice').addressType?.enum, ['FQDN', 'IPv4', 'IPv6'], 'an enum field of a kind itself');
  for (const minor of ['1.27', '1.30', '1.33', '1.36']) {
    t.same(props(minor, `${CORE}.ServiceSpec`).ipFamilyPolicy?.enum, ['PreferDualStack', 'RequireDualStack', 'SingleStack'], `${minor} ipFamilyPolicy`);
    t.same(props(minor, `${CORE}.ServiceSpec`).internalTrafficPolicy?.enum, ['Cluster', 'Local'], `${minor} internalTrafficPolicy`);
  }
  t.notOk(props('1.25', `${CORE}.ServiceSpec`).ipFamilyPolicy?.enum, '1.25 ipFamilyPolicy has no enum upstream');
  // A list of enum values: the enum is on the items and the description has no paragraph.
  const families = props('1.33', `${CORE}.ServiceSpec`).ipFamilies;
  t.same(families.items.enum, ['', 'IPv4', 'IPv6']);
  t.notMatch(families.description, /Possible enum values/);
  // Toleration operator gained Gt and Lt in 1.36.
  t.same(props('1.33', `${CORE}.Toleration`).operator?.enum, ['Equal', 'Exists']);
  t.same(props('1.36', `${CORE}.Toleration`).operator?.enum, ['Equal', 'Exists', 'Gt', 'Lt']);
  // Enums every minor has, on the declared minors too.
  for (const minor of ['1.26', '1.31', '1.35']) {
    t.same(props(minor, `${CORE}.ServiceSpec`).type?.enum, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], `${minor} ServiceSpec.type`);
    t.same(props(minor, `${CORE}.Container`).imagePullPolicy?.enum, ['Always', 'IfNotPresent', 'Never'], `${minor} imagePullPolicy`);
  }
  t.same(props('1.36', 'io.k8s.api.apps.v1.DeploymentStrategy').type?.enum, ['Recreate', 'RollingUpdate']);
});

t.test('1.37 has schemas of its own (Pulumi 4.34.2): its new kinds, and no stale fields', async (t) => {
  const svm = schemaForKind('1.37', { group: 'storagemigration.k8s.io', version: 'v1', kind: 'StorageVersionMigration' });
  t.ok(svm?.properties?.spec, '1.37 storagemigration.k8s.io/v1 StorageVersionMigration has a schema');
  t.ok(schemaForKind('1.37', { group: 'lifecycle.k8s.io', version: 'v1alpha1', kind: 'EvictionRequest' })?.properties?.spec, '1.37 lifecycle.k8s.io/v1alpha1 EvictionRequest');
  t.ok(schemaForKind('1.37', { group: 'resource.k8s.io', version: 'v1', kind: 'DeviceTaintRule' })?.properties?.spec, '1.37 resource.k8s.io/v1 DeviceTaintRule');
  t.ok(has('1.37', `${CORE}.PodSpec`, 'containers'), 'PodSpec is reached through the templates');
  t.equal(props('1.37', `${CORE}.PodSpec`).activeDeadlineSeconds?.format, 'int64', 'formats from the neighbour');
  t.notOk(has('1.37', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'clusterName'), 'no ObjectMeta.clusterName');
});
