/**
 * Patch application for PATCH requests: JSON merge patch (RFC 7386), JSON patch (RFC 6902, through
 * fast-json-patch) and strategic merge patch (strategic-merge.ts), with upstream's errors: 400 for
 * an undecodable patch, 422 for a patch that cannot be applied. Server-side apply (the fourth type)
 * is decoded by apply.ts.
 */
import fastJsonPatch from 'fast-json-patch';
import { badRequest, StatusError, unclassifiedError, unprocessableEntity } from '../errors/status.js';
import type { KubeObject } from './object.js';
import { jsonNestingExceeds } from '../http/nesting.js';
import { patchMeta, type GroupVersionKind } from './patch-meta.js';
import { StrategicMergeError, strategicMergePatch } from './strategic-merge.js';

const { applyPatch, validate } = fastJsonPatch;

/** The media type of a strategic merge patch. */
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
/** The media type of a server-side apply patch (YAML or JSON). */
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** The patch media types this server applies to built-in resources, in upstream's order. */
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', STRATEGIC_MERGE_PATCH, APPLY_PATCH];

/** The patch media types of custom resources, in upstream's order: no strategic merge patch. */
export const CUSTOM_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', APPLY_PATCH];

/** The patch media types `type` accepts. */
export function patchTypesOf(type: { custom?: unknown }): string[] {
  return type.custom ? CUSTOM_PATCH_TYPES : PATCH_TYPES;
}

/** RFC 7386: apply `patch` to `target`, returning a new value. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete base[k];
    else base[k] = mergePatch(base[k], v);
  }
  return base;
}

/** 422 as upstream answers a patch that fails to apply. */
const patchRejected = unprocessableEntity;

/** A strategic merge patch error as upstream's `interpretStrategicMergePatchError` and `ErrorToAPIStatus` answer it. */
function strategicMergeStatus(err: StrategicMergeError): StatusError {
  if (err.classification === 'BadRequest') return badRequest(err.message);
  if (err.classification === 'Invalid') return unprocessableEntity();
  return unclassifiedError(err.message);
}

/**
 * Decode a patch body of `contentType` (not apply) and return the function that applies it to an
 * object of kind `gvk` (whose patch metadata strategic merge patch follows).
 */
export function decodePatch(contentType: string, body: Buffer, gvk: GroupVersionKind = { group: '', version: 'v1', kind: '' }): (current: KubeObject) => KubeObject {
  let parsed: unknown;
  const text = body.toString('utf8');
  if (jsonNestingExceeds(text)) throw badRequest('exceeded max depth');
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (contentType === 'application/merge-patch+json' || contentType === STRATEGIC_MERGE_PATCH) {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest('json: cannot unmarshal ' + (Array.isArray(parsed) ? 'array' : typeof parsed) + ' into Go value of type map[string]interface {}');
    }
    if (contentType === 'application/merge-patch+json') return (current) => mergePatch(current, parsed) as KubeObject;
    const lookup = patchMeta(gvk);
    return (current) => {
      try {
        return strategicMergePatch(current, parsed as Record<string, unknown>, lookup) as KubeObject;
      } catch (err) {
        if (err instanceof StrategicMergeError) throw strategicMergeStatus(err);
        throw err;
      }
    };
  }
  if (!Array.isArray(parsed)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const ops = parsed as fastJsonPatch.Operation[];
  const invalidOp = validate(ops);
  if (invalidOp) throw badRequest(`${invalidOp.message.split('\n')[0]}`);
  return (current) => {
    try {
      const result = applyPatch(structuredClone(current), ops, true, true).newDocument as unknown;
      if (result === null || typeof result !== 'object' || Array.isArray(result)) throw patchRejected();
      return result as KubeObject;
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw patchRejected();
    }
  };
}
