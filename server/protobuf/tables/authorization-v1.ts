/**
 * Field tables of k8s.io/api/authorization/v1 (also v1beta1, which has the same numbers), transcribed
 * from staging/src/k8s.io/api/authorization/v1/generated.proto. ResourceAttributes fields 8 and 9
 * (fieldSelector, labelSelector) arrived in 1.31.
 */
import type { MessageTables } from '../table.js';

/** authorization/v1 messages by name. */
export const AUTHORIZATION_V1: MessageTables = {
  SelfSubjectAccessReview: 'metadata=1:meta.ObjectMeta spec=2:SelfSubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
  SelfSubjectAccessReviewSpec: 'resourceAttributes=1:ResourceAttributes! nonResourceAttributes=2:NonResourceAttributes!',
  ResourceAttributes:
    'namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7 fieldSelector=8:FieldSelectorAttributes labelSelector=9:LabelSelectorAttributes',
  FieldSelectorAttributes: 'rawSelector=1 requirements=2:[]FieldSelectorRequirement',
  FieldSelectorRequirement: 'key=1:string! operator=2:string! values=3:[]string',
  LabelSelectorAttributes: 'rawSelector=1 requirements=2:[]meta.LabelSelectorRequirement',
  NonResourceAttributes: 'path=1 verb=2',
  SubjectAccessReviewStatus: 'allowed=1:bool! denied=4:bool reason=2 evaluationError=3',
  SelfSubjectRulesReview: 'metadata=1:meta.ObjectMeta spec=2:SelfSubjectRulesReviewSpec',
  SelfSubjectRulesReviewSpec: 'namespace=1',
  SubjectAccessReview: 'metadata=1:meta.ObjectMeta spec=2:SubjectAccessReviewSpec',
  LocalSubjectAccessReview: 'metadata=1:meta.ObjectMeta spec=2:SubjectAccessReviewSpec',
  SubjectAccessReviewSpec:
    'resourceAttributes=1:ResourceAttributes! nonResourceAttributes=2:NonResourceAttributes! user=3 groups=4:[]string extra=5:map<ExtraValue> uid=6',
  ExtraValue: 'items=1:[]string',
};
