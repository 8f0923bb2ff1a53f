/**
 * Decoding Kubernetes protobuf bodies into the JSON objects the registry stores: the `k8s\0`
 * envelope (runtime.Unknown) and any message of a {@link Schema}, walked with @bufbuild/protobuf's
 * BinaryReader. Zero values that the sender wrote explicitly (gogo-protobuf writes every non-pointer
 * field) are dropped the way JSON `omitempty` would drop them, unless the table keeps the field.
 * Every malformed input ends in a {@link ProtobufDecodeError}; nothing here throws anything else.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { FieldSpec, FieldType, MessageSpec, Schema, SpecialType } from './table.js';
import { jsonNestingExceeds } from '../http/nesting.js';

/** The 4-byte prefix of every Kubernetes protobuf body: `k8s\0`. */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** Messages nest at most this deep (PodSpec trees are about 10 deep); deeper input is refused. */
export const MAX_DEPTH = 64;

/** A body that is not valid protobuf for the message it should hold; `message` reads like gogo's errors. */
export class ProtobufDecodeError extends Error {
  readonly code = 'PROTOBUF_DECODE';
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

/** The decoded `runtime.Unknown` envelope. */
export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** True when `body` starts with the `k8s\0` prefix. */
export function hasMagic(body: Uint8Array): boolean {
  return body.length >= PROTOBUF_MAGIC.length && PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

/** gogo's texts for the wire errors a reader can hit. */
function translate(err: unknown): ProtobufDecodeError {
  if (err instanceof ProtobufDecodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/premature EOF|out of range|offset/i.test(message)) return new ProtobufDecodeError('unexpected EOF');
  if (/varint/i.test(message)) return new ProtobufDecodeError('proto: integer overflow');
  return new ProtobufDecodeError(`proto: ${message}`);
}

/** Run `fn` over a reader of `bytes`, turning every failure into a ProtobufDecodeError. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translate(err);
  }
}

/** Decode the bytes after the prefix as a `runtime.Unknown`: typeMeta, raw, contentEncoding, contentType. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  return guarded(() => {
    const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const [no, wt] = reader.tag();
      if (no >= 1 && no <= 4 && wt !== WireType.LengthDelimited) throw new ProtobufDecodeError(`proto: wrong wireType = ${wt} for field ${['', 'TypeMeta', 'Raw', 'ContentEncoding', 'ContentType'][no]}`);
      switch (no) {
        case 1: {
          const meta = new BinaryReader(reader.bytes());
          while (meta.pos < meta.len) {
            const [mno, mwt] = meta.tag();
            if ((mno === 1 || mno === 2) && mwt !== WireType.LengthDelimited) throw new ProtobufDecodeError(`proto: wrong wireType = ${mwt} for field ${mno === 1 ? 'APIVersion' : 'Kind'}`);
            if (mno === 1) env.apiVersion = meta.string();
            else if (mno === 2) env.kind = meta.string();
            else meta.skip(mwt, mno);
          }
          break;
        }
        case 2:
          env.raw = reader.bytes();
          break;
        case 3:
          env.contentEncoding = reader.string();
          break;
        case 4:
          env.contentType = reader.string();
          break;
        default:
          reader.skip(wt, no);
      }
    }
    return env;
  });
}

function goName(json: string): string {
  return json.charAt(0).toUpperCase() + json.slice(1);
}

function expectedWireType(type: FieldType): WireType {
  if (type.kind === 'scalar') {
    if (type.type === 'bool' || type.type === 'int32' || type.type === 'int64') return WireType.Varint;
    if (type.type === 'double') return WireType.Bit64;
  }
  return WireType.LengthDelimited;
}

function toNumber(v: bigint | string | number): number {
  return typeof v === 'number' ? v : Number(v);
}

function readScalar(reader: BinaryReader, type: FieldType & { kind: 'scalar' }): unknown {
  switch (type.type) {
    case 'string':
      return reader.string();
    case 'bytes':
      return Buffer.from(reader.bytes()).toString('base64');
    case 'bool':
      return reader.bool();
    case 'int32':
      return reader.int32();
    case 'int64':
      return toNumber(reader.int64());
    case 'double':
      return reader.double();
  }
}

/** Go's `time.Duration.String()` for a count of nanoseconds. */
export function formatDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let n = Math.abs(nanos);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${trimFraction(n / 1e3)}µs`;
  if (n < 1e9) return `${sign}${trimFraction(n / 1e6)}ms`;
  const hours = Math.floor(n / 3.6e12);
  n -= hours * 3.6e12;
  const minutes = Math.floor(n / 6e10);
  n -= minutes * 6e10;
  const seconds = `${trimFraction(n / 1e9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trimFraction(v: number): string {
  return Number(v.toFixed(9)).toString();
}

function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtobufDecodeError(`proto: timestamp seconds out of range: ${seconds}`);
  const base = date.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** Decode one of the types with a JSON form of their own; undefined stands for Go's zero value. */
function readSpecial(bytes: Uint8Array, type: SpecialType): unknown {
  const reader = new BinaryReader(bytes);
  const fields = new Map<number, unknown>();
  while (reader.pos < reader.len) {
    const [no, wt] = reader.tag();
    const want = (type === 'time' || type === 'microtime') ? (no === 1 || no === 2 ? WireType.Varint : undefined)
      : type === 'duration' ? (no === 1 ? WireType.Varint : undefined)
      : type === 'intstr' ? (no === 1 || no === 2 ? WireType.Varint : no === 3 ? WireType.LengthDelimited : undefined)
      : no === 1 ? WireType.LengthDelimited : undefined;
    if (want === undefined) {
      reader.skip(wt, no);
      continue;
    }
    if (wt !== want) throw new ProtobufDecodeError(`proto: wrong wireType = ${wt} for field ${no}`);
    if (want === WireType.Varint) fields.set(no, toNumber(no === 2 ? reader.int32() : reader.int64()));
    else if (type === 'fieldsv1') fields.set(no, reader.bytes());
    else fields.set(no, reader.string());
  }
  switch (type) {
    case 'time':
    case 'microtime': {
      const seconds = (fields.get(1) as number | undefined) ?? 0;
      const nanos = (fields.get(2) as number | undefined) ?? 0;
      // Go's zero time (and an unset one) encodes as JSON null: nothing to keep.
      if ((seconds === 0 && nanos === 0) || seconds === -62135596800) return undefined;
      return formatTime(seconds, nanos, type === 'microtime');
    }
    case 'duration':
      return formatDuration((fields.get(1) as number | undefined) ?? 0);
    case 'quantity': {
      const text = (fields.get(1) as string | undefined) ?? '';
      return text === '' ? undefined : text;
    }
    case 'intstr': {
      if (fields.get(1) === 1) return (fields.get(3) as string | undefined) ?? '';
      return (fields.get(2) as number | undefined) ?? 0;
    }
    case 'fieldsv1': {
      const raw = fields.get(1) as Uint8Array | undefined;
      if (!raw || raw.length === 0) return undefined;
      const text = Buffer.from(raw).toString('utf8');
      if (jsonNestingExceeds(text)) throw new ProtobufDecodeError('proto: FieldsV1: exceeded max depth');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ProtobufDecodeError('proto: FieldsV1 is not valid JSON');
      }
    }
  }
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Accumulated occurrences of one field while a message is read. */
interface Slot {
  field: FieldSpec;
  /** Scalars and decoded values of repeated fields, in wire order. */
  values: unknown[];
  /** Raw bytes of a singular message field: repeated occurrences merge, as protobuf merges them. */
  chunks: Uint8Array[];
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  return Uint8Array.from(Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
}

/** Decode `bytes` as the message `msg` of `schema` into its JSON form. */
export function decodeMessage(schema: Schema, msg: MessageSpec, bytes: Uint8Array, depth = 0): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`proto: messages nest deeper than ${MAX_DEPTH}`);
  const slots = new Map<number, Slot>();
  guarded(() => {
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const [no, wt] = reader.tag();
      const field = msg.fields.get(no);
      if (!field) {
        reader.skip(wt, no);
        continue;
      }
      let slot = slots.get(no);
      if (!slot) {
        slot = { field, values: [], chunks: [] };
        slots.set(no, slot);
      }
      const want = expectedWireType(field.type);
      const packed = field.repeated && field.type.kind === 'scalar' && want !== WireType.LengthDelimited && wt === WireType.LengthDelimited;
      if (wt !== want && !packed) throw new ProtobufDecodeError(`proto: wrong wireType = ${wt} for field ${goName(field.json)}`);
      if (packed) {
        const inner = new BinaryReader(reader.bytes());
        while (inner.pos < inner.len) slot.values.push(readScalar(inner, field.type as FieldType & { kind: 'scalar' }));
      } else if (field.type.kind === 'scalar') {
        const value = readScalar(reader, field.type);
        if (field.repeated) slot.values.push(value);
        else slot.values = [value];
      } else if (field.repeated || field.type.kind === 'map') {
        slot.values.push(reader.bytes());
      } else {
        slot.chunks.push(reader.bytes());
      }
    }
  });

  const out: Record<string, unknown> = {};
  for (const field of msg.fields.values()) {
    const slot = slots.get(field.number);
    if (!slot) continue;
    const value = finish(schema, slot, depth);
    if (value === undefined) continue;
    if (field.inline) {
      if (value && typeof value === 'object') Object.assign(out, value);
      continue;
    }
    if (!field.keep && isEmpty(value)) continue;
    out[field.json] = value;
  }
  return out;
}

function decodeValue(schema: Schema, type: FieldType, bytes: Uint8Array, depth: number): unknown {
  if (type.kind === 'special') return guarded(() => readSpecial(bytes, type.type));
  if (type.kind === 'message') {
    const target = schema.message(type.pkg, type.name)!;
    const decoded = decodeMessage(schema, target, bytes, depth + 1);
    // ExtraValue is a Go []string wrapped in a message for protobuf's sake.
    if (type.name === 'ExtraValue') return (decoded.items as unknown[] | undefined) ?? [];
    return decoded;
  }
  throw new ProtobufDecodeError('proto: unexpected field type');
}

function decodeMapEntry(schema: Schema, type: FieldType & { kind: 'map' }, bytes: Uint8Array, depth: number): [string, unknown] {
  let key = '';
  let valueBytes: Uint8Array | undefined;
  let scalar: unknown;
  guarded(() => {
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const [no, wt] = reader.tag();
      if ((no === 1 || no === 2) && wt !== WireType.LengthDelimited) throw new ProtobufDecodeError(`proto: wrong wireType = ${wt} for map entry field ${no}`);
      if (no === 1) key = reader.string();
      else if (no === 2) {
        if (type.value.kind === 'scalar') scalar = readScalar(reader, type.value);
        else valueBytes = reader.bytes();
      } else reader.skip(wt, no);
    }
  });
  if (type.value.kind === 'scalar') return [key, scalar ?? ''];
  const value = decodeValue(schema, type.value, valueBytes ?? new Uint8Array(), depth);
  // A map value of Go's zero Quantity marshals as "0".
  return [key, value === undefined && type.value.kind === 'special' ? '0' : value];
}

function finish(schema: Schema, slot: Slot, depth: number): unknown {
  const { field } = slot;
  const type = field.type;
  if (type.kind === 'scalar') return field.repeated ? slot.values : slot.values[0];
  if (type.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const entry of slot.values as Uint8Array[]) {
      const [k, v] = decodeMapEntry(schema, type, entry, depth);
      out[k] = v;
    }
    return out;
  }
  if (field.repeated) {
    return (slot.values as Uint8Array[]).map((bytes) => {
      const v = decodeValue(schema, type, bytes, depth);
      return v === undefined ? null : v;
    });
  }
  return decodeValue(schema, type, concat(slot.chunks), depth);
}
