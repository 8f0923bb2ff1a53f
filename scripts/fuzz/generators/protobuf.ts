/**
 * Hostile protobuf bodies (`application/vnd.kubernetes.protobuf`): no or a partial `k8s\0` magic,
 * the magic followed by garbage, envelopes whose lengths run past the end, overlong varints, wrong
 * wire types, start/end-group tags, deep nesting, and well-formed envelopes around garbage or
 * truncated objects.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { Rng } from '../rng.js';
import type { FuzzCase } from '../case.js';
import { TARGET_PATH, writeEndpoint } from './targets.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Part = (w: BinaryWriter) => void;
const msg = (...parts: Part[]): Uint8Array => {
  const w = new BinaryWriter();
  for (const p of parts) p(w);
  return w.finish();
};
const str = (no: number, v: string): Part => (w) => void w.tag(no, WireType.LengthDelimited).string(v);
const bytes = (no: number, v: Uint8Array): Part => (w) => void w.tag(no, WireType.LengthDelimited).bytes(v);
const sub = (no: number, ...parts: Part[]): Part => bytes(no, msg(...parts));

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, encoding = '', contentType = ''): Buffer {
  return Buffer.concat([MAGIC, Buffer.from(msg(sub(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), str(3, encoding), str(4, contentType)))]);
}

/** A ConfigMap as protobuf: ObjectMeta{name, namespace} and one data entry. */
function configMap(name: string): Uint8Array {
  return msg(sub(1, str(1, name), str(3, 'fuzz')), sub(2, str(1, 'key'), str(2, 'value')));
}

/** A message nested `depth` times in field 1. */
function deepMessage(depth: number): Uint8Array {
  let inner: Uint8Array = msg(str(1, 'x'));
  for (let i = 0; i < depth; i++) inner = msg(bytes(1, inner));
  return inner;
}

/** Generate one hostile-protobuf case. */
export function protobufCase(rng: Rng): FuzzCase {
  const variant = rng.weighted([
    [2, 'no-magic'],
    [2, 'partial-magic'],
    [4, 'magic-garbage'],
    [3, 'envelope-garbage'],
    [3, 'truncated'],
    [2, 'bad-varint'],
    [2, 'wrong-wire-type'],
    [1, 'groups'],
    [1, 'deep'],
    [2, 'envelope-fields'],
  ] as const);
  let { method, path, name } = writeEndpoint(rng);
  let body: Buffer;
  switch (variant) {
    case 'no-magic':
      body = rng.chance(0.3) ? Buffer.alloc(0) : rng.bytes(rng.size(2048) + 1);
      break;
    case 'partial-magic':
      body = Buffer.concat([MAGIC.subarray(0, rng.int(0, 3)), rng.chance(0.5) ? Buffer.alloc(0) : rng.bytes(rng.int(1, 64))]);
      break;
    case 'magic-garbage':
      body = Buffer.concat([MAGIC, rng.bytes(rng.size(65_536))]);
      break;
    case 'envelope-garbage':
      body = envelope(rng.pick(['v1', 'apps/v1', '', 'x/y/z', 'v1\u0000']), rng.pick(['ConfigMap', 'Deployment', 'Secret', 'Pod', '', 'Nope', 'Status']), rng.bytes(rng.size(4096)));
      break;
    case 'truncated': {
      const full = envelope('v1', 'ConfigMap', configMap(name));
      body = full.subarray(0, rng.int(MAGIC.length + 1, full.length - 1));
      break;
    }
    case 'bad-varint': {
      // A tag or length varint of 11+ continuation bytes, or a length far past the end.
      const garbage = rng.pick([
        Buffer.from([0x0a, ...Array(11).fill(0xff), 0x01]),
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x07]),
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        Buffer.from([0x0a, 0x80]),
      ]);
      body = rng.chance(0.5) ? Buffer.concat([MAGIC, garbage]) : envelope('v1', 'ConfigMap', garbage);
      break;
    }
    case 'wrong-wire-type': {
      // ObjectMeta as a varint, name as a fixed64, data entries as fixed32.
      const raw = rng.pick([
        Buffer.from([0x08, 0x01]),
        Buffer.from([0x0a, 0x03, 0x09, 0x01, 0x02]),
        Buffer.concat([Buffer.from([0x0d, 0x01, 0x02, 0x03, 0x04])]),
        Buffer.from(msg(sub(1, (w) => void w.tag(1, WireType.Varint).int64(42)))),
        Buffer.from(msg(sub(1, (w) => void w.tag(7, WireType.LengthDelimited).string('not a number')))),
      ]);
      body = envelope('v1', 'ConfigMap', raw);
      break;
    }
    case 'groups':
      body = envelope('v1', 'ConfigMap', rng.pick([Buffer.from([0x0b, 0x0c]), Buffer.from([0x0b]), Buffer.from([0x0c]), Buffer.from([0x0b, 0x0b, 0x0b, 0x0c]), Buffer.from([0x0b, 0x14])]));
      break;
    case 'deep':
      body = envelope('v1', 'ConfigMap', deepMessage(rng.pick([100, 1000, 10_000])));
      break;
    case 'envelope-fields':
      body = envelope('v1', 'ConfigMap', configMap(name), rng.pick(['gzip', 'nope', '']), rng.pick(['application/json', 'garbage', 'application/vnd.kubernetes.protobuf']));
      if (rng.chance(0.5)) body = Buffer.concat([body, rng.bytes(rng.int(1, 16))]);
      break;
  }
  if (rng.chance(0.15)) {
    method = 'PATCH';
    path = TARGET_PATH;
  }
  return { category: 'protobuf', variant: `protobuf-${variant}`, method, path, headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body };
}
