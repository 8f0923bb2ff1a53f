/**
 * Which kinds kube-skew decodes from protobuf, and where their messages live: the kinds kubectl's
 * typed commands send (`create <generator>`, `auth can-i`, `auth whoami`) and the workload kinds their
 * trees share. A resource whose kind is missing here answers a protobuf body with 415, as upstream
 * does for a type it has no protobuf codec for.
 */
import { Schema } from './table.js';
import { CORE_V1 } from './tables/core-v1.js';
import { META_V1 } from './tables/meta-v1.js';
import { APPS_V1 } from './tables/apps-v1.js';
import { BATCH_V1 } from './tables/batch-v1.js';
import { RBAC_V1 } from './tables/rbac-v1.js';
import { POLICY_V1 } from './tables/policy-v1.js';
import { AUTHORIZATION_V1 } from './tables/authorization-v1.js';
import { AUTHENTICATION_V1 } from './tables/authentication-v1.js';
import { AUTOSCALING_V1 } from './tables/autoscaling-v1.js';

/** One decodable kind. */
export interface ProtobufKind {
  group: string;
  /** The versions whose message has these field numbers. */
  versions: string[];
  /** The resource (plural) it is sent to. */
  resource: string;
  kind: string;
  /** The table package and message name. */
  pkg: string;
  message: string;
}

/** Every package's tables, parsed once. */
export const SCHEMA = new Schema({
  core: CORE_V1,
  meta: META_V1,
  apps: APPS_V1,
  batch: BATCH_V1,
  rbac: RBAC_V1,
  policy: POLICY_V1,
  authorization: AUTHORIZATION_V1,
  authentication: AUTHENTICATION_V1,
  autoscaling: AUTOSCALING_V1,
});

const core = (resource: string, kind: string): ProtobufKind => ({ group: '', versions: ['v1'], resource, kind, pkg: 'core', message: kind });

/** The decodable kinds. */
export const PROTOBUF_KINDS: ProtobufKind[] = [
  core('namespaces', 'Namespace'),
  core('configmaps', 'ConfigMap'),
  core('secrets', 'Secret'),
  core('serviceaccounts', 'ServiceAccount'),
  core('services', 'Service'),
  core('pods', 'Pod'),
  core('podtemplates', 'PodTemplate'),
  core('replicationcontrollers', 'ReplicationController'),
  core('resourcequotas', 'ResourceQuota'),
  core('limitranges', 'LimitRange'),
  core('endpoints', 'Endpoints'),
  core('persistentvolumeclaims', 'PersistentVolumeClaim'),
  core('nodes', 'Node'),
  { group: 'apps', versions: ['v1'], resource: 'deployments', kind: 'Deployment', pkg: 'apps', message: 'Deployment' },
  { group: 'apps', versions: ['v1'], resource: 'replicasets', kind: 'ReplicaSet', pkg: 'apps', message: 'ReplicaSet' },
  { group: 'apps', versions: ['v1'], resource: 'statefulsets', kind: 'StatefulSet', pkg: 'apps', message: 'StatefulSet' },
  { group: 'apps', versions: ['v1'], resource: 'daemonsets', kind: 'DaemonSet', pkg: 'apps', message: 'DaemonSet' },
  { group: 'batch', versions: ['v1'], resource: 'jobs', kind: 'Job', pkg: 'batch', message: 'Job' },
  { group: 'batch', versions: ['v1'], resource: 'cronjobs', kind: 'CronJob', pkg: 'batch', message: 'CronJob' },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'roles', kind: 'Role', pkg: 'rbac', message: 'Role' },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'rolebindings', kind: 'RoleBinding', pkg: 'rbac', message: 'RoleBinding' },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'clusterroles', kind: 'ClusterRole', pkg: 'rbac', message: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', versions: ['v1'], resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', pkg: 'rbac', message: 'ClusterRoleBinding' },
  { group: 'policy', versions: ['v1'], resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', pkg: 'policy', message: 'PodDisruptionBudget' },
  { group: 'authorization.k8s.io', versions: ['v1', 'v1beta1'], resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', pkg: 'authorization', message: 'SelfSubjectAccessReview' },
  { group: 'authorization.k8s.io', versions: ['v1', 'v1beta1'], resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', pkg: 'authorization', message: 'SelfSubjectRulesReview' },
  { group: 'authorization.k8s.io', versions: ['v1', 'v1beta1'], resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', pkg: 'authorization', message: 'SubjectAccessReview' },
  { group: 'authorization.k8s.io', versions: ['v1', 'v1beta1'], resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', pkg: 'authorization', message: 'LocalSubjectAccessReview' },
  { group: 'authentication.k8s.io', versions: ['v1', 'v1beta1', 'v1alpha1'], resource: 'selfsubjectreviews', kind: 'SelfSubjectReview', pkg: 'authentication', message: 'SelfSubjectReview' },
  { group: 'authentication.k8s.io', versions: ['v1'], resource: 'tokenreviews', kind: 'TokenReview', pkg: 'authentication', message: 'TokenReview' },
];

/** The Scale kind a `scale` subresource reads and writes (autoscaling/v1). */
export const SCALE_KIND: ProtobufKind = { group: 'autoscaling', versions: ['v1'], resource: 'scale', kind: 'Scale', pkg: 'autoscaling', message: 'Scale' };

/** The TokenRequest kind the ServiceAccount `token` subresource reads (authentication.k8s.io/v1); kubectl sends it as protobuf. */
export const TOKEN_REQUEST_KIND: ProtobufKind = { group: 'authentication.k8s.io', versions: ['v1'], resource: 'token', kind: 'TokenRequest', pkg: 'authentication', message: 'TokenRequest' };

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

const byResource = new Map<string, ProtobufKind>();
const byGVK = new Map<string, ProtobufKind>();
for (const k of [...PROTOBUF_KINDS, SCALE_KIND, TOKEN_REQUEST_KIND]) {
  for (const v of k.versions) {
    if (k !== SCALE_KIND && k !== TOKEN_REQUEST_KIND) byResource.set(`${k.group}/${v}/${k.resource}`, k);
    byGVK.set(`${groupVersion(k.group, v)}/${k.kind}`, k);
  }
}

/** The kind a request body to group/version/resource[/subresource] must hold, or undefined when kube-skew cannot decode it. */
export function targetKind(group: string, version: string, resource: string, subresource = ''): { kind: ProtobufKind; groupVersion: string } | undefined {
  if (subresource === 'scale') return { kind: SCALE_KIND, groupVersion: 'autoscaling/v1' };
  if (subresource === 'token' && group === '' && resource === 'serviceaccounts') return { kind: TOKEN_REQUEST_KIND, groupVersion: 'authentication.k8s.io/v1' };
  if (subresource !== '' && subresource !== 'status') return undefined;
  const k = byResource.get(`${group}/${version}/${resource}`);
  return k ? { kind: k, groupVersion: groupVersion(group, version) } : undefined;
}

/** The decodable kind named by an envelope's apiVersion and kind, or undefined. */
export function kindOf(apiVersion: string, kind: string): ProtobufKind | undefined {
  return byGVK.get(`${apiVersion}/${kind}`);
}

// Every listed kind must resolve in the schema; a typo is a start-up failure, not a silent 415.
for (const k of [...PROTOBUF_KINDS, SCALE_KIND, TOKEN_REQUEST_KIND]) {
  if (!SCHEMA.message(k.pkg, k.message)) throw new Error(`protobuf kind ${k.kind}: no message ${k.pkg}.${k.message}`);
}
