/**
 * Per-field patch metadata of the built-in kinds that strategic merge patch and server-side apply
 * consult: upstream's Go struct tags (`patchStrategy:"merge,retainKeys" patchMergeKey:"name"`) and
 * OpenAPI list/map markers (`+listType=map`, `+listMapKey=…`, `+mapType=atomic`,
 * `+structType=atomic`), taken from k8s.io/api core/v1, apps/v1, batch/v1 and apimachinery meta/v1
 * types.go. Fields not in the table get the safe default: maps and structs merged key by key,
 * lists replaced whole (atomic).
 *
 * {@link patchMeta} answers from this table where it knows a field and from the OpenAPI documents
 * (versions/openapi.ts) for the rest; {@link setPatchMetaSource} swaps the source without touching
 * the engines.
 */
import { patchMetaFor, schemaForKind } from '../../versions/openapi.js';
import { SUPPORTED_MINORS } from '../../versions/manifest.js';

const LATEST_MINOR = SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1]!;

/** What a field's schema says about patching and applying it. */
export interface FieldSchema {
  /** SMP strategies from the `patchStrategy` tag: `merge`, `replace`, `retainKeys`. */
  patchStrategies?: string[];
  /** SMP `patchMergeKey`: the field that identifies an element of a merged list of maps. */
  patchMergeKey?: string;
  /** SSA `x-kubernetes-list-type`; lists without one are atomic. */
  listType?: 'atomic' | 'set' | 'map';
  /** SSA `x-kubernetes-list-map-keys`, for `listType: map`. */
  listMapKeys?: string[];
  /** Values of list map keys that an element may omit (the schema's defaults, e.g. `protocol: TCP`). */
  listMapKeyDefaults?: Record<string, string | number | boolean>;
  /** `atomic` for maps/structs that apply replaces whole (`+mapType=atomic`, `+structType=atomic`). */
  mapType?: 'atomic' | 'granular';
  /** A map keyed by user-chosen strings (labels, data) rather than a struct: its own node is tracked in field sets. */
  isMap?: boolean;
}

/** The schema of the field at `path` (JSON field names from the object root; list elements add no segment). */
export type PatchMetaLookup = (path: readonly string[]) => FieldSchema | undefined;

/** A group/version/kind. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** A provider of per-kind lookups, e.g. one built from OpenAPI schemas. */
export type PatchMetaSource = (gvk: GroupVersionKind) => PatchMetaLookup | undefined;

/** A field of a struct type in the table: its schema plus the type of its value (or of its list elements). */
interface FieldDef extends FieldSchema {
  type?: string;
}

const MERGE = ['merge'];
const byName = (type?: string): FieldDef => ({ patchStrategies: MERGE, patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], ...(type ? { type } : {}) });
const byType = (): FieldDef => ({ patchStrategies: MERGE, patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] });
const byIP = (type?: string): FieldDef => ({ patchStrategies: MERGE, patchMergeKey: 'ip', listType: 'map', listMapKeys: ['ip'], ...(type ? { type } : {}) });
const atomic: FieldDef = { listType: 'atomic' };
const map: FieldDef = { isMap: true };
const atomicMap: FieldDef = { isMap: true, mapType: 'atomic' };
const atomicStruct: FieldDef = { mapType: 'atomic' };

/** Struct types by name, as upstream's Go types (only fields whose metadata differs from the default). */
const TYPES: Record<string, Record<string, FieldDef>> = {
  // apimachinery meta/v1
  ObjectMeta: {
    labels: map,
    annotations: map,
    finalizers: { patchStrategies: MERGE, listType: 'set' },
    ownerReferences: { patchStrategies: MERGE, patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
    managedFields: atomic,
  },
  // core/v1
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  PodSpec: {
    volumes: { patchStrategies: ['merge', 'retainKeys'], patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    initContainers: byName('Container'),
    containers: byName('Container'),
    ephemeralContainers: byName('Container'),
    imagePullSecrets: byName(),
    hostAliases: byIP('HostAlias'),
    tolerations: atomic,
    topologySpreadConstraints: {
      patchStrategies: MERGE,
      patchMergeKey: 'topologyKey',
      listType: 'map',
      listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
      type: 'TopologySpreadConstraint',
    },
    readinessGates: atomic,
    resourceClaims: { patchStrategies: ['merge', 'retainKeys'], patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    schedulingGates: byName(),
    nodeSelector: atomicMap,
    overhead: map,
    securityContext: { type: 'PodSecurityContext' },
    affinity: { type: 'Affinity' },
  },
  PodSecurityContext: { supplementalGroups: atomic, sysctls: atomic },
  Affinity: { podAffinity: { type: 'PodAffinity' }, podAntiAffinity: { type: 'PodAffinity' } },
  PodAffinity: { requiredDuringSchedulingIgnoredDuringExecution: atomic, preferredDuringSchedulingIgnoredDuringExecution: atomic },
  HostAlias: { hostnames: atomic },
  TopologySpreadConstraint: { labelSelector: atomicStruct, matchLabelKeys: atomic },
  Container: {
    ports: {
      patchStrategies: MERGE,
      patchMergeKey: 'containerPort',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
      listMapKeyDefaults: { protocol: 'TCP' },
    },
    env: byName(),
    volumeMounts: { patchStrategies: MERGE, patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
    volumeDevices: { patchStrategies: MERGE, patchMergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
    resources: { type: 'ResourceRequirements' },
    command: atomic,
    args: atomic,
    envFrom: atomic,
    resizePolicy: atomic,
  },
  ResourceRequirements: { limits: map, requests: map, claims: { listType: 'map', listMapKeys: ['name'] } },
  PodStatus: {
    conditions: byType(),
    podIPs: byIP(),
    hostIPs: byIP(),
    resourceClaimStatuses: byName(),
  },
  ServiceSpec: {
    ports: { patchStrategies: MERGE, patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'], listMapKeyDefaults: { protocol: 'TCP' } },
    selector: atomicMap,
    clusterIPs: atomic,
    externalIPs: atomic,
    ipFamilies: atomic,
    loadBalancerSourceRanges: atomic,
  },
  ServiceStatus: { conditions: byType() },
  NodeSpec: { podCIDRs: { patchStrategies: MERGE, listType: 'set' }, taints: atomic },
  NodeStatus: {
    conditions: byType(),
    addresses: { patchStrategies: MERGE, patchMergeKey: 'type', listType: 'atomic' },
    capacity: map,
    allocatable: map,
  },
  NamespaceStatus: { conditions: byType() },
  ReplicationControllerSpec: { selector: atomicMap, template: { type: 'PodTemplateSpec' } },
  // apps/v1
  DeploymentSpec: {
    selector: atomicStruct,
    template: { type: 'PodTemplateSpec' },
    strategy: { patchStrategies: ['retainKeys'] },
  },
  StatefulSetSpec: { selector: atomicStruct, template: { type: 'PodTemplateSpec' }, volumeClaimTemplates: atomic },
  DaemonSetSpec: { selector: atomicStruct, template: { type: 'PodTemplateSpec' } },
  ReplicaSetSpec: { selector: atomicStruct, template: { type: 'PodTemplateSpec' } },
  ConditionsByType: { conditions: byType() },
  // batch/v1
  JobSpec: { selector: atomicStruct, template: { type: 'PodTemplateSpec' }, podFailurePolicy: { type: 'PodFailurePolicy' }, successPolicy: { type: 'PodFailurePolicy' } },
  PodFailurePolicy: { rules: atomic },
  JobStatus: { conditions: { patchStrategies: MERGE, patchMergeKey: 'type', listType: 'atomic' } },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },
  JobTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'JobSpec' } },
  CronJobStatus: { active: atomic },
};

/** Root types by `group/Kind` (version-independent for the kinds covered). */
const ROOTS: Record<string, Record<string, FieldDef>> = {
  '/Pod': { spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  '/PodTemplate': { template: { type: 'PodTemplateSpec' } },
  '/ReplicationController': { spec: { type: 'ReplicationControllerSpec' }, status: { type: 'ConditionsByType' } },
  '/Service': { spec: { type: 'ServiceSpec' }, status: { type: 'ServiceStatus' } },
  '/ConfigMap': { data: map, binaryData: map },
  '/Secret': { data: map, stringData: map },
  '/Node': { spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  '/Namespace': { spec: { type: 'NamespaceSpec' }, status: { type: 'NamespaceStatus' } },
  '/ServiceAccount': { secrets: byName(), imagePullSecrets: atomic },
  'apps/Deployment': { spec: { type: 'DeploymentSpec' }, status: { type: 'ConditionsByType' } },
  'apps/StatefulSet': { spec: { type: 'StatefulSetSpec' }, status: { type: 'ConditionsByType' } },
  'apps/DaemonSet': { spec: { type: 'DaemonSetSpec' }, status: { type: 'ConditionsByType' } },
  'apps/ReplicaSet': { spec: { type: 'ReplicaSetSpec' }, status: { type: 'ConditionsByType' } },
  'batch/Job': { spec: { type: 'JobSpec' }, status: { type: 'JobStatus' } },
  'batch/CronJob': { spec: { type: 'CronJobSpec' }, status: { type: 'CronJobStatus' } },
};

const METADATA: FieldDef = { type: 'ObjectMeta' };

/** Below a map's keys or an atomic value nothing has metadata of its own. */
const NOTHING_BELOW = Symbol('nothing below');

/** Walk the table from a kind's root along `path`: the field, NOTHING_BELOW, or undefined when the table does not know. */
function resolve(root: Record<string, FieldDef>, path: readonly string[]): FieldDef | typeof NOTHING_BELOW | undefined {
  let fields: Record<string, FieldDef> | undefined = { metadata: METADATA, ...root };
  let def: FieldDef | undefined;
  for (const segment of path) {
    if (def && !def.type && (def.isMap || def.mapType === 'atomic')) return NOTHING_BELOW;
    if (!fields) return undefined;
    def = Object.prototype.hasOwnProperty.call(fields, segment) ? fields[segment] : undefined;
    if (!def) return undefined;
    fields = def.type ? TYPES[def.type] : undefined;
  }
  return def;
}

function tableLookup(gvk: GroupVersionKind): (path: readonly string[]) => FieldSchema | typeof NOTHING_BELOW | undefined {
  const root = ROOTS[`${gvk.group}/${gvk.kind}`] ?? {};
  return (path) => {
    const def = resolve(root, path);
    if (def === undefined || def === NOTHING_BELOW) return def;
    const { type: _type, ...schema } = def;
    return schema;
  };
}

/** The built-in table as a source: every kind resolves (unknown kinds get ObjectMeta and defaults). */
export const builtinPatchMeta: PatchMetaSource = (gvk) => {
  const table = tableLookup(gvk);
  return (path) => {
    const out = table(path);
    return out === NOTHING_BELOW ? undefined : out;
  };
};

/**
 * The OpenAPI documents as a source (versions/openapi.ts, the newest simulated minor's schemas),
 * with `x-kubernetes-patch-*`, list and map markers. A merge list without a list type is an
 * associative list on its merge key (a set without one), as structured-merge-diff's schema
 * conversion derives it. Kinds those documents do not have answer undefined.
 */
export const openApiPatchMeta: PatchMetaSource = (gvk) => {
  if (!schemaForKind(LATEST_MINOR, gvk)) return undefined;
  const lookup = patchMetaFor(gvk, LATEST_MINOR);
  return (path) => {
    const meta = lookup(path);
    const schema: FieldSchema = {};
    if (meta.strategy) schema.patchStrategies = meta.strategy.split(',');
    if (meta.mergeKey) schema.patchMergeKey = meta.mergeKey;
    if (meta.listType === 'atomic' || meta.listType === 'set' || meta.listType === 'map') schema.listType = meta.listType;
    if (meta.mapKeys) schema.listMapKeys = meta.mapKeys;
    if (!schema.listType && schema.patchStrategies?.includes('merge')) {
      if (schema.patchMergeKey) {
        schema.listType = 'map';
        schema.listMapKeys = [schema.patchMergeKey];
      } else {
        schema.listType = 'set';
      }
    }
    if (meta.mapType === 'atomic' || meta.mapType === 'granular') schema.mapType = meta.mapType;
    if (meta.isMap) schema.isMap = true;
    return Object.keys(schema).length > 0 ? schema : undefined;
  };
};

/**
 * The default source: the table where it knows the field (its tags were checked against upstream's
 * types), the OpenAPI documents for every other field and kind.
 */
export const combinedPatchMeta: PatchMetaSource = (gvk) => {
  const id = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let lookup = combinedLookups.get(id);
  if (!lookup) {
    const table = tableLookup(gvk);
    let openApi: PatchMetaLookup | undefined | null = null;
    const cache = new Map<string, FieldSchema | undefined>();
    lookup = (path) => {
      const key = path.join('\u0000');
      if (cache.has(key)) return cache.get(key);
      const known = table(path);
      let out: FieldSchema | undefined;
      if (known === NOTHING_BELOW) out = undefined;
      else if (known !== undefined) out = known;
      else {
        if (openApi === null) openApi = openApiPatchMeta(gvk);
        out = openApi?.(path);
      }
      if (cache.size > 10_000) cache.clear();
      cache.set(key, out);
      return out;
    };
    combinedLookups.set(id, lookup);
  }
  return lookup;
};
const combinedLookups = new Map<string, PatchMetaLookup>();

let source: PatchMetaSource = combinedPatchMeta;

/**
 * Replace the source of patch metadata ({@link combinedPatchMeta} by default; undefined restores
 * it). A source that answers undefined for a kind falls back to the built-in table.
 */
export function setPatchMetaSource(next: PatchMetaSource | undefined): void {
  source = next ?? combinedPatchMeta;
}

/** The patch metadata lookup of one kind: `patchMeta(gvk)(path)`. */
export function patchMeta(gvk: GroupVersionKind): PatchMetaLookup {
  return source(gvk) ?? builtinPatchMeta(gvk)!;
}
