/**
 * CEL types as kube-skew's checker reasons about them, and the declared type of a structural
 * schema node, as upstream's SchemaDeclType (k8s.io/apiserver/pkg/cel/common/schemas.go) builds it:
 * objects with their (escaped) properties as fields, arrays as lists, additionalProperties as
 * map(string, T), x-kubernetes-int-or-string as dyn, `date`/`date-time` as timestamp, `duration` as
 * duration and `byte` as bytes; a resource root (and an embedded resource) always has `apiVersion`,
 * `kind` and `metadata.name`/`metadata.generateName`. Each type carries upstream's MaxElements
 * (from maxLength ×4, maxItems, maxProperties, or estimated from the 3 MiB request limit) and
 * MinSerializedSize, which the cost estimate reads.
 */
import { additionalSchema, isJsonObject, type JsonSchemaProps } from '../structural.js';
import { celFieldName } from './values.js';

/** A CEL type. `max` is the most elements (characters, items, entries) a value can have. */
export type CelT =
  | { kind: 'int' | 'uint' | 'double' | 'string' | 'bool' | 'bytes' | 'null' | 'dyn' | 'timestamp' | 'duration' | 'error'; max?: number; minSize?: number }
  | { kind: 'list'; elem: CelT; max?: number; minSize?: number }
  | { kind: 'map'; key: CelT; value: CelT; max?: number; minSize?: number }
  | { kind: 'object'; name: string; fields: ReadonlyMap<string, CelT>; max?: number; minSize?: number }
  /** A library's own type (`kubernetes.URL`, `net.IP` …). */
  | { kind: 'opaque'; name: string; max?: number; minSize?: number }
  /** An optional value (`optional_type(T)`): an optionalOldSelf rule's `oldSelf`, validate()'s result. */
  | { kind: 'optional'; of: CelT; max?: number; minSize?: number }
  /** The type of a type value (`int` as an identifier is `type(int)`). */
  | { kind: 'type'; of: CelT; max?: number; minSize?: number }
  /** A type parameter of an overload (`A` in `list(A).indexOf(A)`). */
  | { kind: 'param'; name: string; max?: number; minSize?: number };

const simple = (kind: 'int' | 'uint' | 'double' | 'string' | 'bool' | 'bytes' | 'null' | 'dyn' | 'timestamp' | 'duration' | 'error'): CelT => ({ kind });
export const INT = simple('int');
export const UINT = simple('uint');
export const DOUBLE = simple('double');
export const STRING = simple('string');
export const BOOL = simple('bool');
export const BYTES = simple('bytes');
export const NULL = simple('null');
export const DYN = simple('dyn');
export const TIMESTAMP = simple('timestamp');
export const DURATION = simple('duration');
export const ERROR = simple('error');
export const list = (elem: CelT): CelT => ({ kind: 'list', elem });
export const map = (key: CelT, value: CelT): CelT => ({ kind: 'map', key, value });
export const opaque = (name: string): CelT => ({ kind: 'opaque', name });
export const param = (name: string): CelT => ({ kind: 'param', name });
export const optional = (of: CelT): CelT => ({ kind: 'optional', of });
export const typeOf = (of: CelT): CelT => ({ kind: 'type', of });

/** The type as cel-go prints it in messages (`int`, `list(string)`, `google.protobuf.Timestamp`). */
export function typeName(t: CelT): string {
  switch (t.kind) {
    case 'null':
      return 'null_type';
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    case 'error':
      return '*error*';
    case 'list':
      return `list(${typeName(t.elem)})`;
    case 'map':
      return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case 'object':
    case 'opaque':
    case 'param':
      return t.name;
    case 'type':
      return `type(${typeName(t.of)})`;
    case 'optional':
      return `optional_type(${typeName(t.of)})`;
    default:
      return t.kind;
  }
}

/** Upstream's apiservercel.DefaultMaxRequestSizeBytes. */
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;
// Upstream's serialized-size constants (k8s.io/apiserver/pkg/cel/limits.go).
const MAX_DURATION_SIZE_JSON = 32;
const MAX_DATETIME_SIZE_JSON = 32;
const MIN_DURATION_SIZE_JSON = 3;
const JSON_DATE_SIZE = 12;
const MIN_DATETIME_SIZE_JSON = 21;
const MIN_STRING_SIZE = 2;
const MIN_BOOL_SIZE = 4;
const MIN_NUMBER_SIZE = 1;

/** The minimum serialized size of a value of `t` (upstream's DeclType.MinSerializedSize). */
export function minSizeOf(t: CelT): number {
  return t.minSize ?? 1;
}

function zeroIfNegative(n: number): number {
  return n < 0 ? 0 : n;
}

function maxStringLength(s: JsonSchemaProps): number {
  if (s['x-kubernetes-int-or-string'] === true) return MAX_REQUEST_SIZE_BYTES - 2;
  switch (s.format) {
    case 'duration':
      return MAX_DURATION_SIZE_JSON;
    case 'date':
      return JSON_DATE_SIZE;
    case 'date-time':
      return MAX_DATETIME_SIZE_JSON;
    default:
      return MAX_REQUEST_SIZE_BYTES - 2;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The schema of a resource root, with `apiVersion`, `kind` and `metadata.name/generateName` always present. */
function withTypeAndObjectMeta(s: JsonSchemaProps): JsonSchemaProps {
  const str: JsonSchemaProps = { type: 'string' };
  return { ...s, properties: { ...(s.properties ?? {}), kind: str, apiVersion: str, metadata: { type: 'object', properties: { name: str, generateName: str } } } };
}

/**
 * The declared type of a schema node (upstream's SchemaDeclType), undefined when the node is not
 * exposed to CEL (an array without items, a type upstream does not map). Object types are named
 * `object`, where upstream names them `selfType<nanoseconds>…` (deliberately unstable).
 */
export function declTypeOf(s: JsonSchemaProps | undefined, isResourceRoot: boolean): CelT | undefined {
  if (!s || !isJsonObject(s)) return undefined;
  if (s['x-kubernetes-int-or-string'] === true) {
    const maxLength = num(s.maxLength);
    return { kind: 'dyn', minSize: 1, max: maxLength !== undefined ? zeroIfNegative(maxLength) * 4 : maxStringLength(s) };
  }
  if (isResourceRoot) s = withTypeAndObjectMeta(s);
  switch (s.type) {
    case 'array': {
      const items = s.items && isJsonObject(s.items) ? (s.items as JsonSchemaProps) : undefined;
      if (!items) return undefined;
      const elem = declTypeOf(items, items['x-kubernetes-embedded-resource'] === true);
      if (!elem) return undefined;
      const maxItems = num(s.maxItems);
      return { kind: 'list', elem, max: maxItems !== undefined ? zeroIfNegative(maxItems) : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (minSizeOf(elem) + 1)), minSize: 2 };
    }
    case 'object': {
      const additional = additionalSchema(s);
      if (additional) {
        const value = declTypeOf(additional, additional['x-kubernetes-embedded-resource'] === true);
        if (!value) return undefined;
        const maxProps = num(s.maxProperties);
        return { kind: 'map', key: { kind: 'string', minSize: MIN_STRING_SIZE, max: MAX_REQUEST_SIZE_BYTES - 2 }, value, max: maxProps !== undefined ? zeroIfNegative(maxProps) : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (minSizeOf(value) + 6)), minSize: 2 };
      }
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const fields = new Map<string, CelT>();
      let minSize = 2;
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        const fieldType = declTypeOf(prop, isJsonObject(prop) && prop['x-kubernetes-embedded-resource'] === true);
        if (!fieldType) continue;
        const escaped = celFieldName(name);
        if (escaped !== undefined) fields.set(escaped, fieldType);
        if (required.has(name) && (prop.default === undefined || prop.default === null)) minSize += name.length + minSizeOf(fieldType) + 4;
      }
      return { kind: 'object', name: 'object', fields, minSize };
    }
    case 'string':
      switch (s.format) {
        case 'byte':
          return { kind: 'bytes', minSize: MIN_STRING_SIZE, max: num(s.maxLength) !== undefined ? zeroIfNegative(num(s.maxLength)!) : maxStringLength(s) };
        case 'duration':
          return { kind: 'duration', minSize: MIN_DURATION_SIZE_JSON, max: maxStringLength(s) };
        case 'date':
          return { kind: 'timestamp', minSize: JSON_DATE_SIZE, max: maxStringLength(s) };
        case 'date-time':
          return { kind: 'timestamp', minSize: MIN_DATETIME_SIZE_JSON, max: maxStringLength(s) };
      }
      if (num(s.maxLength) !== undefined) return { kind: 'string', minSize: MIN_STRING_SIZE, max: zeroIfNegative(num(s.maxLength)!) * 4 };
      if (Array.isArray(s.enum) && s.enum.length > 0) {
        return { kind: 'string', minSize: MIN_STRING_SIZE, max: Math.max(0, ...s.enum.map((e) => (typeof e === 'string' ? Buffer.byteLength(e) : 0))) };
      }
      return { kind: 'string', minSize: MIN_STRING_SIZE, max: maxStringLength(s) };
    case 'boolean':
      return { kind: 'bool', minSize: MIN_BOOL_SIZE };
    case 'number':
      return { kind: 'double', minSize: MIN_NUMBER_SIZE };
    case 'integer':
      return { kind: 'int', minSize: MIN_NUMBER_SIZE };
    default:
      return undefined;
  }
}

/**
 * How many times a value of minimum serialized size `minSize` can occur in one request (upstream's
 * MaxCardinality): the factor a rule's cost is multiplied by under unbounded lists and maps.
 */
export function maxCardinality(minSize: number): number {
  return Math.floor(MAX_REQUEST_SIZE_BYTES / (minSize + 1));
}
