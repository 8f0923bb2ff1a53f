/**
 * Upstream's ValidateDefaults (apiextensions-apiserver pkg/apiserver/schema/defaulting/validation.go)
 * for a structural `openAPIV3Schema`: every `default` must be pruned already (`must not have unknown
 * fields`), valid against its own schema (the custom resource validator's messages at
 * `<schema path>.default…`) and pass the node's CEL rules. Defaults inside resource metadata are
 * checked against the schema only (upstream also coerces them as ObjectMeta).
 */
import { GoSyntax, type FieldError } from '../../errors/status.js';
import { validateRules } from './cel/validate.js';
import { pruneValue } from './prune.js';
import { isJsonObject, type JsonSchemaProps } from './structural.js';
import { validateValue } from './validate.js';

/** A decoded JSON value as Go's `%#v` prints an `interface{}` (map keys sorted, as fmt sorts them). */
export function goJsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goJsonValue).join(', ')}}`;
  if (isJsonObject(v)) {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goJsonValue(v[k])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** The bad value of a default in a field error: Go prints scalars plainly and composites with `%#v`. */
function defaultValue(v: unknown): unknown {
  return Array.isArray(v) || isJsonObject(v) ? new GoSyntax(goJsonValue(v)) : v;
}

function under(base: string, rel: string): string {
  if (rel === '' || rel === '<nil>') return base;
  return rel.startsWith('[') ? `${base}${rel}` : `${base}.${rel}`;
}

function validate(s: JsonSchemaProps, path: string, isRoot: boolean, insideMeta: boolean, requirePruned: boolean, errs: FieldError[]): void {
  const embedded = isRoot || s['x-kubernetes-embedded-resource'] === true;
  if (embedded) insideMeta = false;
  const at = `${path}.default`;
  if (s.default !== undefined && s.default !== null) {
    const own: FieldError[] = [];
    if (!insideMeta && requirePruned) {
      const copy = structuredClone(s.default);
      if (pruneValue(copy, s, embedded).length > 0) own.push({ type: 'FieldValueInvalid', field: at, value: defaultValue(s.default), detail: 'must not have unknown fields' });
    }
    const schemaErrs = validateValue(s.default, s).map((e) => ({ ...e, field: under(at, e.field) }));
    if (schemaErrs.length > 0) own.push(...schemaErrs);
    else {
      const celErrs = validateRules(s, s.default, s.default, { optionalOldSelf: false });
      own.push(...celErrs.map((e) => ({ ...e, field: under(at, e.field) })));
    }
    errs.push(...own);
  }
  const items = isJsonObject(s.items) ? (s.items as JsonSchemaProps) : undefined;
  if (items) validate(items, `${path}.items`, false, insideMeta, requirePruned, errs);
  const props = isJsonObject(s.properties) ? s.properties : {};
  for (const k of Object.keys(props).sort()) {
    const sub = props[k];
    if (!isJsonObject(sub)) continue;
    const subMeta = insideMeta || (embedded && (k === 'metadata' || k === 'apiVersion' || k === 'kind'));
    validate(sub as JsonSchemaProps, `${path}.properties[${k}]`, false, subMeta, requirePruned, errs);
  }
}

/** The default-value errors of a structural `schema` at `path` (its `openAPIV3Schema` path). */
export function validateDefaults(schema: JsonSchemaProps, path: string, requirePruned: boolean): FieldError[] {
  const errs: FieldError[] = [];
  validate(schema, path, true, false, requirePruned, errs);
  return errs;
}

/** True when some default of `schema` is not pruned (update ratcheting of requirePrunedDefaults). */
export function hasUnprunedDefaults(schema: JsonSchemaProps | undefined): boolean {
  if (!schema) return false;
  return validateDefaults(schema, '', true).some((e) => e.detail === 'must not have unknown fields');
}
