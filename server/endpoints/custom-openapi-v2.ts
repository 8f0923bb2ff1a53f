/**
 * The OpenAPI v2 definitions of custom resources, as apiextensions-apiserver's OpenAPI (v2)
 * controller builds them (`builder.BuildOpenAPIV2` with `V2: true`, then `PruneDefaults`): per served
 * version of each established CRD, the kind and list schemas named like the v3 ones
 * (`com.example.v1.Widget`). The kind's schema is `{type: object}` when the version has no schema,
 * or its root (or `spec.preserveUnknownFields`) preserves unknown fields; otherwise the structural
 * schema converted by `ToStructuralOpenAPIV2` (allOf/oneOf/anyOf/not dropped; a nullable node loses
 * its type, items and properties and its parent's `required` entry; a node preserving unknown fields
 * loses items and properties, and `object` type; an array without items loses its type), keeping
 * only the keywords of a structural schema, with `apiVersion`/`kind` from TypeMeta, `metadata`
 * referring to ObjectMeta and embedded resources' properties (except under nodes preserving unknown
 * fields). Defaults are pruned everywhere.
 */
import type { VersionProfile } from '../../versions/types.js';
import type { OpenApiSchema } from '../../versions/openapi.js';
import type { Crd } from '../registry/custom/crd.js';
import type { JsonSchemaProps } from '../registry/custom/structural.js';
import { isDiscoverable } from '../registry/custom/resource-type.js';
import { FIELD_SELECTORS_GATE } from '../registry/custom/crd-strategy.js';
import { selectableFieldLabel } from '../registry/custom/selectable-fields.js';
import { customDefinitionName, customListSchema, typeMetaProperties, OBJECT_META_DOC } from './custom-openapi.js';

type Json = Record<string, any>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The keywords a structural schema publishes (Structural.ToKubeOpenAPI), in that order. */
const STRUCTURAL_KEYS = [
  'description', 'type', 'title', 'format', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties', 'minProperties', 'required',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
];

/** ToStructuralOpenAPIV2 and ToKubeOpenAPI of one node and its children; `default` is pruned. */
function toV2(s: JsonSchemaProps, minor: string): Json {
  const out: Json = {};
  for (const k of STRUCTURAL_KEYS) if ((s as Json)[k] !== undefined) out[k] = (s as Json)[k];
  let properties = s.properties as Record<string, JsonSchemaProps> | undefined;
  let items = s.items && !Array.isArray(s.items) ? (s.items as JsonSchemaProps) : undefined;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (s.nullable === true) {
    delete out.type;
    properties = undefined;
    items = undefined;
  }
  if (preserve) {
    properties = undefined;
    items = undefined;
  }
  if (!items && out.type === 'array') delete out.type;
  if (preserve && out.type === 'object') delete out.type;
  if (properties) {
    const nullable = new Set(Object.entries(properties).filter(([, p]) => p.nullable === true).map(([k]) => k));
    if (Array.isArray(out.required) && nullable.size) {
      const kept = (out.required as string[]).filter((r) => !nullable.has(r));
      if (kept.length) out.required = kept;
      else delete out.required;
    }
    const props: Json = {};
    for (const [k, p] of Object.entries(properties)) props[k] = toV2(p, minor);
    out.properties = props;
  }
  if (items) out.items = toV2(items, minor);
  const additional = s.additionalProperties;
  if (additional && typeof additional === 'object') {
    if ((additional as JsonSchemaProps).nullable === true) delete out.required;
    out.additionalProperties = toV2(additional as JsonSchemaProps, minor);
  } else if (typeof additional === 'boolean') out.additionalProperties = additional;
  return out;
}

/** addEmbeddedProperties with V2: children first; nothing added under nodes preserving unknown fields. */
function addEmbedded(s: Json, minor: string): void {
  for (const p of Object.values((s.properties ?? {}) as Json)) addEmbedded(p, minor);
  if (s.items && typeof s.items === 'object') addEmbedded(s.items, minor);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') addEmbedded(s.additionalProperties, minor);
  if (s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (s['x-kubernetes-embedded-resource'] !== true) return;
  const tm = typeMetaProperties(minor);
  s.properties = {
    ...(s.properties ?? {}),
    apiVersion: { ...tm.apiVersion, description: 'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
    kind: { ...tm.kind, description: 'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    metadata: { $ref: `#/definitions/${META}.ObjectMeta`, description: OBJECT_META_DOC },
  };
  const required = [...((s.required as string[] | undefined) ?? [])];
  for (const r of ['kind', 'apiVersion']) if (!required.includes(r)) required.push(r);
  s.required = required;
}

function sortProperties(s: Json): Json {
  if (s.properties) {
    const sorted: Json = {};
    for (const k of Object.keys(s.properties).sort()) sorted[k] = sortProperties(s.properties[k]);
    s.properties = sorted;
  }
  if (s.items && typeof s.items === 'object') sortProperties(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') sortProperties(s.additionalProperties);
  return s;
}

/** The v2 schema of one CRD version's kind (without its GVK, which the document adds). */
export function customKindSchemaV2(minor: string, crd: Crd, schema: JsonSchemaProps | undefined): OpenApiSchema {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true || crd.spec.preserveUnknownFields === true) return { type: 'object' };
  const out = toV2(schema, minor);
  const tm = typeMetaProperties(minor);
  out.properties = { ...(out.properties ?? {}), metadata: { $ref: `#/definitions/${META}.ObjectMeta`, description: OBJECT_META_DOC }, apiVersion: tm.apiVersion, kind: tm.kind };
  addEmbedded(out, minor);
  return sortProperties(out);
}

/**
 * The v2 definitions of the established CRDs' served versions (kind and list), by definition name,
 * each with its `x-kubernetes-group-version-kind`.
 */
export function customOpenApiV2Definitions(profile: VersionProfile, crds: Crd[]): Map<string, OpenApiSchema> {
  const defs = new Map<string, OpenApiSchema>();
  const selectableOn = profile.featureGates.get(FIELD_SELECTORS_GATE) === true;
  for (const crd of crds.filter(isDiscoverable)) {
    const group = crd.spec.group;
    const kind = crd.status?.acceptedNames?.kind || crd.spec.names.kind || '';
    const listKind = crd.status?.acceptedNames?.listKind || crd.spec.names.listKind || `${kind}List`;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const kindName = customDefinitionName(group, version.name, kind);
      const schema: Json = { ...customKindSchemaV2(profile.minor, crd, version.schema?.openAPIV3Schema) };
      const selectable = selectableOn ? (version.selectableFields ?? []) : [];
      if (selectable.length) schema['x-kubernetes-selectable-fields'] = selectable.map((f) => ({ fieldPath: selectableFieldLabel(f.jsonPath) }));
      schema['x-kubernetes-group-version-kind'] = [{ group, kind, version: version.name }];
      defs.set(kindName, schema);
      const list: Json = { ...customListSchema(profile.minor, kindName, listKind, kind, crd.spec.names.plural ?? '') };
      list['x-kubernetes-group-version-kind'] = [{ group, kind: listKind, version: version.name }];
      defs.set(customDefinitionName(group, version.name, listKind), list);
    }
  }
  return defs;
}
