/**
 * Upstream's ValidateCustomResourceDefinition and ValidateCustomResourceDefinitionUpdate
 * (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go) for a v1 CRD, with
 * upstream's field paths (see crd-layout.ts for where lifted per-version fields are named) and
 * messages: the name is `<plural>.<group>`; the group is a DNS subdomain with a dot; the scope;
 * version names (DNS-1035, unique, exactly one storage version) and deprecation warnings; every
 * version has a schema, each schema is structural with valid defaults, markers and rules
 * (crd-schema-validation.ts); the scale subresource's paths; printer columns; the names
 * (crd-names.ts); selectable fields; the conversion (crd-conversion-validation.ts);
 * `status.acceptedNames` and `status.storedVersions`; the API approval annotation of community
 * groups (crd-api-approval.ts); `spec.preserveUnknownFields` may not be true.
 * On update, group and plural are immutable, scope and kind too once the CRD is Established, and
 * a check the stored CRD already fails is relaxed as upstream relaxes it (ratcheting).
 */
import { GoSyntax, type FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation.js';
import { isConditionTrue, type Crd, type CrdVersion } from './crd.js';
import { minorInfo } from '../../../versions/minors.js';
import type { ResourceType } from '../resource-type.js';
import { allowsInvalidCABundle, hasValidConversionReviewVersionOrEmpty, validateCrdConversion } from './crd-conversion-validation.js';
import { validateCrdColumns } from './crd-columns-validation.js';
import { validateDeprecationWarning } from './crd-deprecation-validation.js';
import { validateApiApproval } from './crd-api-approval.js';
import { crdLayout } from './crd-layout.js';
import { crdRuleOptions } from './cel/crd-rules.js';
import { validateCrdNames } from './crd-names.js';
import { mapListKeysMapSet, OPENAPI_V3_TYPES, STRICT_SCHEMA_OPTIONS, validateCrdSchema, type SchemaValidationOptions } from './crd-schema-validation.js';
import { hasUnprunedDefaults } from './default-validation.js';
import { validateSelectableFields } from './selectable-fields.js';
import { validateCrdSubresources } from './crd-subresources-validation.js';
import { isJsonObject, type JsonSchemaProps } from './structural.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** True when some node of `schema` (properties, items, additionalProperties, junctors) satisfies `pred`. */
function someNode(schema: unknown, pred: (s: JsonSchemaProps) => boolean): boolean {
  if (!isJsonObject(schema)) return false;
  const s = schema as JsonSchemaProps;
  if (pred(s)) return true;
  const children: unknown[] = [s.not, ...(Array.isArray(s.items) ? s.items : [s.items]), s.additionalProperties];
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[j])) children.push(...(s[j] as unknown[]));
  if (isJsonObject(s.properties)) children.push(...Object.values(s.properties));
  return children.some((c) => someNode(c, pred));
}

function schemasOf(crd: Crd): JsonSchemaProps[] {
  const versions = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  return versions.map((v) => v?.schema?.openAPIV3Schema).filter((s): s is JsonSchemaProps => isJsonObject(s));
}

function allVersionsHaveSchema(crd: Crd): boolean {
  const versions = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  return versions.every((v) => isJsonObject(v?.schema?.openAPIV3Schema));
}

/** Upstream's update options: each check the stored CRD already fails is off. */
function ratchetedOptions(old: Crd): SchemaValidationOptions {
  const schemas = schemasOf(old);
  const any = (pred: (s: JsonSchemaProps) => boolean) => schemas.some((s) => someNode(s, pred));
  return {
    requireValidPropertyType: !any((s) => typeof s.type === 'string' && s.type !== '' && !OPENAPI_V3_TYPES.includes(s.type)),
    // spec.preserveUnknownFields is false in v1, which makes structural schemas required regardless.
    requireStructuralSchema: true,
    requirePrunedDefaults: !schemas.some((s) => hasUnprunedDefaults(s)),
    requireAtomicSetType: !any((s) => {
      const items = isJsonObject(s.items) ? (s.items as JsonSchemaProps) : undefined;
      if (s['x-kubernetes-list-type'] !== 'set' || !items) return false;
      if (items.type === 'array') return items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic';
      return items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic';
    }),
    requireMapListKeysMapSetValidation: !any((s) => mapListKeysMapSet(s, '').length > 0),
  };
}

function hasStatus(v: CrdVersion | undefined): boolean {
  return isJsonObject(v?.subresources) && v!.subresources!.status !== undefined && v!.subresources!.status !== null;
}

/** `status.storedVersions`: at least one, the storage version among them, each still in spec.versions. */
function validateStoredVersions(stored: unknown, versions: CrdVersion[]): FieldError[] {
  const list = Array.isArray(stored) ? (stored as unknown[]).map(str) : [];
  const value = list.length === 0 ? new GoSyntax(Array.isArray(stored) ? '[]string{}' : '[]string(nil)') : list;
  if (list.length === 0) return [{ type: 'FieldValueInvalid', field: 'status.storedVersions', value, detail: 'must have at least one stored version' }];
  const errs: FieldError[] = [];
  const remaining = new Map<string, number>();
  list.forEach((v, i) => remaining.set(v, i));
  for (const v of versions) {
    const name = str(v?.name);
    if (v?.storage === true && !remaining.has(name)) errs.push({ type: 'FieldValueInvalid', field: 'status.storedVersions', value, detail: `must have the storage version ${name}` });
    remaining.delete(name);
  }
  for (const [v, i] of remaining) {
    errs.push({
      type: 'FieldValueInvalid',
      field: `status.storedVersions[${i}]`,
      value: v,
      detail: `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`,
    });
  }
  return errs;
}

function immutable(path: string, now: unknown, before: unknown): FieldError[] {
  return now === before ? [] : [{ type: 'FieldValueInvalid', field: path, value: now, detail: 'field is immutable' }];
}

/**
 * The field errors of a CRD on create (`oldObj` undefined) and update, by the rules of the minor
 * serving `type` (the newest rules without one).
 */
export function validateCrd(obj: KubeObject, oldObj?: KubeObject, type?: Pick<ResourceType, 'minor'>): FieldError[] {
  const crd = obj as Crd;
  const old = oldObj as Crd | undefined;
  const errs: FieldError[] = [];
  const spec = (isJsonObject(crd.spec) ? crd.spec : {}) as Crd['spec'];
  const names = (isJsonObject(spec.names) ? spec.names : {}) as Crd['spec']['names'];
  const name = crd.metadata?.name ?? '';
  const group = str(spec.group);
  if (name && name !== `${str(names.plural)}.${group}`) {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail: 'must be spec.names.plural+"."+spec.group' });
  }
  if (!group) errs.push({ type: 'FieldValueRequired', field: 'spec.group', detail: '' });
  else if (isDNS1123Subdomain(group).length > 0) errs.push({ type: 'FieldValueInvalid', field: 'spec.group', value: group, detail: isDNS1123Subdomain(group).join(',') });
  else if (group.split('.').length < 2) errs.push({ type: 'FieldValueInvalid', field: 'spec.group', value: group, detail: 'should be a domain with at least one dot' });
  const scope = str(spec.scope);
  if (!scope) errs.push({ type: 'FieldValueRequired', field: 'spec.scope', detail: '' });
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push({ type: 'FieldValueNotSupported', field: 'spec.scope', value: scope, detail: 'supported values: "Cluster", "Namespaced"' });

  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const layout = crdLayout(crd);
  const lifted = layout.schemas.find((u) => !u.version);
  const opts = { ...(old ? ratchetedOptions(old) : STRICT_SCHEMA_OPTIONS), cel: crdRuleOptions(type?.minor, old ? schemasOf(old) : []) };
  const requireSchema = !old || allVersionsHaveSchema(old);
  if (!isJsonObject(lifted?.value?.openAPIV3Schema)) {
    versions.forEach((v, i) => {
      const hasOwn = !layout.schemaLifted && isJsonObject(v?.schema?.openAPIV3Schema);
      if (hasOwn) return;
      if (requireSchema) errs.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, detail: 'schemas are required' });
      else if (v?.served) errs.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, detail: 'because otherwise all fields are pruned' });
    });
  }

  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const vname = str(v?.name);
    if (seen.has(vname)) unique = false;
    seen.add(vname);
    const bad = isDNS1035Label(vname);
    if (bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: `spec.versions[${i}].name`, value: vname, detail: bad.join(',') });
    errs.push(...validateDeprecationWarning(v, `spec.versions[${i}].deprecationWarning`));
    const own = layout.schemas.find((u) => u.version === v);
    if (own) errs.push(...validateCrdSchema(own.value, own.path, hasStatus(v), opts));
    const subresources = layout.subresources.find((u) => u.version === v);
    if (subresources) errs.push(...validateCrdSubresources(subresources.value, subresources.path));
    const columns = layout.columns.find((u) => u.version === v);
    if (columns) errs.push(...validateCrdColumns(columns.value, columns.path));
    const selectable = layout.selectableFields.find((u) => u.version === v);
    if (selectable) errs.push(...validateSelectableFields(selectable.value, own?.value?.openAPIV3Schema, selectable.path));
  });
  const versionNames = versions.map((v) => str(v?.name));
  if (!unique) errs.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versionNames, detail: 'must contain unique version names' });
  if (versions.filter((v) => v?.storage === true).length !== 1) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versionNames, detail: 'must have exactly one version marked as storage version' });
  }
  // Conversion to the internal form copies versions[0].name to spec.version, which is checked again.
  if (versions.length > 0) {
    const first = versionNames[0]!;
    const bad = first ? isDNS1035Label(first) : [];
    if (bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: 'spec.version', value: first, detail: bad.join(',') });
  }
  for (const key of ['plural', 'singular', 'kind', 'listKind'] as const) {
    if (!str(names[key])) errs.push({ type: 'FieldValueRequired', field: `spec.names.${key}`, detail: '' });
  }
  errs.push(...validateCrdNames(names, 'spec.names'));
  if (lifted) errs.push(...validateCrdSchema(lifted.value, lifted.path, versions.some(hasStatus), opts));
  const liftedSubresources = layout.subresources.find((u) => !u.version);
  if (liftedSubresources) errs.push(...validateCrdSubresources(liftedSubresources.value, liftedSubresources.path));
  const liftedColumns = layout.columns.find((u) => !u.version);
  if (liftedColumns) errs.push(...validateCrdColumns(liftedColumns.value, liftedColumns.path));
  const liftedSelectable = layout.selectableFields.find((u) => !u.version);
  if (liftedSelectable) errs.push(...validateSelectableFields(liftedSelectable.value, lifted?.value?.openAPIV3Schema, liftedSelectable.path));
  const requireRecognized = !old || !isJsonObject(old.spec?.conversion) || hasValidConversionReviewVersionOrEmpty(old.spec.conversion?.webhook?.conversionReviewVersions);
  const facts = type?.minor ? minorInfo(type.minor).crdValidation : undefined;
  const checkCABundle = (facts?.validatesConversionCABundle ?? true) && old !== undefined && !allowsInvalidCABundle(old);
  errs.push(...validateCrdConversion(spec.conversion, requireRecognized, !checkCABundle));

  if (old) {
    const oldSpec = (isJsonObject(old.spec) ? old.spec : {}) as Crd['spec'];
    if (isConditionTrue(old, 'Established')) {
      errs.push(...immutable('spec.scope', spec.scope, oldSpec.scope));
      errs.push(...immutable('spec.names.kind', names.kind, oldSpec.names?.kind));
    }
    errs.push(...immutable('spec.group', spec.group, oldSpec.group));
    errs.push(...immutable('spec.names.plural', names.plural, oldSpec.names?.plural));
  }
  errs.push(...validateCrdNames(crd.status?.acceptedNames, 'status.acceptedNames'));
  errs.push(...validateStoredVersions(crd.status?.storedVersions, versions));
  errs.push(...validateApiApproval(crd, old));
  if (spec.preserveUnknownFields === true && old?.spec?.preserveUnknownFields !== true) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.preserveUnknownFields', value: true, detail: 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead' });
  }
  return errs;
}
