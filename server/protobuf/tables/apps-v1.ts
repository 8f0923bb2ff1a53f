/**
 * Field tables of k8s.io/api/apps/v1, transcribed from staging/src/k8s.io/api/apps/v1/generated.proto.
 * Status messages are left out: a create or update never keeps what a client sends there.
 */
import type { MessageTables } from '../table.js';

/** apps/v1 messages by name. */
export const APPS_V1: MessageTables = {
  Deployment: 'metadata=1:meta.ObjectMeta spec=2:DeploymentSpec',
  DeploymentSpec:
    'replicas=1:int32! selector=2:meta.LabelSelector! template=3:core.PodTemplateSpec strategy=4:DeploymentStrategy minReadySeconds=5:int32 revisionHistoryLimit=6:int32! paused=7:bool progressDeadlineSeconds=9:int32!',
  DeploymentStrategy: 'type=1 rollingUpdate=2:RollingUpdateDeployment',
  RollingUpdateDeployment: 'maxUnavailable=1:intstr! maxSurge=2:intstr!',
  ReplicaSet: 'metadata=1:meta.ObjectMeta spec=2:ReplicaSetSpec',
  ReplicaSetSpec: 'replicas=1:int32! minReadySeconds=4:int32 selector=2:meta.LabelSelector! template=3:core.PodTemplateSpec',
  DaemonSet: 'metadata=1:meta.ObjectMeta spec=2:DaemonSetSpec',
  DaemonSetSpec:
    'selector=1:meta.LabelSelector! template=2:core.PodTemplateSpec updateStrategy=3:DaemonSetUpdateStrategy minReadySeconds=4:int32 revisionHistoryLimit=6:int32!',
  DaemonSetUpdateStrategy: 'type=1 rollingUpdate=2:RollingUpdateDaemonSet',
  RollingUpdateDaemonSet: 'maxUnavailable=1:intstr! maxSurge=2:intstr!',
  StatefulSet: 'metadata=1:meta.ObjectMeta spec=2:StatefulSetSpec',
  StatefulSetSpec:
    'replicas=1:int32! selector=2:meta.LabelSelector! template=3:core.PodTemplateSpec volumeClaimTemplates=4:[]core.PersistentVolumeClaim serviceName=5 podManagementPolicy=6 updateStrategy=7:StatefulSetUpdateStrategy revisionHistoryLimit=8:int32! minReadySeconds=9:int32 persistentVolumeClaimRetentionPolicy=10:StatefulSetPersistentVolumeClaimRetentionPolicy',
  StatefulSetUpdateStrategy: 'type=1 rollingUpdate=2:RollingUpdateStatefulSetStrategy',
  RollingUpdateStatefulSetStrategy: 'partition=1:int32! maxUnavailable=2:intstr!',
  StatefulSetPersistentVolumeClaimRetentionPolicy: 'whenDeleted=1 whenScaled=2',
};
