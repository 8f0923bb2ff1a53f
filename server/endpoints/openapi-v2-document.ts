/**
 * The Swagger 2.0 document a server serves at `/openapi/v2`, as kube-apiserver's (after
 * kube-aggregator merged the CRD spec into it): every path of the server's OpenAPI v3 documents
 * turned back into Swagger 2.0 operations (a body parameter instead of `requestBody`, `consumes`
 * `*\/*` except for patch, `produces`, `schemes: [https]`, responses with a `schema`, parameters
 * flattened and sorted by name and location as kube-openapi's builder sorts them), paths and
 * definitions sorted by name as Go writes maps, the definitions from the minor's Swagger 2.0 data
 * (or the CRDs' v2 schemas) with the `x-kubernetes-group-version-kind` lists of every document
 * they appear in, enums pruned when OpenAPIEnums is off and defaults pruned always (kube-apiserver
 * runs `PruneDefaults` on v2), BearerToken security, and title `Kubernetes` with the server's
 * version without its pre-release suffix. What the server serves after `--runtime-config` is what
 * the v3 documents hold.
 */
import type { VersionProfile } from '../../versions/types.js';
import { minorInfo } from '../../versions/minors.js';
import { definition, definitionNameOf, placeholderSchema, refName, schemaForKind, type GroupVersionKind, type OpenApiSchema } from '../../versions/openapi.js';
import { withoutEnums } from './openapi.js';
import { shareParameters } from './openapi-v2-parameters.js';

type Json = Record<string, any>;

const V3_PREFIX = '#/components/schemas/';
const V2_PREFIX = '#/definitions/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** One OpenAPI v3 document of the server, parsed. */
export interface V3Document {
  paths?: Json;
  components?: { schemas?: Json };
}

function refV2(ref: string): string {
  return ref.startsWith(V3_PREFIX) ? V2_PREFIX + ref.slice(V3_PREFIX.length) : ref;
}

function schemaV2(schema: Json | undefined): Json | undefined {
  if (!schema) return undefined;
  if (typeof schema.$ref === 'string') return { $ref: refV2(schema.$ref) };
  return schema;
}

function sortKeys(obj: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return out;
}

function parameterV2(p: Json): Json {
  const { schema, ...rest } = p;
  return sortKeys({ ...rest, ...(schema ?? {}) });
}

function sortParameters(params: Json[]): Json[] {
  return params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.in < b.in ? -1 : a.in > b.in ? 1 : 0));
}

function operationV2(method: string, op: Json): Json {
  const out: Json = {};
  const body = op.requestBody as Json | undefined;
  const bodyMedia = Object.keys(body?.content ?? {});
  out.consumes = method === 'patch' && bodyMedia.length ? bodyMedia : ['*/*'];
  if (op.description !== undefined) out.description = op.description;
  if (op.operationId !== undefined) out.operationId = op.operationId;
  const params: Json[] = (op.parameters ?? []).map(parameterV2);
  if (body) {
    const bodySchema = schemaV2((Object.values(body.content ?? {})[0] as Json | undefined)?.schema);
    params.push({ in: 'body', name: 'body', ...(body.required ? { required: true } : {}), ...(bodySchema ? { schema: bodySchema } : {}) });
  }
  out.parameters = sortParameters(params);
  const responses: Json = {};
  let produces: string[] | undefined;
  for (const [code, r] of Object.entries((op.responses ?? {}) as Json)) {
    const content = r.content as Json | undefined;
    if (content && !produces) produces = Object.keys(content);
    const s = content ? schemaV2((Object.values(content)[0] as Json | undefined)?.schema) : undefined;
    responses[code] = { description: r.description, ...(s ? { schema: s } : {}) };
  }
  if (produces) out.produces = produces;
  out.responses = responses;
  out.schemes = ['https'];
  for (const [k, v] of Object.entries(op)) if (k === 'tags' || k.startsWith('x-')) out[k] = v;
  return sortKeys(out);
}

function pathItemV2(item: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') out.parameters = sortParameters((v as Json[]).map(parameterV2));
    else if (METHODS.includes(k)) out[k] = operationV2(k, v as Json);
  }
  return sortKeys(out);
}

/** The v2 form of a Swagger 2.0 schema: without `default`s (PruneDefaults), and without enums when asked. */
function pruned(schema: unknown, enums: boolean): unknown {
  const noDefaults = pruneDefaults(schema);
  return enums ? noDefaults : withoutEnums(noDefaults);
}

function pruneDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(pruneDefaults);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === 'default') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      // Field names, not keywords: a property may be called `default`.
      const props: Json = {};
      for (const [p, s] of Object.entries(v as Json)) props[p] = pruneDefaults(s);
      out[k] = props;
    } else if (k.startsWith('x-')) out[k] = v;
    else out[k] = pruneDefaults(v);
  }
  return out;
}

function sameGvk(a: Json, b: Json): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** A v3 schema back in Swagger 2.0 form: `#/definitions/` refs, a lone `allOf` ref as `$ref` beside its siblings. */
function fromV3(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(fromV3);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = refV2(v);
    else if (k === 'allOf' && Array.isArray(v) && v.length === 1 && typeof v[0]?.$ref === 'string') out.$ref = refV2(v[0].$ref);
    else if (k === 'x-kubernetes-group-version-kind') continue;
    else if (k === 'properties' && v && typeof v === 'object') {
      const props: Json = {};
      for (const [p, c] of Object.entries(v as Json)) props[p] = fromV3(c);
      out[k] = props;
    } else out[k] = fromV3(v);
  }
  return out;
}

/**
 * The v2 schema of definition `name`: a CRD's, a placeholder for a kind without data, the minor's,
 * or (for the few schemas the v3 documents write themselves, such as version.Info) the v3 one.
 */
function sourceSchema(minor: string, name: string, gvks: Json[], v3: Json, custom: ReadonlyMap<string, OpenApiSchema>): OpenApiSchema | undefined {
  const own = custom.get(name);
  if (own) return own;
  for (const gvk of gvks) {
    if (definitionNameOf(gvk as GroupVersionKind) === name && !schemaForKind(minor, gvk as GroupVersionKind)) return placeholderSchema(gvk as GroupVersionKind);
  }
  return definition(minor, name) ?? (fromV3(v3) as OpenApiSchema);
}

/**
 * Build the document from the server's v3 documents (`docs`) and the CRDs' v2 definitions
 * (`custom`, by name, each carrying its own GVK list).
 */
export function buildOpenApiV2(profile: VersionProfile, docs: Iterable<V3Document>, custom: ReadonlyMap<string, OpenApiSchema>): Json {
  const enums = profile.featureGates.get('OpenAPIEnums') !== false;
  const paths: Json = {};
  const gvksByName = new Map<string, Json[]>();
  const v3Schemas = new Map<string, Json>();
  for (const doc of docs) {
    for (const [path, item] of Object.entries(doc.paths ?? {})) paths[path] = pathItemV2(item as Json);
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      if (!v3Schemas.has(name)) v3Schemas.set(name, schema as Json);
      const list = gvksByName.get(name) ?? [];
      gvksByName.set(name, list);
      for (const gvk of ((schema as Json)['x-kubernetes-group-version-kind'] ?? []) as Json[]) if (!list.some((g) => sameGvk(g, gvk))) list.push(gvk);
    }
  }
  const definitions: Json = {};
  for (const name of [...gvksByName.keys()].sort()) {
    const gvks = gvksByName.get(name)!;
    const source = sourceSchema(profile.minor, name, gvks, v3Schemas.get(name)!, custom);
    if (!source) continue;
    const schema = pruned(source, enums) as Json;
    if (gvks.length && !custom.has(name)) schema['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
    definitions[name] = schema;
  }
  // Every `$ref` must resolve: definitions only a CRD's schema names are added from the minor's data.
  for (let missing = danglingRefs(definitions); missing.length; missing = danglingRefs(definitions)) {
    let added = 0;
    for (const name of missing) {
      const s = definition(profile.minor, name);
      if (s) {
        definitions[name] = pruned(s, enums);
        added++;
      }
    }
    if (added === 0) break;
  }
  const doc: Json = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: minorInfo(profile.minor).gitVersion.split('-')[0] },
    paths: sortKeys(paths),
    definitions: sortKeys(definitions),
  };
  if (minorInfo(profile.minor).openApiV2SharesParameters) shareParameters(doc);
  doc.securityDefinitions = { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } };
  doc.security = [{ BearerToken: [] }];
  return doc;
}

function danglingRefs(definitions: Json): string[] {
  const missing = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, c] of Object.entries(v)) {
        if (k === '$ref' && typeof c === 'string' && c.startsWith(V2_PREFIX) && !(refName(c) in definitions)) missing.add(refName(c));
        else walk(c);
      }
    }
  };
  walk(definitions);
  return [...missing];
}
