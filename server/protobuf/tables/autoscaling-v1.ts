/**
 * Field tables of k8s.io/api/autoscaling/v1's Scale, transcribed from
 * staging/src/k8s.io/api/autoscaling/v1/generated.proto (Scale, ScaleSpec, ScaleStatus).
 */
import type { MessageTables } from '../table.js';

/** autoscaling/v1 messages by name. */
export const AUTOSCALING_V1: MessageTables = {
  Scale: 'metadata=1:meta.ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus',
  ScaleSpec: 'replicas=1:int32',
  ScaleStatus: 'replicas=1:int32! selector=2',
};
