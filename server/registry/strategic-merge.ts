/**
 * Strategic merge patch, applied the way the server applies it
 * (k8s.io/apimachinery/pkg/util/strategicpatch `StrategicMergeMapPatch` with MergeParallelList and
 * IgnoreUnmatchedNulls): maps merge recursively and `null` deletes; lists follow the field's patch
 * strategy (merged by `patchMergeKey`, merged as sets when primitive, replaced otherwise); the
 * directives `$patch: replace|merge|delete`, `$setElementOrder/<field>`, `$retainKeys` and
 * `$deleteFromPrimitiveList/<field>` act as upstream, and malformed ones fail with upstream's error
 * texts, classified as upstream's handler does (400, 422, or an unclassified 500).
 *
 * Field metadata comes from a {@link PatchMetaLookup} (see patch-meta.ts).
 */
import type { PatchMetaLookup } from './patch-meta.js';

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';

type Json = null | boolean | number | string | Json[] | JsonMap;
type JsonMap = { [key: string]: Json };

/** How upstream's patch handler answers an error of the engine. */
export type SmpErrorClass = 'BadRequest' | 'Invalid' | 'Unknown';

/** An error of strategic merge patch with upstream's text and how the handler classifies it. */
export class StrategicMergeError extends Error {
  readonly classification: SmpErrorClass;
  constructor(message: string, classification: SmpErrorClass = 'Unknown') {
    super(message);
    this.name = 'StrategicMergeError';
    this.classification = classification;
  }
}

// mergepatch's sentinel errors: the first group is a 400, the second a 422, every other error a 500.
const errBadPatchFormatForPrimitiveList = () => new StrategicMergeError('invalid patch format of primitive list', 'BadRequest');
const errBadPatchFormatForRetainKeys = () => new StrategicMergeError('invalid patch format of retainKeys', 'BadRequest');
const errBadPatchFormatForSetElementOrderList = () => new StrategicMergeError('invalid patch format of setElementOrder list', 'BadRequest');
const errNoListOfLists = () => new StrategicMergeError('lists of lists are not supported', 'Invalid');
const errNoMergeKey = (m: JsonMap, key: string) => new StrategicMergeError(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
const errBadArgType = (expected: string, actual: unknown) => new StrategicMergeError(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errBadPatchType = (t: unknown, m: JsonMap) => new StrategicMergeError(`unknown patch type: ${goString(t)} in map: ${goValue(m)}`);

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const m = v as Record<string, unknown>;
    return `map[${Object.keys(m)
      .sort()
      .map((k) => `${k}:${goValue(m[k])}`)
      .join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

function goNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Go's %v of a float64: shortest 'g' with exponent when exp < -4 || exp >= 21.
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** Go's `%s` of an interface value. */
function goString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '%!s(<nil>)';
  return `%!s(${goTypeName(v)}=${goValue(v)})`;
}

/** `reflect.TypeOf(v).String()` for a value decoded by the apiserver (ints preserved as int64). */
function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The Go kind of a JSON value: what upstream compares with reflect.TypeOf. */
type Kind = 'map' | 'slice' | 'string' | 'int' | 'float' | 'bool' | 'nil';
function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

function has(m: JsonMap, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, k);
}

/**
 * Apply `patch` to `original` as the server does and return the result. Both inputs are left
 * untouched. Throws a {@link StrategicMergeError} for a patch upstream refuses.
 */
export function strategicMergePatch(original: Record<string, unknown>, patch: Record<string, unknown>, lookup: PatchMetaLookup): Record<string, unknown> {
  const merged = mergeMap(structuredClone(original) as JsonMap, structuredClone(patch) as JsonMap, lookup, []);
  return dropDirectiveKeys(merged) as Record<string, unknown>;
}

/**
 * What upstream's typed decode after the merge does to the result, as far as it can be done without
 * the Go types: directive-looking keys that survive the merge are unknown fields of every built-in
 * type and are dropped, and so are fields left `null` (a zero value that `omitempty` leaves out).
 */
function dropDirectiveKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(dropDirectiveKeys);
  if (!isMap(v)) return v;
  for (const k of Object.keys(v)) {
    if (k.startsWith('$') || v[k] === null) delete v[k];
    else v[k] = dropDirectiveKeys(v[k]!);
  }
  return v;
}

function strategyOf(lookup: PatchMetaLookup, path: string[]): { strategy: string; mergeKey: string } {
  const meta = lookup(path);
  return { strategy: extractRetainKeysPatchStrategy(meta?.patchStrategies ?? []), mergeKey: meta?.patchMergeKey ?? '' };
}

function extractRetainKeysPatchStrategy(strategies: string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0]!;
  if (strategies.length === 2) {
    if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1]!;
    if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0]!;
  }
  throw new StrategicMergeError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

function mergeMap(original: JsonMap | null, patch: JsonMap, lookup: PatchMetaLookup, path: string[]): JsonMap {
  if (has(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  const out: JsonMap = original ?? {};
  applyRetainKeysDirective(out, patch);
  mergePatchIntoOriginal(out, patch, lookup, path);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey]!;
    let k = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete out[k];
      continue;
    }
    if (!has(out, k) || kindOf(out[k]) !== kindOf(patchV)) {
      if (!isDeleteList) setWithoutDirectives(out, k, discardNullValues(patchV));
      continue;
    }
    const fieldPath = [...path, k];
    const originalV = out[k]!;
    if (isMap(originalV)) {
      const { strategy } = strategyOf(lookup, fieldPath);
      out[k] = strategy === REPLACE ? (patchV as JsonMap) : mergeMap(originalV, patchV as JsonMap, lookup, fieldPath);
    } else if (Array.isArray(originalV)) {
      const { strategy, mergeKey } = strategyOf(lookup, fieldPath);
      out[k] = mergeSliceHandler(originalV, patchV as Json[], strategy, mergeKey, isDeleteList, lookup, fieldPath);
    } else {
      setWithoutDirectives(out, k, patchV);
    }
  }
  return out;
}

function setWithoutDirectives(m: JsonMap, k: string, v: Json): void {
  const [value, keep] = removeDirectives(v);
  if (keep) m[k] = value;
  else delete m[k];
}

/** discardNullValuesFromPatch: nulls inside a value that is added whole are dropped. */
function discardNullValues(v: Json): Json {
  if (Array.isArray(v)) v.forEach(discardNullValues);
  else if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNullValues(v[k]!);
    }
  }
  return v;
}

/** Remove directives from a value added whole; a map that is itself a directive is dropped. */
function removeDirectives(v: Json): [Json, boolean] {
  if (isMap(v)) {
    if (has(v, DIRECTIVE)) return [null, false];
    for (const k of Object.keys(v)) {
      const [value, keep] = removeDirectives(v[k]!);
      if (keep) v[k] = value;
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const item of v) {
      const [value, keep] = removeDirectives(item);
      if (keep) out.push(value);
    }
    return [out, true];
  }
  return [v, true];
}

function handleDirectiveInMergeMap(directive: Json | undefined, patch: JsonMap): JsonMap {
  if (directive === REPLACE) {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === DELETE) return {};
  throw errBadPatchType(directive, patch);
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw errBadPatchFormatForPrimitiveList();
    if (prefix === SET_ELEMENT_ORDER) throw errBadPatchFormatForSetElementOrderList();
    throw new StrategicMergeError(`fail to find unknown prefix "${prefix}" in ${s}`);
  }
  return s.slice(slash + 1);
}

function applyRetainKeysDirective(original: JsonMap, patch: JsonMap): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set(retain.filter((v) => typeof v === 'string') as string[]);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Process `$setElementOrder/<field>` together with `<field>`: merge, then order. */
function mergePatchIntoOriginal(original: JsonMap, patch: JsonMap, lookup: PatchMetaLookup, path: string[]): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType('[]interface {}', setOrder);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, originalKey);
    const foundPatch = has(patch, originalKey);
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    let originalValue: Json[] = [];
    let patchValue: Json[] = [];
    if (foundOriginal) {
      if (!Array.isArray(originalList)) throw errBadArgType('[]interface {}', originalList);
      originalValue = originalList;
    }
    if (foundPatch) {
      if (!Array.isArray(patchList)) throw errBadArgType('[]interface {}', patchList);
      patchValue = patchList;
    }
    const fieldPath = [...path, originalKey];
    const { strategy, mergeKey } = strategyOf(lookup, fieldPath);
    validatePatchWithSetOrderList(patchValue, setOrder, mergeKey);

    let merged: Json[];
    if (foundOriginal && !foundPatch) merged = originalValue;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchValue)[0] as Json[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalValue, patchValue, strategy, mergeKey, false, lookup, fieldPath);
    else continue;

    const [patchItems, serverOnly] = mergeKey === '' ? partitionPrimitives(merged, setOrder) : partitionMaps(merged, setOrder, mergeKey);
    const kind = sliceElementKind(originalValue, patchValue);
    original[originalKey] = normalizeElementOrder(patchItems, serverOnly, setOrder, originalValue, mergeKey, kind);
    delete patch[originalKey];
  }
}

function validatePatchWithSetOrderList(patchList: Json[], setOrder: Json[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < setOrder.length) {
    if (isMap(nonDelete[p]) && has(nonDelete[p] as JsonMap, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[p]!, setOrder[s]!, mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrder.length) {
    throw new StrategicMergeError(`the order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(setOrder)}`);
  }
}

function mergeKeyValueEqual(left: Json, right: Json, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isMap(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isMap(right)) throw errBadArgType('map[string]interface {}', right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSliceHandler(
  original: Json[],
  patch: Json[],
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
  lookup: PatchMetaLookup,
  path: string[],
): Json[] {
  // Delete lists are handled the same way whatever the field's strategy.
  if (strategy === MERGE || isDeleteList) return mergeSlice(original, patch, mergeKey, isDeleteList, lookup, path);
  return patch;
}

/** The element kind shared by every element of the slices (maps, or a scalar kind). */
function sliceElementKind(...slices: Json[][]): Kind {
  let prev: Kind | undefined;
  for (const s of slices) {
    for (const v of s) {
      const k = kindOf(v);
      if (prev === undefined) {
        prev = k;
        if (k === 'slice') throw errNoListOfLists();
      } else if (prev !== k) {
        throw new StrategicMergeError(`list element types are not identical: ${goValue(slices)}`);
      }
    }
  }
  if (prev === undefined) throw new StrategicMergeError('no elements in any of the given slices');
  return prev;
}

function mergeSlice(original: Json[], patch: Json[], mergeKey: string, isDeleteList: boolean, lookup: PatchMetaLookup, path: string[]): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: Json[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (mergeKey === '') throw new StrategicMergeError(`cannot merge lists without merge key for ${path[path.length - 1] ?? ''}`);
    [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements([...original], patch, mergeKey, lookup, path);
  }
  const [patchItems, serverOnly] = mergeKey === '' ? partitionPrimitives(merged, patch) : partitionMaps(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

function mergeSliceWithSpecialElements(original: Json[], patch: Json[], mergeKey: string): [Json[], Json[]] {
  const plain: Json[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JsonMap;
    if (!has(m, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === DELETE) {
      if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      original = deleteMatchingEntries(original, mergeKey, m[mergeKey]!);
    } else if (directive === REPLACE) {
      replace = true;
    } else if (directive === MERGE) {
      throw new StrategicMergeError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, m);
    }
  }
  if (replace) return [plain, []];
  return [original, plain];
}

function deleteMatchingEntries(original: Json[], mergeKey: string, value: Json): Json[] {
  for (;;) {
    const found = findMapInSlice(original, mergeKey, value);
    if (found < 0) return original;
    original = [...original.slice(0, found), ...original.slice(found + 1)];
  }
}

function mergeSliceWithoutSpecialElements(original: Json[], patch: Json[], mergeKey: string, lookup: PatchMetaLookup, path: string[]): Json[] {
  for (const v of patch) {
    const m = v as JsonMap;
    if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    const found = findMapInSlice(original, mergeKey, m[mergeKey]!);
    if (found >= 0) original[found] = mergeMap(original[found] as JsonMap, m, lookup, path);
    else original.push(v);
  }
  return original;
}

function deleteFromSlice(current: Json[], toDelete: Json[]): Json[] {
  const gone = new Set(toDelete);
  return current.filter((v) => !gone.has(v));
}

function findMapInSlice(list: Json[], key: string, value: Json): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isMap(v)) throw new StrategicMergeError(`value for key ${i} is not a map`);
    if (has(v, key) && v[key] === value) return i;
  }
  return -1;
}

/** Upstream's in-place deduplication: a duplicate is overwritten by the last element. */
function deduplicateScalars(s: Json[]): Json[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length]!;
        s = s.slice(0, length);
        length--;
        j--;
      }
    }
  }
  return s;
}

function partitionPrimitives(list: Json[], by: Json[]): [Json[], Json[]] {
  const inPatch = new Set(by);
  const patch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const v of list) (inPatch.has(v) ? patch : serverOnly).push(v);
  return [patch, serverOnly];
}

function partitionMaps(list: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const patch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const v of list) {
    if (!isMap(v)) throw errBadArgType('map[string]interface {}', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findMapInSlice(by, mergeKey, v[mergeKey]!) >= 0 ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

function indexIn(list: Json[], item: Json, mergeKey: string, kind: Kind): number {
  const val = (x: Json): Json | undefined => (kind === 'map' ? (isMap(x) ? x[mergeKey] : undefined) : x);
  const want = val(item);
  for (let i = 0; i < list.length; i++) if (val(list[i]!) === want) return i;
  return -1;
}

function extractToDeleteItems(list: Json[]): [Json[], Json[]] {
  const keep: Json[] = [];
  const toDelete: Json[] = [];
  for (const v of list) {
    if (!isMap(v)) throw errBadArgType('map[string]interface {}', v);
    (v[DIRECTIVE] === DELETE ? toDelete : keep).push(v);
  }
  return [keep, toDelete];
}

/** Sort `toSort` by the order in `order`, as upstream's sort.SliceStable with its comparator (insertion sort). */
function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: string, kind: Kind): Json[] {
  let toDelete: Json[] = [];
  let items = [...toSort];
  if (kind === 'map') {
    for (const list of [items, order]) {
      for (const item of list) {
        if (!isMap(item)) throw errBadArgType('map[string]interface {}', item);
        if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      }
    }
    [items, toDelete] = extractToDeleteItems(items);
  }
  const less = (a: Json, b: Json): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j]!, items[j - 1]!); j--) [items[j], items[j - 1]] = [items[j - 1]!, items[j]!];
  }
  return [...items, ...toDelete];
}

function normalizeElementOrder(patch: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: Kind): Json[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(sortedServer, sortedPatch, serverOrder, mergeKey, kind);
}

/** Interleave server-only items (left) into the patch items (right) by their order in the live list. */
function mergeSortedSlice(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string, kind: Kind): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = indexIn(serverOrder, left[i]!, mergeKey, kind);
    const ri = indexIn(serverOrder, right[j]!, mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
    else out.push(right[j++]!);
  }
  return [...out, ...left.slice(i), ...right.slice(j)];
}
