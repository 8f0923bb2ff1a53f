/**
 * Field tables of k8s.io/api/authentication/v1 (v1beta1 and v1alpha1 SelfSubjectReview share them),
 * transcribed from staging/src/k8s.io/api/authentication/v1/generated.proto.
 */
import type { MessageTables } from '../table.js';

/** authentication/v1 messages by name. */
export const AUTHENTICATION_V1: MessageTables = {
  SelfSubjectReview: 'metadata=1:meta.ObjectMeta status=2:SelfSubjectReviewStatus',
  SelfSubjectReviewStatus: 'userInfo=1:UserInfo',
  UserInfo: 'username=1 uid=2 groups=3:[]string extra=4:map<ExtraValue>',
  ExtraValue: 'items=1:[]string',
  TokenReview: 'metadata=1:meta.ObjectMeta spec=2:TokenReviewSpec',
  TokenReviewSpec: 'token=1 audiences=2:[]string',
  TokenRequest: 'metadata=1:meta.ObjectMeta spec=2:TokenRequestSpec status=3:TokenRequestStatus',
  TokenRequestSpec: 'audiences=1:[]string expirationSeconds=4:int64! boundObjectRef=3:BoundObjectReference',
  BoundObjectReference: 'kind=1 apiVersion=2 name=3 uid=4',
  TokenRequestStatus: 'token=1 expirationTimestamp=2:meta.Time',
};
