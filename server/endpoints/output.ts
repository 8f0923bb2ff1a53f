/**
 * Output negotiation for resource responses: plain objects (JSON or YAML), `Table` and
 * `PartialObjectMetadata[List]` as asked by the Accept header's `as`, `g` and `v` parameters, or
 * 406 when nothing acceptable can be produced. Protobuf is never produced: clients that accept it
 * also accept JSON, and kubectl takes JSON every time.
 */
import { stringify as toYaml } from 'yaml';
import type { RequestContext } from '../http/context.js';
import { parseAccept, type MediaType } from '../http/media.js';
import { writeRaw } from '../http/respond.js';
import { notAcceptable, StatusError } from '../errors/status.js';

/** The representations a resource endpoint can answer with. */
export type OutputChoice =
  | { as: 'object'; format: 'json' | 'yaml' }
  | { as: 'table'; version: 'v1' | 'v1beta1' }
  | { as: 'partial'; version: 'v1' | 'v1beta1'; list: boolean };

/** Media types resource endpoints list in a 406, in upstream's order. */
export const RESOURCE_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function isJsonLike(m: MediaType): boolean {
  return m.type === '*' || (m.type === 'application' && (m.subtype === 'json' || m.subtype === '*'));
}

/** Choose the representation from the Accept header. */
export function chooseOutput(accept: string | undefined): OutputChoice {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { as: 'object', format: 'json' };
  for (const m of ranges) {
    const { as, g, v } = m.params;
    if (as !== undefined) {
      if (!isJsonLike(m) || g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
      if (as === 'Table') return { as: 'table', version: v };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { as: 'partial', version: v, list: as === 'PartialObjectMetadataList' };
      continue;
    }
    if (isJsonLike(m)) return { as: 'object', format: 'json' };
    if (m.type === 'application' && m.subtype === 'yaml') return { as: 'object', format: 'yaml' };
  }
  throw notAcceptable(RESOURCE_MEDIA_TYPES);
}

/**
 * 406 when the requested PartialObjectMetadata shape does not fit the answer (one object asked as a
 * list, or a list as one object), with upstream's message naming the Go type.
 */
export function checkPartialShape(output: OutputChoice, isList: boolean, kind: string): void {
  if (output.as !== 'partial' || output.list === isList) return;
  const message = isList
    ? `you requested PartialObjectMetadata, but the requested object is a list (*v1.${kind}List)`
    : `you requested PartialObjectMetadataList, but the requested object is not a list (*v1.${kind})`;
  throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'NotAcceptable', code: 406 });
}

/**
 * The Content-Type of a Table or PartialObjectMetadata answer: `application/json`. Upstream's
 * `transformResponseObject` writes with `listGVKInContentType=false`, so the serializer's own media
 * type goes out without the `as`/`v`/`g` the client asked with (the kind is in the body).
 */
export function transformContentType(_as: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList', _version: string): string {
  return 'application/json';
}

/** Write an object in the chosen plain format. */
export async function writeObject(ctx: RequestContext, code: number, body: unknown, format: 'json' | 'yaml' = 'json'): Promise<void> {
  if (format === 'yaml') await writeRaw(ctx, code, toYaml(body), 'application/yaml');
  else await writeRaw(ctx, code, JSON.stringify(body) + '\n', 'application/json');
}
