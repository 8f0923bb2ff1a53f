/**
 * The part of upstream's ValidateCustomResourceDefinition kube-skew checks, with its field paths and
 * messages: the name is `<plural>.<group>`, group, plural and kind are required, the scope is
 * `Cluster` or `Namespaced`, there are versions and exactly one of them is the storage version.
 * A CEL rule that does not compile refuses the CRD too, and so do selectable fields upstream refuses. Schemas are not checked for being
 * structural (see the report of issue 11).
 */
import type { FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { Crd } from './crd.js';
import { validateSchemaRules } from './cel/crd-rules.js';
import { validateSelectableFields } from './selectable-fields.js';

/** The field errors of a CRD on create and update. */
export function validateCrd(obj: KubeObject): FieldError[] {
  const crd = obj as Crd;
  const errs: FieldError[] = [];
  const spec = crd.spec ?? ({} as Crd['spec']);
  const names = spec.names ?? {};
  const name = crd.metadata?.name ?? '';
  if (name && spec.group && names.plural && name !== `${names.plural}.${spec.group}`) {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: 'must be spec.names.plural+"."+spec.group' });
  }
  if (!spec.group) errs.push({ type: 'FieldValueRequired', field: 'spec.group', detail: '' });
  if (!names.plural) errs.push({ type: 'FieldValueRequired', field: 'spec.names.plural', detail: '' });
  if (!names.kind) errs.push({ type: 'FieldValueRequired', field: 'spec.names.kind', detail: '' });
  if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.scope', value: spec.scope ?? '', detail: 'supported values: "Cluster", "Namespaced"' });
  }
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) errs.push({ type: 'FieldValueRequired', field: 'spec.versions', detail: 'must have exactly one version marked as storage version' });
  else if (versions.filter((v) => v?.storage === true).length !== 1) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versions.map((v) => v?.name ?? ''), detail: 'must have exactly one version marked as storage version' });
  }
  versions.forEach((v, i) => {
    errs.push(...validateSchemaRules(v?.schema?.openAPIV3Schema, `spec.versions[${i}].schema.openAPIV3Schema`));
    errs.push(...validateSelectableFields(v?.selectableFields, v?.schema?.openAPIV3Schema, `spec.versions[${i}].selectableFields`));
  });
  return errs;
}
