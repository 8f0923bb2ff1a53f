/**
 * Field tables of k8s.io/api/batch/v1, transcribed from staging/src/k8s.io/api/batch/v1/generated.proto
 * (CronJobSpec.timeZone is field 8). Job fields added after 1.21 (podFailurePolicy and later) are not
 * listed: kubectl's generators do not fill them, and an unknown field is skipped.
 */
import type { MessageTables } from '../table.js';

/** batch/v1 messages by name. */
export const BATCH_V1: MessageTables = {
  Job: 'metadata=1:meta.ObjectMeta spec=2:JobSpec',
  JobSpec:
    'parallelism=1:int32! completions=2:int32! activeDeadlineSeconds=3:int64! backoffLimit=7:int32! selector=4:meta.LabelSelector! manualSelector=5:bool! template=6:core.PodTemplateSpec ttlSecondsAfterFinished=8:int32! completionMode=9:string! suspend=10:bool!',
  JobTemplateSpec: 'metadata=1:meta.ObjectMeta spec=2:JobSpec',
  CronJob: 'metadata=1:meta.ObjectMeta spec=2:CronJobSpec',
  CronJobSpec:
    'schedule=1:string! timeZone=8:string! startingDeadlineSeconds=2:int64! concurrencyPolicy=3 suspend=4:bool! jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:int32! failedJobsHistoryLimit=7:int32!',
};
