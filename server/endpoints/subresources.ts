/**
 * Subresources other than `status` and `finalize`: `scale` on every kind whose manifest has it
 * (deployments, replicasets, statefulsets, replicationcontrollers, and custom resources whose CRD
 * enables it, through the CRD's replicas paths), answering autoscaling/v1 `Scale` for GET, PUT and
 * PATCH as upstream's scale REST storages do; and pods `log`, plain text from the
 * kube-skew-specific annotation `kube-skew.io/log` (or `kube-skew.io/log.<container>`), empty when
 * there is none (a pod no kubelet runs has no log upstream either); serviceaccounts `token`
 * (token-request.ts). Anything else answers upstream's
 * 405 `<verb> is not supported on resources of kind …`.
 */
import type { RequestContext } from '../http/context.js';
import { readBody, readObjectBody } from '../http/body.js';
import { contentTypeOf } from '../http/media.js';
import { jsonNestingExceeds } from '../http/nesting.js';
import { writeRaw } from '../http/respond.js';
import { badRequest, invalid, methodNotAllowed, methodNotSupported, unsupportedMediaType, type FieldError } from '../errors/status.js';
import { APPLY_PATCH, decodePatch, mergePatch, PATCH_TYPES } from '../registry/patch.js';
import { clone, metaOf, type KubeObject } from '../registry/object.js';
import type { ResourceType } from '../registry/resource-type.js';
import { labelSelectorFromObject, labelSelectorString } from '../registry/selectors.js';
import { customScaleOf, readCustomScale, withCustomReplicas } from '../registry/custom/scale.js';
import { chooseOutput, writeObject } from './output.js';
import type { ResourceDeps } from './resources.js';
import { serveTokenRequest } from './token-request.js';

/** The annotation whose value a pod's log shows (all containers). */
export const LOG_ANNOTATION = 'kube-skew.io/log';

/** Serve `subresource` of `type`; throws the Status upstream answers for one kube-skew does not serve. */
export async function serveSubresource(ctx: RequestContext, deps: ResourceDeps, type: ResourceType, namespace: string, name: string, subresource: string): Promise<void> {
  if (subresource === 'scale') return serveScale(ctx, deps, type, namespace, name);
  if (subresource === 'log' && type.group === '' && type.resource === 'pods') return serveLog(ctx, deps, type, namespace, name);
  if (subresource === 'token' && type.group === '' && type.resource === 'serviceaccounts' && deps.tokenRequest) return serveTokenRequest(ctx, deps.tokenRequest, type, namespace, name);
  throw methodNotSupported(type.gr, ctx.info.verb);
}

// ---------------------------------------------------------------------------------------------
// scale
// ---------------------------------------------------------------------------------------------

/** The selector string of a scalable object: a LabelSelector, or a replication controller's label map. */
function selectorOf(spec: Record<string, unknown>): string {
  const sel = spec.selector as Record<string, unknown> | undefined | null;
  if (sel === undefined || sel === null) return '';
  const isLabelSelector = 'matchLabels' in sel || 'matchExpressions' in sel || Object.keys(sel).length === 0;
  const asObject = isLabelSelector ? (sel as { matchLabels?: Record<string, string> }) : { matchLabels: sel as Record<string, string> };
  try {
    return labelSelectorString(labelSelectorFromObject(asObject as never));
  } catch {
    return '';
  }
}

/** The autoscaling/v1 Scale of a scalable object, as upstream's scaleFrom<Kind>. */
export function scaleOf(obj: KubeObject): KubeObject {
  const meta = obj.metadata ?? {};
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const scaleMeta: Record<string, unknown> = { name: meta.name };
  if (meta.namespace) scaleMeta.namespace = meta.namespace;
  if (meta.uid) scaleMeta.uid = meta.uid;
  if (meta.resourceVersion) scaleMeta.resourceVersion = meta.resourceVersion;
  scaleMeta.creationTimestamp = meta.creationTimestamp ?? null;
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 0;
  const scaleStatus: Record<string, unknown> = { replicas: typeof status.replicas === 'number' ? status.replicas : 0 };
  const selector = selectorOf(spec);
  if (selector) scaleStatus.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: scaleMeta as KubeObject['metadata'],
    spec: replicas === 0 ? {} : { replicas },
    status: scaleStatus,
  };
}

/** Check a Scale the client sent, as the update handler's checkName and ValidateScale do. */
function validateScale(scale: KubeObject, namespace: string, name: string): number {
  if (scale.kind !== undefined && scale.kind !== '' && scale.kind !== 'Scale') {
    throw badRequest(`the kind in the data (${String(scale.kind)}) does not match the expected kind (Scale)`);
  }
  const meta = (scale.metadata ?? {}) as { name?: string; namespace?: string };
  if (meta.name !== undefined && meta.name !== '' && meta.name !== name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  }
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const raw = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  const replicas = raw === undefined || raw === null ? 0 : raw;
  const errors: FieldError[] = [];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be an integer' });
  } else if (replicas < 0) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' });
  }
  if (errors.length > 0) throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, errors);
  return replicas as number;
}

/** The object `current` with the replicas of `scale`; a resourceVersion in the Scale becomes the write's precondition. */
function applyScale(current: KubeObject, scale: KubeObject, namespace: string, name: string): KubeObject {
  const replicas = validateScale(scale, namespace, name);
  const out = clone(current);
  const rv = (scale.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  if (rv) metaOf(out).resourceVersion = rv;
  out.spec = { ...((out.spec as Record<string, unknown>) ?? {}), replicas };
  return out;
}

/** How a kind's objects map to and from a Scale: the built-in `spec.replicas`, or a CRD's paths. */
interface ScaleAdapter {
  /** The Scale a GET answers. */
  read(obj: KubeObject): KubeObject;
  /** The Scale a patch applies to (a custom resource without replicas carries upstream's sentinel). */
  base(obj: KubeObject): KubeObject;
  /** The object with the Scale's replicas written (the Scale already validated). */
  write(current: KubeObject, scale: KubeObject, namespace: string, name: string): KubeObject;
  /** The Scale an update answers. */
  answer(obj: KubeObject): KubeObject;
}

/** upstream's invalidSpecReplicas: marks a custom resource whose replicas field does not exist. */
const NO_REPLICAS = -2147483648;

function scaleAdapter(type: ResourceType): ScaleAdapter {
  const paths = type.custom?.scale;
  if (!paths) return { read: scaleOf, base: scaleOf, write: applyScale, answer: scaleOf };
  return {
    read: (obj) => readCustomScale(obj, paths),
    base: (obj) => {
      const { scale, replicasFound } = customScaleOf(obj, paths);
      return replicasFound ? scale : { ...scale, spec: { replicas: NO_REPLICAS } };
    },
    write: (current, scale, namespace, name) => {
      const raw = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
      if (raw === NO_REPLICAS) return withCustomReplicas(current, paths, undefined, undefined);
      const replicas = validateScale(scale, namespace, name);
      return withCustomReplicas(current, paths, replicas, (scale.metadata as { resourceVersion?: string } | undefined)?.resourceVersion);
    },
    answer: (obj) => customScaleOf(obj, paths).scale,
  };
}

async function serveScale(ctx: RequestContext, deps: ResourceDeps, type: ResourceType, namespace: string, name: string): Promise<void> {
  const adapter = scaleAdapter(type);
  const verbs = new Set(type.subresources.get('scale')?.verbs ?? []);
  const output = chooseOutput(ctx.req.headers.accept);
  const format = output.as === 'object' ? output.format : 'json';
  switch (ctx.info.verb) {
    case 'get': {
      if (!verbs.has('get')) throw methodNotAllowed();
      await writeObject(ctx, 200, adapter.read(await deps.registry.get(type, namespace, name)), format);
      return;
    }
    case 'update': {
      if (!verbs.has('update')) throw methodNotAllowed();
      const scale = (await readObjectBody(ctx)) as KubeObject;
      validateScale(scale, namespace, name);
      const updated = await deps.registry.patch(type, namespace, name, (current) => adapter.write(current, scale, namespace, name), { subresource: 'scale' });
      await writeObject(ctx, 200, adapter.answer(updated), format);
      return;
    }
    case 'patch': {
      if (!verbs.has('patch')) throw methodNotAllowed();
      const patch = await readScalePatch(ctx);
      const updated = await deps.registry.patch(type, namespace, name, (current) => adapter.write(current, patch(adapter.base(current)), namespace, name), { subresource: 'scale' });
      await writeObject(ctx, 200, adapter.answer(updated), format);
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

async function readScalePatch(ctx: RequestContext): Promise<(scale: KubeObject) => KubeObject> {
  const type = contentTypeOf(ctx.req.headers['content-type']);
  if (!PATCH_TYPES.includes(type)) {
    ctx.req.resume();
    throw unsupportedMediaType(PATCH_TYPES);
  }
  const body = await readBody(ctx);
  if (type === APPLY_PATCH) {
    // kube-skew applies a Scale apply-patch as a merge of the applied fields (no field ownership on scale).
    let applied: unknown;
    if (jsonNestingExceeds(body.toString('utf8'))) throw badRequest('exceeded max depth');
    try {
      applied = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return (scale) => mergePatch(scale, applied) as KubeObject;
  }
  return decodePatch(type, body, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
}

// ---------------------------------------------------------------------------------------------
// log
// ---------------------------------------------------------------------------------------------

function intParam(ctx: RequestContext, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`${name}: strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

function boolParam(ctx: RequestContext, name: string): boolean {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return false;
  if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(raw)) throw badRequest(`${name}: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return /^(1|t|T|TRUE|true|True)$/.test(raw);
}

interface ContainerLike {
  name?: string;
}

/** Upstream's ValidateContainer: the container to read, defaulted when the pod has one. */
function chooseContainer(pod: KubeObject, requested: string): string {
  const spec = (pod.spec ?? {}) as { containers?: ContainerLike[]; initContainers?: ContainerLike[]; ephemeralContainers?: ContainerLike[] };
  const names = (list?: ContainerLike[]): string[] => (list ?? []).map((c) => c.name ?? '');
  const containers = names(spec.containers);
  const podName = pod.metadata?.name ?? '';
  if (requested === '') {
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    let msg = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`;
    const inits = names(spec.initContainers);
    if (inits.length > 0) msg += ` or one of the init containers: [${inits.join(' ')}]`;
    throw badRequest(msg);
  }
  if (![...containers, ...names(spec.initContainers), ...names(spec.ephemeralContainers)].includes(requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  }
  return requested;
}

/** Apply tailLines and limitBytes to a log text. */
export function shapeLog(text: string, tailLines: number | undefined, limitBytes: number | undefined): string {
  let out = text;
  if (tailLines !== undefined) {
    if (tailLines === 0) out = '';
    else {
      const lines = out.split('\n');
      const trailing = lines.length > 0 && lines[lines.length - 1] === '';
      if (trailing) lines.pop();
      out = lines.slice(-tailLines).join('\n') + (trailing && lines.length > 0 ? '\n' : '');
    }
  }
  if (limitBytes !== undefined) out = Buffer.from(out, 'utf8').subarray(0, limitBytes).toString('utf8');
  return out;
}

async function serveLog(ctx: RequestContext, deps: ResourceDeps, type: ResourceType, namespace: string, name: string): Promise<void> {
  if (ctx.info.verb !== 'get') throw methodNotAllowed();
  const tailLines = intParam(ctx, 'tailLines');
  const limitBytes = intParam(ctx, 'limitBytes');
  const sinceSeconds = intParam(ctx, 'sinceSeconds');
  // Parsed for their errors; a simulated log has no timestamps, previous instance or stream.
  boolParam(ctx, 'follow');
  boolParam(ctx, 'previous');
  boolParam(ctx, 'timestamps');
  const errors: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0) errors.push({ type: 'FieldValueInvalid', field: 'tailLines', value: tailLines, detail: 'must be greater than or equal to 0' });
  if (limitBytes !== undefined && limitBytes < 1) errors.push({ type: 'FieldValueInvalid', field: 'limitBytes', value: limitBytes, detail: 'must be greater than 0' });
  if (sinceSeconds !== undefined && sinceSeconds < 1) errors.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', value: sinceSeconds, detail: 'must be greater than 0' });
  if (errors.length > 0) throw invalid({ group: '', kind: 'PodLogOptions' }, name, errors);
  const pod = await deps.registry.get(type, namespace, name);
  const container = chooseContainer(pod, ctx.query.get('container') ?? '');
  const annotations = pod.metadata?.annotations ?? {};
  const text = annotations[`${LOG_ANNOTATION}.${container}`] ?? annotations[LOG_ANNOTATION] ?? '';
  await writeRaw(ctx, 200, shapeLog(text, tailLines, limitBytes), 'text/plain');
}
