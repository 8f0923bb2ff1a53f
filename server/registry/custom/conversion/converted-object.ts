/**
 * What a conversion webhook may change in an object, as upstream's validateConvertedObject and
 * restoreObjectMeta: kind, name, namespace and uid must stay; metadata is restored from the original
 * except labels and annotations, which the webhook may change (validated when changed).
 */
import type { KubeObject } from '../../object.js';
import { fieldErrorString } from '../../../errors/status.js';
import { validateAnnotations, validateLabels } from '../../validation.js';

/** The first difference upstream refuses, or undefined. */
export function validateConvertedObject(original: KubeObject, converted: KubeObject): string | undefined {
  const a = original.metadata ?? {};
  const b = (converted.metadata ?? {}) as Record<string, unknown>;
  if (original.kind !== converted.kind) return `must have the same kind: ${String(original.kind ?? '')} != ${String(converted.kind ?? '')}`;
  for (const [field, label] of [['name', 'name'], ['namespace', 'namespace'], ['uid', 'UID']] as const) {
    const x = String(a[field] ?? '');
    const y = typeof b[field] === 'string' ? (b[field] as string) : '';
    if (x !== y) return `must have the same ${label}: ${x} != ${y}`;
  }
  return undefined;
}

/**
 * Replace `converted.metadata` with the original's, keeping the converted labels and annotations;
 * returns upstream's error text when they are not maps of strings or are invalid, else undefined.
 */
export function restoreObjectMeta(original: KubeObject, converted: KubeObject): string | undefined {
  const response = converted.metadata as unknown;
  if (response === undefined) return 'missing metadata in converted object';
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return `invalid metadata of type ${typeName(response)} in converted object`;
  const meta: Record<string, unknown> = structuredClone(original.metadata ?? {});
  for (const field of ['labels', 'annotations'] as const) {
    const value = (response as Record<string, unknown>)[field];
    if (value === undefined || value === null) {
      delete meta[field];
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) return `invalid metadata.${field} of type ${typeName(value)} in converted object`;
    const map = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') return `metadata.${field}[${k}] must be a string, but is ${typeName(v)} in converted object`;
    const before = (meta[field] ?? {}) as Record<string, unknown>;
    const changed = Object.keys(before).length !== Object.keys(map).length || Object.entries(map).some(([k, v]) => before[k] !== v);
    if (changed) {
      const errs = field === 'labels' ? validateLabels(map as Record<string, string>, 'metadata.labels') : validateAnnotations(map as Record<string, string>, 'metadata.annotation');
      // Upstream's ErrorList.ToAggregate(): one error as is, several in brackets.
      if (errs.length === 1) return fieldErrorString(errs[0]!);
      if (errs.length > 1) return `[${errs.map(fieldErrorString).join(', ')}]`;
    }
    meta[field] = map;
  }
  converted.metadata = meta;
  return undefined;
}

/** Go's `%T` for a JSON value, as far as it matters here. */
function typeName(v: unknown): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}
