/**
 * OpenAPI v3: `/openapi/v3` (the index of documents, each URL carrying `?hash=<ETag>`) and one
 * document per served group/version (`/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`) plus the
 * discovery documents (`api`, `apis`, `apis/<group>`, `version`), built from the minor's schema data
 * (versions/openapi.ts) and the profile's served resources, and the documents of custom resources
 * that the CRD informer sets (custom-openapi.ts). Each kind's schema carries
 * `x-kubernetes-group-version-kind`, and each operation its GVK and action, with `fieldValidation`
 * on post, put and patch, which is what kubectl's validation and `explain` look for. Documents
 * answer with a strong ETag and `304` to a matching `If-None-Match`; a stale `hash` redirects to
 * the current one, as kube-openapi's handler does. `/openapi/v2` is derived from these documents
 * (openapi-v2.ts).
 * With `--feature-gates=OpenAPIEnums=false` the schemas lose their `enum`s and the `Possible enum
 * values:` paragraphs, as upstream's servers prune them.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../http/context.js';
import { writeRaw } from '../http/respond.js';
import { methodNotAllowed } from '../errors/status.js';
import type { ResourceManifest, ServedGroupVersion, VersionProfile } from '../../versions/types.js';
import { definition, definitionNameOf, placeholderSchema, refName, schemaForKind, type OpenApiSchema } from '../../versions/openapi.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const PREFIX = '/openapi/v3';

/** One served document: its JSON text and ETag (the uppercase hex SHA-512 of the text). */
export interface Doc {
  text: string;
  etag: string;
}

type Json = Record<string, any>;

/** Convert a Swagger 2.0 schema into OpenAPI 3: `$ref`s move to components, refs with siblings into `allOf`. */
function toV3(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toV3);
  if (!schema || typeof schema !== 'object') return schema;
  const src = schema as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === '$ref') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Json = {};
      for (const [p, s] of Object.entries(v as Json)) props[p] = toV3(s);
      out[k] = props;
    } else out[k] = toV3(v);
  }
  if (typeof src.$ref === 'string') {
    const ref = `#/components/schemas/${refName(src.$ref)}`;
    if (Object.keys(out).length === 0) return { $ref: ref };
    return { allOf: [{ $ref: ref }], ...out };
  }
  return out;
}

/** The heading upstream's enum generator puts before the values in a field's description. */
const ENUM_HEADER = 'Possible enum values:';

/**
 * What a server with OpenAPIEnums off serves instead (apiserver's pruneEnums): no `enum`, and each
 * description cut before its `Possible enum values:` paragraph. Returns a pruned copy.
 */
export function withoutEnums(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutEnums);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === 'enum') continue;
    if (k === 'description' && typeof v === 'string' && v.includes(ENUM_HEADER)) out[k] = v.slice(0, v.indexOf(ENUM_HEADER)).trim();
    else if (k === 'properties' && v && typeof v === 'object') {
      // Field names, not keywords: JSONSchemaProps has fields called `enum` and `description`.
      const props: Json = {};
      for (const [p, s] of Object.entries(v as Json)) props[p] = withoutEnums(s);
      out[k] = props;
    } else out[k] = withoutEnums(v);
  }
  return out;
}

function refsOf(schema: unknown, out: Set<string>): void {
  if (Array.isArray(schema)) for (const s of schema) refsOf(s, out);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') out.add(refName(v));
      else refsOf(v, out);
    }
  }
}

/** A served document of `body`: its JSON text and ETag. */
export function makeDoc(body: unknown): Doc {
  const text = JSON.stringify(body);
  return { text, etag: createHash('sha512').update(text).digest('hex').toUpperCase() };
}

const param = (name: string, description: string, extra: Json = {}): Json => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true }, ...extra });
const PRETTY = param('pretty', "If 'true', then the output is pretty printed.");
const DRY_RUN = param('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed');
const FIELD_MANAGER = param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.');
const FIELD_VALIDATION = param(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
);
const FORCE = { name: 'force', in: 'query', description: 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', schema: { type: 'boolean', uniqueItems: true } };
const LIST_PARAMS = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'].map((n) => param(n, `${n} list option.`));
const PATCH_MEDIA = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
/** What a custom resource's patch consumes: no strategic merge patch (apiextensions' builder). */
export const CUSTOM_PATCH_MEDIA = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const OUT_MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** The response content of `ref` in each media type. */
export function content(ref: string, media = OUT_MEDIA): Json {
  const out: Json = {};
  for (const m of media) out[m] = { schema: { $ref: `#/components/schemas/${ref}` } };
  return out;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The operationId stem of a group/version: `CoreV1`, `AppsV1`, `RbacAuthorizationV1`. */
function opStem(gv: ServedGroupVersion): string {
  const group = gv.group === '' ? 'core' : gv.group.replace(/\.k8s\.io$/, '').replace(/\.apiserver$/, '');
  return group.split('.').map(capitalize).join('') + capitalize(gv.version);
}

/** A group/version document under construction: its paths and the schemas they name. */
export interface Builder {
  paths: Json;
  schemas: Set<string>;
}

/**
 * Add the paths of one resource (collection, item, `status` and `scale`) to a document under
 * construction; `hasSchema` tells whether a subresource's schema can be referenced, `patchMedia`
 * what its patch operations consume (kubectl's client-side apply picks strategic merge patch for a
 * kind whose PATCH consumes it).
 */
export function addResourcePaths(hasSchema: (name: string) => boolean, b: Builder, gv: ServedGroupVersion, r: ResourceManifest, kindRef: string, listRef: string | undefined, patchMedia: readonly string[] = PATCH_MEDIA): void {
  const base = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
  const stem = opStem(gv);
  const nsPart = r.namespaced ? 'Namespaced' : '';
  const kind = r.kind;
  const gvk = { group: gv.group, kind, version: gv.version };
  const tag = [gv.group === '' ? `core_${gv.version}` : `${gv.group.split('.')[0]}_${gv.version}`];
  const verbs = new Set(r.verbs);
  const nsParam = r.namespaced ? [{ name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } }] : [];
  const nameParam = { name: 'name', in: 'path', description: `name of the ${kind}`, required: true, schema: { type: 'string', uniqueItems: true } };
  const collection = `${base}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.name}`;
  const op = (action: string, verbName: string, extra: Json): Json => ({
    tags: tag,
    description: `${verbName} ${kind}`,
    operationId: `${verbName.replace(/ /g, '')}${stem}${nsPart}${kind}`,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const writeParams = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
  const coll: Json = { parameters: [...nsParam, PRETTY] };
  if (verbs.has('list') && listRef) coll.get = op('list', 'list', { parameters: LIST_PARAMS, responses: { '200': { description: 'OK', content: content(listRef) }, '401': { description: 'Unauthorized' } } });
  if (verbs.has('create')) {
    coll.post = op('post', 'create', {
      parameters: writeParams,
      requestBody: { content: { '*/*': { schema: { $ref: `#/components/schemas/${kindRef}` } } }, required: true },
      responses: { '200': { description: 'OK', content: content(kindRef) }, '201': { description: 'Created', content: content(kindRef) }, '202': { description: 'Accepted', content: content(kindRef) }, '401': { description: 'Unauthorized' } },
    });
  }
  if (verbs.has('deletecollection')) coll.delete = op('deletecollection', 'deletecollection', { parameters: [DRY_RUN, ...LIST_PARAMS], responses: { '200': { description: 'OK', content: content(`${META}.Status`) }, '401': { description: 'Unauthorized' } } });
  if (Object.keys(coll).length > 1) b.paths[collection] = coll;

  if (r.namespaced && verbs.has('list') && listRef) {
    b.paths[`${base}/${r.name}`] = { get: op('list', 'list', { operationId: `list${stem}${kind}ForAllNamespaces`, responses: { '200': { description: 'OK', content: content(listRef) } } }), parameters: [PRETTY, ...LIST_PARAMS] };
  }
  const item: Json = { parameters: [nameParam, ...nsParam, PRETTY] };
  if (verbs.has('get')) item.get = op('get', 'read', { responses: { '200': { description: 'OK', content: content(kindRef) }, '401': { description: 'Unauthorized' } } });
  if (verbs.has('update')) {
    item.put = op('put', 'replace', {
      parameters: writeParams,
      requestBody: { content: { '*/*': { schema: { $ref: `#/components/schemas/${kindRef}` } } }, required: true },
      responses: { '200': { description: 'OK', content: content(kindRef) }, '201': { description: 'Created', content: content(kindRef) }, '401': { description: 'Unauthorized' } },
    });
  }
  if (verbs.has('patch')) item.patch = patchOp(op, kindRef, writeParams, patchMedia);
  if (verbs.has('delete')) {
    item.delete = op('delete', 'delete', {
      parameters: [DRY_RUN, param('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.'), param('propagationPolicy', 'Whether and how garbage collection will be performed.')],
      requestBody: { content: { '*/*': { schema: { $ref: `#/components/schemas/${META}.DeleteOptions` } } } },
      responses: { '200': { description: 'OK', content: content(`${META}.Status`) }, '202': { description: 'Accepted', content: content(`${META}.Status`) }, '401': { description: 'Unauthorized' } },
    });
  }
  if (Object.keys(item).length > 1) b.paths[`${collection}/{name}`] = item;

  for (const sub of r.subresources ?? []) {
    if (sub.name !== 'status' && sub.name !== 'scale') continue;
    const subGroup = sub.group ?? gv.group;
    const subVersion = sub.version ?? gv.version;
    const subRef = sub.name === 'scale' ? definitionNameOf({ group: subGroup, version: subVersion, kind: sub.kind }) : kindRef;
    if (!hasSchema(subRef)) continue;
    b.schemas.add(subRef);
    const subGvk = { group: subGroup, kind: sub.kind, version: subVersion };
    const subOp = (action: string, verbName: string, extra: Json): Json => ({
      ...op(action, verbName, extra),
      operationId: `${verbName}${stem}${nsPart}${kind}${capitalize(sub.name)}`,
      'x-kubernetes-group-version-kind': subGvk,
    });
    const s: Json = { parameters: [nameParam, ...nsParam, PRETTY] };
    const subVerbs = new Set(sub.verbs);
    if (subVerbs.has('get')) s.get = subOp('get', 'read', { responses: { '200': { description: 'OK', content: content(subRef) } } });
    if (subVerbs.has('update')) s.put = subOp('put', 'replace', { parameters: writeParams, requestBody: { content: { '*/*': { schema: { $ref: `#/components/schemas/${subRef}` } } }, required: true }, responses: { '200': { description: 'OK', content: content(subRef) } } });
    if (subVerbs.has('patch')) s.patch = { ...patchOp(subOp, subRef, writeParams, patchMedia), operationId: `patch${stem}${nsPart}${kind}${capitalize(sub.name)}` };
    b.paths[`${collection}/{name}/${sub.name}`] = s;
  }
}

function patchOp(op: (a: string, v: string, e: Json) => Json, ref: string, writeParams: Json[], patchMedia: readonly string[]): Json {
  const body: Json = {};
  for (const m of patchMedia) body[m] = { schema: { $ref: `#/components/schemas/${META}.Patch` } };
  return op('patch', 'patch', {
    parameters: [...writeParams, FORCE],
    requestBody: { content: body, required: true },
    responses: { '200': { description: 'OK', content: content(ref) }, '201': { description: 'Created', content: content(ref) }, '401': { description: 'Unauthorized' } },
  });
}

/**
 * The schemas of a document: the named ones and everything they refer to, converted to v3 (and
 * without enums when the profile turns OpenAPIEnums off).
 */
export function componentSchemas(profile: VersionProfile, roots: Set<string>, gvks: Map<string, Json[]>, placeholders: Map<string, OpenApiSchema>): Json {
  const minor = profile.minor;
  const enums = profile.featureGates.get('OpenAPIEnums') !== false;
  const seen = new Map<string, OpenApiSchema>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const schema = placeholders.get(name) ?? definition(minor, name);
    if (!schema) continue;
    seen.set(name, schema);
    const refs = new Set<string>();
    refsOf(schema, refs);
    queue.push(...refs);
  }
  const out: Json = {};
  for (const name of [...seen.keys()].sort()) {
    const v3 = toV3(enums ? seen.get(name) : withoutEnums(seen.get(name))) as Json;
    const gvk = gvks.get(name);
    if (gvk) v3['x-kubernetes-group-version-kind'] = gvk;
    out[name] = v3;
  }
  return out;
}

/** The security schemes every document carries. */
export const SECURITY = { securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } };

/** Build the document of one served group/version. */
function groupVersionDoc(profile: VersionProfile, gv: ServedGroupVersion): unknown {
  const b: Builder = { paths: {}, schemas: new Set([`${META}.DeleteOptions`, `${META}.Status`, `${META}.APIResourceList`, `${META}.Patch`, `${META}.WatchEvent`]) };
  const gvks = new Map<string, Json[]>();
  const placeholders = new Map<string, OpenApiSchema>();
  const base = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
  b.paths[`${base}/`] = {
    get: { tags: [gv.group === '' ? `core_${gv.version}` : gv.group], description: 'get available resources', operationId: `get${opStem(gv)}APIResources`, responses: { '200': { description: 'OK', content: content(`${META}.APIResourceList`, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']) }, '401': { description: 'Unauthorized' } } },
  };
  for (const r of gv.resources) {
    const gvk = { group: gv.group, version: gv.version, kind: r.kind };
    const kindRef = definitionNameOf(gvk);
    if (!schemaForKind(profile.minor, gvk)) placeholders.set(kindRef, placeholderSchema(gvk));
    const listName = definitionNameOf({ ...gvk, kind: `${r.kind}List` });
    const listRef = definition(profile.minor, listName) ? listName : undefined;
    b.schemas.add(kindRef);
    if (listRef) b.schemas.add(listRef);
    if (!gvks.has(kindRef)) gvks.set(kindRef, [{ group: gv.group, kind: r.kind, version: gv.version }]);
    if (listRef && !gvks.has(listRef)) gvks.set(listRef, [{ group: gv.group, kind: `${r.kind}List`, version: gv.version }]);
    addResourcePaths((name) => definition(profile.minor, name) !== undefined, b, gv, r, kindRef, listRef);
  }
  // The meta kinds every group/version's document lists with this group/version's GVK.
  for (const kind of ['DeleteOptions', 'WatchEvent']) gvks.set(`${META}.${kind}`, [{ group: gv.group, kind, version: gv.version }]);
  gvks.set(`${META}.Status`, [{ group: '', kind: 'Status', version: 'v1' }]);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: profile.gitVersion },
    paths: b.paths,
    components: { schemas: componentSchemas(profile, b.schemas, gvks, placeholders), ...SECURITY },
  };
}

function discoveryDoc(profile: VersionProfile, path: string, opId: string, ref: string, tag: string): unknown {
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: profile.gitVersion },
    paths: { [path]: { get: { tags: [tag], description: 'get available API versions', operationId: opId, responses: { '200': { description: 'OK', content: content(ref, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']) }, '401': { description: 'Unauthorized' } } } } },
    components: { schemas: componentSchemas(profile, new Set([ref]), new Map(), new Map()), ...SECURITY },
  };
}

function versionDoc(profile: VersionProfile): unknown {
  const info = {
    description: 'Info contains versioning information. how we\'ll want to distribute that information.',
    type: 'object',
    required: ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'],
    properties: Object.fromEntries(['buildDate', 'compiler', 'gitCommit', 'gitTreeState', 'gitVersion', 'goVersion', 'major', 'minor', 'platform'].map((k) => [k, { type: 'string', default: '' }])),
  };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: profile.gitVersion },
    paths: { '/version/': { get: { tags: ['version'], description: 'get the code version', operationId: 'getCodeVersion', responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.version.Info' } } } }, '401': { description: 'Unauthorized' } } } } },
    components: { schemas: { 'io.k8s.apimachinery.pkg.version.Info': info }, ...SECURITY },
  };
}

/** The OpenAPI v3 documents of one server, built on first request and cached. */
export class OpenApiV3 {
  private docs: Map<string, () => unknown> = new Map();
  private custom: ReadonlyMap<string, () => unknown> = new Map();
  private built = new Map<string, Doc>();
  private rootDoc: Doc | undefined;

  constructor(profile: VersionProfile) {
    const p = profile;
    this.docs.set('api', () => discoveryDoc(p, '/api/', 'getCoreAPIVersions', `${META}.APIVersions`, 'core'));
    this.docs.set('apis', () => discoveryDoc(p, '/apis/', 'getAPIVersions', `${META}.APIGroupList`, 'apis'));
    const groups = new Set<string>();
    for (const gv of p.groups) {
      if (gv.group === '') this.docs.set(`api/${gv.version}`, () => groupVersionDoc(p, gv));
      else {
        if (!groups.has(gv.group)) {
          groups.add(gv.group);
          this.docs.set(`apis/${gv.group}`, () => discoveryDoc(p, `/apis/${gv.group}/`, `get${opStem({ ...gv, version: '' }).replace(/V$/, '')}APIGroup`, `${META}.APIGroup`, gv.group));
        }
        this.docs.set(`apis/${gv.group}/${gv.version}`, () => groupVersionDoc(p, gv));
      }
    }
    this.docs.set('version', () => versionDoc(p));
  }

  /**
   * Replace the documents of custom resources (`apis/<group>/<version>` of established CRDs):
   * their cached bytes, and the index, are rebuilt on the next request. A built-in document of the
   * same path keeps precedence.
   */
  setCustom(docs: ReadonlyMap<string, () => unknown>): void {
    for (const path of this.custom.keys()) if (!this.docs.has(path)) this.built.delete(path);
    for (const path of docs.keys()) if (!this.docs.has(path)) this.built.delete(path);
    this.custom = new Map(docs);
    this.rootDoc = undefined;
  }

  /** The document at `path` (`apis/apps/v1`), or undefined when this server has none. */
  doc(path: string): Doc | undefined {
    const cached = this.built.get(path);
    if (cached) return cached;
    const build = this.docs.get(path) ?? this.custom.get(path);
    if (!build) return undefined;
    const doc = makeDoc(build());
    this.built.set(path, doc);
    return doc;
  }

  /** The paths of every document this server has (`api/v1`, `apis/apps/v1`, `version`), sorted. */
  documentPaths(): string[] {
    return [...new Set([...this.docs.keys(), ...this.custom.keys()])].sort();
  }

  /** The `/openapi/v3` index: every document with its `?hash=` URL. */
  root(): Doc {
    if (this.rootDoc) return this.rootDoc;
    const paths: Json = {};
    for (const path of this.documentPaths()) paths[path] = { serverRelativeURL: `${PREFIX}/${path}?hash=${this.doc(path)!.etag}` };
    this.rootDoc = makeDoc({ paths });
    return this.rootDoc;
  }

  /** The route: answers `/openapi/v3` and `/openapi/v3/<path>`; returns false for anything else. */
  readonly handler = async (ctx: RequestContext): Promise<boolean> => {
    if (ctx.path !== PREFIX && ctx.path !== `${PREFIX}/` && !ctx.path.startsWith(`${PREFIX}/`)) return false;
    const sub = ctx.path.slice(PREFIX.length).replace(/^\/+|\/+$/g, '');
    const doc = sub === '' ? this.root() : this.doc(sub);
    if (!doc) return false;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed();
    const hash = ctx.query.get('hash');
    if (sub !== '' && hash !== null && hash !== '' && hash !== doc.etag) {
      await writeRaw(ctx, 301, '', 'text/plain; charset=utf-8', { location: `${PREFIX}/${sub}?hash=${doc.etag}` });
      return true;
    }
    const headers: Record<string, string> = { etag: `"${doc.etag}"`, vary: 'Accept' };
    if (sub !== '' && hash === doc.etag) {
      headers['cache-control'] = 'public, immutable';
      headers.expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    }
    const inm = ctx.req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === `"${doc.etag}"`)) {
      await writeRaw(ctx, 304, '', 'application/json', headers);
      return true;
    }
    await writeRaw(ctx, 200, doc.text, 'application/json', headers);
    return true;
  };
}
