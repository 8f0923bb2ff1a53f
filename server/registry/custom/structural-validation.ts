/**
 * Upstream's ValidateStructural (apiextensions-apiserver pkg/apiserver/schema/validation.go and
 * completeness.go) over a v1 `openAPIV3Schema`: every specified field has a type (or
 * int-or-string / preserve-unknown-fields), arrays have items, the root is an object without
 * additionalProperties and with `metadata` restricted to name/generateName, embedded resources are
 * objects with properties, int-or-string excludes preserve-unknown-fields and embedded-resource,
 * and value validations (allOf, anyOf, oneOf, not) carry no generic fields or extensions and name
 * only properties the structural part specifies. Errors are sorted by their text, as upstream's.
 */
import { fieldErrorString, type FieldError } from '../../errors/status.js';
import { isJsonObject, type JsonSchemaProps } from './structural.js';

type Level = 'root' | 'item' | 'field';

const TYPE_DETAIL: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

function obj(v: unknown): JsonSchemaProps | undefined {
  return isJsonObject(v) ? (v as JsonSchemaProps) : undefined;
}

function props(s: JsonSchemaProps): [string, JsonSchemaProps][] {
  return Object.entries(isJsonObject(s.properties) ? s.properties : {}).map(([k, v]) => [k, obj(v) ?? {}]);
}

/** The single items schema (an items array is refused elsewhere). */
function itemsOf(s: JsonSchemaProps): JsonSchemaProps | undefined {
  return obj(s.items);
}

/** True when `anyOf` is exactly `[{type: integer}, {type: string}]` (the int-or-string pattern). */
function isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const [a, b] = anyOf.map(obj);
  return !!a && !!b && Object.keys(a).length === 1 && a.type === 'integer' && Object.keys(b).length === 1 && b.type === 'string';
}

function validateValueValidation(s: JsonSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string, errs: FieldError[]): void {
  if (!skipAnyOf && Array.isArray(s.anyOf)) s.anyOf.forEach((v, i) => validateNested(obj(v), false, `${path}.anyOf[${i}]`, errs));
  if (Array.isArray(s.allOf)) s.allOf.forEach((v, i) => validateNested(obj(v), skipFirstAllOfAnyOf && i === 0, `${path}.allOf[${i}]`, errs));
  if (Array.isArray(s.oneOf)) s.oneOf.forEach((v, i) => validateNested(obj(v), false, `${path}.oneOf[${i}]`, errs));
  if (s.not !== undefined) validateNested(obj(s.not), false, `${path}.not`, errs);
  if (typeof s.pattern === 'string' && s.pattern) {
    try {
      new RegExp(s.pattern, 'u');
    } catch (e) {
      errs.push({ type: 'FieldValueInvalid', field: `${path}.pattern`, value: s.pattern, detail: `must be a valid regular expression, but isn't: ${(e as Error).message}` });
    }
  }
}

/** A schema under a logic junctor: value validation only. */
function validateNested(v: JsonSchemaProps | undefined, skipAnyOf: boolean, path: string, errs: FieldError[]): void {
  if (!v) return;
  validateValueValidation(v, skipAnyOf, false, path, errs);
  if (v.items !== undefined) validateNested(itemsOf(v), false, `${path}.items`, errs);
  for (const [k, p] of props(v)) validateNested(p, false, `${path}.properties[${k}]`, errs);
  const forbid = (key: string, detail: string) => errs.push({ type: 'FieldValueForbidden', field: `${path}.${key}`, detail });
  if (typeof v.type === 'string' && v.type) forbid('type', 'must be empty to be structural');
  if (v.additionalProperties !== undefined) forbid('additionalProperties', 'must be undefined to be structural');
  if (v.default !== undefined && v.default !== null) forbid('default', 'must be undefined to be structural');
  if (v.title) forbid('title', 'must be empty to be structural');
  if (v.description) forbid('description', 'must be empty to be structural');
  if (v.nullable === true) forbid('nullable', 'must be false to be structural');
  if (v['x-kubernetes-preserve-unknown-fields'] === true) forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource'] === true) forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string'] === true) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (Array.isArray(v['x-kubernetes-list-map-keys']) && v['x-kubernetes-list-map-keys'].length > 0) forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined) forbid('x-kubernetes-map-type', 'must be undefined to be structural');
  if (Array.isArray(v['x-kubernetes-validations']) && v['x-kubernetes-validations'].length > 0) forbid('x-kubernetes-validations', 'must be empty to be structural');
  if (isJsonObject(v.properties) && 'metadata' in v.properties) forbid('properties[metadata]', 'must not be specified in a nested context');
}

/** Root metadata may only name `name` and/or `generateName` (and be an object with a default). */
function metadataRestricted(m: JsonSchemaProps): boolean {
  for (const key of Object.keys(m)) {
    if (key === 'type' || key === 'default') continue;
    if (key === 'properties') {
      const names = Object.keys(isJsonObject(m.properties) ? m.properties : {}).sort().join(',');
      if (names === 'generateName,name' || names === 'name' || names === 'generateName') continue;
    }
    if (m[key] === undefined) continue;
    // Zero values are absent in the Go struct.
    if (m[key] === false && ['nullable', 'uniqueItems', 'exclusiveMaximum', 'exclusiveMinimum', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'].includes(key)) continue;
    if (m[key] === '') continue;
    return false;
  }
  return true;
}

function validateInvariants(s: JsonSchemaProps | undefined, lvl: Level, path: string, errs: FieldError[]): void {
  if (!s) return;
  const type = typeof s.type === 'string' ? s.type : '';
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (type === 'array' && s.items === undefined) errs.push({ type: 'FieldValueRequired', field: `${path}.items`, detail: 'must be specified' });
  if (s.items !== undefined) validateInvariants(itemsOf(s), 'item', `${path}.items`, errs);
  for (const [k, p] of props(s)) validateInvariants(p, 'field', `${path}.properties[${k}]`, errs);
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push({ type: 'FieldValueForbidden', field: `${path}.additionalProperties`, detail: 'must not be used at the root' });
    validateInvariants(obj(s.additionalProperties), 'field', `${path}.additionalProperties`, errs);
  }
  if (intOrString && preserve) errs.push({ type: 'FieldValueInvalid', field: `${path}.x-kubernetes-preserve-unknown-fields`, value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  if (intOrString && embedded) errs.push({ type: 'FieldValueInvalid', field: `${path}.x-kubernetes-embedded-resource`, value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  const allOf0 = Array.isArray(s.allOf) ? obj(s.allOf[0]) : undefined;
  validateValueValidation(s, isIntOrStringAnyOf(s.anyOf), isIntOrStringAnyOf(allOf0?.anyOf), path, errs);
  const checkMetadata = lvl === 'root' || embedded;
  if (embedded && type !== 'object') {
    if (!type) errs.push({ type: 'FieldValueRequired', field: `${path}.type`, detail: 'must be object if x-kubernetes-embedded-resource is true' });
    else errs.push({ type: 'FieldValueInvalid', field: `${path}.type`, value: type, detail: 'must be object if x-kubernetes-embedded-resource is true' });
  } else if (!type && !intOrString && !preserve) {
    errs.push({ type: 'FieldValueRequired', field: `${path}.type`, detail: TYPE_DETAIL[lvl] });
  }
  if (embedded && s.additionalProperties !== undefined) errs.push({ type: 'FieldValueForbidden', field: `${path}.additionalProperties`, detail: 'must not be used if x-kubernetes-embedded-resource is set' });
  if (lvl === 'root' && type && type !== 'object') errs.push({ type: 'FieldValueInvalid', field: `${path}.type`, value: type, detail: 'must be object at the root' });
  const p = isJsonObject(s.properties) ? (s.properties as Record<string, unknown>) : {};
  const typeOf = (k: string) => (typeof obj(p[k])?.type === 'string' ? (obj(p[k])!.type as string) : '');
  if ('kind' in p && checkMetadata && typeOf('kind') !== 'string') errs.push({ type: 'FieldValueInvalid', field: `${path}.properties[kind].type`, value: typeOf('kind'), detail: 'must be string' });
  if ('apiVersion' in p && checkMetadata && typeOf('apiVersion') !== 'string') errs.push({ type: 'FieldValueInvalid', field: `${path}.properties[apiVersion].type`, value: typeOf('apiVersion'), detail: 'must be string' });
  if ('metadata' in p && checkMetadata && typeOf('metadata') !== 'object') errs.push({ type: 'FieldValueInvalid', field: `${path}.properties[metadata].type`, value: typeOf('metadata'), detail: 'must be object' });
  if ('metadata' in p && lvl === 'root' && !metadataRestricted(obj(p.metadata) ?? {})) {
    errs.push({ type: 'FieldValueForbidden', field: `${path}.properties[metadata]`, detail: 'must not specify anything other than name and generateName, but metadata is implicitly specified' });
  }
  if (embedded && !preserve && Object.keys(p).length === 0) {
    errs.push({ type: 'FieldValueRequired', field: `${path}.properties`, detail: 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields' });
  }
}

/** Completeness of the root's value validations (upstream checks the root's only). */
function completeness(v: JsonSchemaProps, s: JsonSchemaProps | undefined, sPath: string, vPath: string, errs: FieldError[]): void {
  if (!s) {
    errs.push({ type: 'FieldValueRequired', field: sPath, detail: `because it is defined in ${vPath}` });
    return;
  }
  if (v.not !== undefined) nestedCompleteness(obj(v.not), s, sPath, `${vPath}.not`, errs);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = v[j];
    if (Array.isArray(list)) list.forEach((n, i) => nestedCompleteness(obj(n), s, sPath, `${vPath}.${j}[${i}]`, errs));
  }
}

function nestedCompleteness(v: JsonSchemaProps | undefined, s: JsonSchemaProps | undefined, sPath: string, vPath: string, errs: FieldError[]): void {
  if (!v) return;
  if (!s) {
    errs.push({ type: 'FieldValueRequired', field: sPath, detail: `because it is defined in ${vPath}` });
    return;
  }
  completeness(v, s, sPath, vPath, errs);
  if (v.items !== undefined) nestedCompleteness(itemsOf(v), itemsOf(s), `${sPath}.items`, `${vPath}.items`, errs);
  const sProps = isJsonObject(s.properties) ? s.properties : {};
  for (const [k, p] of props(v)) {
    const sp = obj(sProps[k]);
    if (!sp) errs.push({ type: 'FieldValueRequired', field: `${sPath}.properties[${k}]`, detail: `because it is defined in ${vPath}.properties[${k}]` });
    else nestedCompleteness(p, sp, `${sPath}.properties[${k}]`, `${vPath}.properties[${k}]`, errs);
  }
}

/** The structural-schema errors of `schema` at `path` (its `openAPIV3Schema` path), sorted as upstream sorts them. */
export function validateStructural(schema: JsonSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  validateInvariants(schema, 'root', path, errs);
  completeness(schema, schema, path, path, errs);
  const text = new Map(errs.map((e) => [e, fieldErrorString(e)]));
  return errs.sort((a, b) => (text.get(a)! < text.get(b)! ? -1 : text.get(a)! > text.get(b)! ? 1 : 0));
}

/** True when `schema` is not structural (update ratcheting: an existing non-structural CRD stays updatable). */
export function isNonStructural(schema: JsonSchemaProps | undefined): boolean {
  return !!schema && validateStructural(schema, '').length > 0;
}
