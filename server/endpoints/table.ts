/**
 * Conversion of objects to a `meta.k8s.io/v1` Table, as kube-apiserver answers
 * `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`.
 *
 * Built-in kinds get the columns and cells of pkg/printers/internalversion/printers.go; the server
 * always generates the wide form (printers/storage TableConvertor passes `Wide: true`), so
 * priority-1 cells are always present and kubectl hides them without `-o wide`. Other kinds get
 * staging/src/k8s.io/apiserver/pkg/registry/rest/table.go's default convertor (`Name`,
 * `Created At`). Rows carry the object as the handler's `asTable` does (endpoints/handlers/
 * response.go): PartialObjectMetadata for `includeObject=Metadata` (the default), the object for
 * `Object`, null for `None`. Time comes from the caller (`now`), never from the wall clock.
 */
import { NEWEST_MINOR_INFO, type PrinterFacts } from '../../versions/minors.js';
import { formatLabelSelector, formatLabels, labelSelectorFromObject, labelSelectorString, type MetaLabelSelector } from '../registry/selectors.js';

/** A column of a Table (`metav1.TableColumnDefinition`). */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** A row condition (`metav1.TableRowCondition`), set on completed pods. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A row of a Table. `object` is null for `includeObject=None`, as upstream serialises an empty RawExtension. */
export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: Record<string, unknown> | null;
}

/** The wire shape of `metav1.Table`. */
export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** Null when the client asked for no headers (`TableOptions.noHeaders`). */
  columnDefinitions: TableColumnDefinition[] | null;
  /** Null for an empty list from the default convertor, as upstream's nil slice encodes. */
  rows: TableRow[] | null;
}

/** `includeObject` of `metav1.TableOptions`. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A Kubernetes object in wire form. */
export type TableObject = Record<string, unknown>;

/** Input of {@link toTable}. */
export interface ToTableOptions {
  /** The objects' kind, e.g. `Pod` (also `PodList`; the `List` suffix is ignored). */
  kind: string;
  /** The objects' API group (`''` for core). */
  group: string;
  /** The objects to print, in wire form (one for a GET). */
  items: TableObject[];
  /** The list's metadata (resourceVersion, continue, remainingItemCount); for a GET, the object's resourceVersion. */
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number | null };
  /** What each row carries; `Metadata` when absent, as upstream defaults. */
  includeObject?: IncludeObject | '';
  /** The time "Age" is measured against. */
  now: Date;
  /** The simulated minor's printer facts, for columns that changed between releases; the newest minor's when absent. */
  printers?: PrinterFacts;
  /** `meta.k8s.io/v1` (default) or `meta.k8s.io/v1beta1`: the Table's and PartialObjectMetadata's apiVersion. */
  apiVersion?: string;
  /** `TableOptions.noHeaders`: leave out the column definitions. */
  noHeaders?: boolean;
  /** The printer of a kind not built in (a custom resource's columns). */
  printer?: Printer;
}

// ---------------------------------------------------------------------------------------------
// Human durations (k8s.io/apimachinery/pkg/util/duration)
// ---------------------------------------------------------------------------------------------

/**
 * Formats a duration in milliseconds as upstream's `duration.HumanDuration`: ~2-3 significant
 * figures (`45s`, `3m20s`, `15m`, `5h12m`, `30h`, `2d3h`, `90d`, `2y45d`, `10y`); `0s` down to
 * one second in the future, `<invalid>` beyond.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3600000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Go's zero `time.Time` (0001-01-01T00:00:00Z), which metav1.Time treats as unset. */
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Parses a metav1.Time/MicroTime; undefined for absent, unparsable or Go's zero time. */
function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  if (Number.isNaN(t) || t === GO_ZERO_TIME) return undefined;
  return t;
}

/**
 * The elapsed time since a timestamp, as the printers' `translateTimestampSince`: a
 * {@link humanDuration}, or `<unknown>` for an absent or zero timestamp.
 */
export function translateTimestampSince(ts: string | null | undefined, now: Date): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

// ---------------------------------------------------------------------------------------------
// Descriptions (SwaggerDoc of the types upstream's column definitions name)
// ---------------------------------------------------------------------------------------------

/** The `Name` column's description (ObjectMeta's `name`). */
export const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
/** ObjectMeta's `creationTimestamp` description. */
export const CREATION_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const CONTAINERS_DOC = 'Names of each container in the template.';
const IMAGES_DOC = 'Images referenced by each container in the template.';
const RS_SELECTOR_DOC =
  'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';
const NODE_ADDRESSES_DOC =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

const nameCol = (priority = 0): TableColumnDefinition => col('Name', 'string', NAME_DOC, priority, 'name');
const ageCol = (): TableColumnDefinition => col('Age', 'string', CREATION_DOC);

// ---------------------------------------------------------------------------------------------
// Helpers shared by the printers
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function get(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[k];
  }
  return cur;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function map(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function meta(obj: Obj): Obj {
  return map(obj['metadata']);
}

function age(obj: Obj, now: Date): string {
  return translateTimestampSince(str(meta(obj)['creationTimestamp']), now);
}

/** Names and images of the containers, comma-joined (upstream's `layoutContainerCells`). */
function layoutContainerCells(containers: unknown): [string, string] {
  const list = arr(containers);
  return [list.map((c) => str(get(c, 'name'))).join(','), list.map((c) => str(get(c, 'image'))).join(',')];
}

function templateContainers(obj: Obj): unknown {
  return get(obj, 'spec', 'template', 'spec', 'containers');
}

/** A printer: column definitions and the cells of one object. */
/** Columns and cells of one kind. */
export interface Printer {
  columns: (printers: PrinterFacts) => TableColumnDefinition[];
  row: (obj: Obj, now: Date, printers: PrinterFacts) => { cells: unknown[]; conditions?: TableRowCondition[] };
  /** The convertor appends to a nil slice, so an empty list has `rows: null` (not `[]`). */
  nullRowsWhenEmpty?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Pods
// ---------------------------------------------------------------------------------------------

const POD_COLUMNS = [
  nameCol(),
  col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'string', 'The aggregate status of the containers in this pod.'),
  col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageCol(),
  col('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
  col(
    'Node',
    'string',
    'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.',
    1,
  ),
  col(
    'Nominated Node',
    'string',
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
    1,
  ),
  col(
    'Readiness Gates',
    'string',
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    1,
  ),
];

const POD_SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const POD_FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

function conditionTrue(conditions: unknown, type: string): boolean {
  return arr(conditions).some((c) => get(c, 'type') === type && get(c, 'status') === 'True');
}

/** The STATUS, READY and RESTARTS of a pod, as upstream's `printPod` derives them. */
function printPod(pod: Obj, now: Date): { cells: unknown[]; conditions?: TableRowCondition[] } {
  const spec = map(pod['spec']);
  const status = map(pod['status']);
  const phase = str(status['phase']);
  let reason = str(status['reason']) || phase;
  for (const c of arr(status['conditions'])) {
    if (get(c, 'type') === 'PodScheduled' && get(c, 'reason') === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const initContainers = arr(spec['initContainers']);
  const restartable = new Set(initContainers.filter((c) => get(c, 'restartPolicy') === 'Always').map((c) => str(get(c, 'name'))));
  const totalContainers = arr(spec['containers']).length + restartable.size;
  let readyContainers = 0;
  let restarts = 0;
  let restartableRestarts = 0;
  let lastRestart: number | undefined;
  let lastRestartableRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined => (b !== undefined && (a === undefined || b > a) ? b : a);

  let initializing = false;
  const initStatuses = arr(status['initContainerStatuses']);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const restartCount = num(get(c, 'restartCount'));
    restarts += restartCount;
    const finished = parseTime(get(c, 'lastState', 'terminated', 'finishedAt'));
    if (get(c, 'lastState', 'terminated') !== undefined) lastRestart = later(lastRestart, finished);
    const isRestartable = restartable.has(str(get(c, 'name')));
    if (isRestartable) {
      restartableRestarts += restartCount;
      if (get(c, 'lastState', 'terminated') !== undefined) lastRestartableRestart = later(lastRestartableRestart, finished);
    }
    const terminated = get(c, 'state', 'terminated');
    const waitingReason = str(get(c, 'state', 'waiting', 'reason'));
    if (terminated !== undefined && num(get(terminated, 'exitCode')) === 0) continue;
    if (isRestartable && get(c, 'started') === true) {
      if (get(c, 'ready') === true) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      const r = str(get(terminated, 'reason'));
      if (r === '') {
        const signal = num(get(terminated, 'signal'));
        reason = signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${num(get(terminated, 'exitCode'))}`;
      } else {
        reason = `Init:${r}`;
      }
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status['conditions'], 'Initialized')) {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    let hasRunning = false;
    const statuses = arr(status['containerStatuses']);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += num(get(c, 'restartCount'));
      if (get(c, 'lastState', 'terminated') !== undefined) lastRestart = later(lastRestart, parseTime(get(c, 'lastState', 'terminated', 'finishedAt')));
      const waitingReason = str(get(c, 'state', 'waiting', 'reason'));
      const terminated = get(c, 'state', 'terminated');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (terminated !== undefined && str(get(terminated, 'reason')) !== '') {
        reason = str(get(terminated, 'reason'));
      } else if (terminated !== undefined) {
        const signal = num(get(terminated, 'signal'));
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(get(terminated, 'exitCode'))}`;
      } else if (get(c, 'ready') === true && get(c, 'state', 'running') !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status['conditions'], 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = Boolean(meta(pod)['deletionTimestamp']);
  if (deleting && str(status['reason']) === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;

  const podIPs = arr(status['podIPs']);
  const podIP = (podIPs.length > 0 ? str(get(podIPs[0], 'ip')) : str(status['podIP'])) || '<none>';
  let readinessGates = '<none>';
  const gates = arr(spec['readinessGates']);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const cond = arr(status['conditions']).find((c) => get(c, 'type') === get(gate, 'conditionType'));
      if (cond !== undefined && get(cond, 'status') === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }
  const cells = [
    str(meta(pod)['name']),
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    age(pod, now),
    podIP,
    str(spec['nodeName']) || '<none>',
    str(status['nominatedNodeName']) || '<none>',
    readinessGates,
  ];
  if (phase === 'Succeeded') return { cells, conditions: POD_SUCCEEDED };
  if (phase === 'Failed') return { cells, conditions: POD_FAILED };
  return { cells };
}

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

const DEPLOYMENT_COLUMNS = [
  nameCol(),
  col('Ready', 'string', 'Number of the pod with ready state'),
  col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
  ageCol(),
  col('Containers', 'string', CONTAINERS_DOC, 1),
  col('Images', 'string', IMAGES_DOC, 1),
  col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
];

function printDeployment(obj: Obj, now: Date): { cells: unknown[] } {
  const [containers, images] = layoutContainerCells(templateContainers(obj));
  let selector: string;
  try {
    selector = labelSelectorString(labelSelectorFromObject(get(obj, 'spec', 'selector') as MetaLabelSelector | undefined));
  } catch {
    selector = '<invalid>';
  }
  const status = map(obj['status']);
  return {
    cells: [
      str(meta(obj)['name']),
      `${num(status['readyReplicas'])}/${num(get(obj, 'spec', 'replicas'), 1)}`,
      num(status['updatedReplicas']),
      num(status['availableReplicas']),
      age(obj, now),
      containers,
      images,
      selector,
    ],
  };
}

const REPLICASET_COLUMNS = [
  nameCol(),
  col(
    'Desired',
    'integer',
    'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  ),
  col(
    'Current',
    'integer',
    'Replicas is the most recently oberved number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  ),
  col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
  ageCol(),
  col('Containers', 'string', CONTAINERS_DOC, 1),
  col('Images', 'string', IMAGES_DOC, 1),
  col('Selector', 'string', RS_SELECTOR_DOC, 1),
];

function printReplicaSet(obj: Obj, now: Date): { cells: unknown[] } {
  const [containers, images] = layoutContainerCells(templateContainers(obj));
  const status = map(obj['status']);
  return {
    cells: [
      str(meta(obj)['name']),
      num(get(obj, 'spec', 'replicas'), 1),
      num(status['replicas']),
      num(status['readyReplicas']),
      age(obj, now),
      containers,
      images,
      formatLabelSelector(get(obj, 'spec', 'selector') as MetaLabelSelector | undefined),
    ],
  };
}

const REPLICATION_CONTROLLER_COLUMNS = [
  nameCol(),
  col(
    'Desired',
    'integer',
    'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller',
  ),
  col(
    'Current',
    'integer',
    'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller',
  ),
  col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
  ageCol(),
  col('Containers', 'string', CONTAINERS_DOC, 1),
  col('Images', 'string', IMAGES_DOC, 1),
  col(
    'Selector',
    'string',
    'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels#label-selectors',
    1,
  ),
];

function printReplicationController(obj: Obj, now: Date): { cells: unknown[] } {
  const [containers, images] = layoutContainerCells(templateContainers(obj));
  const status = map(obj['status']);
  return {
    cells: [
      str(meta(obj)['name']),
      num(get(obj, 'spec', 'replicas'), 1),
      num(status['replicas']),
      num(status['readyReplicas']),
      age(obj, now),
      containers,
      images,
      formatLabels(get(obj, 'spec', 'selector') as Record<string, string> | undefined),
    ],
  };
}

const JOB_COLUMNS_BEFORE_1_30 = (): TableColumnDefinition[] => [
  nameCol(),
  col('Completions', 'string', JOB_SUCCEEDED_DOC),
  col('Duration', 'string', 'Time required to complete the job.'),
  ageCol(),
  col('Containers', 'string', CONTAINERS_DOC, 1),
  col('Images', 'string', IMAGES_DOC, 1),
  col('Selector', 'string', JOB_SELECTOR_DOC, 1),
];

const JOB_SUCCEEDED_DOC =
  'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.';
const JOB_SELECTOR_DOC =
  'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

function jobColumns(printers: PrinterFacts): TableColumnDefinition[] {
  const columns = JOB_COLUMNS_BEFORE_1_30();
  if (printers.jobStatusColumn) columns.splice(1, 0, col('Status', 'string', 'Status of the job.'));
  return columns;
}

function printJob(obj: Obj, now: Date, printers: PrinterFacts): { cells: unknown[] } {
  const spec = map(obj['spec']);
  const status = map(obj['status']);
  const succeeded = num(status['succeeded']);
  let completions: string;
  if (typeof spec['completions'] === 'number') {
    completions = `${succeeded}/${num(spec['completions'])}`;
  } else {
    const parallelism = num(spec['parallelism']);
    completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
  }
  const start = parseTime(status['startTime']);
  const completion = parseTime(status['completionTime']);
  let duration = '';
  if (start !== undefined) duration = humanDuration((completion ?? now.getTime()) - start);
  const has = (type: string): boolean => {
    const c = arr(status['conditions']).find((cond) => get(cond, 'type') === type);
    return c !== undefined && get(c, 'status') === 'True';
  };
  let jobStatus = 'Running';
  if (has('Complete')) jobStatus = 'Complete';
  else if (has('Failed')) jobStatus = 'Failed';
  else if (meta(obj)['deletionTimestamp']) jobStatus = 'Terminating';
  else if (has('Suspended')) jobStatus = 'Suspended';
  else if (has('FailureTarget')) jobStatus = 'FailureTarget';
  const [containers, images] = layoutContainerCells(templateContainers(obj));
  const cells: unknown[] = [str(meta(obj)['name'])];
  if (printers.jobStatusColumn) cells.push(jobStatus);
  cells.push(completions, duration, age(obj, now), containers, images, formatLabelSelector(spec['selector'] as MetaLabelSelector | undefined));
  return { cells };
}

const DAEMONSET_COLUMNS = [
  nameCol(),
  col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
  col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
  col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
  col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
  col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
  col(
    'Node Selector',
    'string',
    "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
  ),
  ageCol(),
  col('Containers', 'string', CONTAINERS_DOC, 1),
  col('Images', 'string', IMAGES_DOC, 1),
  col(
    'Selector',
    'string',
    'A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
    1,
  ),
];

function printDaemonSet(obj: Obj, now: Date): { cells: unknown[] } {
  const status = map(obj['status']);
  const [containers, images] = layoutContainerCells(templateContainers(obj));
  return {
    cells: [
      str(meta(obj)['name']),
      num(status['desiredNumberScheduled']),
      num(status['currentNumberScheduled']),
      num(status['numberReady']),
      num(status['updatedNumberScheduled']),
      num(status['numberAvailable']),
      formatLabels(get(obj, 'spec', 'template', 'spec', 'nodeSelector') as Record<string, string> | undefined),
      age(obj, now),
      containers,
      images,
      formatLabelSelector(get(obj, 'spec', 'selector') as MetaLabelSelector | undefined),
    ],
  };
}

const STATEFULSET_COLUMNS = [
  nameCol(),
  col('Ready', 'string', 'Number of the pod with ready state'),
  ageCol(),
  col('Containers', 'string', CONTAINERS_DOC, 1),
  col('Images', 'string', IMAGES_DOC, 1),
];

function printStatefulSet(obj: Obj, now: Date): { cells: unknown[] } {
  const [containers, images] = layoutContainerCells(templateContainers(obj));
  return {
    cells: [
      str(meta(obj)['name']),
      `${num(get(obj, 'status', 'readyReplicas'))}/${num(get(obj, 'spec', 'replicas'), 1)}`,
      age(obj, now),
      containers,
      images,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Services, endpoints, config
// ---------------------------------------------------------------------------------------------

const SERVICE_COLUMNS = [
  nameCol(),
  col(
    'Type',
    'string',
    'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  ),
  col(
    'Cluster-IP',
    'string',
    'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  ),
  col(
    'External-IP',
    'string',
    'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
  ),
  col('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
  ageCol(),
  col(
    'Selector',
    'string',
    'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
    1,
  ),
];

/** Load balancer ingress IPs/hostnames, sorted and de-duplicated (the server prints wide, so unclipped). */
function loadBalancerStatus(svc: Obj): string {
  const set = new Set<string>();
  for (const ing of arr(get(svc, 'status', 'loadBalancer', 'ingress'))) {
    const ip = str(get(ing, 'ip'));
    const hostname = str(get(ing, 'hostname'));
    if (ip) set.add(ip);
    else if (hostname) set.add(hostname);
  }
  return [...set].sort().join(',');
}

function serviceExternalIP(svc: Obj, type: string): string {
  const externalIPs = arr(get(svc, 'spec', 'externalIPs')).map(str);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatus(svc);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(get(svc, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

function printService(svc: Obj, now: Date): { cells: unknown[] } {
  const spec = map(svc['spec']);
  const type = str(spec['type']) || 'ClusterIP';
  const clusterIPs = arr(spec['clusterIPs']);
  const internalIP = (clusterIPs.length > 0 ? str(clusterIPs[0]) : str(spec['clusterIP'])) || '<none>';
  const ports = arr(spec['ports'])
    .map((p) => {
      const protocol = str(get(p, 'protocol')) || 'TCP';
      const nodePort = num(get(p, 'nodePort'));
      return nodePort > 0 ? `${num(get(p, 'port'))}:${nodePort}/${protocol}` : `${num(get(p, 'port'))}/${protocol}`;
    })
    .join(',');
  return {
    cells: [
      str(meta(svc)['name']),
      type,
      internalIP,
      serviceExternalIP(svc, type),
      ports || '<none>',
      age(svc, now),
      formatLabels(spec['selector'] as Record<string, string> | undefined),
    ],
  };
}

const ENDPOINTS_COLUMNS = [
  nameCol(),
  col(
    'Endpoints',
    'string',
    'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
  ),
  ageCol(),
];

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Up to three endpoints and `+ N more...` (upstream's `formatEndpoints` with all ports). */
function formatEndpoints(obj: Obj): string {
  const subsets = arr(obj['subsets']);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = arr(get(ss, 'addresses'));
    const ports = arr(get(ss, 'ports'));
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(get(a, 'ip')));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(get(a, 'ip')), num(get(port, 'port'))));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const CONFIGMAP_COLUMNS = [
  nameCol(),
  col(
    'Data',
    'string',
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  ),
  ageCol(),
];

const SECRET_COLUMNS = [
  nameCol(),
  col('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
  col(
    'Data',
    'string',
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  ),
  ageCol(),
];

function printSecret(obj: Obj, now: Date): { cells: unknown[] } {
  const keys = new Set([...Object.keys(map(obj['data'])), ...Object.keys(map(obj['stringData']))]);
  return { cells: [str(meta(obj)['name']), str(obj['type']), keys.size, age(obj, now)] };
}

const SERVICE_ACCOUNT_COLUMNS = [
  nameCol(),
  col(
    'Secrets',
    'string',
    'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
  ),
  ageCol(),
];

// ---------------------------------------------------------------------------------------------
// Cluster objects: namespaces, nodes, leases, events
// ---------------------------------------------------------------------------------------------

const COMPONENT_STATUS_COLUMNS = [
  nameCol(),
  col('Status', 'string', 'Status of the component conditions'),
  col('Message', 'string', 'Message of the component conditions'),
  col('Error', 'string', 'Error of the component conditions'),
];

/** `Healthy` when the Healthy condition is True, `Unhealthy` otherwise, `Unknown` without one. */
function printComponentStatus(obj: Obj): { cells: unknown[] } {
  const healthy = arr(obj['conditions']).find((c) => get(c, 'type') === 'Healthy');
  const status = healthy === undefined ? 'Unknown' : get(healthy, 'status') === 'True' ? 'Healthy' : 'Unhealthy';
  return { cells: [str(meta(obj)['name']), status, str(get(healthy, 'message')), str(get(healthy, 'error'))] };
}

const NAMESPACE_COLUMNS = [nameCol(), col('Status', 'string', 'The status of the namespace'), ageCol()];

const NODE_COLUMNS = [
  nameCol(),
  col('Status', 'string', 'The status of the node'),
  col('Roles', 'string', 'The roles of the node'),
  ageCol(),
  col('Version', 'string', 'Kubelet Version reported by the node.'),
  col('Internal-IP', 'string', NODE_ADDRESSES_DOC, 1),
  col('External-IP', 'string', NODE_ADDRESSES_DOC, 1),
  col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
  col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
  col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
];

function nodeAddress(node: Obj, type: string): string {
  const a = arr(get(node, 'status', 'addresses')).find((addr) => get(addr, 'type') === type);
  return a === undefined ? '<none>' : str(get(a, 'address'));
}

function printNode(node: Obj, now: Date): { cells: unknown[] } {
  const status: string[] = [];
  const ready = arr(get(node, 'status', 'conditions')).find((c) => get(c, 'type') === 'Ready');
  if (ready !== undefined) status.push(get(ready, 'status') === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (get(node, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(map(meta(node)['labels']))) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(str(v));
    }
  }
  const info = map(get(node, 'status', 'nodeInfo'));
  return {
    cells: [
      str(meta(node)['name']),
      status.join(','),
      [...roles].sort().join(',') || '<none>',
      age(node, now),
      str(info['kubeletVersion']),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      str(info['osImage']) || '<unknown>',
      str(info['kernelVersion']) || '<unknown>',
      str(info['containerRuntimeVersion']) || '<unknown>',
    ],
  };
}

const APISERVICE_COLUMNS = [
  nameCol(),
  col('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
  col('Available', 'string', 'Whether this service is available.'),
  ageCol(),
];

/** kube-aggregator's APIService row: `Local` or `namespace/name`, and `True` or `False (Reason)`. */
function printAPIService(obj: Obj, now: Date): { cells: unknown[] } {
  const svc = get(obj, 'spec', 'service');
  const service = svc ? `${str(get(svc, 'namespace'))}/${str(get(svc, 'name'))}` : 'Local';
  const cond = arr(get(obj, 'status', 'conditions')).find((c) => str(get(c, 'type')) === 'Available');
  let available = 'Unknown';
  if (cond) {
    const status = str(get(cond, 'status'));
    available = status === 'True' ? status : `${status} (${str(get(cond, 'reason'))})`;
  }
  return { cells: [str(meta(obj)['name']), service, available, age(obj, now)] };
}

const LEASE_COLUMNS = [nameCol(), col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageCol()];

const EVENT_COLUMNS = [
  col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'string', 'The object that this event is about.'),
  col(
    'Subobject',
    'string',
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
    1,
  ),
  col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
  col('Message', 'string', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  col('Count', 'string', 'The number of times this event has occurred.', 1),
  nameCol(1),
];

/** Reads a core/v1 Event, or an events.k8s.io/v1 Event mapped onto the core fields. */
function coreEvent(obj: Obj): Obj {
  if (obj['regarding'] === undefined && obj['note'] === undefined && obj['deprecatedSource'] === undefined) return obj;
  return {
    ...obj,
    involvedObject: obj['regarding'],
    message: obj['note'],
    source: obj['deprecatedSource'],
    firstTimestamp: obj['deprecatedFirstTimestamp'],
    lastTimestamp: obj['deprecatedLastTimestamp'],
    count: obj['deprecatedCount'],
    reportingComponent: obj['reportingController'],
  };
}

function printEvent(raw: Obj, now: Date): { cells: unknown[] } {
  const obj = coreEvent(raw);
  let firstSeen = translateTimestampSince(str(obj['firstTimestamp']), now);
  if (parseTime(obj['firstTimestamp']) === undefined) firstSeen = translateTimestampSince(str(obj['eventTime']), now);
  let lastSeen = translateTimestampSince(str(obj['lastTimestamp']), now);
  if (parseTime(obj['lastTimestamp']) === undefined) lastSeen = firstSeen;
  let count = num(obj['count']);
  const series = obj['series'];
  if (series !== undefined && series !== null) {
    lastSeen = translateTimestampSince(str(get(series, 'lastObservedTime')), now);
    count = num(get(series, 'count'));
  } else if (count === 0) {
    count = 1;
  }
  const kind = str(get(obj, 'involvedObject', 'kind')).toLowerCase();
  const name = str(get(obj, 'involvedObject', 'name'));
  const component = str(get(obj, 'source', 'component')) || str(obj['reportingComponent']);
  const host = str(get(obj, 'source', 'host')) || str(obj['reportingInstance']);
  return {
    cells: [
      lastSeen,
      str(obj['type']),
      str(obj['reason']),
      name ? `${kind}/${name}` : kind,
      str(get(obj, 'involvedObject', 'fieldPath')),
      host ? `${component}, ${host}` : component,
      str(obj['message']).trim(),
      firstSeen,
      count,
      str(meta(obj)['name']),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The printer table and the default convertor
// ---------------------------------------------------------------------------------------------

const fixed =
  (columns: TableColumnDefinition[]) =>
  (): TableColumnDefinition[] =>
    columns;

/** `Kind.group` (`Pod`, `Deployment.apps`) → printer. */
const PRINTERS: Record<string, Printer> = {
  Pod: { columns: fixed(POD_COLUMNS), row: (o, now) => printPod(o, now) },
  'Deployment.apps': { columns: fixed(DEPLOYMENT_COLUMNS), row: (o, now) => printDeployment(o, now) },
  'ReplicaSet.apps': { columns: fixed(REPLICASET_COLUMNS), row: (o, now) => printReplicaSet(o, now) },
  'DaemonSet.apps': { columns: fixed(DAEMONSET_COLUMNS), row: (o, now) => printDaemonSet(o, now) },
  'StatefulSet.apps': { columns: fixed(STATEFULSET_COLUMNS), row: (o, now) => printStatefulSet(o, now) },
  ReplicationController: { columns: fixed(REPLICATION_CONTROLLER_COLUMNS), row: (o, now) => printReplicationController(o, now) },
  'Job.batch': { columns: jobColumns, row: printJob },
  Service: { columns: fixed(SERVICE_COLUMNS), row: (o, now) => printService(o, now) },
  Endpoints: { columns: fixed(ENDPOINTS_COLUMNS), row: (o, now) => ({ cells: [str(meta(o)['name']), formatEndpoints(o), age(o, now)] }) },
  ConfigMap: {
    columns: fixed(CONFIGMAP_COLUMNS),
    row: (o, now) => ({ cells: [str(meta(o)['name']), Object.keys(map(o['data'])).length + Object.keys(map(o['binaryData'])).length, age(o, now)] }),
  },
  Secret: { columns: fixed(SECRET_COLUMNS), row: (o, now) => printSecret(o, now) },
  ServiceAccount: { columns: fixed(SERVICE_ACCOUNT_COLUMNS), row: (o, now) => ({ cells: [str(meta(o)['name']), arr(o['secrets']).length, age(o, now)] }) },
  Namespace: { columns: fixed(NAMESPACE_COLUMNS), row: (o, now) => ({ cells: [str(meta(o)['name']), str(get(o, 'status', 'phase')), age(o, now)] }) },
  Node: { columns: fixed(NODE_COLUMNS), row: (o, now) => printNode(o, now) },
  ComponentStatus: { columns: fixed(COMPONENT_STATUS_COLUMNS), row: (o) => printComponentStatus(o) },
  'Lease.coordination.k8s.io': {
    columns: fixed(LEASE_COLUMNS),
    row: (o, now) => ({ cells: [str(meta(o)['name']), str(get(o, 'spec', 'holderIdentity')), age(o, now)] }),
  },
  'APIService.apiregistration.k8s.io': { columns: fixed(APISERVICE_COLUMNS), row: (o, now) => printAPIService(o, now) },
  Event: { columns: fixed(EVENT_COLUMNS), row: (o, now) => printEvent(o, now) },
  'Event.events.k8s.io': { columns: fixed(EVENT_COLUMNS), row: (o, now) => printEvent(o, now) },
};

/**
 * CustomResourceDefinitions from 1.37 (apiextensions-apiserver's crdConvertor): `Name`, `Group`,
 * `Scope`, `Versions` (every spec version, sorted as Go's sort.Strings does, comma-joined) and
 * `Created At`; rows appended to a nil slice.
 */
const CRD_COLUMNS: TableColumnDefinition[] = [
  nameCol(),
  col('Group', 'string', 'API group'),
  col('Scope', 'string', 'Cluster/Namespaced'),
  col('Versions', 'string', 'Served versions'),
  col('Created At', 'date', CREATION_DOC),
];
const CRD_PRINTER: Printer = {
  columns: () => CRD_COLUMNS,
  row: (o) => {
    const versions = arr(get(o, 'spec', 'versions')).map((v) => str((v as Obj)['name']));
    versions.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { cells: [str(meta(o)['name']), str(get(o, 'spec', 'group')), str(get(o, 'spec', 'scope')), versions.join(','), createdAt(o)] };
  },
  nullRowsWhenEmpty: true,
};

/** The CRD printer of a minor's printer facts, or undefined for the default convertor. */
function crdPrinter(printers: PrinterFacts): Printer | undefined {
  return printers.crdColumns === 'group-scope-versions' ? CRD_PRINTER : undefined;
}

/** The default convertor's columns (rest/table.go): `Name` and `Created At` of type date. */
const DEFAULT_COLUMNS: TableColumnDefinition[] = [nameCol(), col('Created At', 'date', CREATION_DOC)];

/** `Created At` cell: the creation time in RFC 3339 UTC, Go's zero time when absent. */
function createdAt(obj: Obj): string {
  const t = parseTime(meta(obj)['creationTimestamp']);
  return t === undefined ? '0001-01-01T00:00:00Z' : new Date(Math.trunc(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** True when kube-skew prints `kind` in `group` with kind-specific columns (otherwise `Name`/`Created At`). */
export function hasPrinter(kind: string, group: string, printers: PrinterFacts = NEWEST_MINOR_INFO.printers): boolean {
  return printerFor(kind, group, printers) !== undefined;
}

function printerFor(kind: string, group: string, printers: PrinterFacts): Printer | undefined {
  const k = kind.endsWith('List') ? kind.slice(0, -4) : kind;
  if (k === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') return crdPrinter(printers);
  return PRINTERS[group ? `${k}.${group}` : k];
}

/** The row object for `includeObject`, as the handler's `asTable` builds it. */
function rowObject(obj: Obj, include: IncludeObject | '', apiVersion: string): Record<string, unknown> | null {
  switch (include) {
    case 'None':
      return null;
    case 'Object':
      return obj;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion, metadata: meta(obj) };
  }
}

/**
 * Converts objects to a `meta.k8s.io/v1` Table as kube-apiserver does: the kind's printer columns
 * and cells for built-in kinds (pods, deployments, replicasets, daemonsets, statefulsets,
 * replicationcontrollers, jobs, services, endpoints, configmaps, secrets, serviceaccounts,
 * namespaces, nodes, componentstatuses, leases, events), `Name`/`Created At` for the rest; every row carries the
 * object per `includeObject` (PartialObjectMetadata by default). The caller validates
 * `includeObject` (upstream answers 400 `unrecognized includeObject value: "x"`).
 */
export function toTable(options: ToTableOptions): Table {
  const apiVersion = options.apiVersion ?? 'meta.k8s.io/v1';
  const printers = options.printers ?? NEWEST_MINOR_INFO.printers;
  const include = options.includeObject ?? 'Metadata';
  const printer = options.printer ?? printerFor(options.kind, options.group, printers);
  const metadata: Table['metadata'] = {};
  const lm = options.listMeta ?? {};
  if (lm.resourceVersion) metadata.resourceVersion = lm.resourceVersion;
  if (lm.continue) metadata.continue = lm.continue;
  if (typeof lm.remainingItemCount === 'number') metadata.remainingItemCount = lm.remainingItemCount;

  let columns: TableColumnDefinition[];
  let rows: TableRow[] | null;
  if (printer !== undefined) {
    columns = printer.columns(printers);
    rows = printer.nullRowsWhenEmpty && options.items.length === 0 ? null : options.items.map((item) => {
      const { cells, conditions } = printer.row(item, options.now, printers);
      const row: TableRow = { cells, object: rowObject(item, include, apiVersion) };
      if (conditions !== undefined) return { cells, conditions, object: row.object };
      return row;
    });
  } else {
    columns = DEFAULT_COLUMNS;
    rows =
      options.items.length === 0
        ? null
        : options.items.map((item) => ({ cells: [str(meta(item)['name']), createdAt(item)], object: rowObject(item, include, apiVersion) }));
  }
  return {
    kind: 'Table',
    apiVersion,
    metadata,
    columnDefinitions: options.noHeaders ? null : columns.map((c) => ({ ...c })),
    rows,
  };
}
