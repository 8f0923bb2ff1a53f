/**
 * `metadata.managedFields`: which field manager owns which fields, as upstream's field manager keeps
 * them (k8s.io/apimachinery/pkg/util/managedfields/internal). Entries are decoded into field sets
 * keyed by manager identity (manager, operation, apiVersion for Update, subresource), updated by
 * ordinary writes (operation Update: the writer takes every field it changed) and by server-side
 * apply (apply.ts), and encoded back in upstream's order. The server's own metadata fields (name,
 * uid, resourceVersion, …) are never tracked, nor `status` on the main resource of a kind with a
 * status subresource.
 */
import { invalid, type FieldError } from '../errors/status.js';
import { formatTime, type KubeObject } from './object.js';
import { patchMeta, type PatchMetaLookup } from './patch-meta.js';
import type { ResourceType } from './resource-type.js';
import {
  compareObjects,
  difference,
  emptySet,
  fromFieldsV1,
  insertPath,
  isEmptySet,
  recursiveDifference,
  toFieldsV1,
  union,
  type Comparison,
  type FieldSet,
} from './fieldpath.js';

/** Upstream's limit on a field manager name. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** Who is writing: the manager name and the operation it performs. */
export interface FieldManagerOptions {
  /** The manager: `fieldManager` or the user agent's prefix. */
  manager: string;
  operation: 'Update' | 'Apply';
}

/** One manager's entry, decoded. */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** The identity of an entry (upstream's BuildManagerIdentifier): Apply entries ignore the apiVersion. */
export function managerKey(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation !== 'Apply' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** How a conflict names a manager: `"kubectl-client-side-apply" using v1` (upstream's printManager). */
export function printManager(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let out = JSON.stringify(e.manager);
  if (e.subresource) out = `${out} with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') return `${out} using ${e.apiVersion}`;
  return out;
}

/** Decoded managed fields, by manager identity, in their stored order. */
export type Managers = Map<string, ManagerEntry>;

/** Decode `metadata.managedFields`; entries that are not valid FieldsV1 entries are skipped. */
export function decodeManagedFields(list: unknown): Managers {
  const out: Managers = new Map();
  if (!Array.isArray(list)) return out;
  for (const raw of list) {
    if (raw === null || typeof raw !== 'object') continue;
    const e = raw as Record<string, unknown>;
    const operation = e.operation === 'Apply' ? 'Apply' : 'Update';
    const set = e.fieldsV1 === undefined ? emptySet() : fromFieldsV1(e.fieldsV1);
    if (!set) continue;
    const entry: ManagerEntry = { manager: String(e.manager ?? ''), operation, apiVersion: String(e.apiVersion ?? ''), set };
    if (typeof e.time === 'string') entry.time = e.time;
    if (typeof e.subresource === 'string' && e.subresource) entry.subresource = e.subresource;
    const key = managerKey(entry);
    const prev = out.get(key);
    out.set(key, prev ? { ...entry, set: union(prev.set, set) } : entry);
  }
  return out;
}

/** Encode managers as `metadata.managedFields`, dropping empty ones, in upstream's order (operation, time, manager, apiVersion, subresource). */
export function encodeManagedFields(managers: Managers): Record<string, unknown>[] {
  const entries = [...managers.values()].filter((e) => !isEmptySet(e.set));
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return entries.map((e) => {
    // metav1.ManagedFieldsEntry's fields in Go order, empty ones left out as omitempty does.
    const out: Record<string, unknown> = {};
    if (e.manager) out.manager = e.manager;
    out.operation = e.operation;
    if (e.apiVersion) out.apiVersion = e.apiVersion;
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = toFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The exact paths upstream's stripMeta manager never tracks. */
const STRIPPED: string[][] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => ['f:metadata', `f:${f}`]),
];
const STRIP_SET: FieldSet = (() => {
  const s = emptySet();
  for (const p of STRIPPED) insertPath(s, p);
  return s;
})();

/** Where a write lands, which decides the fields that are ignored (upstream's reset fields). */
export interface TrackingScope {
  /** The request's group/version (`apps/v1`). */
  apiVersion: string;
  /** `status` for the status subresource, '' for the main resource. */
  subresource: string;
  /** The kind has a status subresource, so the main resource ignores `status`. */
  hasStatus: boolean;
  lookup: PatchMetaLookup;
}

const STATUS_ONLY: FieldSet = (() => {
  const s = emptySet();
  insertPath(s, ['f:status']);
  return s;
})();

/** A set without the stripped metadata and the fields the scope ignores. */
export function trackedFields(set: FieldSet, scope: TrackingScope): FieldSet {
  let out = difference(set, STRIP_SET);
  if (scope.subresource === 'status') {
    const status = out.children.get('f:status');
    out = emptySet();
    if (status) out.children.set('f:status', status);
  } else if (scope.hasStatus) {
    out = recursiveDifference(out, STATUS_ONLY);
  }
  return out;
}

/** An object without its managedFields, for comparisons. */
export function withoutManagedFields(obj: KubeObject | undefined): Record<string, unknown> {
  if (!obj) return {};
  const out: Record<string, unknown> = { ...obj };
  if (obj.metadata && typeof obj.metadata === 'object') {
    const meta = { ...obj.metadata };
    delete meta.managedFields;
    out.metadata = meta;
  }
  return out;
}

/** Compare two objects as the field manager does (managedFields left out, ignored fields dropped). */
export function compareTracked(before: KubeObject | undefined, after: KubeObject, scope: TrackingScope): Comparison {
  const c = compareObjects(withoutManagedFields(before), withoutManagedFields(after), scope.lookup);
  return { added: trackedFields(c.added, scope), modified: trackedFields(c.modified, scope), removed: trackedFields(c.removed, scope) };
}

/**
 * Record an ordinary write (create, update, patch; operation Update) in `next.metadata.managedFields`,
 * as upstream's FieldManager.Update: managed fields sent with the object are honoured (those of the
 * live object otherwise, and always for a subresource); the writer takes every field it added or
 * changed from whoever owned it; removed fields leave every manager; an update of an object that
 * has no managed fields stays untracked. `old` is undefined on create.
 */
export function trackUpdate(old: KubeObject | undefined, next: KubeObject, manager: string, scope: TrackingScope, now: Date): void {
  const meta = (next.metadata ??= {});
  let managers = scope.subresource ? new Map() : decodeManagedFields(meta.managedFields);
  if (managers.size === 0) managers = decodeManagedFields(old?.metadata?.managedFields);
  if (managers.size === 0 && old !== undefined) {
    // skipNonApplied: objects nobody tracked stay untracked until someone applies.
    delete meta.managedFields;
    return;
  }
  const c = compareTracked(old, next, scope);
  updateManagers(managers, c, { manager, operation: 'Update', apiVersion: scope.apiVersion, ...(scope.subresource ? { subresource: scope.subresource } : {}) }, now);
  setManagedFields(next, managers);
}

/** Write encoded managers into an object's metadata (removing the field when none is left). */
export function setManagedFields(obj: KubeObject, managers: Managers): void {
  const meta = (obj.metadata ??= {});
  const encoded = encodeManagedFields(managers);
  if (encoded.length > 0) meta.managedFields = encoded;
  else delete meta.managedFields;
}

/**
 * Apply an Update's comparison to the managers: every other manager loses the fields changed or
 * removed; `writer` keeps what it had (less the removed fields) plus every changed field, and its
 * time moves to `now` when it changed anything.
 */
export function updateManagers(managers: Managers, c: Comparison, writer: Omit<ManagerEntry, 'set' | 'time'>, now: Date): void {
  const changed = union(c.added, c.modified);
  const key = managerKey(writer);
  for (const [k, e] of managers) {
    if (k === key) continue;
    e.set = difference(difference(e.set, changed), c.removed);
  }
  const prev = managers.get(key);
  const set = union(prev ? difference(prev.set, c.removed) : emptySet(), changed);
  const entry: ManagerEntry = { ...writer, set };
  const time = isEmptySet(changed) ? prev?.time : formatTime(now);
  if (time) entry.time = time;
  managers.set(key, entry);
  for (const [k, e] of managers) if (isEmptySet(e.set)) managers.delete(k);
}

/** The field manager of a request: `fieldManager`, else the user agent up to its first `/`. */
export function managerFromRequest(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? '').split('/')[0]!;
}

/** Upstream's ValidateFieldManager: at most 128 bytes, printable characters only. */
export function validateFieldManager(fieldManager: string): FieldError[] {
  const errors: FieldError[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) {
    errors.push({ type: 'FieldValueTooLong', field: 'fieldManager', value: fieldManager, detail: `must have at most ${FIELD_MANAGER_MAX_LENGTH} bytes` });
  }
  let position = 0;
  for (const ch of fieldManager) {
    if (/[\p{C}]/u.test(ch) && ch !== ' ') {
      const code = ch.codePointAt(0)!;
      errors.push({ type: 'FieldValueInvalid', field: 'fieldManager', value: fieldManager, detail: `invalid character U+${code.toString(16).toUpperCase().padStart(4, '0')} (at position ${position})` });
    }
    position += Buffer.byteLength(ch);
  }
  return errors;
}

/** Options kinds whose fieldManager is validated. */
export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/**
 * Validate the write options that concern field managers, as upstream's ValidatePatchOptions (and
 * ValidateCreateOptions/ValidateUpdateOptions): apply requires a fieldManager, `force` is only for
 * apply, and the name must be short and printable. Throws the 422 on the options kind.
 */
export function validateManagerOptions(kind: WriteOptionsKind, fieldManager: string, opts: { apply?: boolean; forceSet?: boolean } = {}): void {
  const errors: FieldError[] = [];
  if (kind === 'PatchOptions') {
    if (!opts.apply && opts.forceSet) errors.push({ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
    if (opts.apply && fieldManager === '') errors.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' });
  }
  errors.push(...validateFieldManager(fieldManager));
  if (errors.length > 0) throw invalid({ group: 'meta.k8s.io', kind }, '', errors);
}

/**
 * The registry's hook: record a create (`old` undefined) or an update of `type` in
 * `next.metadata.managedFields`. Writes without a field manager (the server's own controllers)
 * keep the managed fields as they were; applies have already recorded theirs.
 */
export function recordWrite(
  type: ResourceType,
  old: KubeObject | undefined,
  next: KubeObject,
  opts: { fieldManager?: FieldManagerOptions; subresource?: string },
  now: Date,
  hasStatus: boolean,
): void {
  const meta = (next.metadata ??= {});
  if (!opts.fieldManager) {
    if (meta.managedFields === undefined && old?.metadata?.managedFields !== undefined) meta.managedFields = old.metadata.managedFields;
    return;
  }
  if (opts.fieldManager.operation === 'Apply') return;
  trackUpdate(old, next, opts.fieldManager.manager, scopeOf(type, opts.subresource ?? '', hasStatus), now);
}

/** The tracking scope of a write to `type` (or its subresource); a custom resource's markers come from its CRD's schema. */
export function scopeOf(type: ResourceType, subresource: string, hasStatus: boolean): TrackingScope {
  const lookup = type.custom?.patchMeta ?? patchMeta({ group: type.group, version: type.version, kind: type.kind });
  return { apiVersion: type.groupVersion, subresource, hasStatus, lookup };
}
