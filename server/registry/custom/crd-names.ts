/**
 * Upstream's ValidateCustomResourceDefinitionNames, for `spec.names` and `status.acceptedNames`:
 * plural, singular, short names and categories are DNS-1035 labels, kind and listKind are too once
 * lowercased ("may have mixed case, but should otherwise match"), and listKind differs from kind.
 */
import type { FieldError } from '../../errors/status.js';
import { isDNS1035Label } from '../validation.js';
import type { CrdNames } from './crd.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The field errors of `names` at `path`. Empty values are not errors here (the spec requires them separately). */
export function validateCrdNames(names: CrdNames | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const n = names ?? {};
  const label = (key: 'plural' | 'singular') => {
    const v = str(n[key]);
    const bad = isDNS1035Label(v);
    if (v && bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: `${path}.${key}`, value: v, detail: bad.join(',') });
  };
  const mixed = (key: 'kind' | 'listKind') => {
    const v = str(n[key]);
    const bad = isDNS1035Label(v.toLowerCase());
    if (v && bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: `${path}.${key}`, value: v, detail: `may have mixed case, but should otherwise match: ${bad.join(',')}` });
  };
  label('plural');
  label('singular');
  mixed('kind');
  mixed('listKind');
  (Array.isArray(n.shortNames) ? n.shortNames : []).forEach((s, i) => {
    const bad = isDNS1035Label(str(s));
    if (bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: `${path}.shortNames[${i}]`, value: str(s), detail: bad.join(',') });
  });
  if (str(n.kind) && n.kind === n.listKind) errs.push({ type: 'FieldValueInvalid', field: `${path}.listKind`, value: n.listKind, detail: 'kind and listKind may not be the same' });
  (Array.isArray(n.categories) ? n.categories : []).forEach((c, i) => {
    const bad = isDNS1035Label(str(c));
    if (bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: `${path}.categories[${i}]`, value: str(c), detail: bad.join(',') });
  });
  return errs;
}
