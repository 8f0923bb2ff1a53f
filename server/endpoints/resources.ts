/**
 * The resource handler: routes a resource request (RequestInfo already resolved) to the registry by
 * verb and subresource, negotiates the output (object, Table, PartialObjectMetadata) and writes the
 * answer. Unknown group/versions get the plain-text 404 of the final not-found handler; a known
 * group/version with an unknown resource gets the go-restful NotFound Status, as upstream.
 */
import type { RequestContext } from '../http/context.js';
import { readBody, readObjectBody } from '../http/body.js';
import { writeJson, writeText } from '../http/respond.js';
import { badRequest, invalid, methodNotAllowed, notAllowedWhileTerminating, notFound, resourceNotFound } from '../errors/status.js';
import type { DeleteOptions } from '../registry/rest.js';
import { parseListOptions } from '../registry/list-options.js';
import { fieldManagerOf, patchObject } from './patch.js';
import { beginFieldValidation, validateBody } from '../registry/field-validation.js';
import type { KubeObject } from '../registry/object.js';
import type { ResourceType, ResourceTypes } from '../registry/resource-type.js';
import { checkPartialShape, chooseOutput, transformContentType, writeObject, type OutputChoice } from './output.js';
import { serveWatch, type WatchDeps } from './watch.js';
import { toTable } from './table.js';
import { printerOf } from './custom-table.js';
import { serveSubresource } from './subresources.js';
import { isReview, serveReview } from './reviews.js';
import { isTokenReview, serveTokenReview, type TokenReviewDeps } from './token-review.js';
import type { TokenRequestDeps } from './token-request.js';
import { addDeprecationWarning } from './warnings.js';
import type { AuthorizerChain } from '../authz/union.js';
import type { ComponentStatusStorage } from '../registry/componentstatus.js';
import type { ListOptions } from '../registry/list-options.js';
import type { ListResult, WriteGuard } from '../registry/rest.js';

/** What the resource handler needs. */
export interface ResourceDeps extends WatchDeps {
  types: ResourceTypes;
  /** Whether the WatchList gate is on (sendInitialEvents allowed). */
  watchListEnabled: boolean;
  /** The authorizer chain the review resources answer from (everything allowed when absent). */
  authorizer?: AuthorizerChain;
  /** The check of a write's result for this request, when its resource has one (RBAC's escalation checks). */
  writeGuard?: (ctx: RequestContext, type: ResourceType, namespace: string) => WriteGuard | undefined;
  /** The ServiceAccount `token` subresource (absent: not served). */
  tokenRequest?: TokenRequestDeps;
  /** TokenReview's authenticators (absent: every token is unrecognised). */
  tokenReview?: TokenReviewDeps;
  /** The virtual componentstatuses storage (nothing stored: every read probes). */
  componentStatuses?: ComponentStatusStorage;
}

/** The virtual storage that answers `type`, when it is not the store (componentstatuses). */
function virtualStorage(deps: ResourceDeps, type: ResourceType): ComponentStatusStorage | undefined {
  return type.group === '' && type.resource === 'componentstatuses' ? deps.componentStatuses : undefined;
}

function getObject(deps: ResourceDeps, type: ResourceType, namespace: string, name: string): Promise<KubeObject> {
  const virtual = virtualStorage(deps, type);
  return virtual ? (virtual.get(name) as Promise<KubeObject>) : deps.registry.get(type, namespace, name);
}

async function listObjects(deps: ResourceDeps, type: ResourceType, namespace: string, opts: ListOptions): Promise<ListResult> {
  const virtual = virtualStorage(deps, type);
  // A virtual list has no resourceVersion: its ListMeta is empty, as upstream's.
  return virtual ? { items: (await virtual.list()) as KubeObject[], resourceVersion: '' } : deps.registry.list(type, namespace, opts);
}

/** Subresources the generic registry serves as views of the main object. */
const STATUS_LIKE = new Set(['status', 'finalize']);

/** Write the plain-text 404 of Go's not-found handler. */
export async function writeNotFoundText(ctx: RequestContext): Promise<void> {
  await writeText(ctx, 404, '404 page not found\n');
}

/** The options kind whose `dryRun` a verb validates. */
type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

/** `dryRun=All`, validated as upstream's ValidateDryRun: any other value is a 422 on the options kind. */
function isDryRun(ctx: RequestContext, kind: OptionsKind): boolean {
  const values = ctx.query.getAll('dryRun');
  if (values.some((v) => v !== 'All')) {
    throw invalid({ group: 'meta.k8s.io', kind }, '', [{ type: 'FieldValueNotSupported', field: 'dryRun', value: values, detail: 'supported values: "All"' }]);
  }
  return values.length > 0;
}

async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const opts: DeleteOptions = {};
  const body = await readBody(ctx);
  if (body.length > 0) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    if (parsed && typeof parsed === 'object') {
      const policy = parsed.propagationPolicy;
      if (policy === 'Foreground' || policy === 'Background' || policy === 'Orphan') opts.propagationPolicy = policy;
      else if (policy !== undefined && policy !== null) throw badRequest(`invalid propagationPolicy: ${String(policy)}`);
      if (parsed.orphanDependents === true && !opts.propagationPolicy) opts.propagationPolicy = 'Orphan';
      const pre = parsed.preconditions as DeleteOptions['preconditions'] | undefined;
      if (pre && typeof pre === 'object') opts.preconditions = pre;
      if (Array.isArray(parsed.dryRun) && parsed.dryRun.includes('All')) opts.dryRun = true;
    }
  }
  const policy = ctx.query.get('propagationPolicy');
  if (policy === 'Foreground' || policy === 'Background' || policy === 'Orphan') opts.propagationPolicy = policy;
  if (isDryRun(ctx, 'DeleteOptions')) opts.dryRun = true;
  return opts;
}

async function writeOne(ctx: RequestContext, deps: ResourceDeps, type: ResourceType, code: number, obj: KubeObject, output: OutputChoice): Promise<void> {
  checkPartialShape(output, false, type.kind);
  if (output.as === 'table') {
    const table = toTable({ kind: type.kind, group: type.group, ...printerOf(type), items: [obj], listMeta: { resourceVersion: obj.metadata?.resourceVersion ?? '' }, includeObject: includeObjectOf(ctx), now: deps.clock.now(), printers: deps.minor.printers, apiVersion: `meta.k8s.io/${output.version}` });
    await writeJson(ctx, code, table, transformContentType('Table', output.version));
  } else if (output.as === 'partial') {
    await writeJson(ctx, code, { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${output.version}`, metadata: obj.metadata }, transformContentType('PartialObjectMetadata', output.version));
  } else {
    await writeObject(ctx, code, obj, output.format);
  }
}

function includeObjectOf(ctx: RequestContext): 'None' | 'Metadata' | 'Object' {
  const v = ctx.query.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`Unable to convert to Table as requested: includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "None", "Object"`);
}

/** Handle a resource request. */
export async function serveResource(ctx: RequestContext, deps: ResourceDeps): Promise<void> {
  const info = ctx.info;
  const type = deps.types.lookup(info.apiGroup, info.apiVersion, info.resource);
  if (type?.custom) return serveCustomResource(ctx, deps, type);
  if (!deps.types.servesGroupVersion(info.apiGroup, info.apiVersion)) return writeNotFoundText(ctx);
  if (!type) throw resourceNotFound();
  if (info.subresource && !type.subresources.has(info.subresource)) throw resourceNotFound();
  return serveTyped(ctx, deps, type);
}

/**
 * A custom resource, as upstream's CRD handler routes it before the generic handlers: a scope that
 * does not match the CRD's falls through to the plain-text 404, an unknown subresource is a
 * NotFound on the resource, and a create while the CRD is terminating is refused.
 */
async function serveCustomResource(ctx: RequestContext, deps: ResourceDeps, type: ResourceType): Promise<void> {
  const info = ctx.info;
  if (!type.namespaced && info.namespace) return writeNotFoundText(ctx);
  if (type.namespaced && !info.namespace && info.verb !== 'list' && info.verb !== 'watch') return writeNotFoundText(ctx);
  if (info.subresource && !type.subresources.has(info.subresource)) throw notFound(type.gr, info.name);
  if (type.custom?.terminating && info.verb === 'create' && !info.subresource) throw notAllowedWhileTerminating(type.gr, info.verb);
  return serveTyped(ctx, deps, type);
}

/** Serve a request for a resolved resource type. */
async function serveTyped(ctx: RequestContext, deps: ResourceDeps, type: ResourceType): Promise<void> {
  const info = ctx.info;
  addDeprecationWarning(ctx, type, info.subresource, deps.minor.minorNumber);
  // A cluster-scoped resource addressed inside a namespace, or a namespaced one by name without it, has no route.
  const isNamespaces = type.group === '' && type.resource === 'namespaces';
  if (!type.namespaced && info.namespace && !isNamespaces) throw resourceNotFound();
  if (type.namespaced && !info.namespace && info.name && info.verb !== 'watch' && info.verb !== 'list') throw resourceNotFound();
  const namespace = type.namespaced ? info.namespace : '';
  const verb = info.verb;

  if (info.subresource && !STATUS_LIKE.has(info.subresource)) return serveSubresource(ctx, deps, type, namespace, info.name, info.subresource);
  if (info.subresource) return serveStatusLike(ctx, deps, type, namespace, info.name, info.subresource);

  const requireVerb = (v: string): void => {
    if (!type.verbs.has(v)) throw methodNotAllowed();
  };

  switch (verb) {
    case 'get': {
      requireVerb('get');
      const output = chooseOutput(ctx.req.headers.accept);
      await writeOne(ctx, deps, type, 200, await getObject(deps, type, namespace, info.name), output);
      return;
    }
    case 'list': {
      requireVerb('list');
      const output = chooseOutput(ctx.req.headers.accept);
      const opts = parseListOptions(ctx.query, false, deps.watchListEnabled);
      checkPartialShape(output, true, type.kind);
      const list = await listObjects(deps, type, namespace, opts);
      const listMeta: Record<string, unknown> = list.resourceVersion ? { resourceVersion: list.resourceVersion } : {};
      if (list.continue) listMeta.continue = list.continue;
      if (list.remainingItemCount !== undefined) listMeta.remainingItemCount = list.remainingItemCount;
      if (output.as === 'table') {
        // Rows with includeObject=Object carry each item as the codec encodes it: with kind and apiVersion.
        const items = list.items.map((o) => ({ kind: type.kind, apiVersion: type.groupVersion, ...o }));
        const table = toTable({ kind: type.kind, group: type.group, ...printerOf(type), items, listMeta, includeObject: includeObjectOf(ctx), now: deps.clock.now(), printers: deps.minor.printers, apiVersion: `meta.k8s.io/${output.version}` });
        await writeJson(ctx, 200, table, transformContentType('Table', output.version));
      } else if (output.as === 'partial') {
        const items = list.items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${output.version}`, metadata: o.metadata }));
        await writeJson(ctx, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${output.version}`, metadata: listMeta, items }, transformContentType('PartialObjectMetadataList', output.version));
      } else {
        await writeObject(ctx, 200, { kind: type.listKind, apiVersion: type.groupVersion, metadata: listMeta, items: list.items }, output.format);
      }
      return;
    }
    case 'watch': {
      requireVerb('watch');
      const output = chooseOutput(ctx.req.headers.accept);
      const opts = parseListOptions(ctx.query, true, deps.watchListEnabled);
      await serveWatch(ctx, deps, type, namespace, info.name, opts, output);
      return;
    }
    case 'create': {
      if (info.name) throw methodNotAllowed();
      requireVerb('create');
      if (isTokenReview(type)) return serveTokenReview(ctx, deps.tokenReview ?? { apiAudiences: [], writesNullCreationTimestamp: deps.minor.writesNullCreationTimestamp }, type);
      if (isReview(type)) return serveReview(ctx, deps, type, namespace);
      const output = chooseOutput(ctx.req.headers.accept);
      const body = (await readObjectBody(ctx)) as KubeObject;
      validateBody(beginFieldValidation(ctx, deps.minor.minor, type, 'CreateOptions'), body);
      const guard = deps.writeGuard?.(ctx, type, namespace);
      const created = await deps.registry.create(type, namespace, body, { dryRun: isDryRun(ctx, 'CreateOptions'), fieldManager: fieldManagerOf(ctx, 'CreateOptions'), ...(guard ? { guard } : {}) });
      await writeOne(ctx, deps, type, 201, created, output);
      return;
    }
    case 'update': {
      if (!info.name) throw methodNotAllowed();
      requireVerb('update');
      const output = chooseOutput(ctx.req.headers.accept);
      const body = (await readObjectBody(ctx)) as KubeObject;
      validateBody(beginFieldValidation(ctx, deps.minor.minor, type, 'UpdateOptions'), body);
      const guard = deps.writeGuard?.(ctx, type, namespace);
      const { object, created } = await deps.registry.update(type, namespace, info.name, body, { dryRun: isDryRun(ctx, 'UpdateOptions'), fieldManager: fieldManagerOf(ctx, 'UpdateOptions'), ...(guard ? { guard } : {}) });
      await writeOne(ctx, deps, type, created ? 201 : 200, object, output);
      return;
    }
    case 'patch': {
      if (!info.name) throw methodNotAllowed();
      requireVerb('patch');
      const output = chooseOutput(ctx.req.headers.accept);
      beginFieldValidation(ctx, deps.minor.minor, type, 'PatchOptions');
      const guard = deps.writeGuard?.(ctx, type, namespace);
      const { object, created } = await patchObject(ctx, deps, type, namespace, info.name, '', isDryRun(ctx, 'PatchOptions'), guard);
      await writeOne(ctx, deps, type, created ? 201 : 200, object, output);
      return;
    }
    case 'delete': {
      requireVerb('delete');
      const output = chooseOutput(ctx.req.headers.accept);
      const opts = await readDeleteOptions(ctx);
      const result = await deps.registry.delete(type, namespace, info.name, opts);
      if (result.body.kind === 'Status') await writeJson(ctx, 200, result.body);
      else await writeOne(ctx, deps, type, 200, result.body as KubeObject, output);
      return;
    }
    case 'deletecollection': {
      requireVerb('deletecollection');
      const listOpts = parseListOptions(ctx.query, false, deps.watchListEnabled);
      const opts = await readDeleteOptions(ctx);
      const list = await deps.registry.deleteCollection(type, namespace, listOpts, opts);
      await writeJson(ctx, 200, { kind: type.listKind, apiVersion: type.groupVersion, metadata: { resourceVersion: list.resourceVersion }, items: list.items });
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

/** `status` and `finalize`: GET returns the object; PUT and PATCH write only that part. */
async function serveStatusLike(ctx: RequestContext, deps: ResourceDeps, type: ResourceType, namespace: string, name: string, subresource: string): Promise<void> {
  const sub = type.subresources.get(subresource)!;
  const verbs = new Set(sub.verbs);
  const output = chooseOutput(ctx.req.headers.accept);
  switch (ctx.info.verb) {
    case 'get':
      if (!verbs.has('get')) throw methodNotAllowed();
      await writeOne(ctx, deps, type, 200, await deps.registry.get(type, namespace, name), output);
      return;
    case 'update': {
      if (!verbs.has('update')) throw methodNotAllowed();
      const body = (await readObjectBody(ctx)) as KubeObject;
      validateBody(beginFieldValidation(ctx, deps.minor.minor, type, 'UpdateOptions'), body);
      const { object } = await deps.registry.update(type, namespace, name, body, { subresource, dryRun: isDryRun(ctx, 'UpdateOptions'), fieldManager: fieldManagerOf(ctx, 'UpdateOptions') });
      await writeOne(ctx, deps, type, 200, object, output);
      return;
    }
    case 'patch': {
      if (!verbs.has('patch')) throw methodNotAllowed();
      beginFieldValidation(ctx, deps.minor.minor, type, 'PatchOptions');
      const { object } = await patchObject(ctx, deps, type, namespace, name, subresource, isDryRun(ctx, 'PatchOptions'));
      await writeOne(ctx, deps, type, 200, object, output);
      return;
    }
    default:
      throw methodNotAllowed();
  }
}
