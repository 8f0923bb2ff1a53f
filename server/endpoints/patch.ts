/**
 * PATCH requests and the field manager of every write: which manager a create, update or patch
 * records (`fieldManager`, else the user agent's prefix), the PatchOptions checks (apply needs a
 * fieldManager, `force` is for apply only), and the four patch types: JSON patch, merge patch and
 * strategic merge patch through the registry's patch, server-side apply through apply.ts, creating
 * the object when it does not exist yet (201).
 */
import type { RequestContext } from '../http/context.js';
import { readBody } from '../http/body.js';
import { contentTypeOf } from '../http/media.js';
import { badRequest, isStatusError, unsupportedMediaType } from '../errors/status.js';
import { applyToObject, decodeApplyPatch } from '../registry/apply.js';
import { managerFromRequest, scopeOf, validateManagerOptions, type FieldManagerOptions, type WriteOptionsKind } from '../registry/managed-fields.js';
import type { KubeObject } from '../registry/object.js';
import { withFieldValidation } from '../registry/field-validation.js';
import { APPLY_PATCH, decodePatch, patchTypesOf } from '../registry/patch.js';
import type { Registry, WriteGuard, WriteOptions } from '../registry/rest.js';
import type { ResourceType } from '../registry/resource-type.js';
import { strategyFor } from '../registry/strategy.js';
import type { Clock } from '../clock.js';

/** The field manager of a create or update, validated as upstream validates the options. */
export function fieldManagerOf(ctx: RequestContext, kind: Exclude<WriteOptionsKind, 'PatchOptions'>): FieldManagerOptions {
  const param = ctx.query.get('fieldManager') ?? '';
  validateManagerOptions(kind, param);
  return { manager: managerFromRequest(param, ctx.req.headers['user-agent']), operation: 'Update' };
}

/** What a patch needs from the handler. */
export interface PatchDeps {
  registry: Registry;
  clock: Clock;
}

/**
 * Apply the request's patch to `name` (or its `subresource`); returns the object and whether an
 * apply created it. `dryRun` is the already validated `dryRun=All`; `guard` checks the patched object.
 */
export async function patchObject(
  ctx: RequestContext,
  deps: PatchDeps,
  type: ResourceType,
  namespace: string,
  name: string,
  subresource: string,
  dryRun: boolean,
  guard?: WriteGuard,
): Promise<{ object: KubeObject; created: boolean }> {
  const contentType = contentTypeOf(ctx.req.headers['content-type']);
  const accepted = patchTypesOf(type);
  if (!accepted.includes(contentType)) {
    ctx.req.resume();
    throw unsupportedMediaType(accepted);
  }
  const apply = contentType === APPLY_PATCH;
  const param = ctx.query.get('fieldManager') ?? '';
  const forceParam = ctx.query.get('force');
  validateManagerOptions('PatchOptions', param, { apply, forceSet: forceParam !== null });
  const body = await readBody(ctx);
  const base: WriteOptions = { dryRun, ...(subresource ? { subresource } : {}), ...(guard ? { guard } : {}) };

  if (!apply) {
    const patch = withFieldValidation(ctx, contentType, body, decodePatch(contentType, body, { group: type.group, version: type.version, kind: type.kind }));
    const fieldManager: FieldManagerOptions = { manager: managerFromRequest(param, ctx.req.headers['user-agent']), operation: 'Update' };
    return { object: await deps.registry.patch(type, namespace, name, patch, { ...base, fieldManager }), created: false };
  }

  const config = decodeApplyPatch(body);
  const force = forceParam === 'true' || forceParam === '1';
  const opts = { ...scopeOf(type, subresource, strategyFor(type).hasStatus), manager: param, force };
  const fieldManager: FieldManagerOptions = { manager: param, operation: 'Apply' };
  const transform = (current: KubeObject) => applyToObject(current, config, { ...opts, now: deps.clock.now() });
  try {
    return { object: await deps.registry.patch(type, namespace, name, transform, { ...base, fieldManager }), created: false };
  } catch (err) {
    if (subresource || !isStatusError(err) || err.code !== 404 || err.status.details?.name !== name) throw err;
  }
  // Apply to a missing object creates it.
  const created = transform({});
  const meta = (created.metadata ??= {});
  if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  meta.name = name;
  return { object: await deps.registry.create(type, namespace, created, { ...base, fieldManager }), created: true };
}
