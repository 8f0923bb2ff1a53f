/**
 * `x-kubernetes-embedded-resource` objects below a custom resource's root, as apiextensions-apiserver
 * treats them (schema/objectmeta coerce.go and validation.go): pruning keeps their `apiVersion`,
 * `kind` and `metadata` (prune.ts); decoding coerces them — `apiVersion` and `kind` must be strings,
 * `metadata` goes through ObjectMeta, so fields ObjectMeta does not have are dropped (and reported as
 * unknown fields), empty ones are left out and a zero `creationTimestamp` goes; validation then
 * requires `apiVersion` and `kind`, parses the apiVersion as a group/version, wants a kind that is a
 * DNS-1035 label once lower-cased, and validates the metadata as ObjectMeta with path-segment names.
 */
import type { FieldError } from '../../errors/status.js';
import { isDNS1035Label, nameIsPathSegment, validateObjectMeta, type ValidatedMeta } from '../validation.js';
import { additionalSchema, childPath, isJsonObject, type JsonSchemaProps } from './structural.js';

/** ObjectMeta's JSON fields (1.25+) and the JSON type each decodes from. */
const OBJECT_META: Readonly<Record<string, 'string' | 'integer' | 'stringMap' | 'stringList' | 'objectList'>> = {
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'string',
  resourceVersion: 'string',
  generation: 'integer',
  creationTimestamp: 'string',
  deletionTimestamp: 'string',
  deletionGracePeriodSeconds: 'integer',
  labels: 'stringMap',
  annotations: 'stringMap',
  ownerReferences: 'objectList',
  finalizers: 'stringList',
  managedFields: 'objectList',
};

/** What coercing found: the first error (write paths refuse the object with it) and the unknown metadata fields. */
export interface CoerceResult {
  error?: string;
  unknown: string[];
}

function isEmbedded(s: JsonSchemaProps | undefined): boolean {
  return s?.['x-kubernetes-embedded-resource'] === true;
}

/** The JSON type name Go's decoder reports for a value it cannot take. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (isJsonObject(v)) return 'object';
  return typeof v === 'number' ? 'number' : typeof v;
}

/** Whether `v` decodes into an ObjectMeta field of `type` (null always does: the zero value). */
function fits(type: (typeof OBJECT_META)[string], v: unknown): boolean {
  if (v === null) return true;
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'stringMap':
      return isJsonObject(v) && Object.values(v).every((x) => x === null || typeof x === 'string');
    case 'stringList':
      return Array.isArray(v) && v.every((x) => x === null || typeof x === 'string');
    case 'objectList':
      return Array.isArray(v) && v.every((x) => x === null || isJsonObject(x));
  }
}

/** ObjectMeta's omitempty: the converter leaves out empty strings, zeros, nulls and empty maps and lists. */
function isEmpty(v: unknown): boolean {
  return v === null || v === '' || v === 0 || (Array.isArray(v) && v.length === 0) || (isJsonObject(v) && Object.keys(v).length === 0);
}

/**
 * Coerce the embedded resources of a custom resource in place (the root is not one: its metadata is
 * the object's own). With `dropInvalid` (objects read back from storage) wrongly typed fields are
 * dropped; without it the first one is the error.
 */
export function coerceEmbedded(obj: Record<string, unknown>, schema: JsonSchemaProps | undefined, dropInvalid: boolean): CoerceResult {
  const out: CoerceResult = { unknown: [] };
  if (schema) walkObject(obj, schema, '', dropInvalid, out);
  out.unknown.sort();
  return out;
}

function coerce(x: unknown, s: JsonSchemaProps | undefined, path: string, dropInvalid: boolean, out: CoerceResult): void {
  if (!s || out.error) return;
  if (isJsonObject(x)) {
    if (isEmbedded(s)) coerceTypeAndMeta(x, path, dropInvalid, out);
    walkObject(x, s, path, dropInvalid, out);
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => coerce(item, s.items, `${path}[${i}]`, dropInvalid, out));
  }
}

function walkObject(x: Record<string, unknown>, s: JsonSchemaProps, path: string, dropInvalid: boolean, out: CoerceResult): void {
  for (const key of Object.keys(x)) {
    const prop = s.properties?.[key] ?? additionalSchema(s);
    if (prop) coerce(x[key], prop, childPath(path, key), dropInvalid, out);
  }
}

function coerceTypeAndMeta(x: Record<string, unknown>, path: string, dropInvalid: boolean, out: CoerceResult): void {
  for (const key of ['apiVersion', 'kind']) {
    if (!(key in x) || typeof x[key] === 'string') continue;
    if (dropInvalid) delete x[key];
    else if (!out.error) out.error = `${childPath(path, key)}: Invalid value: ${JSON.stringify(x[key])}: must be a string`;
  }
  if (!('metadata' in x)) return;
  const metaPath = childPath(path, 'metadata');
  const meta = x.metadata;
  if (meta === null) {
    delete x.metadata;
    return;
  }
  if (!isJsonObject(meta)) {
    if (!dropInvalid && !out.error) out.error = `${metaPath}: Invalid value: ${JSON.stringify(meta)}: json: cannot unmarshal ${jsonKind(meta)} into Go value of type v1.ObjectMeta`;
    return;
  }
  const coerced: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(meta)) {
    const type = OBJECT_META[field];
    if (!type) {
      out.unknown.push(childPath(metaPath, field));
      continue;
    }
    if (!fits(type, value)) {
      if (dropInvalid) continue;
      if (!out.error) out.error = `${metaPath}: Invalid value: ${JSON.stringify(meta)}: json: cannot unmarshal ${jsonKind(value)} into Go struct field ObjectMeta.${field} of type ${goTypeOf(type)}`;
      return;
    }
    if (!isEmpty(value)) coerced[field] = value;
  }
  x.metadata = coerced;
}

function goTypeOf(type: (typeof OBJECT_META)[string]): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'int64';
    case 'stringMap':
      return 'map[string]string';
    case 'stringList':
      return '[]string';
    case 'objectList':
      return 'struct';
  }
}

/** Upstream's schema.ParseGroupVersion error, or undefined when `gv` parses. */
function parseGroupVersionError(gv: string): string | undefined {
  return gv.split('/').length > 2 ? `unexpected GroupVersion string: ${gv}` : undefined;
}

/** The field errors of the embedded resources of a custom resource (upstream's objectmeta.Validate below the root). */
export function validateEmbedded(obj: Record<string, unknown>, schema: JsonSchemaProps | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (schema) validateObject(obj, schema, '', errors);
  return errors;
}

function validate(x: unknown, s: JsonSchemaProps | undefined, path: string, errors: FieldError[]): void {
  if (!s) return;
  if (isJsonObject(x)) {
    if (isEmbedded(s)) validateTypeAndMeta(x, path, errors);
    validateObject(x, s, path, errors);
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => validate(item, s.items, `${path}[${i}]`, errors));
  }
}

function validateObject(x: Record<string, unknown>, s: JsonSchemaProps, path: string, errors: FieldError[]): void {
  for (const key of Object.keys(x).sort()) {
    const prop = s.properties?.[key] ?? additionalSchema(s);
    if (prop) validate(x[key], prop, childPath(path, key), errors);
  }
}

function validateTypeAndMeta(x: Record<string, unknown>, path: string, errors: FieldError[]): void {
  const apiVersionPath = childPath(path, 'apiVersion');
  const kindPath = childPath(path, 'kind');
  if (!('apiVersion' in x)) errors.push({ type: 'FieldValueRequired', field: apiVersionPath, detail: '' });
  if (!('kind' in x)) errors.push({ type: 'FieldValueRequired', field: kindPath, detail: '' });
  if ('apiVersion' in x) {
    const v = x.apiVersion;
    if (typeof v !== 'string') errors.push({ type: 'FieldValueInvalid', field: apiVersionPath, value: v, detail: 'must be a string' });
    else if (v === '') errors.push({ type: 'FieldValueRequired', field: apiVersionPath, detail: '' });
    else {
      const err = parseGroupVersionError(v);
      if (err) errors.push({ type: 'FieldValueInvalid', field: apiVersionPath, value: v, detail: err });
    }
  }
  if ('kind' in x) {
    const v = x.kind;
    if (typeof v !== 'string') errors.push({ type: 'FieldValueInvalid', field: kindPath, value: v, detail: 'must be a string' });
    else if (v === '') errors.push({ type: 'FieldValueRequired', field: kindPath, detail: '' });
    else {
      const errs = isDNS1035Label(v.toLowerCase());
      if (errs.length > 0) errors.push({ type: 'FieldValueInvalid', field: kindPath, value: v, detail: `may have mixed case, but should otherwise match: ${errs.join(',')}` });
    }
  }
  if (isJsonObject(x.metadata)) {
    const meta = { ...(x.metadata as ValidatedMeta) };
    if (!meta.name) meta.name = 'fakename';
    const namespaced = typeof meta.namespace === 'string' && meta.namespace.length > 0;
    errors.push(...validateObjectMeta(meta, { namespaced, nameValidator: nameIsPathSegment, isCreate: true, path: childPath(path, 'metadata'), kubeFinalizerNames: false }));
  }
}
