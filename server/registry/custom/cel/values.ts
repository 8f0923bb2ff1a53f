/**
 * Custom resource data as CEL values, the way apiextensions-apiserver's UnstructuredToVal presents
 * it to a rule: integers of `integer` (and int-or-string) schemas are CEL `int`, `number` is
 * `double`, objects and maps are CEL maps whose keys are escaped as upstream escapes property names
 * (`foo-bar` → `foo__dash__bar`), and the resource root shows only `apiVersion`, `kind` and
 * `metadata.name`/`metadata.generateName` besides the schema's own properties.
 */
import { additionalSchema, isJsonObject, type JsonSchemaProps } from '../structural.js';

/** CEL's reserved words, which upstream escapes as `__<word>__` in property names. */
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** Upstream's property-name escaping for CEL (`__` first, then `.`, `-`, `/`, reserved words). */
export function escapeProperty(name: string): string {
  if (RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

/** A JSON value as a CEL input value, typed by its schema (undefined schema: inferred). */
export function toCel(value: unknown, schema: JsonSchemaProps | undefined, isRoot = false): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const type = schema?.type ?? (schema?.['x-kubernetes-int-or-string'] ? 'integer' : undefined);
    if (type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (!isJsonObject(value)) return null;
  const out = new Map<string, unknown>();
  const additional = schema ? additionalSchema(schema) : undefined;
  for (const [key, v] of Object.entries(value)) {
    if (isRoot && (key === 'apiVersion' || key === 'kind')) {
      out.set(key, v);
      continue;
    }
    if (isRoot && key === 'metadata') {
      out.set(key, rootMetadata(v));
      continue;
    }
    const prop = schema?.properties?.[key] ?? additional;
    // With properties, the map is an object type: its keys are field names and so are escaped.
    out.set(schema?.properties ? escapeProperty(key) : key, toCel(v, prop));
  }
  return out;
}

/** The metadata a root rule sees: name and generateName only, as upstream's WithTypeAndObjectMeta. */
function rootMetadata(meta: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isJsonObject(meta)) return out;
  if (typeof meta.name === 'string') out.set('name', meta.name);
  if (typeof meta.generateName === 'string') out.set('generateName', meta.generateName);
  return out;
}
