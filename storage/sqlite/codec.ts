/**
 * Conversions between stored rows and the Store's shapes: values are JSON text without
 * `metadata.resourceVersion`.
 */
import type { ChangeEvent, ChangeType, JsonObject, StoredObject } from '../store.js';

/** A row of the `current` table. */
export interface CurrentRow {
  key: string;
  value: string;
  rev: number;
  create_rev: number;
}

/** A row of the `log` table. */
export interface LogRow {
  rev: number;
  type: ChangeType;
  key: string;
  value: string | null;
  prev_value: string | null;
  prev_rev: number | null;
  create_rev: number;
}

/**
 * The JSON text stored for `value`. A `metadata.resourceVersion` the caller left in is dropped
 * (without touching the caller's object), so the store never holds one and a write that differs
 * only by it is a no-op.
 */
export function encodeValue(value: JsonObject): string {
  const metadata = value['metadata'];
  if (typeof metadata !== 'object' || metadata === null || !('resourceVersion' in metadata)) return JSON.stringify(value);
  const { resourceVersion: _dropped, ...rest } = metadata as Record<string, unknown>;
  return JSON.stringify({ ...value, metadata: rest });
}

/** A fresh object parsed from stored JSON text; the caller owns it. */
export function decodeValue(text: string): JsonObject {
  return JSON.parse(text) as JsonObject;
}

/** The {@link StoredObject} a `current` row holds, with a freshly parsed value. */
export function toStoredObject(row: CurrentRow): StoredObject {
  return { key: row.key, rev: row.rev, createRev: row.create_rev, value: decodeValue(row.value) };
}

/**
 * The {@link ChangeEvent} a log row reports, with freshly parsed values: a deletion's `value` is the
 * last value before it, and creations carry no `prevValue`/`prevRev`.
 */
export function toChangeEvent(row: LogRow): ChangeEvent {
  const current = row.value ?? row.prev_value;
  if (current === null) throw new Error(`log row ${row.rev} has neither a value nor a previous value`);
  const event: ChangeEvent = { type: row.type, key: row.key, rev: row.rev, value: decodeValue(current) };
  if (row.prev_value !== null && row.prev_rev !== null) {
    event.prevValue = decodeValue(row.prev_value);
    event.prevRev = row.prev_rev;
  }
  return event;
}
