/**
 * Field tables of k8s.io/apimachinery/pkg/apis/meta/v1 (package `k8s.io.apimachinery.pkg.apis.meta.v1`),
 * transcribed from staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto. `Time`,
 * `MicroTime`, `Duration` and `FieldsV1` are decoded specially by ../decode.ts and are not listed.
 */
import type { MessageTables } from '../table.js';

/** meta/v1 messages by name. */
export const META_V1: MessageTables = {
  ObjectMeta:
    'name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:int64 creationTimestamp=8:meta.Time deletionTimestamp=9:meta.Time deletionGracePeriodSeconds=10:int64! labels=11:map annotations=12:map ownerReferences=13:[]OwnerReference finalizers=14:[]string managedFields=17:[]ManagedFieldsEntry',
  OwnerReference: 'apiVersion=5:string! kind=1:string! name=3:string! uid=4:string! controller=6:bool! blockOwnerDeletion=7:bool!',
  ManagedFieldsEntry: 'manager=1 operation=2 apiVersion=3 time=4:meta.Time fieldsType=6 fieldsV1=7:meta.FieldsV1 subresource=8',
  LabelSelector: 'matchLabels=1:map matchExpressions=2:[]LabelSelectorRequirement',
  LabelSelectorRequirement: 'key=1:string! operator=2:string! values=3:[]string',
  Condition: 'type=1:string! status=2:string! observedGeneration=3:int64 lastTransitionTime=4:meta.Time! reason=5:string! message=6:string!',
};
