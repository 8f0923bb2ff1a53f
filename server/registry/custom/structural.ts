/**
 * The structural schema of a custom resource version: the subset of JSONSchemaProps that pruning,
 * defaulting and validation read, and the helpers every one of them shares (the schema of a
 * property, of list items and map values).
 */

/** `openAPIV3Schema` and its nested schemas, as far as kube-skew reads them. */
export interface JsonSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchemaProps>;
  additionalProperties?: JsonSchemaProps | boolean;
  items?: JsonSchemaProps;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  minProperties?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [key: string]: unknown;
}

/** The schema of map values (`additionalProperties` as a schema), or undefined. */
export function additionalSchema(s: JsonSchemaProps): JsonSchemaProps | undefined {
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** True when `s` keeps fields its properties do not name. */
export function preservesUnknown(s: JsonSchemaProps | undefined): boolean {
  return s?.['x-kubernetes-preserve-unknown-fields'] === true;
}

/** A plain JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A field path as upstream's field.Path prints it: `spec.items[0].name`. */
export function childPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}
