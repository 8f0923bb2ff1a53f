/**
 * Object helpers shared by the registry and the endpoints: typed access to metadata, the wire form
 * (kind and apiVersion first, metadata in ObjectMeta's field order, resourceVersion from the store)
 * and the storage form (no resourceVersion, no type meta).
 */
import type { JsonObject, StoredObject } from '../../storage/store.js';
import type { ResourceType } from './resource-type.js';

/** The subset of ObjectMeta kube-skew reads and writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** A Kubernetes object as JSON. */
export interface KubeObject extends JsonObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** ObjectMeta's JSON field order in upstream's Go struct. */
const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** The object's metadata, created when missing. */
export function metaOf(obj: KubeObject): ObjectMeta {
  if (obj.metadata === undefined || obj.metadata === null || typeof obj.metadata !== 'object') obj.metadata = {};
  return obj.metadata;
}

/** Metadata in upstream's field order, dropping empty optional fields as `omitempty` does. */
export function orderedMeta(meta: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = {};
  for (const k of META_ORDER) {
    const v = meta[k];
    if (v === undefined || v === '' || (v === 0 && k === 'generation')) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(meta)) if (!(k in out) && !META_ORDER.includes(k) && v !== undefined) out[k] = v;
  return out;
}

const META_INDEX = new Map(META_ORDER.map((k, i) => [k, i]));
const RV_INDEX = META_INDEX.get('resourceVersion')!;

/**
 * Stored metadata (already in field order, see {@link toStorage}) with `resourceVersion` inserted in
 * its place: one pass, no sorting, since every object read goes through here.
 */
function withResourceVersion(meta: ObjectMeta, rv: string): ObjectMeta {
  const out: ObjectMeta = {};
  let placed = false;
  for (const k in meta) {
    if (!placed && (META_INDEX.get(k) ?? Number.MAX_SAFE_INTEGER) > RV_INDEX) {
      out.resourceVersion = rv;
      placed = true;
    }
    if (k !== 'resourceVersion') out[k] = meta[k];
  }
  if (!placed) out.resourceVersion = rv;
  return out;
}

/** The wire form of a stored object, as served at `type`'s group/version. */
export function toWire(type: ResourceType, stored: StoredObject, withTypeMeta = true): KubeObject {
  const value = stored.value as KubeObject;
  const out: KubeObject = {};
  if (withTypeMeta) {
    out.kind = type.kind;
    out.apiVersion = type.groupVersion;
  }
  out.metadata = withResourceVersion(value.metadata ?? {}, String(stored.rev));
  for (const [k, v] of Object.entries(value)) if (k !== 'metadata' && k !== 'kind' && k !== 'apiVersion') out[k] = v;
  return out;
}

/**
 * The storage form of an object: no type meta, no resourceVersion, no selfLink; with
 * `recordVersion`, the apiVersion it is stored in is recorded first (custom resources).
 */
export function toStorage(obj: KubeObject, recordVersion?: string): JsonObject {
  const out: JsonObject = {};
  if (recordVersion !== undefined) out.apiVersion = recordVersion;
  const meta = { ...(obj.metadata ?? {}) };
  delete meta.resourceVersion;
  delete meta.selfLink;
  out.metadata = orderedMeta(meta);
  for (const [k, v] of Object.entries(obj)) if (k !== 'metadata' && k !== 'kind' && k !== 'apiVersion') out[k] = v;
  return out;
}

/** A deep copy of a JSON value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Upstream's metav1.Time format: RFC 3339 in UTC with whole seconds. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
