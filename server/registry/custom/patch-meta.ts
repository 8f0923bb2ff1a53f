/**
 * The patch metadata of a custom resource, read from its version's structural schema as upstream
 * builds the structured-merge-diff type of a CRD (kube-openapi's schemaconv over the CRD's OpenAPI):
 * `x-kubernetes-list-type` (`atomic`, `set`, `map`; a list without one is atomic),
 * `x-kubernetes-list-map-keys` (with the keys' schema defaults), `x-kubernetes-map-type`
 * (`granular`, `atomic`) and maps by `additionalProperties`. `metadata` at the root is ObjectMeta,
 * answered by the built-in lookup; fields the schema does not name (kept by
 * `x-kubernetes-preserve-unknown-fields`) get the defaults: objects merged key by key, lists atomic.
 */
import type { FieldSchema, PatchMetaLookup } from '../patch-meta.js';
import { additionalSchema, type JsonSchemaProps } from './structural.js';

type KeyDefault = string | number | boolean;

/** The schema node at a field path (list elements add no segment), or undefined when the schema does not name it. */
function nodeAt(root: JsonSchemaProps, path: readonly string[]): JsonSchemaProps | undefined {
  let node: JsonSchemaProps | undefined = root;
  for (const segment of path) {
    while (node?.type === 'array' && node.items) node = node.items;
    if (!node) return undefined;
    const property: JsonSchemaProps | undefined = Object.prototype.hasOwnProperty.call(node.properties ?? {}, segment) ? node.properties![segment] : undefined;
    node = property ?? additionalSchema(node);
  }
  return node;
}

/** What one schema node says about patching and applying it. */
function fieldSchemaOf(node: JsonSchemaProps): FieldSchema | undefined {
  const out: FieldSchema = {};
  const listType = node['x-kubernetes-list-type'];
  if (node.type === 'array' && (listType === 'atomic' || listType === 'set' || listType === 'map')) out.listType = listType;
  const keys = node['x-kubernetes-list-map-keys'];
  if (out.listType === 'map' && Array.isArray(keys)) {
    out.listMapKeys = keys.map(String);
    const defaults: Record<string, KeyDefault> = {};
    for (const key of out.listMapKeys) {
      const value = node.items?.properties?.[key]?.default;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') defaults[key] = value;
    }
    if (Object.keys(defaults).length > 0) out.listMapKeyDefaults = defaults;
  }
  const mapType = node['x-kubernetes-map-type'];
  if (node.type === 'object' && (mapType === 'atomic' || mapType === 'granular')) out.mapType = mapType;
  if (node.type === 'object' && !node.properties && additionalSchema(node)) out.isMap = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The lookup of a custom resource version: `metadata` from `builtin` (ObjectMeta's markers), every
 * other path from `schema` (the version's `openAPIV3Schema`; none: every path gets the defaults).
 */
export function customPatchMeta(schema: JsonSchemaProps | undefined, builtin: PatchMetaLookup): PatchMetaLookup {
  const cache = new Map<string, FieldSchema | undefined>();
  return (path) => {
    if (path[0] === 'metadata') return builtin(path);
    if (!schema) return undefined;
    const key = path.join('\u0000');
    if (cache.has(key)) return cache.get(key);
    const node = nodeAt(schema, path);
    const out = node ? fieldSchemaOf(node) : undefined;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, out);
    return out;
  };
}
