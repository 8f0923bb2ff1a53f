/**
 * The `scale` subresource of a custom resource, as apiextensions-apiserver's ScaleREST: the
 * autoscaling/v1 Scale read from the CRD's `specReplicasPath`, `statusReplicasPath` and
 * `labelSelectorPath` (each a dotted path, a leading `.` ignored; a missing value reads as 0 or ''),
 * and the replicas of a written Scale set at `specReplicasPath`. A value of the wrong type is the
 * accessor error upstream's unstructured helpers give.
 */
import { badRequest, internalError } from '../../errors/status.js';
import { clone, metaOf, type KubeObject } from '../object.js';
import type { CrdScale } from './crd.js';

/** A Scale read from a custom resource, and whether its spec replicas field exists. */
export interface CustomScale {
  scale: KubeObject;
  replicasFound: boolean;
}

function splitPath(path: string): string[] {
  return path.replace(/^\./, '').split('.');
}

function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** unstructured.NestedFieldNoCopy plus a type check: the value, undefined when absent; throws on a wrong type. */
function nested(obj: KubeObject, path: string[], want: 'int64' | 'string'): number | string | undefined {
  let current: unknown = obj;
  for (const [i, key] of path.entries()) {
    if (current === null || current === undefined) return undefined;
    if (typeof current !== 'object' || Array.isArray(current)) {
      throw internalError(`value cannot be found at path ${JSON.stringify(path.slice(0, i).join('.'))}: ${JSON.stringify(current)} is of the type ${goType(current)}, expected map[string]interface{}`);
    }
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined || current === null) return undefined;
  const ok = want === 'int64' ? typeof current === 'number' && Number.isInteger(current) : typeof current === 'string';
  if (!ok) throw internalError(`.${path.join('.')} accessor error: ${String(current)} is of the type ${goType(current)}, expected ${want}`);
  return current as number | string;
}

/** The Scale of a custom resource (upstream's scaleFromCustomResource). */
export function customScaleOf(obj: KubeObject, paths: CrdScale): CustomScale {
  const spec = nested(obj, splitPath(paths.specReplicasPath), 'int64') as number | undefined;
  const status = nested(obj, splitPath(paths.statusReplicasPath), 'int64') as number | undefined;
  const selector = paths.labelSelectorPath ? ((nested(obj, splitPath(paths.labelSelectorPath), 'string') as string | undefined) ?? '') : '';
  const meta = obj.metadata ?? {};
  const scaleMeta: Record<string, unknown> = { name: meta.name };
  if (meta.namespace) scaleMeta.namespace = meta.namespace;
  if (meta.uid) scaleMeta.uid = meta.uid;
  if (meta.resourceVersion) scaleMeta.resourceVersion = meta.resourceVersion;
  scaleMeta.creationTimestamp = meta.creationTimestamp ?? null;
  const replicas = spec ?? 0;
  const scaleStatus: Record<string, unknown> = { replicas: status ?? 0 };
  if (selector) scaleStatus.selector = selector;
  return {
    scale: { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: scaleMeta as KubeObject['metadata'], spec: replicas === 0 ? {} : { replicas }, status: scaleStatus },
    replicasFound: spec !== undefined,
  };
}

/** The Scale a GET answers: a custom resource without its spec replicas field is upstream's 500. */
export function readCustomScale(obj: KubeObject, paths: CrdScale): KubeObject {
  const { scale, replicasFound } = customScaleOf(obj, paths);
  if (!replicasFound) throw internalError(`the spec replicas field ${JSON.stringify(paths.specReplicasPath)} does not exist`);
  return scale;
}

/**
 * The custom resource `current` with `replicas` at its spec replicas path (`undefined`: the Scale
 * written carries none while the object has none, upstream's 400). A resourceVersion of the Scale
 * becomes the write's precondition.
 */
export function withCustomReplicas(current: KubeObject, paths: CrdScale, replicas: number | undefined, resourceVersion: string | undefined): KubeObject {
  if (replicas === undefined) throw badRequest(`the spec replicas field ${JSON.stringify(paths.specReplicasPath)} cannot be empty`);
  const out = clone(current);
  const path = splitPath(paths.specReplicasPath);
  let node = out as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) throw internalError(`value cannot be set because ${JSON.stringify(next)} is not a map[string]interface{}`);
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = replicas;
  if (resourceVersion) metaOf(out).resourceVersion = resourceVersion;
  return out;
}
