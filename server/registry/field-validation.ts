/**
 * Server-side field validation (KEP-2885): `fieldValidation=Strict|Warn|Ignore` on create, update
 * and patch. A body is checked against its kind's OpenAPI schema of the simulated minor
 * (versions/openapi.ts): unknown fields (outside `x-kubernetes-preserve-unknown-fields`, maps and
 * opaque RawExtension/JSON values) and duplicate fields. `Strict` refuses with upstream's 400
 * `strict decoding error: unknown field "spec.foo", duplicate field "spec.paused"`, `Warn` answers
 * with one `Warning: 299 - "unknown field \"spec.foo\""` header each, `Ignore` stays silent; with
 * Warn and Ignore the unknown fields are dropped from the object, as decoding into Go types drops
 * them. A custom resource's unknown fields are those pruning against its version's structural schema
 * drops (sorted), after the body's duplicate fields. A value of the wrong JSON type is a decoding error whatever the directive: 400 on create and
 * update (`Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal
 * string into Go struct field DeploymentSpec.spec.replicas of type int32`), 422 on patch.
 *
 * Order of the messages, as upstream's: JSON bodies in document order; YAML bodies the duplicate
 * keys (`line 5: key "name" already set in map`) first, then unknown fields in key order; merge and
 * strategic patches the duplicates of the patch, then the unknown fields of the patched object in
 * key order; JSON patches the unknown and duplicate fields of the operations, then the object's.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { RequestContext } from '../http/context.js';
import { rawBodies } from '../http/body.js';
import { badRequest, invalid } from '../errors/status.js';
import { definition, definitionNameOf, schemaForKind, refName, type GroupVersionKind, type OpenApiSchema } from '../../versions/openapi.js';
import type { KubeObject } from './object.js';
import { warningHeaderValue } from '../endpoints/warnings.js';
import { pruneObject } from './custom/prune.js';
import { coerceEmbedded } from './custom/embedded.js';
import type { JsonSchemaProps } from './custom/structural.js';

/** The three directives. */
export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';

/** The options kind whose `fieldValidation` is parsed (named in the 422 of a bad value). */
export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const DIRECTIVES = new Set(['Strict', 'Warn', 'Ignore']);

/**
 * The directive of a request: the `fieldValidation` query parameter, or `defaultDirective` (Warn
 * on every simulated minor: the ServerSideFieldValidation gate is on by default from 1.25) when it
 * is absent or empty. Any other value is upstream's 422 on the options kind.
 */
export function fieldValidationDirective(query: URLSearchParams, kind: WriteOptionsKind, defaultDirective: FieldValidationDirective = 'Warn'): FieldValidationDirective {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return defaultDirective;
  if (DIRECTIVES.has(value)) return value as FieldValidationDirective;
  throw invalid({ group: 'meta.k8s.io', kind }, '', [
    { type: 'FieldValueNotSupported', field: 'fieldValidation', value, detail: 'supported values: "", "Ignore", "Strict", "Warn"' },
  ]);
}

/** A JSON value as parsed with its duplicate keys kept, in document order. */
type JNode = { t: 'o'; e: Array<[string, JNode]> } | { t: 'a'; i: JNode[] } | { t: 's'; v: unknown };

/** Parse JSON text keeping every key of every object (JSON.parse keeps only the last). */
export function parseJsonNodes(text: string): JNode {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JNode => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const e: Array<[string, JNode]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'o', e };
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        e.push([k, value()]);
        ws();
        if (text[i++] === '}') return { t: 'o', e };
      }
    }
    if (c === '[') {
      i++;
      const items: JNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'a', i: items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i++] === ']') return { t: 'a', i: items };
      }
    }
    if (c === '"') return { t: 's', v: str() };
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    const token = m ? m[0] : '';
    i += token.length || 1;
    return { t: 's', v: JSON.parse(token || 'null') };
  };
  return value();
}

/** The node form of an already decoded value, its object keys sorted when `sort` (Go's map order). */
function nodeOf(value: unknown, sort: boolean): JNode {
  if (Array.isArray(value)) return { t: 'a', i: value.map((v) => nodeOf(v, sort)) };
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (sort) keys.sort();
    return { t: 'o', e: keys.map((k) => [k, nodeOf((value as Record<string, unknown>)[k], sort)]) };
  }
  return { t: 's', v: value };
}

/** What one check found. */
export interface FieldIssues {
  /** `unknown field "…"` and `duplicate field "…"` texts, in upstream's order. */
  strict: string[];
  /** The first decoding (type) error: `json: cannot unmarshal …`, or undefined. */
  typeError?: string;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const OPAQUE = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.JSON',
  `${META}.FieldsV1`,
]);
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIMES = new Set([`${META}.Time`, `${META}.MicroTime`]);

/** A schema with the definition name it came from (for Go type names). */
interface Resolved {
  schema?: OpenApiSchema;
  name?: string;
}

function resolve(minor: string, schema: OpenApiSchema | undefined): Resolved {
  let current = schema;
  let name: string | undefined;
  for (let n = 0; current && n < 16; n++) {
    const ref = typeof current.$ref === 'string' ? current.$ref : undefined;
    if (!ref) break;
    name = refName(ref);
    current = definition(minor, name);
  }
  return { ...(current ? { schema: current } : {}), ...(name ? { name } : {}) };
}

/** The Go type name upstream's decoder prints (`int32`, `[]v1.Container`, `map[string]string`, `v1.PodSpec`). */
function goType(minor: string, schema: OpenApiSchema | undefined): string {
  const { schema: s, name } = resolve(minor, schema);
  if (name) {
    if (name === INT_OR_STRING) return 'intstr.IntOrString';
    if (name === QUANTITY) return 'resource.Quantity';
    const parts = name.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (!s) return 'interface {}';
  switch (s.type) {
    case 'integer':
      return s.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'string':
      return s.format === 'byte' ? '[]uint8' : 'string';
    case 'array':
      return `[]${goType(minor, s.items)}`;
    case 'object':
      return s.additionalProperties ? `map[string]${goType(minor, s.additionalProperties)}` : 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

function jsonKind(node: JNode): string {
  if (node.t === 'o') return 'object';
  if (node.t === 'a') return 'array';
  const v = node.v;
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** The walk's state: what it found, and where the Go-style path and struct name stand. */
interface Walk {
  minor: string;
  issues: FieldIssues;
  /** Report duplicate keys (JSON bodies); false where duplicates were found elsewhere. */
  duplicates: boolean;
}

/**
 * Walk `node` against `schema`, recording unknown/duplicate fields and the first type error, and
 * dropping unknown fields from `target` (the decoded value at the same place).
 */
function walk(w: Walk, node: JNode, schema: OpenApiSchema | undefined, path: string, goPath: string, struct: string, target: unknown): void {
  if (node.t === 's' && node.v === null) return;
  const { schema: s, name } = resolve(w.minor, schema);
  if (!s || (name && OPAQUE.has(name)) || s['x-kubernetes-preserve-unknown-fields'] === true) return;
  const typeError = (): void => {
    if (w.issues.typeError) return;
    let value = jsonKind(node);
    if (value === 'number' && node.t === 's' && !Number.isInteger(node.v)) value = `number ${String(node.v)}`;
    const where = struct ? `Go struct field ${struct}.${goPath}` : 'Go value';
    w.issues.typeError = `json: cannot unmarshal ${value} into ${where} of type ${goType(w.minor, schema)}`;
  };
  if (name === INT_OR_STRING || s.format === 'int-or-string' || s['x-kubernetes-int-or-string'] === true) {
    if (node.t !== 's' || (typeof node.v !== 'string' && typeof node.v !== 'number')) typeError();
    return;
  }
  if (name === QUANTITY) {
    if (node.t !== 's' || (typeof node.v !== 'string' && typeof node.v !== 'number')) typeError();
    return;
  }
  if (name && TIMES.has(name)) {
    if (node.t !== 's' || typeof node.v !== 'string') typeError();
    return;
  }
  const structName = name ? name.slice(name.lastIndexOf('.') + 1) : struct;
  const join = (base: string, key: string): string => (base ? `${base}.${key}` : key);
  switch (s.type) {
    case 'array': {
      if (node.t !== 'a') return typeError();
      const arr = Array.isArray(target) ? target : [];
      node.i.forEach((item, idx) => walk(w, item, s.items, `${path}[${idx}]`, goPath, struct, arr[idx]));
      return;
    }
    case 'integer':
      if (node.t !== 's' || typeof node.v !== 'number' || !Number.isInteger(node.v)) typeError();
      return;
    case 'number':
      if (node.t !== 's' || typeof node.v !== 'number') typeError();
      return;
    case 'boolean':
      if (node.t !== 's' || typeof node.v !== 'boolean') typeError();
      return;
    case 'string':
      if (node.t !== 's' || typeof node.v !== 'string') typeError();
      return;
    default:
      break;
  }
  if (s.type !== 'object' && !s.properties) return;
  if (node.t !== 'o') return typeError();
  const obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : undefined;
  const props = s.properties as Record<string, OpenApiSchema> | undefined;
  const seen = new Set<string>();
  const unknown = new Set<string>();
  if (!props) {
    if (!s.additionalProperties || typeof s.additionalProperties !== 'object') return; // free-form object
    for (const [key] of node.e) {
      const p = join(path, key);
      if (seen.has(key) && w.duplicates) w.issues.strict.push(`duplicate field "${p}"`);
      seen.add(key);
    }
    const last = lastEntries(node);
    for (const [key, child] of last) walk(w, child, s.additionalProperties as OpenApiSchema, join(path, key), goPath, struct, obj?.[key]);
    return;
  }
  // A struct: walk in document order, the last of duplicate keys decoding (as Go's decoder).
  const lastIndex = new Map<string, number>();
  node.e.forEach(([key], idx) => lastIndex.set(key, idx));
  node.e.forEach(([key, child], idx) => {
    const p = join(path, key);
    const prop = props[key];
    if (!prop) {
      if (!unknown.has(key)) w.issues.strict.push(`unknown field "${p}"`);
      unknown.add(key);
      if (obj) delete obj[key];
      return;
    }
    if (seen.has(key) && w.duplicates) w.issues.strict.push(`duplicate field "${p}"`);
    seen.add(key);
    if (lastIndex.get(key) !== idx) return;
    walk(w, child, prop, p, join(goPath, key), structName, obj?.[key]);
  });
}

function lastEntries(node: { e: Array<[string, JNode]> }): Array<[string, JNode]> {
  const out = new Map<string, JNode>();
  for (const [k, v] of node.e) out.set(k, v);
  return [...out];
}

/** The root schema of a kind, or undefined when the data has none (then nothing is checked). */
function rootSchema(minor: string, gvk: GroupVersionKind): OpenApiSchema | undefined {
  return schemaForKind(minor, gvk) ? { $ref: `#/definitions/${definitionNameOf(gvk)}` } : undefined;
}

/** Check a JSON body (raw text, duplicates kept) of a kind; unknown fields are dropped from `target`. */
export function checkJsonBody(minor: string, gvk: GroupVersionKind, text: string, target: unknown): FieldIssues {
  const issues: FieldIssues = { strict: [] };
  const root = rootSchema(minor, gvk);
  if (!root) return issues;
  let node: JNode;
  try {
    node = parseJsonNodes(text);
  } catch {
    node = nodeOf(target, false);
  }
  walk({ minor, issues, duplicates: true }, node, root, '', '', '', target);
  return issues;
}

/** Check an already decoded object (keys in Go's sorted order); unknown fields are dropped from it. */
export function checkObject(minor: string, gvk: GroupVersionKind, obj: unknown): FieldIssues {
  const issues: FieldIssues = { strict: [] };
  const root = rootSchema(minor, gvk);
  if (!root) return issues;
  walk({ minor, issues, duplicates: false }, nodeOf(obj, true), root, '', '', '', obj);
  return issues;
}

/** `line 5: key "name" already set in map` for each duplicate key of a YAML text. */
export function yamlDuplicateKeys(text: string): string[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter });
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) {
          const offset = (pair.key as YamlNode | null)?.range?.[0] ?? 0;
          out.push(`line ${lineCounter.linePos(offset).line}: key ${JSON.stringify(key)} already set in map`);
        }
        seen.add(key);
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  visit(doc.contents);
  return out;
}

/** Every duplicate key of a JSON text, with its path (`spec.template.spec.containers[0].imagePullPolicy`). */
export function jsonDuplicateFields(text: string): string[] {
  const out: string[] = [];
  const visit = (node: JNode, path: string): void => {
    if (node.t === 'a') node.i.forEach((n, i) => visit(n, `${path}[${i}]`));
    if (node.t !== 'o') return;
    const seen = new Set<string>();
    for (const [k] of node.e) {
      const p = path ? `${path}.${k}` : k;
      if (seen.has(k)) out.push(`duplicate field "${p}"`);
      seen.add(k);
    }
    for (const [k, v] of lastEntries(node)) visit(v, path ? `${path}.${k}` : k);
  };
  try {
    visit(parseJsonNodes(text), '');
  } catch {
    // Malformed JSON is the decoder's to report.
  }
  return out;
}

/** `json patch unknown field "[0].foo"` / `json patch duplicate field "[1].path"` for the operations of a JSON patch. */
export function jsonPatchOpIssues(text: string): string[] {
  const out: string[] = [];
  let node: JNode;
  try {
    node = parseJsonNodes(text);
  } catch {
    return out;
  }
  if (node.t !== 'a') return out;
  const known = new Set(['op', 'path', 'value', 'from']);
  node.i.forEach((op, idx) => {
    if (op.t !== 'o') return;
    const seen = new Set<string>();
    for (const [k] of op.e) {
      if (!known.has(k)) out.push(`json patch unknown field "[${idx}].${k}"`);
      else if (seen.has(k)) out.push(`json patch duplicate field "[${idx}].${k}"`);
      seen.add(k);
    }
  });
  return out;
}

/** Add `Warning: 299 - "<text>"` headers to the response. */
export function addWarnings(ctx: RequestContext, texts: readonly string[]): void {
  if (texts.length === 0) return;
  const existing = ctx.headers.Warning ?? ctx.headers.warning;
  const list = existing === undefined ? [] : Array.isArray(existing) ? [...existing] : [existing];
  delete ctx.headers.warning;
  ctx.headers.Warning = [...list, ...texts.map(warningHeaderValue).filter((v): v is string => v !== undefined)];
}

/** The full strict error text: `strict decoding error: a, b`. */
export function strictDecodingError(errors: readonly string[]): string {
  return `strict decoding error: ${errors.join(', ')}`;
}

/** What a write needs to run field validation. */
export interface FieldValidationContext {
  ctx: RequestContext;
  minor: string;
  gvk: GroupVersionKind;
  directive: FieldValidationDirective;
  /** A custom resource: its unknown fields are what pruning against this schema drops. */
  custom?: { schema: JsonSchemaProps | undefined };
}

/** The issues of a decoded object: its kind's OpenAPI walk, or a custom resource's pruning and embedded-resource coercion. */
function objectIssues(fv: FieldValidationContext, obj: KubeObject): FieldIssues {
  if (fv.custom) {
    // Upstream's decoder prunes, then coerces embedded resources: their metadata's unknown fields come after.
    const pruned = pruneObject(obj, fv.custom.schema);
    const coerced = coerceEmbedded(obj, fv.custom.schema, false);
    const strict = [...pruned, ...coerced.unknown].map((p) => `unknown field ${JSON.stringify(p)}`);
    return coerced.error ? { strict, typeError: coerced.error } : { strict };
  }
  return checkObject(fv.minor, fv.gvk, obj);
}

/**
 * Validate a create or update body: throws 400 on a type error (any directive) or on strict
 * issues under Strict; adds warnings under Warn. Unknown fields are dropped from `obj`. `raw`
 * and `mediaType` are the body as sent (duplicates are only visible there).
 */
export function validateWriteBody(fv: FieldValidationContext, obj: KubeObject, raw: Buffer | undefined, mediaType: string): void {
  const { kind, version } = fv.gvk;
  const prefix = `${kind} in version "${version}" cannot be handled as a ${kind}: `;
  let issues: FieldIssues;
  let errors: string[];
  if (mediaType === 'application/json' && raw && fv.custom) {
    const unknown = objectIssues(fv, obj);
    issues = { ...unknown, strict: [...jsonDuplicateFields(raw.toString('utf8')), ...unknown.strict] };
    errors = issues.strict;
  } else if (mediaType === 'application/json' && raw) {
    issues = checkJsonBody(fv.minor, fv.gvk, raw.toString('utf8'), obj);
    errors = issues.strict;
  } else if (mediaType === 'application/yaml' && raw) {
    issues = objectIssues(fv, obj);
    const dups = yamlDuplicateKeys(raw.toString('utf8'));
    if (dups.length === 0) errors = issues.strict;
    else if (fv.directive === 'Strict') errors = [`yaml: unmarshal errors:\n  ${dups.join('\n  ')}`, ...issues.strict];
    else errors = [...dups, ...issues.strict];
  } else {
    issues = objectIssues(fv, obj);
    errors = issues.strict;
  }
  if (issues.typeError) throw badRequest(prefix + issues.typeError);
  if (errors.length === 0 || fv.directive === 'Ignore') return;
  if (fv.directive === 'Strict') throw badRequest(prefix + strictDecodingError(errors));
  addWarnings(fv.ctx, errors);
}

/**
 * Wrap a patch function so its result is validated: `patchIssues` are the issues of the patch body
 * itself (duplicates, JSON patch operation fields), reported first. Under Strict the write is
 * refused with 400; a type error in the patched object is upstream's 422 on `patch`.
 */
export function validatingPatch(fv: FieldValidationContext, patchIssues: readonly string[], patch: (current: KubeObject) => KubeObject): (current: KubeObject) => KubeObject {
  let added: string[] = [];
  return (current) => {
    const out = patch(current);
    const issues = objectIssues(fv, out);
    if (issues.typeError) {
      throw invalid({ group: '', kind: '' }, '', [{ type: 'FieldValueInvalid', field: 'patch', value: JSON.stringify(out), detail: issues.typeError }]);
    }
    const errors = [...patchIssues, ...issues.strict];
    if (errors.length > 0 && fv.directive === 'Strict') throw badRequest(strictDecodingError(errors));
    if (fv.directive === 'Warn') {
      // The patch function runs again when the write retries: replace what the last run added.
      const current = fv.ctx.headers.Warning;
      if (Array.isArray(current) && added.length) fv.ctx.headers.Warning = current.filter((h) => !added.includes(h));
      const before = new Set(([] as string[]).concat(fv.ctx.headers.Warning ?? []));
      addWarnings(fv.ctx, errors);
      added = ([] as string[]).concat(fv.ctx.headers.Warning ?? []).filter((h) => !before.has(h));
    }
    return out;
  };
}

/** The issues of a patch body, by patch media type (see {@link validatingPatch}). */
export function patchBodyIssues(mediaType: string, raw: Buffer): string[] {
  const text = raw.toString('utf8');
  if (mediaType === 'application/json-patch+json') return jsonPatchOpIssues(text);
  if (mediaType === 'application/merge-patch+json' || mediaType === 'application/strategic-merge-patch+json') return jsonDuplicateFields(text);
  return [];
}

const contexts = new WeakMap<RequestContext, FieldValidationContext>();

/**
 * Start field validation of a write: parse the request's directive (422 on a bad value) and
 * remember it, the minor and the kind for {@link validateBody} and {@link withFieldValidation}.
 */
export function beginFieldValidation(ctx: RequestContext, minor: string, gvk: GroupVersionKind & { custom?: { schema: JsonSchemaProps | undefined } }, kind: WriteOptionsKind): FieldValidationContext {
  const fv: FieldValidationContext = { ctx, minor, gvk: { group: gvk.group, version: gvk.version, kind: gvk.kind }, directive: fieldValidationDirective(ctx.query, kind) };
  if (gvk.custom) fv.custom = { schema: gvk.custom.schema };
  contexts.set(ctx, fv);
  return fv;
}

/** Validate the decoded create/update body of the request (see {@link validateWriteBody}); protobuf bodies need none. */
export function validateBody(fv: FieldValidationContext, obj: KubeObject): void {
  const raw = rawBodies.get(fv.ctx);
  if (raw?.mediaType.includes('protobuf')) return;
  validateWriteBody(fv, obj, raw?.raw, raw?.mediaType ?? 'application/json');
}

/**
 * Wrap the patch function of a PATCH request (merge, strategic or JSON patch) so the patched object
 * is validated; returns `patch` unchanged when the request did not begin field validation.
 */
export function withFieldValidation(ctx: RequestContext, mediaType: string, raw: Buffer, patch: (current: KubeObject) => KubeObject): (current: KubeObject) => KubeObject {
  const fv = contexts.get(ctx);
  if (!fv) return patch;
  return validatingPatch(fv, patchBodyIssues(mediaType, raw), patch);
}
