/**
 * Pruning of unknown fields, as apiextensions-apiserver's structural pruning: every field a
 * structural schema does not specify is dropped, except below `x-kubernetes-preserve-unknown-fields`
 * (where known properties are still pruned inside) and `apiVersion`, `kind` and `metadata` at the
 * object root and at every `x-kubernetes-embedded-resource`. Returns the pruned paths, sorted,
 * which field validation reports as `unknown field "<path>"`.
 */
import { additionalSchema, childPath, isJsonObject, preservesUnknown, type JsonSchemaProps } from './structural.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Prune `obj` (a whole custom resource) in place against `schema`; returns the pruned field paths. */
export function pruneObject(obj: Record<string, unknown>, schema: JsonSchemaProps | undefined): string[] {
  const pruned: string[] = [];
  if (!schema) return pruned;
  prune(obj, schema, '', true, pruned);
  return pruned.sort();
}

/** Prune any JSON value in place against `schema`, `isResourceRoot` keeping apiVersion/kind/metadata at its top; returns the pruned paths. */
export function pruneValue(x: unknown, schema: JsonSchemaProps | undefined, isResourceRoot: boolean): string[] {
  const pruned: string[] = [];
  prune(x, schema, '', isResourceRoot, pruned);
  return pruned.sort();
}

function prune(x: unknown, s: JsonSchemaProps | undefined, path: string, isResourceRoot: boolean, pruned: string[]): void {
  if (s && preservesUnknown(s)) {
    skipPrune(x, s, path, pruned);
    return;
  }
  if (isJsonObject(x)) {
    for (const key of Object.keys(x)) {
      if (isResourceRoot && META_FIELDS.has(key)) continue;
      const prop = s?.properties?.[key];
      const additional = s ? additionalSchema(s) : undefined;
      if (prop) prune(x[key], prop, childPath(path, key), prop['x-kubernetes-embedded-resource'] === true, pruned);
      else if (additional) prune(x[key], additional, childPath(path, key), additional['x-kubernetes-embedded-resource'] === true, pruned);
      else if (s?.additionalProperties === true) continue;
      else {
        pruned.push(childPath(path, key));
        delete x[key];
      }
    }
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => prune(item, s?.items, `${path}[${i}]`, s?.items?.['x-kubernetes-embedded-resource'] === true, pruned));
  }
}

/** Below `x-kubernetes-preserve-unknown-fields`: unknown fields stay, known ones are pruned inside. */
function skipPrune(x: unknown, s: JsonSchemaProps, path: string, pruned: string[]): void {
  if (isJsonObject(x)) {
    const additional = additionalSchema(s);
    for (const key of Object.keys(x)) {
      const prop = s.properties?.[key] ?? additional;
      if (prop) prune(x[key], prop, childPath(path, key), prop['x-kubernetes-embedded-resource'] === true, pruned);
    }
  } else if (Array.isArray(x) && s.items) {
    x.forEach((item, i) => prune(item, s.items, `${path}[${i}]`, s.items!['x-kubernetes-embedded-resource'] === true, pruned));
  }
}
