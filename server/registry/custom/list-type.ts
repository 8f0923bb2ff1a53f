/**
 * The uniqueness invariants of `x-kubernetes-list-type: set` and `map` lists in a custom resource,
 * as apiextensions-apiserver's listtype.ValidateListSetsAndMaps checks them on every write: a set's
 * second and later copies of an element, and a map list's items whose `x-kubernetes-list-map-keys`
 * values repeat, are `Duplicate value` errors (the first repeat of each value only); an item of a
 * map list that is not an object is `must be an object for an array of list-type map`.
 */
import { GoSyntax, type FieldError } from '../../errors/status.js';
import { additionalSchema, childPath, isJsonObject, type JsonSchemaProps } from './structural.js';

/** A decoded JSON value as Go's `%#v` prints it inside an `interface{}`. */
function goSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  const m = v as Record<string, unknown>;
  return `map[string]interface {}{${Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${goSyntax(m[k])}`)
    .join(', ')}}`;
}

/** The bad value of a Duplicate error: scalars as themselves, compound values as `%#v`. */
function duplicateValue(v: unknown): unknown {
  return isJsonObject(v) || Array.isArray(v) ? new GoSyntax(goSyntax(v)) : v;
}

/** Validate the set and map lists of a whole custom resource against its version's schema. */
export function validateListSetsAndMaps(obj: Record<string, unknown>, schema: JsonSchemaProps | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (schema) validateObject(obj, schema, '', errors);
  return errors;
}

function validateObject(obj: Record<string, unknown>, s: JsonSchemaProps, path: string, errors: FieldError[]): void {
  for (const key of Object.keys(obj).sort()) {
    const sub = s.properties?.[key] ?? additionalSchema(s);
    if (sub) validateValue(obj[key], sub, childPath(path, key), errors);
  }
}

function validateValue(v: unknown, s: JsonSchemaProps, path: string, errors: FieldError[]): void {
  if (Array.isArray(v)) validateArray(v, s, path, errors);
  else if (isJsonObject(v)) validateObject(v, s, path, errors);
}

/** The indices of the first repeat of each value (upstream's validateListSet). */
function nonUnique(values: readonly unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const key = v === UNSPECIFIED ? '\u0000unspecified' : JSON.stringify(sortKeys(v));
    const times = seen.get(key) ?? 0;
    seen.set(key, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

const UNSPECIFIED = Symbol('unspecified key');

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isJsonObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
}

function validateArray(list: unknown[], s: JsonSchemaProps, path: string, errors: FieldError[]): void {
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of nonUnique(list)) errors.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, value: duplicateValue(list[i]) });
  } else if (listType === 'map') {
    errors.push(...validateListMap(list, s, path));
  }
  if (s.items) list.forEach((item, i) => validateValue(item, s.items!, `${path}[${i}]`, errors));
}

function validateListMap(list: unknown[], s: JsonSchemaProps, path: string): FieldError[] {
  const bad = list.findIndex((x) => x !== null && !isJsonObject(x));
  if (bad >= 0) return [{ type: 'FieldValueInvalid', field: `${path}[${bad}]`, value: list[bad], detail: 'must be an object for an array of list-type map' }];
  if (list.length <= 1) return [];
  const keyFields = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as unknown[]).map(String) : [];
  if (keyFields.length === 1) {
    const field = keyFields[0]!;
    const keys = list.map((x) => (isJsonObject(x) && field in x ? x[field] : UNSPECIFIED));
    return nonUnique(keys).map((i) => ({
      type: 'FieldValueDuplicate' as const,
      field: `${path}[${i}]`,
      value: duplicateValue(keys[i] === UNSPECIFIED ? {} : { [field]: keys[i] }),
    }));
  }
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isJsonObject(x)) for (const field of keyFields) if (field in x) key[field] = x[field];
    return key;
  });
  return nonUnique(keys).map((i) => ({ type: 'FieldValueDuplicate' as const, field: `${path}[${i}]`, value: duplicateValue(keys[i]) }));
}
