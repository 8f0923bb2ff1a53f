/**
 * Field tables of k8s.io/api/rbac/v1, transcribed from staging/src/k8s.io/api/rbac/v1/generated.proto.
 */
import type { MessageTables } from '../table.js';

/** rbac/v1 messages by name. */
export const RBAC_V1: MessageTables = {
  PolicyRule: 'verbs=1:[]string! apiGroups=2:[]string resources=3:[]string resourceNames=4:[]string nonResourceURLs=5:[]string',
  Role: 'metadata=1:meta.ObjectMeta rules=2:[]PolicyRule!',
  ClusterRole: 'metadata=1:meta.ObjectMeta rules=2:[]PolicyRule! aggregationRule=3:AggregationRule',
  AggregationRule: 'clusterRoleSelectors=1:[]meta.LabelSelector',
  RoleBinding: 'metadata=1:meta.ObjectMeta subjects=2:[]Subject roleRef=3:RoleRef!',
  ClusterRoleBinding: 'metadata=1:meta.ObjectMeta subjects=2:[]Subject roleRef=3:RoleRef!',
  Subject: 'kind=1:string! apiGroup=2 name=3:string! namespace=4',
  RoleRef: 'apiGroup=1:string! kind=2:string! name=3:string!',
};
