/**
 * Custom resource data as CEL values, the way apiextensions-apiserver's UnstructuredToVal presents
 * it to a rule: integers of `integer` (and int-or-string) schemas are CEL `int`, `number` is
 * `double`, objects and maps are CEL maps whose keys are escaped as upstream escapes property names
 * (`foo-bar` → `foo__dash__bar`), and the resource root shows only `apiVersion`, `kind` and
 * `metadata.name`/`metadata.generateName` besides the schema's own properties. Strings of format
 * `date-time`/`date` are timestamps, `duration` durations and `byte` bytes, as their declared types
 * say (a string that does not parse stays a string: the schema's format check reports it).
 */
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { additionalSchema, isJsonObject, type JsonSchemaProps } from '../structural.js';

/** CEL's reserved words, which upstream escapes as `__<word>__` in property names. */
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** Upstream's property-name escaping for CEL (`__` first, then `.`, `-`, `/`, reserved words). */
export function escapeProperty(name: string): string {
  if (RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

/**
 * A property name as a CEL field name (upstream's Escape), or undefined when the name is outside
 * `[a-zA-Z_.-/][a-zA-Z0-9_.-/]*` and so is not exposed to rules.
 */
export function celFieldName(name: string): string | undefined {
  return /^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name) ? escapeProperty(name) : undefined;
}

/** A JSON value as a CEL input value, typed by its schema (undefined schema: inferred). */
export function toCel(value: unknown, schema: JsonSchemaProps | undefined, isRoot = false): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const type = schema?.type ?? (schema?.['x-kubernetes-int-or-string'] ? 'integer' : undefined);
    if (type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'string' && schema?.type === 'string') return formatted(value, schema.format);
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

const conversions = celEnv();
const toDuration = plan(conversions, parse('duration(s)'));
const toTimestamp = plan(conversions, parse('timestamp(s)'));

/** A string of a schema `format` as the CEL value its declared type says. */
function formatted(value: string, format: unknown): unknown {
  switch (format) {
    case 'date-time':
    case 'duration': {
      const out = (format === 'duration' ? toDuration : toTimestamp)({ s: value });
      return isCelError(out) ? value : out;
    }
    case 'date': {
      const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
      return Number.isNaN(ms) ? value : timestampFromMs(ms);
    }
    case 'byte':
      return /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? new Uint8Array(Buffer.from(value, 'base64')) : value;
    default:
      return value;
  }
}
