/**
 * OpenAPI v3 documents of custom resources, as apiextensions-apiserver's OpenAPI v3 controller
 * publishes them: one document per group/version of the established CRDs (`apis/<group>/<version>`),
 * holding each CRD's paths (collection, item, `status` and `scale` when enabled; patch consumes no
 * strategic merge patch) and two schemas
 * named after the reversed group (`com.example.v1.Widget`, `com.example.v1.WidgetList`). The kind's
 * schema is the version's structural schema with `x-kubernetes-int-or-string` unfolded into its
 * `anyOf`, `apiVersion`/`kind` from TypeMeta, `metadata` referring to ObjectMeta (also inside
 * `x-kubernetes-embedded-resource` objects), and `x-kubernetes-group-version-kind`; a version
 * without a schema publishes `{type: object}`. Property maps are in key order, as Go writes them.
 */
import type { ServedGroupVersion, VersionProfile } from '../../versions/types.js';
import { definition, type OpenApiSchema } from '../../versions/openapi.js';
import type { Crd } from '../registry/custom/crd.js';
import type { JsonSchemaProps } from '../registry/custom/structural.js';
import { isDiscoverable } from '../registry/custom/resource-type.js';
import { customGroupVersions } from '../registry/custom/group-versions.js';
import { addResourcePaths, componentSchemas, CUSTOM_PATCH_MEDIA, type Builder } from './openapi.js';
import { FIELD_SELECTORS_GATE } from '../registry/custom/crd-strategy.js';
import { selectableFieldLabel } from '../registry/custom/selectable-fields.js';

type Json = Record<string, any>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** The description of a custom kind's `metadata` (PartialObjectMetadata's). */
export const OBJECT_META_DOC = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_META_DOC = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
/** Where TypeMeta's `apiVersion` and `kind` properties are read from (every kind has the same two). */
const TYPE_META_SOURCE = 'io.k8s.api.core.v1.ConfigMap';

/** kube-openapi's ToRESTFriendlyName of `<group>/<version>.<kind>`: the group's labels reversed. */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** TypeMeta's `apiVersion` and `kind` property schemas of a minor. */
export function typeMetaProperties(minor: string): { apiVersion: Json; kind: Json } {
  const props = (definition(minor, TYPE_META_SOURCE)?.properties ?? {}) as Json;
  return { apiVersion: props.apiVersion ?? { type: 'string' }, kind: props.kind ?? { type: 'string' } };
}

function sortedKeys(obj: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return out;
}

/** The published form of one node of a structural schema (Unfold and addEmbeddedProperties). */
function published(s: JsonSchemaProps, minor: string): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Json = {};
      for (const [p, child] of Object.entries(v as Record<string, JsonSchemaProps>)) props[p] = published(child, minor);
      out[k] = props;
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = published(v as JsonSchemaProps, minor);
    } else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string'] === true && out.anyOf === undefined) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (s['x-kubernetes-embedded-resource'] === true) {
    const tm = typeMetaProperties(minor);
    const props: Json = { ...(out.properties ?? {}) };
    props.apiVersion = { ...tm.apiVersion, description: 'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' };
    props.kind = { ...tm.kind, description: 'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' };
    props.metadata = { $ref: `#/definitions/${META}.ObjectMeta`, description: OBJECT_META_DOC };
    out.properties = props;
    const required = [...((out.required as string[] | undefined) ?? [])];
    for (const r of ['kind', 'apiVersion']) if (!required.includes(r)) required.push(r);
    out.required = required;
  }
  if (out.properties) out.properties = sortedKeys(out.properties);
  return out;
}

/** The kind's schema of one CRD version (without its GVK, which the document adds). */
export function customKindSchema(minor: string, schema: JsonSchemaProps | undefined): OpenApiSchema {
  if (!schema) return { type: 'object' };
  const out = published(schema, minor);
  const tm = typeMetaProperties(minor);
  out.properties = sortedKeys({ ...(out.properties ?? {}), apiVersion: tm.apiVersion, kind: tm.kind, metadata: { $ref: `#/definitions/${META}.ObjectMeta`, description: OBJECT_META_DOC } });
  return out;
}

/** The list kind's schema, as the builder's buildListSchema. */
export function customListSchema(minor: string, kindName: string, listKind: string, kind: string, plural: string): OpenApiSchema {
  const tm = typeMetaProperties(minor);
  return {
    description: `${listKind} is a list of ${kind}`,
    required: ['items'],
    properties: {
      apiVersion: tm.apiVersion,
      items: { type: 'array', description: `List of ${plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: { $ref: `#/definitions/${kindName}` } },
      kind: tm.kind,
      metadata: { $ref: `#/definitions/${META}.ListMeta`, description: LIST_META_DOC },
    },
  };
}

function crdOf(crds: Crd[], group: string, plural: string): Crd | undefined {
  return crds.find((c) => c.spec.group === group && c.spec.names.plural === plural);
}

/** The document of one custom group/version. */
function customGroupVersionDoc(profile: VersionProfile, gv: ServedGroupVersion, crds: Crd[]): unknown {
  const b: Builder = { paths: {}, schemas: new Set([`${META}.DeleteOptions`, `${META}.Status`, `${META}.Patch`]) };
  const gvks = new Map<string, Json[]>();
  const own = new Map<string, OpenApiSchema>();
  for (const r of gv.resources) {
    const crd = crdOf(crds, gv.group, r.name);
    const version = crd?.spec.versions.find((v) => v.name === gv.version);
    if (!crd || !version) continue;
    const kindName = customDefinitionName(gv.group, gv.version, r.kind);
    const listKind = crd.status?.acceptedNames?.listKind || crd.spec.names.listKind || `${r.kind}List`;
    const listName = customDefinitionName(gv.group, gv.version, listKind);
    const kindSchema = customKindSchema(profile.minor, version.schema?.openAPIV3Schema);
    // The builder lists the selectable fields on the kind while CustomResourceFieldSelectors is on.
    const selectable = profile.featureGates.get(FIELD_SELECTORS_GATE) === true ? (version.selectableFields ?? []) : [];
    own.set(kindName, selectable.length ? { ...kindSchema, 'x-kubernetes-selectable-fields': selectable.map((f) => ({ fieldPath: selectableFieldLabel(f.jsonPath) })) } : kindSchema);
    own.set(listName, customListSchema(profile.minor, kindName, listKind, r.kind, r.name));
    gvks.set(kindName, [{ group: gv.group, kind: r.kind, version: gv.version }]);
    gvks.set(listName, [{ group: gv.group, kind: listKind, version: gv.version }]);
    b.schemas.add(kindName);
    b.schemas.add(listName);
    addResourcePaths((name) => own.has(name) || definition(profile.minor, name) !== undefined, b, gv, r, kindName, listName, CUSTOM_PATCH_MEDIA);
  }
  gvks.set(`${META}.Status`, [{ group: '', kind: 'Status', version: 'v1' }]);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths: b.paths,
    components: { schemas: componentSchemas(profile, b.schemas, gvks, own) },
  };
}

/**
 * The documents of the established CRDs' served versions, by path (`apis/example.com/v1`), each
 * built when first asked for.
 */
export function customOpenApiDocs(profile: VersionProfile, crds: Crd[]): Map<string, () => unknown> {
  const established = crds.filter(isDiscoverable);
  const docs = new Map<string, () => unknown>();
  for (const gv of customGroupVersions(established)) docs.set(`apis/${gv.group}/${gv.version}`, () => customGroupVersionDoc(profile, gv, established));
  return docs;
}
