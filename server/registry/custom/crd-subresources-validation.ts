/**
 * Upstream's ValidateCustomResourceDefinitionSubresources and validateSimpleJSONPath
 * (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go) for one `subresources`
 * value: the scale subresource names `specReplicasPath` under `.spec.`, `statusReplicasPath` under
 * `.status.` and an optional `labelSelectorPath` under either, each a path starting with `.`.
 * Upstream checks only the shape of these paths here: whether the schema has the field, or its
 * type, is not validated on the CRD (the scale endpoint finds out when it reads the object).
 */
import type { FieldError } from '../../errors/status.js';
import type { CrdVersion } from './crd.js';

/**
 * Upstream's validateSimpleJSONPath: errors when `s` does not start with `.` (the check that it
 * splits into dot-separated parts can never fail, so it has no message here).
 */
export function validateSimpleJsonPath(s: string, path: string): FieldError[] {
  if (s === '') return [{ type: 'FieldValueInvalid', field: path, value: s, detail: 'must not be empty' }];
  if (!s.startsWith('.')) return [{ type: 'FieldValueInvalid', field: path, value: s, detail: 'must be a simple json path starting with .' }];
  return [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** One replicas path: required, simple, and under `prefix`. */
function replicasPath(value: string, path: string, prefix: string, under: string): FieldError[] {
  if (value === '') return [{ type: 'FieldValueRequired', field: path, detail: '' }];
  const shape = validateSimpleJsonPath(value, path);
  if (shape.length > 0) return shape;
  return value.startsWith(prefix) ? [] : [{ type: 'FieldValueInvalid', field: path, value, detail: `should be a json path under ${under}` }];
}

/** The field errors of one `subresources` value at `path` (`spec.subresources` or `spec.versions[i].subresources`). */
export function validateCrdSubresources(subresources: CrdVersion['subresources'] | undefined, path: string): FieldError[] {
  const scale = subresources?.scale as Record<string, unknown> | undefined | null;
  if (!scale || typeof scale !== 'object') return [];
  const errs: FieldError[] = [];
  errs.push(...replicasPath(str(scale.specReplicasPath), `${path}.scale.specReplicasPath`, '.spec.', '.spec'));
  errs.push(...replicasPath(str(scale.statusReplicasPath), `${path}.scale.statusReplicasPath`, '.status.', '.status'));
  const selector = str(scale.labelSelectorPath);
  if (selector !== '') {
    const at = `${path}.scale.labelSelectorPath`;
    const shape = validateSimpleJsonPath(selector, at);
    if (shape.length > 0) errs.push(...shape);
    else if (!selector.startsWith('.spec.') && !selector.startsWith('.status.')) {
      errs.push({ type: 'FieldValueInvalid', field: at, value: selector, detail: 'should be a json path under either .spec or .status' });
    }
  }
  return errs;
}
