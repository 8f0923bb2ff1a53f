/**
 * The OpenAPI schemas of the built-in kinds, per simulated minor, read from
 * versions/openapi/definitions.json (written by scripts/import-openapi.ts, which documents the
 * sources and which minors are exact). Schemas are Swagger 2.0 schema objects whose `$ref`s are
 * `#/definitions/<name>`; they are deep-frozen and shared, so callers copy before changing them.
 */
import { readFileSync } from 'node:fs';
import { normalizeMinor, SUPPORTED_MINORS } from './manifest.js';

/** A Swagger 2.0 schema object. */
export type OpenApiSchema = Readonly<Record<string, any>>;

/** A group, version and kind. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Strategic-merge-patch and apply metadata of one field, from its `x-kubernetes-*` extensions. */
export interface PatchMeta {
  /** `x-kubernetes-patch-merge-key`: the key list items are merged by (`name`). */
  mergeKey?: string;
  /** `x-kubernetes-patch-strategy`: `merge`, `retainKeys`, `merge,retainKeys` or `replace`. */
  strategy?: string;
  /** `x-kubernetes-list-type`: `atomic`, `set` or `map`. */
  listType?: string;
  /** `x-kubernetes-list-map-keys` of a `map` list. */
  mapKeys?: string[];
  /** `x-kubernetes-map-type`: `atomic` or `granular`. */
  mapType?: string;
  /** The field is a map keyed by user-chosen strings (`labels`, `data`), not a struct. */
  isMap?: boolean;
}

/** The directory of the data, resolved from this module (sources and dist/ alike). */
export const OPENAPI_DIR: URL = new URL('../../versions/openapi/', import.meta.url);

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Groups whose Go package is not the first label of the group name. */
const PACKAGE_OF_GROUP: Record<string, string> = {
  '': 'io.k8s.api.core',
  'internal.apiserver.k8s.io': 'io.k8s.api.apiserverinternal',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/** The definition-name prefix (without version) of an API group: `apps` → `io.k8s.api.apps`. */
export function packageOfGroup(group: string): string {
  return PACKAGE_OF_GROUP[group] ?? `io.k8s.api.${group.split('.')[0]}`;
}

/** The definition name of a kind: `{apps, v1, Deployment}` → `io.k8s.api.apps.v1.Deployment`. */
export function definitionNameOf(gvk: GroupVersionKind): string {
  return `${packageOfGroup(gvk.group)}.${gvk.version}.${gvk.kind}`;
}

/** The name a definition is known by in `$ref`s. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

interface DataFile {
  sources: Record<string, string>;
  definitions: Record<string, Array<{ minors: string; schema: Record<string, unknown> }>>;
}

let data: DataFile | undefined;
const byMinor = new Map<string, Map<string, OpenApiSchema>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function load(): DataFile {
  data ??= JSON.parse(readFileSync(new URL('definitions.json', OPENAPI_DIR), 'utf8')) as DataFile;
  return data;
}

/** Where a minor's schemas come from (`@kubernetes/client-node@1.1.2`, `@pulumi/kubernetes@4.18.1 (field schemas from 1.32, 1.30)`). */
export function openApiSource(minor: string): string {
  return load().sources[normalizeMinor(minor)] ?? '';
}

/** Every definition a minor has, by name. Read once per minor and cached. */
export function definitionsOf(minor: string): ReadonlyMap<string, OpenApiSchema> {
  const canonical = normalizeMinor(minor);
  let defs = byMinor.get(canonical);
  if (defs) return defs;
  defs = new Map();
  for (const [name, variants] of Object.entries(load().definitions)) {
    const variant = variants.find((v) => v.minors.split(',').includes(canonical));
    if (variant) defs.set(name, deepFreeze(variant.schema));
  }
  byMinor.set(canonical, defs);
  return defs;
}

/** One definition of a minor by name, or undefined. */
export function definition(minor: string, name: string): OpenApiSchema | undefined {
  return definitionsOf(minor).get(name);
}

/**
 * The schema of a kind in a minor, or undefined when the data has none (every kind the manifests
 * serve has data today; a kind added to a manifest before the data is refreshed would not).
 * Callers that must answer anyway use {@link placeholderSchema}.
 */
export function schemaForKind(minor: string, gvk: GroupVersionKind): OpenApiSchema | undefined {
  const schema = definition(minor, definitionNameOf(gvk));
  // A kind's schema has metadata. A definition without it is another type that shares the name in
  // the source data (client-node's V1ResourceClaim is both core's claim reference and
  // resource.k8s.io's ResourceClaim); such a kind has no data rather than the wrong data.
  return schema && (schema.properties as Record<string, unknown> | undefined)?.metadata !== undefined ? schema : undefined;
}

/** A permissive schema for a kind without data: typed meta, everything else preserved. */
export function placeholderSchema(gvk: GroupVersionKind): OpenApiSchema {
  return deepFreeze({
    description: `${gvk.kind} (no schema data for this minor; unknown fields are preserved).`,
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: `#/definitions/${META}.ObjectMeta` },
    },
    'x-kubernetes-preserve-unknown-fields': true,
  });
}

/**
 * Follow `$ref`s (and a single-element `allOf`) to the schema they name. Returns the schema
 * itself when it is no reference, or undefined for a dangling one.
 */
export function resolveSchema(minor: string, schema: OpenApiSchema | undefined): OpenApiSchema | undefined {
  let current = schema;
  for (let i = 0; current && i < 32; i++) {
    const target = typeof current.$ref === 'string' ? current.$ref : Array.isArray(current.allOf) && current.allOf.length === 1 ? current.allOf[0]?.$ref : undefined;
    if (typeof target !== 'string') return current;
    current = definition(minor, refName(target));
  }
  return current;
}

/** The schema of a field: `fieldPath` names object fields; list items are stepped through. */
export function fieldSchema(minor: string, root: OpenApiSchema | undefined, fieldPath: readonly string[]): OpenApiSchema | undefined {
  let current = resolveSchema(minor, root);
  for (const segment of fieldPath) {
    if (!current) return undefined;
    while (current && current.type === 'array') current = resolveSchema(minor, current.items);
    if (!current) return undefined;
    const prop = current.properties?.[segment] as OpenApiSchema | undefined;
    if (prop) current = prop;
    else if (current.additionalProperties && typeof current.additionalProperties === 'object') current = current.additionalProperties as OpenApiSchema;
    else return undefined;
    // Keep the field's own extensions: resolve only when stepping further.
    if (segment !== fieldPath[fieldPath.length - 1]) current = resolveSchema(minor, current);
  }
  return current;
}

function metaOfField(schema: OpenApiSchema | undefined): PatchMeta {
  const meta: PatchMeta = {};
  if (!schema) return meta;
  if (typeof schema['x-kubernetes-patch-merge-key'] === 'string') meta.mergeKey = schema['x-kubernetes-patch-merge-key'];
  if (typeof schema['x-kubernetes-patch-strategy'] === 'string') meta.strategy = schema['x-kubernetes-patch-strategy'];
  if (typeof schema['x-kubernetes-list-type'] === 'string') meta.listType = schema['x-kubernetes-list-type'];
  if (Array.isArray(schema['x-kubernetes-list-map-keys'])) meta.mapKeys = [...schema['x-kubernetes-list-map-keys']];
  if (typeof schema['x-kubernetes-map-type'] === 'string') meta.mapType = schema['x-kubernetes-map-type'];
  if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object' && !schema.properties) meta.isMap = true;
  return meta;
}

/** The newest simulated minor, the default of {@link patchMetaFor}. */
const LATEST = SUPPORTED_MINORS[SUPPORTED_MINORS.length - 1]!;

/**
 * Returns a lookup of the patch metadata of a kind's fields. The returned function takes a field
 * path (`['spec', 'template', 'spec', 'containers']` or `'spec.template.spec.containers'`; list
 * indices and `[0]` suffixes are ignored) and answers the field's merge key, patch strategy, list
 * type and map keys — `{}` for a field without any or a path the schema does not know.
 */
export function patchMetaFor(gvk: GroupVersionKind, minor: string = LATEST): (fieldPath: string | readonly string[]) => PatchMeta {
  const root = schemaForKind(minor, gvk);
  return (fieldPath) => {
    if (!root) return {};
    const segments = (typeof fieldPath === 'string' ? fieldPath.split('.') : [...fieldPath])
      .map((s) => s.replace(/\[\d+\]$/, ''))
      .filter((s) => s !== '' && !/^\d+$/.test(s));
    return metaOfField(fieldSchema(minor, root, segments));
  };
}
