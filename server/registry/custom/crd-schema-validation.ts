/**
 * Upstream's validateCustomResourceDefinitionValidation and ValidateCustomResourceDefinitionOpenAPISchema
 * (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go) for one
 * `openAPIV3Schema`: what the root may hold with the status subresource, no `nullable` root, the
 * structural-schema checks then the defaults (only once the schema is structural), and per node the
 * OpenAPI features kube-apiserver refuses, the `x-kubernetes-*` markers' combinations, list and map
 * markers and the shape of `x-kubernetes-validations`; CEL rules are compiled last, and only when
 * nothing else is wrong.
 */
import { GoSyntax, type FieldError } from '../../errors/status.js';
import { validateSchemaRules, type CrdRuleOptions } from './cel/crd-rules.js';
import { validateDefaults } from './default-validation.js';
import { isJsonObject, type JsonSchemaProps } from './structural.js';
import { validateStructural } from './structural-validation.js';

/** Which checks apply: all on create; on update, upstream relaxes each one the stored CRD already fails. */
export interface SchemaValidationOptions {
  requireValidPropertyType: boolean;
  requireStructuralSchema: boolean;
  requirePrunedDefaults: boolean;
  requireAtomicSetType: boolean;
  requireMapListKeysMapSetValidation: boolean;
  /** The minor's CEL environments and the stored CRD's expressions (default: the newest environment). */
  cel?: CrdRuleOptions;
}

/** Every check on (a create). */
export const STRICT_SCHEMA_OPTIONS: SchemaValidationOptions = {
  requireValidPropertyType: true,
  requireStructuralSchema: true,
  requirePrunedDefaults: true,
  requireAtomicSetType: true,
  requireMapListKeysMapSetValidation: true,
};

/** The OpenAPI v3 types a CRD schema may name. */
export const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

const VALIDATION_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/** JSONSchemaProps' fields in Go declaration order, by JSON name, with Go's field name. */
const ROOT_FIELDS: [string, string][] = [
  ['id', 'ID'], ['$schema', 'Schema'], ['$ref', 'Ref'], ['description', 'Description'], ['type', 'Type'], ['format', 'Format'],
  ['title', 'Title'], ['default', 'Default'], ['maximum', 'Maximum'], ['exclusiveMaximum', 'ExclusiveMaximum'], ['minimum', 'Minimum'],
  ['exclusiveMinimum', 'ExclusiveMinimum'], ['maxLength', 'MaxLength'], ['minLength', 'MinLength'], ['pattern', 'Pattern'],
  ['maxItems', 'MaxItems'], ['minItems', 'MinItems'], ['uniqueItems', 'UniqueItems'], ['multipleOf', 'MultipleOf'], ['enum', 'Enum'],
  ['maxProperties', 'MaxProperties'], ['minProperties', 'MinProperties'], ['required', 'Required'], ['items', 'Items'], ['allOf', 'AllOf'],
  ['oneOf', 'OneOf'], ['anyOf', 'AnyOf'], ['not', 'Not'], ['properties', 'Properties'], ['additionalProperties', 'AdditionalProperties'],
  ['patternProperties', 'PatternProperties'], ['dependencies', 'Dependencies'], ['additionalItems', 'AdditionalItems'],
  ['definitions', 'Definitions'], ['externalDocs', 'ExternalDocs'], ['example', 'Example'], ['nullable', 'Nullable'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'], ['x-kubernetes-embedded-resource', 'XEmbeddedResource'],
  ['x-kubernetes-int-or-string', 'XIntOrString'], ['x-kubernetes-list-map-keys', 'XListMapKeys'], ['x-kubernetes-list-type', 'XListType'],
  ['x-kubernetes-map-type', 'XMapType'], ['x-kubernetes-validations', 'XValidations'],
];

/** Upstream's allowedFieldsAtRootSchema (Go field names). */
const ALLOWED_AT_ROOT = ['Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum', 'MaxLength', 'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties', 'ExternalDocs', 'Example', 'XPreserveUnknownFields', 'XValidations'];

/** True when a JSONSchemaProps field holds its Go zero value (absent, false for plain bools, ''). */
function isZero(key: string, v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  const plainBools = ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems', 'nullable', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'];
  return v === false && plainBools.includes(key);
}

function obj(v: unknown): JsonSchemaProps | undefined {
  return isJsonObject(v) ? (v as JsonSchemaProps) : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The validator state upstream threads through the walk (specStandardValidatorV3). */
interface Ssv {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
}

function ssvValidate(s: JsonSchemaProps, path: string, ssv: Ssv, opts: SchemaValidationOptions, errs: FieldError[]): void {
  const type = str(s.type);
  if (opts.requireValidPropertyType && type && !OPENAPI_V3_TYPES.includes(type)) {
    errs.push({ type: 'FieldValueNotSupported', field: `${path}.type`, value: type, detail: `supported values: ${OPENAPI_V3_TYPES.map((t) => JSON.stringify(t)).join(', ')}` });
  }
  if (s.default !== undefined && s.default !== null && !ssv.allowDefaults) {
    errs.push({ type: 'FieldValueForbidden', field: `${path}.default`, detail: `must not be set${ssv.disallowDefaultsReason ? ` ${ssv.disallowDefaultsReason}` : ''}` });
  }
  const forbid = (key: string, detail: string) => errs.push({ type: 'FieldValueForbidden', field: `${path}.${key}`, detail });
  if (str(s.id)) forbid('id', 'id is not supported');
  if (s.additionalItems !== undefined) forbid('additionalItems', 'additionalItems is not supported');
  if (isJsonObject(s.patternProperties) && Object.keys(s.patternProperties).length > 0) forbid('patternProperties', 'patternProperties is not supported');
  if (isJsonObject(s.definitions) && Object.keys(s.definitions).length > 0) forbid('definitions', 'definitions is not supported');
  if (s.dependencies !== undefined && s.dependencies !== null) forbid('dependencies', 'dependencies is not supported');
  if (s.$ref !== undefined && s.$ref !== null) forbid('$ref', '$ref is not supported');
  if (type === 'null') forbid('type', 'type cannot be set to null, use nullable as an alternative');
  if (Array.isArray(s.items) && s.items.length > 0) forbid('items', 'items must be a schema object and not an array');
  if (ssv.insideResourceMeta && s['x-kubernetes-embedded-resource'] === true) forbid('x-kubernetes-embedded-resource', 'must not be used inside of resource meta');
}

function validateNode(s: JsonSchemaProps | undefined, path: string, ssv: Ssv, isRoot: boolean, opts: SchemaValidationOptions, errs: FieldError[]): void {
  if (!s) return;
  ssvValidate(s, path, ssv, opts, errs);
  if (s.uniqueItems === true) errs.push({ type: 'FieldValueForbidden', field: `${path}.uniqueItems`, detail: 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic' });
  const properties = isJsonObject(s.properties) ? s.properties : {};
  const hasProps = Object.keys(properties).length > 0;
  if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
    if (hasProps && (s.additionalProperties === false || isJsonObject(s.additionalProperties))) {
      errs.push({ type: 'FieldValueForbidden', field: `${path}.additionalProperties`, detail: 'additionalProperties and properties are mutual exclusive' });
    }
    const sub = ssv.insideResourceMeta ? { ...ssv, allowDefaults: false, disallowDefaultsReason: 'inside additionalProperties applying to object metadata' } : ssv;
    validateNode(obj(s.additionalProperties), `${path}.additionalProperties`, sub, false, opts, errs);
  }
  for (const key of Object.keys(properties).sort()) {
    let sub = ssv;
    if ((isRoot || s['x-kubernetes-embedded-resource'] === true) && (key === 'metadata' || key === 'kind' || key === 'apiVersion')) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${key}` };
    }
    validateNode(obj(properties[key]), `${path}.properties[${key}]`, sub, false, opts, errs);
  }
  validateNode(obj(s.not), `${path}.not`, ssv, false, opts, errs);
  for (const j of ['allOf', 'oneOf', 'anyOf'] as const) {
    const list = s[j];
    if (Array.isArray(list)) list.forEach((x, i) => validateNode(obj(x), `${path}.${j}[${i}]`, ssv, false, opts, errs));
  }
  if (isJsonObject(s.definitions)) for (const k of Object.keys(s.definitions).sort()) validateNode(obj(s.definitions[k]), `${path}.definitions[${k}]`, ssv, false, opts, errs);
  if (Array.isArray(s.items)) s.items.forEach((x, i) => validateNode(obj(x), `${path}.items[${i}]`, ssv, false, opts, errs));
  else validateNode(obj(s.items), `${path}.items`, ssv, false, opts, errs);
  validateMarkers(s, path, opts, errs);
  validateRuleShapes(s, path, errs);
}

function validateMarkers(s: JsonSchemaProps, path: string, opts: SchemaValidationOptions, errs: FieldError[]): void {
  const type = str(s.type);
  const items = obj(s.items);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push({ type: 'FieldValueInvalid', field: `${path}.x-kubernetes-preserve-unknown-fields`, value: false, detail: 'must be true or undefined' });
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && mapType !== null) {
    if (type !== 'object') {
      if (!type) errs.push({ type: 'FieldValueRequired', field: `${path}.type`, detail: 'must be object if x-kubernetes-map-type is specified' });
      else errs.push({ type: 'FieldValueInvalid', field: `${path}.type`, value: type, detail: 'must be object if x-kubernetes-map-type is specified' });
    }
    if (mapType !== 'atomic' && mapType !== 'granular') {
      errs.push({ type: 'FieldValueNotSupported', field: `${path}.x-kubernetes-map-type`, value: mapType, detail: 'supported values: "atomic", "granular"' });
    }
  }
  const listType = s['x-kubernetes-list-type'];
  const hasListType = listType !== undefined && listType !== null;
  if (hasListType && type !== 'array') {
    if (!type) errs.push({ type: 'FieldValueRequired', field: `${path}.type`, detail: 'must be array if x-kubernetes-list-type is specified' });
    else errs.push({ type: 'FieldValueInvalid', field: `${path}.type`, value: type, detail: 'must be array if x-kubernetes-list-type is specified' });
  } else if (opts.requireAtomicSetType && listType === 'set' && items) {
    const itemList = items['x-kubernetes-list-type'];
    if (items.type === 'array' && itemList !== undefined && itemList !== null && itemList !== 'atomic') {
      errs.push({ type: 'FieldValueInvalid', field: `${path}.items.x-kubernetes-list-type`, value: itemList, detail: 'must be atomic as item of a list with x-kubernetes-list-type=set' });
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      // Upstream reports the item's list type here (null when unset).
      errs.push({ type: 'FieldValueInvalid', field: `${path}.items.x-kubernetes-map-type`, value: itemList ?? null, detail: 'must be atomic as item of a list with x-kubernetes-list-type=set' });
    }
  }
  if (hasListType && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push({ type: 'FieldValueNotSupported', field: `${path}.x-kubernetes-list-type`, value: listType, detail: 'supported values: "atomic", "set", "map"' });
  }
  const keys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as unknown[]).map(str) : [];
  if (keys.length > 0) {
    if (!hasListType) errs.push({ type: 'FieldValueRequired', field: `${path}.x-kubernetes-list-type`, detail: 'must be map if x-kubernetes-list-map-keys is non-empty' });
    else if (listType !== 'map') errs.push({ type: 'FieldValueInvalid', field: `${path}.x-kubernetes-list-type`, value: listType, detail: 'must be map if x-kubernetes-list-map-keys is non-empty' });
  }
  if (listType === 'map') {
    if (keys.length === 0) errs.push({ type: 'FieldValueRequired', field: `${path}.x-kubernetes-list-map-keys`, detail: 'must not be empty if x-kubernetes-list-type is map' });
    if (s.items === undefined || s.items === null) errs.push({ type: 'FieldValueRequired', field: `${path}.items`, detail: 'must have a schema if x-kubernetes-list-type is map' });
    if (Array.isArray(s.items)) errs.push({ type: 'FieldValueInvalid', field: `${path}.items`, value: new GoSyntax('&apiextensions.JSONSchemaPropsOrArray{…}'), detail: 'must only have a single schema if x-kubernetes-list-type is map' });
    if (items && items.type !== 'object') errs.push({ type: 'FieldValueInvalid', field: `${path}.items.type`, value: str(items.type), detail: "must be object if parent array's x-kubernetes-list-type is map" });
    if (items && items.type === 'object') {
      const itemProps = isJsonObject(items.properties) ? items.properties : {};
      const seen = new Set<string>();
      for (const k of keys) {
        const p = obj(itemProps[k]);
        if (p) {
          if (p.type === 'array' || p.type === 'object') {
            errs.push({ type: 'FieldValueInvalid', field: `${path}.items.properties[${k}].type`, value: 'object', detail: "must be a scalar type if parent array's x-kubernetes-list-type is map" });
          }
        } else errs.push({ type: 'FieldValueInvalid', field: `${path}.x-kubernetes-list-map-keys`, value: keys, detail: 'entries must all be names of item properties' });
        if (seen.has(k)) errs.push({ type: 'FieldValueInvalid', field: `${path}.x-kubernetes-list-map-keys`, value: keys, detail: 'must not contain duplicate entries' });
        seen.add(k);
      }
    }
  }
  if (opts.requireMapListKeysMapSetValidation) errs.push(...mapListKeysMapSet(s, path));
}

/** Upstream's validateMapListKeysMapSet: set/map items not nullable; map keys required (or defaulted) and not nullable. */
export function mapListKeysMapSet(s: JsonSchemaProps, path: string): FieldError[] {
  const items = obj(s.items);
  const listType = s['x-kubernetes-list-type'];
  if (!items || (listType !== 'set' && listType !== 'map')) return [];
  const errs: FieldError[] = [];
  if (items.nullable === true) errs.push({ type: 'FieldValueForbidden', field: `${path}.items.nullable`, detail: `cannot be nullable when x-kubernetes-list-type is ${listType}` });
  if (listType === 'map') {
    const required = new Set(Array.isArray(items.required) ? items.required : []);
    const itemProps = isJsonObject(items.properties) ? items.properties : {};
    const keys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as unknown[]).map(str) : [];
    for (const k of keys) {
      const p = obj(itemProps[k]);
      if (!p) continue;
      if (!required.has(k) && (p.default === undefined || p.default === null)) {
        errs.push({ type: 'FieldValueRequired', field: `${path}.items.properties[${k}].default`, detail: 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' });
      }
      if (p.nullable === true) errs.push({ type: 'FieldValueForbidden', field: `${path}.items.properties[${k}].nullable`, detail: 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable' });
    }
  }
  return errs;
}

/** The shape of each `x-kubernetes-validations` entry (compiling is separate). */
function validateRuleShapes(s: JsonSchemaProps, path: string, errs: FieldError[]): void {
  const rules = Array.isArray(s['x-kubernetes-validations']) ? (s['x-kubernetes-validations'] as Record<string, unknown>[]) : [];
  const newline = /[\n\r]+/;
  rules.forEach((r, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    const rule = str(r?.rule);
    const message = str(r?.message);
    const trimmedRule = rule.trim();
    const trimmedMsg = message.trim();
    if (!trimmedRule) errs.push({ type: 'FieldValueRequired', field: `${at}.rule`, detail: 'rule is not specified' });
    else if (message && !trimmedMsg) errs.push({ type: 'FieldValueInvalid', field: `${at}.message`, value: message, detail: 'message must be non-empty if specified' });
    else if (newline.test(trimmedMsg)) errs.push({ type: 'FieldValueInvalid', field: `${at}.message`, value: message, detail: 'message must not contain line breaks' });
    else if (newline.test(trimmedRule) && !trimmedMsg) errs.push({ type: 'FieldValueRequired', field: `${at}.message`, detail: 'message must be specified if rule contains line breaks' });
    const messageExpression = str(r?.messageExpression);
    if (messageExpression && !messageExpression.trim()) errs.push({ type: 'FieldValueRequired', field: `${at}.messageExpression`, detail: 'messageExpression must be non-empty if specified' });
    if (r?.reason !== undefined && r?.reason !== null && !VALIDATION_REASONS.includes(str(r.reason))) {
      errs.push({ type: 'FieldValueNotSupported', field: `${at}.reason`, value: r.reason, detail: `supported values: ${VALIDATION_REASONS.map((x) => JSON.stringify(x)).join(', ')}` });
    }
    const fieldPath = str(r?.fieldPath);
    if (fieldPath && !fieldPath.trim()) errs.push({ type: 'FieldValueInvalid', field: `${at}.fieldPath`, value: fieldPath, detail: 'fieldPath must be non-empty if specified' });
    if (newline.test(fieldPath)) errs.push({ type: 'FieldValueInvalid', field: `${at}.fieldPath`, value: fieldPath, detail: 'fieldPath must not contain line breaks' });
  });
}

/** Root fields the status subresource forbids: the first offending one, as upstream stops at it. */
function statusRootErrors(schema: JsonSchemaProps, path: string): FieldError[] {
  for (const [key, goName] of ROOT_FIELDS) {
    const v = schema[key];
    if (isZero(key, v)) continue;
    if (goName === 'Type') {
      if (v !== 'object') return [{ type: 'FieldValueInvalid', field: `${path}.openAPIV3Schema.type`, value: v, detail: 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled' }];
      continue;
    }
    if (!ALLOWED_AT_ROOT.includes(goName)) {
      return [{ type: 'FieldValueInvalid', field: `${path}.openAPIV3Schema`, value: new GoSyntax('apiextensions.JSONSchemaProps{…}'), detail: `only [${ALLOWED_AT_ROOT.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled` }];
    }
  }
  return [];
}

/**
 * The errors of one `schema` value (`{openAPIV3Schema}`) at `path` (`spec.validation` or
 * `spec.versions[i].schema`), with the status subresource on or off for it.
 */
export function validateCrdSchema(value: { openAPIV3Schema?: JsonSchemaProps }, path: string, statusEnabled: boolean, opts: SchemaValidationOptions): FieldError[] {
  const schema = obj(value?.openAPIV3Schema);
  if (!schema) return [];
  const at = `${path}.openAPIV3Schema`;
  const errs: FieldError[] = [];
  if (statusEnabled) errs.push(...statusRootErrors(schema, path));
  if (schema.nullable === true) errs.push({ type: 'FieldValueForbidden', field: `${at}.nullable`, detail: 'nullable cannot be true at the root' });
  let structural = true;
  if (opts.requireStructuralSchema) {
    const structuralErrs = validateStructural(schema, at);
    if (structuralErrs.length > 0) {
      structural = false;
      errs.push(...structuralErrs);
    } else {
      const defaultErrs = validateDefaults(schema, at, opts.requirePrunedDefaults);
      if (defaultErrs.length > 0) structural = false;
      errs.push(...defaultErrs);
    }
  }
  const schemaErrs: FieldError[] = [];
  validateNode(schema, at, { allowDefaults: true, disallowDefaultsReason: '', insideResourceMeta: false }, true, opts, schemaErrs);
  errs.push(...schemaErrs);
  // Upstream compiles rules only for a structural schema, and skips a node with schema errors at or below it.
  if (structural && schemaErrs.length === 0) errs.push(...validateSchemaRules(schema, at, opts.cel));
  return errs;
}
