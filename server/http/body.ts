/**
 * Reading and decoding request bodies with kube-apiserver's limits and errors: the 3 MiB cap
 * (413), the accepted media types (415) and malformed input (400). A rejected body changes nothing.
 */
import type { RequestContext } from './context.js';
import { contentTypeOf } from './media.js';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../errors/status.js';
import { jsonNestingExceeds } from './nesting.js';
import { decodeYaml, YamlDecodeError } from './yaml.js';

/** Upstream's 400 for a body nested past the decoder's limit. */
const TOO_DEEP = "couldn't get version/kind; json parse error: exceeded max depth";

/** kube-apiserver's default `--max-request-body-bytes`: 3 MiB. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** The media types create and update accept, in upstream's order. */
export const WRITE_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/**
 * Read the whole body, failing with 413 past `limit` bytes. A refused body is still read to its end
 * and dropped, so the client's keep-alive connection stays usable (a slow one is bounded by the
 * request timeout).
 */
export async function readBody(ctx: RequestContext, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const req = ctx.req;
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    throw requestEntityTooLarge(`limit is ${limit}`);
  }
  if (req.readableEnded) return Buffer.alloc(0);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        // Keep reading (and dropping) the rest: an early exit would leave it in the connection.
        settle(() => reject(requestEntityTooLarge(`limit is ${limit}`)));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      settle(() => resolve(Buffer.concat(chunks)));
    };
    const onError = (err: Error): void => {
      cleanup();
      settle(() => reject(err));
    };
    const onClose = (): void => {
      cleanup();
      settle(() => reject(new Error('the client closed the connection before the body was complete')));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Parse JSON text into an object, with upstream-like 400s for malformed or non-object input. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  if (jsonNestingExceeds(text)) throw badRequest(TOO_DEEP);
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  return value as Record<string, unknown>;
}

/** Parse YAML text (one document) into an object, with a 400 on error. */
export function parseYamlObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = decodeYaml(text, { uniqueKeys: false }); // duplicates: field validation
  } catch (err) {
    // YAML is converted to JSON and then decoded upstream, so a deep document fails as deep JSON does.
    if (err instanceof YamlDecodeError && err.tooDeep) throw badRequest(TOO_DEEP);
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest("couldn't get version/kind; json parse error: Object 'Kind' is missing in 'null'");
  }
  return value as Record<string, unknown>;
}

/**
 * Decoders for request bodies by media type. Protobuf is registered by the protobuf endpoint once
 * it is available; until then a protobuf body gets the 415 upstream gives an unknown format.
 */
export type BodyDecoder = (body: Buffer, ctx: RequestContext) => Record<string, unknown>;

const decoders = new Map<string, BodyDecoder>([
  ['application/json', (b) => parseJsonObject(b.toString('utf8'))],
  ['application/yaml', (b) => parseYamlObject(b.toString('utf8'))],
]);

/** Register a decoder for a media type (used for protobuf). */
export function registerBodyDecoder(mediaType: string, decoder: BodyDecoder): void {
  decoders.set(mediaType, decoder);
}

/**
 * Read and decode an object body for create/update, honouring Content-Type. A request without a
 * Content-Type is read as the first supported type, JSON, as upstream's NegotiateInputSerializer does
 * (kubectl's `PUT …/scale` sends none).
 */
export async function readObjectBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  const type = contentTypeOf(ctx.req.headers['content-type']) || 'application/json';
  const decoder = decoders.get(type);
  if (!decoder) {
    ctx.req.resume();
    throw unsupportedMediaType(WRITE_MEDIA_TYPES);
  }
  const body = await readBody(ctx);
  if (body.length === 0) throw badRequest('the body of the request was empty');
  rawBodies.set(ctx, { raw: body, mediaType: type });
  return decoder(body, ctx);
}

/** The raw object body of a request and its media type, kept for field validation (duplicate keys). */
export const rawBodies = new WeakMap<RequestContext, { raw: Buffer; mediaType: string }>();
