/**
 * Structural defaulting, as apiextensions-apiserver's: a property missing from an object, or null
 * where the schema is not `nullable`, takes a deep copy of its `default`; the same for map values
 * and list items; then nulls of non-nullable fields without a default are dropped
 * (PruneNonNullableNullsWithoutDefaults). Runs after pruning, before validation.
 */
import { clone } from '../object.js';
import { additionalSchema, isJsonObject, type JsonSchemaProps } from './structural.js';

/** Apply the schema's defaults to `x` in place. */
export function applyDefaults(x: unknown, s: JsonSchemaProps | undefined): void {
  if (!s) return;
  if (isJsonObject(x)) {
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      if (prop.default === undefined) continue;
      if (!(key in x) || isNonNullableNull(x[key], prop)) x[key] = clone(prop.default);
    }
    const additional = additionalSchema(s);
    for (const key of Object.keys(x)) {
      const prop = s.properties?.[key];
      if (prop) {
        applyDefaults(x[key], prop);
      } else if (additional) {
        if (isNonNullableNull(x[key], additional) && additional.default !== undefined) x[key] = clone(additional.default);
        applyDefaults(x[key], additional);
      }
    }
    dropNonNullableNulls(x, s);
  } else if (Array.isArray(x) && s.items) {
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], s.items) && s.items.default !== undefined) x[i] = clone(s.items.default);
      applyDefaults(x[i], s.items);
    }
  }
}

function isNonNullableNull(v: unknown, s: JsonSchemaProps): boolean {
  return v === null && s.nullable !== true;
}

function dropNonNullableNulls(x: Record<string, unknown>, s: JsonSchemaProps): void {
  const additional = additionalSchema(s);
  for (const key of Object.keys(x)) {
    const prop = s.properties?.[key] ?? additional;
    if (prop && isNonNullableNull(x[key], prop) && prop.default === undefined) delete x[key];
  }
}
