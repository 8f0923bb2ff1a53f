/**
 * Field error constructors with the shapes of apimachinery's `field` package (Required, Invalid,
 * NotSupported, Forbidden, Duplicate, TooMany, NotFound), so the kind validators read like the
 * upstream code they follow.
 */
import type { FieldError } from '../../errors/status.js';

/** `field.Required(path, detail)`. */
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail };
}

/** `field.Invalid(path, value, detail)`. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

/** `field.NotSupported(path, value, valid)`: the detail lists the valid values quoted, in the given order. */
export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
  return { type: 'FieldValueNotSupported', field, value, detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` };
}

/** `field.Forbidden(path, detail)`. */
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail };
}

/** `field.Duplicate(path, value)`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, value };
}

/** `field.TooMany(path, actual, max)`: `must have at most N items`. */
export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field, value: actual, detail: `must have at most ${max} items` };
}

/** `field.NotFound(path, value)`. */
export function notFound(field: string, value: unknown): FieldError {
  return { type: 'FieldValueNotFound', field, value };
}

/** Each message of a string check as an Invalid error at `field`. */
export function invalidEach(field: string, value: unknown, messages: readonly string[]): FieldError[] {
  return messages.map((m) => invalid(field, value, m));
}

/** A plain object view of `v` (empty for anything else). */
export function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** An array view of `v` (empty for anything else). */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string view of `v` (empty for anything else, as Go's zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A number view of `v` (0 for anything else, as Go's zero value). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** `ValidateImmutableField`: `field is immutable` when the JSON forms differ. */
export function immutable(field: string, next: unknown, old: unknown): FieldError[] {
  return JSON.stringify(next ?? null) === JSON.stringify(old ?? null) ? [] : [invalid(field, next ?? '', 'field is immutable')];
}
