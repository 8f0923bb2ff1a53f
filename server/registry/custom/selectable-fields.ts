/**
 * `spec.versions[].selectableFields` (CustomResourceFieldSelectors): the CRD's checks, as upstream's
 * ValidateCustomResourceSelectableFields with the CEL package's ValidFieldPath (a simple JSON path
 * of `.field` steps, no array notation, resolved against the version's structural schema; at most
 * 8, no metadata, a string, boolean or integer leaf, no duplicates), the field label each one
 * becomes (`spec.color`) and the value a field selector compares (absent: "").
 */
import type { FieldError } from '../../errors/status.js';
import { additionalSchema, isJsonObject, type JsonSchemaProps } from './structural.js';

/** Upstream's MaxSelectableFields. */
export const MAX_SELECTABLE_FIELDS = 8;

/** One step of a resolved path: a property (`.name`) or a map key (`[key]`). */
interface Step {
  name: string;
  named: boolean;
}

/** Split a JSON path into `.`, `[`, `]` and the text between, a single-quoted string being one token. */
function tokens(path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === "'") {
      let j = i + 1;
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== '\\')) j++;
      out.push(path.slice(i, Math.min(j + 1, path.length)));
      i = j + 1;
      continue;
    }
    if (path[i] === '.' || path[i] === '[' || path[i] === ']') {
      out.push(path[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[' && path[j] !== ']') j++;
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

/** Resolve `jsonPath` against `schema` without array notation: the steps and the leaf schema, or upstream's error text. */
export function validFieldPath(jsonPath: string, schema: JsonSchemaProps): { steps: Step[]; leaf: JsonSchemaProps | undefined } | { error: string } {
  const steps: Step[] = [];
  let node: JsonSchemaProps | undefined = schema;
  const toks = tokens(jsonPath);
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i]!;
    if (tok === '[') return { error: 'array notation is not allowed' };
    if (tok !== '.') return { error: `expected [ or . but got: ${tok}` };
    const name = toks[++i];
    if (name === undefined) return { error: 'unexpected end of JSON path' };
    if (node?.properties !== undefined) {
      steps.push({ name, named: true });
      if (!Object.prototype.hasOwnProperty.call(node.properties, name)) return { error: 'does not refer to a valid field' };
      node = node.properties[name];
    } else if (node && node.additionalProperties !== undefined && node.additionalProperties !== false) {
      steps.push({ name, named: false });
      node = additionalSchema(node);
    } else {
      return { error: 'does not refer to a valid field' };
    }
  }
  return { steps, leaf: node };
}

/** A resolved path as upstream's field.Path prints it: `spec.color`, `spec.labels[key]`. */
function pathString(steps: readonly Step[]): string {
  return steps.map((s, i) => (s.named ? `${i === 0 ? '' : '.'}${s.name}` : `[${s.name}]`)).join('');
}

/** The field errors of one version's selectable fields (`fldPath` is `spec.versions[i].selectableFields`). */
export function validateSelectableFields(fields: unknown, schema: JsonSchemaProps | undefined, fldPath: string): FieldError[] {
  const list = Array.isArray(fields) ? fields : [];
  if (list.length === 0) return [];
  if (!schema) return [{ type: 'FieldValueInvalid', field: fldPath, value: '', detail: 'selectableFields may only be set when version.schema.openAPIV3Schema is not included' }];
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  list.forEach((entry, i) => {
    const field = `${fldPath}[${i}].jsonPath`;
    const jsonPath = isJsonObject(entry) && typeof entry.jsonPath === 'string' ? entry.jsonPath : '';
    if (jsonPath === '') {
      errs.push({ type: 'FieldValueRequired', field, detail: '' });
      return;
    }
    const resolved = validFieldPath(jsonPath, schema);
    if ('error' in resolved) {
      errs.push({ type: 'FieldValueInvalid', field, value: jsonPath, detail: `is an invalid path: ${resolved.error}` });
      return;
    }
    if (resolved.steps[0]?.name === 'metadata') errs.push({ type: 'FieldValueInvalid', field, value: jsonPath, detail: 'must not point to fields in metadata' });
    const type = resolved.leaf?.type;
    if (type !== 'string' && type !== 'boolean' && type !== 'integer') {
      errs.push({ type: 'FieldValueInvalid', field, value: jsonPath, detail: 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.' });
    }
    const key = pathString(resolved.steps);
    if (unique.has(key)) errs.push({ type: 'FieldValueDuplicate', field, value: jsonPath });
    else unique.add(key);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS) errs.push({ type: 'FieldValueTooMany', field: fldPath, value: unique.size, detail: `must have at most ${MAX_SELECTABLE_FIELDS} items` });
  return errs;
}

/** The field label of a selectable field: its JSON path without the leading dot (`spec.color`). */
export function selectableFieldLabel(jsonPath: string): string {
  return jsonPath.startsWith('.') ? jsonPath.slice(1) : jsonPath;
}

/** The value a field selector compares for `label` (`spec.color`): a string, an integer or a boolean as text; "" when absent. */
export function selectableFieldValue(obj: Record<string, unknown>, label: string): string {
  let cur: unknown = obj;
  for (const part of label.split('.')) {
    if (!isJsonObject(cur)) return '';
    cur = cur[part];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return '';
}
