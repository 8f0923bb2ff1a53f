/**
 * `/openapi/v2`, as kube-openapi's OpenAPIService serves it behind its gzip handler: the document
 * (openapi-v2-document.ts) in JSON for `application/json`, and in protobuf for
 * `application/com.github.proto-openapi.spec.v2.v1.0+protobuf` or its deprecated spelling
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (answered with the first); the
 * first clause of the Accept header, sorted by goautoneg (quality, then specificity), that matches
 * one of the three in that order wins, a missing Accept counts as `*\/*` (JSON), and nothing
 * matching gets an empty 406. Both forms carry the same strong ETag (the uppercase hex SHA-512 of
 * the JSON) and `Last-Modified` (when the document was built), `Vary: Accept-Encoding` and
 * `Vary: Accept`; `If-None-Match` (or, without it, `If-Modified-Since`) answers 304 as Go's
 * `http.ServeContent`; a client accepting gzip gets the body gzipped. The document, its protobuf and
 * their gzipped bytes are built when first asked for and kept until the CRDs change. Upstream's
 * handler answers every method; so does this one. Range requests are not supported (Go's
 * ServeContent would answer 206).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { RequestContext } from '../http/context.js';
import { writeRaw } from '../http/respond.js';
import type { VersionProfile } from '../../versions/types.js';
import type { OpenApiSchema } from '../../versions/openapi.js';
import type { OpenApiV3 } from './openapi.js';
import { buildOpenApiV2, type V3Document } from './openapi-v2-document.js';
import { encodeOpenApiV2 } from '../protobuf/openapi-v2/encode.js';

/** The path kube-apiserver serves OpenAPI v2 at. */
export const OPENAPI_V2_PATH = '/openapi/v2';

/** The media type of the protobuf form. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** Its deprecated spelling, still accepted (kubectl up to 1.28 asks for it). */
export const OPENAPI_V2_PROTOBUF_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** gziphandler's DefaultMinSize: smaller bodies are sent uncompressed. */
const GZIP_MIN_SIZE = 1400;

interface Representation {
  body: Buffer;
  gzipped?: Buffer;
}

interface Built {
  doc: Record<string, unknown>;
  etag: string;
  lastModified: Date;
  json: Representation;
  proto?: Representation;
}

/** One clause of an Accept header, as goautoneg parses it. */
interface Clause {
  type: string;
  subType: string;
  q: number;
}

/** goautoneg's ParseAccept: clauses with their quality, sorted best first (stable). */
export function parseAccept(header: string): Clause[] {
  const clauses: Clause[] = [];
  for (const part of header.split(',')) {
    const [media = '', ...params] = part.split(';').map((s) => s.trim());
    const sp = media.split('/');
    let type: string;
    let subType: string;
    if (sp.length === 1 && sp[0] === '*') [type, subType] = ['*', '*'];
    else if (sp.length === 2) [type, subType] = [sp[0]!, sp[1]!];
    else continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k === 'q' && v !== undefined) q = Number.parseFloat(v) || 0;
    }
    clauses.push({ type, subType, q });
  }
  const rank = (c: Clause): number => (c.type === '*' ? 0 : 2) + (c.subType === '*' ? 0 : 1);
  return clauses.map((c, i) => ({ c, i })).sort((a, b) => b.c.q - a.c.q || rank(b.c) - rank(a.c) || a.i - b.i).map((x) => x.c);
}

const ACCEPTED = [
  { type: 'application', subType: 'json', contentType: 'application/json', proto: false },
  { type: 'application', subType: OPENAPI_V2_PROTOBUF_DEPRECATED.slice('application/'.length), contentType: OPENAPI_V2_PROTOBUF, proto: true },
  { type: 'application', subType: OPENAPI_V2_PROTOBUF.slice('application/'.length), contentType: OPENAPI_V2_PROTOBUF, proto: true },
];

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim());
    if (coding.toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.split('=')).find(([k]) => k?.trim() === 'q');
    return !q || Number.parseFloat(q[1] ?? '1') > 0;
  });
}

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === `"${etag}"`;
  });
}

/** The OpenAPI v2 service of one server. */
export class OpenApiV2 {
  private custom: ReadonlyMap<string, OpenApiSchema> = new Map();
  private built: Built | undefined;

  /** `v3` supplies the paths and schema names; `now` stamps Last-Modified. */
  constructor(
    private readonly profile: VersionProfile,
    private readonly v3: OpenApiV3,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Replace the CRDs' v2 definitions (customOpenApiV2Definitions); the document is rebuilt on the next request. */
  setCustom(definitions: ReadonlyMap<string, OpenApiSchema>): void {
    this.custom = definitions;
    this.built = undefined;
  }

  /** The current document (built if needed). */
  document(): Record<string, unknown> {
    return this.current().doc;
  }

  private current(): Built {
    if (this.built) return this.built;
    const docs: V3Document[] = [];
    for (const path of this.v3.documentPaths()) {
      const doc = this.v3.doc(path);
      if (doc) docs.push(JSON.parse(doc.text) as V3Document);
    }
    const doc = buildOpenApiV2(this.profile, docs, this.custom);
    const text = JSON.stringify(doc);
    // Seconds, as HTTP dates carry.
    const lastModified = new Date(Math.floor(this.now().getTime() / 1000) * 1000);
    this.built = { doc, etag: createHash('sha512').update(text).digest('hex').toUpperCase(), lastModified, json: { body: Buffer.from(text, 'utf8') } };
    return this.built;
  }

  private representation(built: Built, proto: boolean): Representation {
    if (!proto) return built.json;
    built.proto ??= { body: Buffer.from(encodeOpenApiV2(built.doc)) };
    return built.proto;
  }

  /** The route: answers `/openapi/v2`; returns false for any other path. */
  readonly handler = async (ctx: RequestContext): Promise<boolean> => {
    if (ctx.path !== OPENAPI_V2_PATH) return false;
    const vary = ['Accept-Encoding', 'Accept'];
    const accept = ctx.req.headers.accept || '*/*';
    for (const clause of parseAccept(accept)) {
      const match = ACCEPTED.find((a) => (clause.type === a.type || clause.type === '*') && (clause.subType === a.subType || clause.subType === '*'));
      if (!match) continue;
      let built: Built;
      let rep: Representation;
      try {
        built = this.current();
        rep = this.representation(built, match.proto);
      } catch {
        await writeRaw(ctx, 503, '', 'text/plain; charset=utf-8', { vary });
        return true;
      }
      const headers: Record<string, string | string[]> = { vary, etag: `"${built.etag}"` };
      const inm = ctx.req.headers['if-none-match'];
      const ims = ctx.req.headers['if-modified-since'];
      const notModified = inm ? etagMatches(inm, built.etag) : ims !== undefined && !Number.isNaN(Date.parse(ims)) && built.lastModified.getTime() <= Date.parse(ims);
      if (notModified && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
        // Go's writeNotModified drops Last-Modified when there is an ETag.
        await writeRaw(ctx, 304, '', match.contentType, headers);
        return true;
      }
      headers['last-modified'] = built.lastModified.toUTCString();
      if (acceptsGzip(ctx.req.headers['accept-encoding']) && rep.body.length >= GZIP_MIN_SIZE) {
        rep.gzipped ??= gzipSync(rep.body);
        await writeRaw(ctx, 200, rep.gzipped, match.contentType, { ...headers, 'content-encoding': 'gzip' });
        return true;
      }
      await writeRaw(ctx, 200, rep.body, match.contentType, headers);
      return true;
    }
    await writeRaw(ctx, 406, '', 'text/plain; charset=utf-8', { vary });
    return true;
  };
}
