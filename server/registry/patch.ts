/**
 * Patch application for PATCH requests: JSON merge patch (RFC 7386) and JSON patch (RFC 6902,
 * through fast-json-patch), with upstream's errors: 400 for an undecodable patch, 422 for a patch
 * that cannot be applied. Strategic merge patch and server-side apply are separate modules.
 */
import fastJsonPatch from 'fast-json-patch';
import { badRequest, StatusError } from '../errors/status.js';
import type { KubeObject } from './object.js';

const { applyPatch, validate } = fastJsonPatch;

/** The patch media types this server applies. */
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json'];

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
function patchRejected(): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server rejected our request due to an error in our request',
    reason: 'Invalid',
    details: {},
    code: 422,
  });
}

/** Decode a patch body of `contentType` and return the function that applies it to an object. */
export function decodePatch(contentType: string, body: Buffer): (current: KubeObject) => KubeObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (contentType === 'application/merge-patch+json') {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest('json: cannot unmarshal ' + (Array.isArray(parsed) ? 'array' : typeof parsed) + ' into Go value of type map[string]interface {}');
    }
    return (current) => mergePatch(current, parsed) as KubeObject;
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
