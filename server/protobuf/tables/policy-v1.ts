/**
 * Field tables of k8s.io/api/policy/v1, transcribed from staging/src/k8s.io/api/policy/v1/generated.proto.
 */
import type { MessageTables } from '../table.js';

/** policy/v1 messages by name. */
export const POLICY_V1: MessageTables = {
  PodDisruptionBudget: 'metadata=1:meta.ObjectMeta spec=2:PodDisruptionBudgetSpec',
  PodDisruptionBudgetSpec: 'minAvailable=1:intstr! selector=2:meta.LabelSelector! maxUnavailable=3:intstr! unhealthyPodEvictionPolicy=4:string!',
};
