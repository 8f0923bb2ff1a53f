/**
 * A `metav1.Status` in Kubernetes' protobuf form: the `k8s\0` prefix, then a `runtime.Unknown`
 * (typeMeta `v1`/`Status`, raw = the Status message, empty contentEncoding and contentType). Fields
 * follow meta/v1 generated.proto, written as gogo's generated marshallers write them: every
 * non-pointer field even when empty, in field-number order; `details` and
 * `metadata.remainingItemCount` only when set (Go pointers).
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { Status, StatusCause, StatusDetails } from '../errors/status.js';
import { PROTOBUF_MAGIC } from './decode.js';

/** The media type of Kubernetes' protobuf encoding. */
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

type Write = (w: BinaryWriter) => void;

function message(write: Write): Uint8Array {
  const w = new BinaryWriter();
  write(w);
  return w.finish();
}

const str = (w: BinaryWriter, no: number, v: string | undefined): void => void w.tag(no, WireType.LengthDelimited).string(v ?? '');
const sub = (w: BinaryWriter, no: number, write: Write): void => void w.tag(no, WireType.LengthDelimited).bytes(message(write));

function listMeta(w: BinaryWriter, meta: Status['metadata']): void {
  str(w, 1, '');
  str(w, 2, '');
  str(w, 3, meta.continue);
}

function cause(w: BinaryWriter, c: StatusCause): void {
  str(w, 1, c.reason);
  str(w, 2, c.message);
  str(w, 3, c.field);
}

function details(w: BinaryWriter, d: StatusDetails): void {
  str(w, 1, d.name);
  str(w, 2, d.group);
  str(w, 3, d.kind);
  for (const c of d.causes ?? []) sub(w, 4, (cw) => cause(cw, c));
  w.tag(5, WireType.Varint).int32(d.retryAfterSeconds ?? 0);
  str(w, 6, d.uid);
}

function status(w: BinaryWriter, s: Status): void {
  sub(w, 1, (mw) => listMeta(mw, s.metadata));
  str(w, 2, s.status);
  str(w, 3, s.message);
  str(w, 4, s.reason);
  if (s.details) sub(w, 5, (dw) => details(dw, s.details!));
  w.tag(6, WireType.Varint).int32(s.code);
}

/** Encode a Status as kube-apiserver's protobuf serializer does. */
export function encodeStatus(s: Status): Buffer {
  const unknown = message((w) => {
    sub(w, 1, (tw) => {
      str(tw, 1, 'v1');
      str(tw, 2, 'Status');
    });
    w.tag(2, WireType.LengthDelimited).bytes(message((sw) => status(sw, s)));
    str(w, 3, '');
    str(w, 4, '');
  });
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}
