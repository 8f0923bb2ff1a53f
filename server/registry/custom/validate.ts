/**
 * OpenAPI v3 schema validation of a custom resource, as apiextensions-apiserver runs kube-openapi's
 * validator and turns its results into field errors (`kubeOpenAPIResultToFieldErrors`): wrong types
 * (`spec.size in body must be of type integer: "string"`, TypeInvalid), required properties
 * (Required), enums (NotSupported), numeric bounds, string lengths and patterns, item counts, with
 * `nullable` and `x-kubernetes-int-or-string` honoured and nothing checked below a schema without a
 * type. Properties are visited in sorted order (upstream walks a Go map).
 */
import type { FieldError } from '../../errors/status.js';
import { additionalSchema, childPath, isJsonObject, type JsonSchemaProps } from './structural.js';

/** Validate a whole custom resource against its version's schema. */
export function validateAgainstSchema(obj: unknown, schema: JsonSchemaProps | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (schema) validate(obj, schema, '', errors, true);
  return errors;
}

/** Validate any JSON value (a schema's default) against `schema`, with paths relative to the value. */
export function validateValue(x: unknown, schema: JsonSchemaProps): FieldError[] {
  const errors: FieldError[] = [];
  validate(x, schema, '', errors);
  return errors;
}

/** The JSON type name kube-openapi infers for a decoded value. */
function jsonTypeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    default:
      return 'object';
  }
}

/** The accepted type names of a schema (`integer,string` for int-or-string), or [] for any. */
function typesOf(s: JsonSchemaProps): string[] {
  if (s['x-kubernetes-int-or-string'] === true) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

function typeMatches(types: string[], actual: string): boolean {
  if (types.includes(actual)) return true;
  // An integer is a number; a float with an integral value is an integer (JSON decoding).
  return actual === 'integer' && types.includes('number');
}

/** `%v` of a Go float64 bound. */
function goNumber(n: number): string {
  return String(n);
}

function validate(x: unknown, s: JsonSchemaProps, path: string, errors: FieldError[], isRoot = false): void {
  const where = `${path} in body`;
  const types = typesOf(s);
  if (x === null || x === undefined) {
    if (types.length > 0 && s.nullable !== true) {
      errors.push({ type: 'FieldValueTypeInvalid', field: path, value: 'null', detail: `${where} must be of type ${types.join(',')}: "null"` });
    }
    return;
  }
  const actual = jsonTypeOf(x);
  if (types.length > 0 && !typeMatches(types, actual)) {
    errors.push({ type: 'FieldValueTypeInvalid', field: path, value: actual, detail: `${where} must be of type ${types.join(',')}: ${JSON.stringify(actual)}` });
    return;
  }
  if (typeof x === 'string') validateString(x, s, path, where, errors);
  if (typeof x === 'number') validateNumber(x, s, path, where, errors);
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(x))) {
    const values = s.enum.map((e) => (typeof e === 'string' ? JSON.stringify(e) : JSON.stringify(JSON.stringify(e))));
    errors.push({ type: 'FieldValueNotSupported', field: path, value: x, detail: `supported values: ${values.join(', ')}` });
  }
  if (Array.isArray(x)) {
    if (s.maxItems !== undefined && x.length > s.maxItems) {
      errors.push({ type: 'FieldValueTooMany', field: path, value: x.length, detail: `must have at most ${s.maxItems} items` });
    }
    if (s.minItems !== undefined && x.length < s.minItems) {
      errors.push({ type: 'FieldValueInvalid', field: path, value: x, detail: `${where} should have at least ${s.minItems} items` });
    }
    if (s.items) x.forEach((item, i) => validate(item, s.items!, `${path}[${i}]`, errors));
    return;
  }
  if (!isJsonObject(x)) return;
  for (const name of s.required ?? []) {
    if (!(name in x)) errors.push({ type: 'FieldValueRequired', field: childPath(path, name), detail: '' });
  }
  if (s.maxProperties !== undefined && Object.keys(x).length > s.maxProperties) {
    errors.push({ type: 'FieldValueTooMany', field: path, value: Object.keys(x).length, detail: `must have at most ${s.maxProperties} items` });
  }
  const additional = additionalSchema(s);
  for (const key of Object.keys(x).sort()) {
    // apiVersion, kind and metadata of the resource itself are validated as type and object meta.
    if (isRoot && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const prop = s.properties?.[key] ?? additional;
    if (prop) validate(x[key], prop, childPath(path, key), errors);
  }
}

function validateString(x: string, s: JsonSchemaProps, path: string, where: string, errors: FieldError[]): void {
  const length = [...x].length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    errors.push({ type: 'FieldValueTooLong', field: path, value: x, detail: `may not be longer than ${s.maxLength}` });
  }
  if (s.minLength !== undefined && length < s.minLength) {
    errors.push({ type: 'FieldValueInvalid', field: path, value: x, detail: `${where} should be at least ${s.minLength} chars long` });
  }
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(x)) errors.push({ type: 'FieldValueInvalid', field: path, value: x, detail: `${where} should match '${s.pattern}'` });
  }
}

function validateNumber(x: number, s: JsonSchemaProps, path: string, where: string, errors: FieldError[]): void {
  if (s.maximum !== undefined && (s.exclusiveMaximum ? x >= s.maximum : x > s.maximum)) {
    const bound = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
    errors.push({ type: 'FieldValueInvalid', field: path, value: x, detail: `${where} should be ${bound} ${goNumber(s.maximum)}` });
  }
  if (s.minimum !== undefined && (s.exclusiveMinimum ? x <= s.minimum : x < s.minimum)) {
    const bound = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
    errors.push({ type: 'FieldValueInvalid', field: path, value: x, detail: `${where} should be ${bound} ${goNumber(s.minimum)}` });
  }
}
