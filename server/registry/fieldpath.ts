/**
 * Sets of field paths, as structured-merge-diff's `fieldpath.Set`, kept in the shape of their
 * FieldsV1 encoding: a tree whose keys are path elements (`f:<field>`, `k:<key fields as JSON>`,
 * `v:<value as JSON>`, `i:<index>`) and whose nodes may themselves be members (`.`). Also the walks
 * over objects that server-side apply needs: the set of fields an object sets (ToFieldSet), the
 * difference between two objects (Compare), and removing paths from an object.
 */
import type { FieldSchema, PatchMetaLookup } from './patch-meta.js';

/** A node of a field set: whether the path to it is a member, and its children by path element. */
export interface FieldSet {
  member: boolean;
  children: Map<string, FieldSet>;
}

/** An empty set. */
export function emptySet(): FieldSet {
  return { member: false, children: new Map() };
}

/** True when no path is a member. */
export function isEmptySet(s: FieldSet): boolean {
  if (s.member) return false;
  for (const c of s.children.values()) if (!isEmptySet(c)) return false;
  return true;
}

/** Add `path` (a list of path elements) as a member. */
export function insertPath(s: FieldSet, path: readonly string[]): void {
  let node = s;
  for (const pe of path) {
    let next = node.children.get(pe);
    if (!next) {
      next = emptySet();
      node.children.set(pe, next);
    }
    node = next;
  }
  node.member = true;
}

/** True when `path` is a member. */
export function hasPath(s: FieldSet, path: readonly string[]): boolean {
  let node: FieldSet | undefined = s;
  for (const pe of path) {
    node = node.children.get(pe);
    if (!node) return false;
  }
  return node.member;
}

/** Every member path, in the set's order. */
export function members(s: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  if (s.member) out.push(prefix);
  for (const pe of sortedElements(s)) out.push(...members(s.children.get(pe)!, [...prefix, pe]));
  return out;
}

function prune(s: FieldSet): FieldSet {
  for (const [k, c] of s.children) if (isEmptySet(c)) s.children.delete(k);
  return s;
}

/** Members of `a` or `b`. */
export function union(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member || b.member, children: new Map() };
  for (const [k, c] of a.children) out.children.set(k, b.children.has(k) ? union(c, b.children.get(k)!) : copySet(c));
  for (const [k, c] of b.children) if (!a.children.has(k)) out.children.set(k, copySet(c));
  return out;
}

/** Members of `a` that are not members of `b` (children of a removed member stay). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && !b.member, children: new Map() };
  for (const [k, c] of a.children) out.children.set(k, b.children.has(k) ? difference(c, b.children.get(k)!) : copySet(c));
  return prune(out);
}

/** Members of both `a` and `b`. */
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && b.member, children: new Map() };
  for (const [k, c] of a.children) if (b.children.has(k)) out.children.set(k, intersection(c, b.children.get(k)!));
  return prune(out);
}

/** `a` without every path under a member of `b` (upstream's RecursiveDifference). */
export function recursiveDifference(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && !b.member, children: new Map() };
  for (const [k, c] of a.children) {
    const other = b.children.get(k);
    if (!other) out.children.set(k, copySet(c));
    else if (!other.member) out.children.set(k, recursiveDifference(c, other));
  }
  return prune(out);
}

/** A deep copy. */
export function copySet(s: FieldSet): FieldSet {
  return { member: s.member, children: new Map([...s.children].map(([k, c]) => [k, copySet(c)])) };
}

const ELEMENT_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function sortedElements(s: FieldSet): string[] {
  return [...s.children.keys()].sort((x, y) => {
    const kx = ELEMENT_ORDER[x[0]!] ?? 9;
    const ky = ELEMENT_ORDER[y[0]!] ?? 9;
    if (kx !== ky) return kx - ky;
    if (x[0] === 'i') return Number(x.slice(2)) - Number(y.slice(2));
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** The FieldsV1 JSON of a set: `{"f:data":{".":{},"f:key":{}}}`. */
export function toFieldsV1(s: FieldSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.member && s.children.size > 0) out['.'] = {};
  for (const pe of sortedElements(s)) {
    const c = s.children.get(pe)!;
    if (isEmptySet(c)) continue;
    out[pe] = toFieldsV1(c);
  }
  return out;
}

/** Decode FieldsV1 JSON into a set; undefined when it is not one. */
export function fromFieldsV1(v: unknown): FieldSet | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const s = emptySet();
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    if (k === '.') {
      s.member = true;
      continue;
    }
    if (!/^[fkvi]:/.test(k)) return undefined;
    const c = fromFieldsV1(child);
    if (!c) return undefined;
    // A leaf `{}` is a member; a node with children is a member only with `.`.
    if (c.children.size === 0) c.member = true;
    s.children.set(k, c);
  }
  return s;
}

/** A path element as structured-merge-diff prints it: `.name`, `[name="x"]`, `[="v"]`, `[0]`. */
function elementString(pe: string): string {
  const body = pe.slice(2);
  switch (pe[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.keys(key)
        .sort()
        .map((n) => `${n}=${JSON.stringify(key[n])}`)
        .join(',')}]`;
    }
    case 'v':
      return `[=${body}]`;
    default:
      return `[${body}]`;
  }
}

/** A path as structured-merge-diff prints it: `.spec.containers[name="nginx"].image`. */
export function pathString(path: readonly string[]): string {
  return path.map(elementString).join('');
}

// ---------------------------------------------------------------------------------------------
// Walks over objects, driven by the schema lookup (JSON field names; list elements add no segment).

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** Go/JSON deep equality. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The list type a schema gives a list (no schema: atomic). */
function listTypeOf(schema: FieldSchema | undefined): 'atomic' | 'set' | 'map' {
  return schema?.listType ?? 'atomic';
}

/**
 * The path element of a list item: `k:{"name":"x"}` for an associative list, `v:"x"` for a set;
 * undefined when the item cannot be keyed (the list is then treated as atomic).
 */
export function itemElement(schema: FieldSchema | undefined, item: unknown): string | undefined {
  const type = listTypeOf(schema);
  if (type === 'set') return isObject(item) || Array.isArray(item) ? undefined : `v:${JSON.stringify(item)}`;
  if (type !== 'map' || !isObject(item)) return undefined;
  const key: Obj = {};
  for (const name of [...(schema?.listMapKeys ?? [])].sort()) {
    if (item[name] !== undefined && item[name] !== null) key[name] = item[name];
    else if (schema?.listMapKeyDefaults?.[name] !== undefined) key[name] = schema.listMapKeyDefaults[name];
  }
  if (Object.keys(key).length === 0) return undefined;
  return `k:${JSON.stringify(key)}`;
}

/** The items of a list keyed by path element; undefined when the list is atomic (or cannot be keyed). */
export function keyedItems(schema: FieldSchema | undefined, list: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(list) || listTypeOf(schema) === 'atomic') return undefined;
  const out = new Map<string, unknown>();
  for (const item of list) {
    const pe = itemElement(schema, item);
    if (pe === undefined) return undefined;
    if (!out.has(pe)) out.set(pe, item);
  }
  return out;
}

/** The fields an object sets (upstream's ToFieldSet): leaves, atomic values and list items. */
export function toFieldSet(obj: Obj, lookup: PatchMetaLookup): FieldSet {
  const out = emptySet();
  walkFields(obj, lookup, [], [], out);
  return out;
}

function walkFields(obj: Obj, lookup: PatchMetaLookup, fieldPath: string[], setPath: string[], out: FieldSet): void {
  for (const [k, v] of Object.entries(obj)) visitField(v, lookup, [...fieldPath, k], [...setPath, `f:${k}`], out);
}

function visitField(v: unknown, lookup: PatchMetaLookup, fieldPath: string[], setPath: string[], out: FieldSet): void {
  const schema = lookup(fieldPath);
  if (isObject(v) && schema?.mapType !== 'atomic') {
    walkFields(v, lookup, fieldPath, setPath, out);
    return;
  }
  const items = keyedItems(schema, v);
  if (items) {
    for (const [pe, item] of items) {
      insertPath(out, [...setPath, pe]);
      if (isObject(item)) walkFields(item, lookup, fieldPath, [...setPath, pe], out);
    }
    return;
  }
  insertPath(out, setPath);
}

/** What changed from one object to another (upstream's typed Compare). */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compare two objects field by field. */
export function compareObjects(before: Obj, after: Obj, lookup: PatchMetaLookup): Comparison {
  const c: Comparison = { added: emptySet(), modified: emptySet(), removed: emptySet() };
  compareFields(before, after, lookup, [], [], c);
  return c;
}

function compareFields(before: Obj | undefined, after: Obj | undefined, lookup: PatchMetaLookup, fieldPath: string[], setPath: string[], c: Comparison): void {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) compareValue(before?.[k], after?.[k], lookup, [...fieldPath, k], [...setPath, `f:${k}`], c, false);
}

function compareValue(b: unknown, a: unknown, lookup: PatchMetaLookup, fieldPath: string[], setPath: string[], c: Comparison, isItem: boolean): void {
  if (b === undefined && a === undefined) return;
  const schema = lookup(fieldPath);
  const objectish = (v: unknown) => v === undefined || isObject(v);
  if (!isItem && objectish(b) && objectish(a) && schema?.mapType !== 'atomic') {
    if (isEmptyValue(b) && isEmptyValue(a)) return compareLeaf(b, a, setPath, c);
    // Maps (labels, data) are members themselves; structs are not (their zero value always exists upstream).
    if (schema?.isMap) {
      if (b === undefined) insertPath(c.added, setPath);
      else if (a === undefined) insertPath(c.removed, setPath);
    }
    compareFields(b as Obj | undefined, a as Obj | undefined, lookup, fieldPath, setPath, c);
    return;
  }
  const listish = (v: unknown) => v === undefined || Array.isArray(v);
  if (!isItem && listish(b) && listish(a)) {
    if (isEmptyValue(b) && isEmptyValue(a)) return compareLeaf(b, a, setPath, c);
    const before = b === undefined ? new Map<string, unknown>() : keyedItems(schema, b);
    const after = a === undefined ? new Map<string, unknown>() : keyedItems(schema, a);
    if (before && after) {
      for (const pe of new Set([...before.keys(), ...after.keys()])) {
        const itemPath = [...setPath, pe];
        const ib = before.get(pe);
        const ia = after.get(pe);
        if (ib === undefined) insertPath(c.added, itemPath);
        else if (ia === undefined) insertPath(c.removed, itemPath);
        if (isObject(ib) || isObject(ia)) {
          compareFields(isObject(ib) ? ib : undefined, isObject(ia) ? ia : undefined, lookup, fieldPath, itemPath, c);
        }
      }
      return;
    }
  }
  compareLeaf(b, a, setPath, c);
}

function compareLeaf(b: unknown, a: unknown, setPath: string[], c: Comparison): void {
  if (b === undefined) insertPath(c.added, setPath);
  else if (a === undefined) insertPath(c.removed, setPath);
  else if (!deepEqual(b, a)) insertPath(c.modified, setPath);
}

/**
 * Remove the value at `path` (path elements) from `obj`, then every object or list above it that
 * the removal left empty (up to, not including, a list item). Returns whether anything was removed.
 */
export function removePath(obj: Obj, path: readonly string[], lookup: PatchMetaLookup): boolean {
  // Resolve the chain of containers down to the parent of the last element.
  const chain: Array<{ container: Obj | unknown[]; pe: string }> = [];
  let current: unknown = obj;
  const fieldPath: string[] = [];
  for (const pe of path) {
    if (pe.startsWith('f:')) {
      if (!isObject(current)) return false;
      chain.push({ container: current, pe });
      fieldPath.push(pe.slice(2));
      current = current[pe.slice(2)];
    } else if (pe.startsWith('k:') || pe.startsWith('v:')) {
      if (!Array.isArray(current)) return false;
      const schema = lookup(fieldPath);
      const index = current.findIndex((item) => itemElement(schema, item) === pe);
      if (index < 0) return false;
      chain.push({ container: current, pe });
      current = current[index];
    } else {
      return false;
    }
    if (current === undefined) return false;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const { container, pe } = chain[i]!;
    if (Array.isArray(container)) {
      const schema = lookup(fieldPathAt(path, i));
      if (i !== chain.length - 1) return true;
      const index = container.findIndex((item) => itemElement(schema, item) === pe);
      if (index >= 0) container.splice(index, 1);
      if (container.length > 0) return true;
      continue; // the list is now empty: its field goes too
    }
    if (i === chain.length - 1) delete container[pe.slice(2)];
    else {
      const v = container[pe.slice(2)];
      if (!isEmptyValue(v)) return true;
      delete container[pe.slice(2)];
    }
    // Stop climbing at a list item: its removal is explicit.
    if (i > 0 && Array.isArray(chain[i - 1]!.container)) return true;
  }
  return true;
}

function fieldPathAt(path: readonly string[], index: number): string[] {
  return path.slice(0, index).filter((pe) => pe.startsWith('f:')).map((pe) => pe.slice(2));
}
