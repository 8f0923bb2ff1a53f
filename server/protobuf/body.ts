/**
 * The request-body decoder for `application/vnd.kubernetes.protobuf`: checks the `k8s\0` prefix,
 * reads the runtime.Unknown envelope, decodes the raw message with kube-skew's field tables and hands
 * the registry a JSON object with `apiVersion` and `kind` filled in. Errors follow upstream's
 * `transformDecodeError`: 400 `the object provided is unrecognized (must be of type X): …` before the
 * kind is known, 400 `X in version "v" cannot be handled as a Y: …` after; a resource kube-skew has
 * no tables for gets the 415 upstream gives a type without a protobuf codec.
 */
import type { RequestContext } from '../http/context.js';
import { registerBodyDecoder, type BodyDecoder } from '../http/body.js';
import { badRequest, unsupportedMediaType } from '../errors/status.js';
import { decodeEnvelope, decodeMessage, hasMagic, PROTOBUF_MAGIC, ProtobufDecodeError } from './decode.js';
import { kindOf, SCHEMA, targetKind } from './kinds.js';

/** The protobuf media type. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** What a resource without a protobuf codec accepts. */
const NON_PROTOBUF_MEDIA_TYPES = ['application/json', 'application/yaml'];

/** Upstream's `summarizeData(body, 30)`: the start of the body, in hex unless it looks like JSON. */
export function summarizeData(data: Uint8Array, maxLength = 30): string {
  if (data.length === 0) return '<empty>';
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf[0] === 0x7b) return data.length > maxLength ? `${buf.subarray(0, maxLength).toString('utf8')} ...` : buf.toString('utf8');
  return data.length > maxLength ? `${buf.subarray(0, maxLength).toString('hex')} ...` : buf.toString('hex');
}

/**
 * Decode a protobuf body sent to the resource `ctx.info` names. Throws a StatusError (400 or 415);
 * returns the object in its JSON form with apiVersion and kind.
 */
export function decodeProtobufBody(body: Buffer, ctx: Pick<RequestContext, 'info'>): Record<string, unknown> {
  const info = ctx.info;
  const target = targetKind(info.apiGroup, info.apiVersion, info.resource, info.subresource);
  if (!target) throw unsupportedMediaType(NON_PROTOBUF_MEDIA_TYPES);
  const intoKind = target.kind.kind;
  const unrecognized = (detail: string): never => {
    throw badRequest(`the object provided is unrecognized (must be of type ${intoKind}): ${detail} (${summarizeData(body)})`);
  };
  if (!hasMagic(body)) unrecognized(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  if (body.length === PROTOBUF_MAGIC.length) unrecognized('empty body');
  let envelope;
  try {
    envelope = decodeEnvelope(body.subarray(PROTOBUF_MAGIC.length));
  } catch (err) {
    return unrecognized((err as Error).message);
  }
  // copyKindDefaults: a missing kind or version comes from the endpoint.
  const apiVersion = envelope.apiVersion || target.groupVersion;
  const kind = envelope.kind || intoKind;
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const cannot = (detail: string): never => {
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${intoKind}: ${detail}`);
  };
  const source = kindOf(apiVersion, kind);
  if (!source) return cannot(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`);
  if (envelope.contentEncoding !== '') return cannot(`unsupported content encoding "${envelope.contentEncoding}"`);
  let object: Record<string, unknown>;
  try {
    object = decodeMessage(SCHEMA, SCHEMA.message(source.pkg, source.message)!, envelope.raw);
  } catch (err) {
    if (err instanceof ProtobufDecodeError) return cannot(err.message);
    throw err;
  }
  return { apiVersion, kind, ...object };
}

/** The decoder registered for the protobuf media type. */
export const protobufBodyDecoder: BodyDecoder = (body, ctx) => decodeProtobufBody(body, ctx);

/** Register the protobuf decoder with the body reader (idempotent). */
export function registerProtobufBodyDecoder(): void {
  registerBodyDecoder(PROTOBUF_MEDIA_TYPE, protobufBodyDecoder);
}
