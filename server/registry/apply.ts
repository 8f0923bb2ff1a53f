/**
 * Server-side apply (`application/apply-patch+yaml`), as upstream's field manager stack does it
 * (k8s.io/apimachinery/pkg/util/managedfields/internal and sigs.k8s.io/structured-merge-diff
 * merge.Updater.Apply): the applied configuration is merged into the live object (lists by their
 * list type, atomic values replaced), the applier's field set becomes exactly the configuration's
 * fields, fields it applied before and no longer applies are removed unless someone else owns
 * them, and changing a field another manager owns is a conflict (409) unless `force` takes it.
 * Managers named `kubectl` also get upstream's client-side-apply upgrade path: conflicts with fields
 * the `last-applied-configuration` annotation still matches are allowed, and that annotation is kept
 * in step with the applied configuration.
 */
import { decodeYaml } from '../http/yaml.js';
import { applyConflict, badRequest, type StatusCause } from '../errors/status.js';
import { clone, type KubeObject } from './object.js';
import type { PatchMetaLookup } from './patch-meta.js';
import {
  compareObjects,
  deepEqual,
  difference,
  emptySet,
  hasPath,
  intersection,
  isEmptySet,
  keyedItems,
  members,
  pathString,
  removePath,
  toFieldSet,
  union,
  type FieldSet,
} from './fieldpath.js';
import {
  compareTracked,
  decodeManagedFields,
  managerKey,
  printManager,
  setManagedFields,
  trackedFields,
  updateManagers,
  withoutManagedFields,
  type ManagerEntry,
  type Managers,
  type TrackingScope,
} from './managed-fields.js';

/** kubectl's client-side apply annotation. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The manager whose applies upgrade client-side apply (upstream's hard-coded `kubectl`). */
const KUBECTL_MANAGER = 'kubectl';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Decode an apply patch body (YAML or JSON) into the applied configuration, with upstream's 400s. */
export function decodeApplyPatch(body: Buffer): Obj {
  let value: unknown;
  try {
    value = decodeYaml(body.toString('utf8'), { uniqueKeys: true });
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) value = {};
  if (!isObject(value)) {
    throw badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value === 'string' ? 'string' : typeof value} into Go value of type map[string]interface {}`);
  }
  return value;
}

/** What an apply needs besides the live object and the configuration. */
export interface ApplyOptions extends TrackingScope {
  manager: string;
  force: boolean;
  now: Date;
}

/** A conflict: a field another manager owns. */
interface Conflict {
  owner: ManagerEntry;
  path: string[];
}

class Conflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('conflicts');
  }
}

/**
 * Apply `config` to `live` (the current object in wire form, or `{}` when creating) and return the
 * new object with its managedFields. Throws a 400 for a malformed configuration and a 409 listing
 * the conflicts when `force` is off.
 */
export function applyToObject(live: KubeObject, config: Obj, opts: ApplyOptions): KubeObject {
  checkConfig(config, opts.apiVersion);
  let managers = decodeManagedFields(live.metadata?.managedFields);
  const liveObj = withoutManagedFields(live) as KubeObject;
  if (managers.size === 0) {
    // skipNonApplied: the fields that exist before the first apply belong to "before-first-apply".
    managers = new Map();
    const c = compareTracked(undefined, liveObj, opts);
    updateManagers(managers, c, { manager: 'before-first-apply', operation: 'Update', apiVersion: opts.apiVersion }, opts.now);
  }
  let result: KubeObject;
  try {
    result = applyOnce(liveObj, config, copyManagers(managers), opts, opts.force);
  } catch (err) {
    if (!(err instanceof Conflicts) || opts.manager !== KUBECTL_MANAGER) throw conflictError(err);
    const allowed = allowedFromLastApplied(liveObj, opts);
    const remaining = allowed ? err.conflicts.filter((c) => !hasPath(allowed, c.path)) : err.conflicts;
    if (remaining.length > 0) throw conflictError(new Conflicts(remaining));
    result = applyOnce(liveObj, config, copyManagers(managers), opts, true);
  }
  if (opts.manager === KUBECTL_MANAGER) syncLastApplied(result, config);
  return result;
}

function copyManagers(managers: Managers): Managers {
  return new Map([...managers].map(([k, e]) => [k, { ...e }]));
}

function checkConfig(config: Obj, apiVersion: string): void {
  const version = typeof config.apiVersion === 'string' ? config.apiVersion : '';
  if (version !== apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${version}, expected: ${apiVersion}`);
  }
  const meta = config.metadata;
  if (isObject(meta) && meta.managedFields !== undefined && meta.managedFields !== null) throw badRequest('metadata.managedFields must be nil');
}

/** One pass of merge.Updater.Apply. */
function applyOnce(live: KubeObject, config: Obj, managers: Managers, opts: ApplyOptions, force: boolean): KubeObject {
  const applier: Omit<ManagerEntry, 'set' | 'time'> = { manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, ...(opts.subresource ? { subresource: opts.subresource } : {}) };
  const key = managerKey(applier);
  let merged = mergeValue(live, config, opts.lookup, []) as KubeObject;
  const last = managers.get(key);
  const set = trackedFields(toFieldSet(config, opts.lookup), opts);
  managers.set(key, { ...applier, apiVersion: opts.apiVersion, set, ...(last?.time ? { time: last.time } : {}) });
  if (last && !isEmptySet(last.set)) merged = prune(merged, last.set, managers, opts.lookup);

  const c = compareTracked(live, merged, opts);
  const changed = union(c.added, c.modified);
  const conflicts: Conflict[] = [];
  for (const [k, e] of managers) {
    if (k === key) continue;
    const taken = intersection(e.set, changed);
    if (!isEmptySet(taken)) for (const path of members(taken)) conflicts.push({ owner: e, path });
  }
  if (conflicts.length > 0 && !force) throw new Conflicts(conflicts);
  for (const [k, e] of managers) {
    if (k === key) continue;
    e.set = difference(difference(e.set, changed), c.removed);
  }
  for (const [k, e] of managers) if (isEmptySet(e.set)) managers.delete(k);
  const entry = managers.get(key);
  if (entry && !deepEqual(withoutManagedFields(live), withoutManagedFields(merged))) entry.time = formatNow(opts.now);
  setManagedFields(merged, managers);
  return merged;
}

function formatNow(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Remove from `merged` what the applier applied last time and no longer applies, unless another
 * manager (or the applier's new configuration) owns it.
 */
function prune(merged: KubeObject, lastSet: FieldSet, managers: Managers, lookup: PatchMetaLookup): KubeObject {
  let owned = emptySet();
  for (const e of managers.values()) owned = union(owned, e.set);
  const out = clone(merged);
  for (const path of members(lastSet)) {
    if (hasPath(owned, path) || ownsBelow(owned, path)) continue;
    removePath(out as Obj, path, lookup);
  }
  return out;
}

/** True when some member of `owned` lies strictly below `path`. */
function ownsBelow(owned: FieldSet, path: string[]): boolean {
  let node: FieldSet | undefined = owned;
  for (const pe of path) {
    node = node.children.get(pe);
    if (!node) return false;
  }
  return !isEmptySet({ member: false, children: node.children });
}

/** Merge the configuration into the live value (structured-merge-diff's merge with the config winning). */
function mergeValue(live: unknown, config: unknown, lookup: PatchMetaLookup, fieldPath: string[]): unknown {
  const schema = fieldPath.length > 0 ? lookup(fieldPath) : undefined;
  if (isObject(live) && isObject(config) && schema?.mapType !== 'atomic') {
    const out: Obj = { ...live };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) {
        delete out[k];
        continue;
      }
      out[k] = mergeValue(live[k], v, lookup, [...fieldPath, k]);
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(config)) {
    const liveItems = keyedItems(schema, live);
    const configItems = keyedItems(schema, config);
    if (liveItems && configItems) return mergeList(live, config, lookup, fieldPath);
  }
  return clone(config);
}

/**
 * Merge two keyed lists with structured-merge-diff's ordering: items only in the live list keep
 * their place, shared and new items follow the configuration's order.
 */
function mergeList(live: unknown[], config: unknown[], lookup: PatchMetaLookup, fieldPath: string[]): unknown[] {
  const schema = lookup(fieldPath);
  const key = (item: unknown) => [...(keyedItems(schema, [item])?.keys() ?? [])][0]!;
  const lhs = live.map(key);
  const rhs = config.map(key);
  const lhsByKey = new Map(live.map((item, i) => [lhs[i]!, item]));
  const rhsByKey = new Map(config.map((item, i) => [rhs[i]!, item]));
  const mergeItem = (pe: string): unknown => {
    const l = lhsByKey.get(pe);
    const r = rhsByKey.get(pe);
    if (r === undefined) return l;
    if (l === undefined) return clone(r);
    return mergeValue(l, r, lookup, fieldPath);
  };
  const shared = rhs.filter((pe) => lhsByKey.has(pe));
  let nextShared = shared.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  let li = 0;
  let ri = 0;
  while (li < lhs.length || ri < rhs.length) {
    if (li < lhs.length && ri < rhs.length) {
      const pe = lhs[li]!;
      if (pe === rhs[ri]) {
        merged.add(pe);
        out.push(mergeItem(pe));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (rhsByKey.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++;
        continue;
      }
    }
    if (li < lhs.length) {
      const pe = lhs[li]!;
      if (!rhsByKey.has(pe)) {
        out.push(lhsByKey.get(pe));
        li++;
        continue;
      }
      if (merged.has(pe)) {
        li++;
        continue;
      }
    }
    if (ri < rhs.length) {
      const pe = rhs[ri]!;
      merged.add(pe);
      out.push(mergeItem(pe));
      ri++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

function conflictError(err: unknown): unknown {
  if (!(err instanceof Conflicts)) return err;
  const conflicts = [...err.conflicts].sort((a, b) => {
    const ka = managerKey(a.owner);
    const kb = managerKey(b.owner);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.owner)}`, field: pathString(c.path) }));
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return applyConflict(`Apply failed with 1 conflict: conflict with ${printManager(c.owner)}: ${pathString(c.path)}`, causes);
  }
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const k = managerKey(c.owner);
    byManager.set(k, [...(byManager.get(k) ?? []), c]);
  }
  const lines: string[] = [];
  for (const k of [...byManager.keys()].sort()) {
    const list = byManager.get(k)!;
    lines.push(`conflicts with ${printManager(list[0]!.owner)}:`);
    for (const c of list) lines.push(`- ${pathString(c.path)}`);
  }
  return applyConflict(`Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, causes);
}

/**
 * The conflicts kubectl may take over from client-side apply: the fields of the live object's
 * last-applied configuration whose values the live object still has (upstream's lastAppliedManager).
 */
function allowedFromLastApplied(live: KubeObject, opts: ApplyOptions): FieldSet | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!text) return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== opts.apiVersion) return undefined;
  const set = toFieldSet(lastApplied, opts.lookup);
  const c = compareObjects(lastApplied, withoutManagedFields(live), opts.lookup);
  return difference(difference(difference(set, c.modified), c.added), c.removed);
}

/** Keep the last-applied annotation in step with what kubectl applied (upstream's lastAppliedUpdater). */
function syncLastApplied(result: KubeObject, config: Obj): void {
  const annotations = result.metadata?.annotations;
  if (!annotations || !(LAST_APPLIED_ANNOTATION in annotations)) return;
  const applied = clone(config);
  const meta = applied.metadata;
  if (isObject(meta) && isObject(meta.annotations)) delete meta.annotations[LAST_APPLIED_ANNOTATION];
  annotations[LAST_APPLIED_ANNOTATION] = `${JSON.stringify(sortKeys(applied))}\n`;
}

/** JSON with map keys sorted, as Go encodes a map. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}
