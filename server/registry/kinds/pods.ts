/**
 * Pod defaulting and validation, after pkg/apis/core/v1 defaulting and pkg/apis/core/validation's
 * `ValidatePodCreate`/`ValidatePodUpdate`:
 * - defaults: restartPolicy Always, dnsPolicy ClusterFirst, schedulerName default-scheduler,
 *   terminationGracePeriodSeconds 30, container terminationMessagePath/Policy and imagePullPolicy
 *   (Always for `:latest` or untagged images, else IfNotPresent), port protocol TCP, probe timing
 *   and thresholds, httpGet path and scheme, env fieldRef apiVersion v1, and a volume without a
 *   source becomes an emptyDir;
 * - the pod spec rules of {@link validatePodSpec} (pod-spec.ts and the files it uses), plus the
 *   Pod-only ones: no leading or trailing whitespace in images, ephemeralContainers refused on
 *   create, nodeName only once schedulingGates are cleared;
 * - on update, the spec may change only where upstream lets it (images, activeDeadlineSeconds,
 *   added tolerations, removed schedulingGates, terminationGracePeriodSeconds from negative to 1).
 * Not covered: the pod-spec annotations (seccomp, AppArmor, mirror pods, deletion cost),
 * resize, and what pod-spec.ts lists.
 */
import type { FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import { featureEnabled } from '../../../versions/features.js';
import { arr, forbidden, invalid, obj, str } from './field.js';
import { defaultEnv } from './pod-env.js';
import { defaultHandler, defaultProbe } from './pod-probes.js';
import { containersOf, validatePodSpec, VOLUME_SOURCES, type PodSpecOptions } from './pod-spec.js';

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

type Rec = Record<string, unknown>;

function defaultContainer(c: Rec): void {
  if (!c['terminationMessagePath']) c['terminationMessagePath'] = '/dev/termination-log';
  if (!c['terminationMessagePolicy']) c['terminationMessagePolicy'] = 'File';
  if (!c['imagePullPolicy']) {
    const image = str(c['image']);
    const lastPart = image.slice(image.lastIndexOf('/') + 1);
    const untaggedOrLatest = !image.includes('@') && (!lastPart.includes(':') || lastPart.endsWith(':latest'));
    c['imagePullPolicy'] = untaggedOrLatest ? 'Always' : 'IfNotPresent';
  }
  for (const p of arr(c['ports']).map(obj)) if (!p['protocol']) p['protocol'] = 'TCP';
  defaultEnv(c);
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const probe = c[kind];
    if (probe !== undefined && probe !== null) defaultProbe(obj(probe));
  }
  const lifecycle = obj(c['lifecycle']);
  for (const hook of ['postStart', 'preStop']) {
    const h = lifecycle[hook];
    if (h !== undefined && h !== null) defaultHandler(obj(h));
  }
}

/** Fills the core/v1 defaults of a pod spec (a Pod's or a template's) that its validation depends on. */
export function defaultPodSpec(spec: Rec): void {
  if (!spec['restartPolicy']) spec['restartPolicy'] = 'Always';
  if (!spec['dnsPolicy']) spec['dnsPolicy'] = 'ClusterFirst';
  if (!spec['schedulerName']) spec['schedulerName'] = 'default-scheduler';
  if (spec['terminationGracePeriodSeconds'] === undefined || spec['terminationGracePeriodSeconds'] === null) spec['terminationGracePeriodSeconds'] = 30;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) containersOf(spec, key).forEach(defaultContainer);
  for (const v of arr(spec['volumes']).map(obj)) {
    if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v['emptyDir'] = {};
  }
}

/** Fills the core/v1 defaults of a Pod's spec that its validation depends on. */
export function defaultPod(pod: KubeObject): void {
  if (pod['spec'] === undefined || pod['spec'] === null) pod['spec'] = {};
  defaultPodSpec(obj(pod['spec']));
}

/**
 * The pod spec options of the minor serving `type` (the newest minor's defaults without one): the
 * gates that change pod validation, or drop a field before it (see {@link dropDisabledPodSpecFields}).
 */
export function podSpecOptions(type: ResourceType | undefined, resourceIsPod: boolean): PodSpecOptions {
  const gates = type?.featureGates;
  const minor = type?.minor;
  const on = (name: string): boolean => (gates && minor ? featureEnabled(gates, name, minor) : true);
  return {
    resourceIsPod,
    sidecarContainers: on('SidecarContainers'),
    allowZeroSleep: on('PodLifecycleSleepActionAllowZero'),
    relaxedDNSSearch: on('RelaxedDNSSearchValidation'),
    relaxedEnvNames: on('RelaxedEnvironmentVariableValidation'),
    procMountType: on('ProcMountType'),
    appArmorFields: on('AppArmorFields'),
    sleepAction: on('PodLifecycleSleepAction'),
  };
}

function allContainers(spec: Rec): Rec[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((key) => containersOf(spec, key));
}

/**
 * Drops what a disabled gate's field strategy drops before validation (`dropDisabledPodFields`),
 * unless the old object already used it: init containers' restartPolicy (SidecarContainers),
 * containers' securityContext.procMount (ProcMountType), pod and container appArmorProfile
 * (AppArmorFields) and sleep lifecycle handlers (PodLifecycleSleepAction).
 */
export function dropDisabledPodSpecFields(spec: Rec, old: Rec | undefined, opts: PodSpecOptions): void {
  const set = (v: unknown): boolean => v !== undefined && v !== null;
  const sidecarsInUse = old !== undefined && containersOf(old, 'initContainers').some((c) => set(c['restartPolicy']));
  if (!opts.sidecarContainers && !sidecarsInUse) for (const c of containersOf(spec, 'initContainers')) delete c['restartPolicy'];
  const procMountInUse = old !== undefined && allContainers(old).some((c) => set(obj(c['securityContext'])['procMount']));
  if (!opts.procMountType && !procMountInUse) {
    for (const c of allContainers(spec)) if (set(c['securityContext'])) delete obj(c['securityContext'])['procMount'];
  }
  const withSC = (s: Rec): Rec[] => [s, ...allContainers(s)].filter((o) => set(o['securityContext']));
  const appArmorInUse = old !== undefined && withSC(old).some((o) => set(obj(o['securityContext'])['appArmorProfile']));
  if (!opts.appArmorFields && !appArmorInUse) for (const o of withSC(spec)) delete obj(o['securityContext'])['appArmorProfile'];
  const hooks = (s: Rec): Rec[] => allContainers(s).flatMap((c) => ['postStart', 'preStop'].map((h) => obj(obj(c['lifecycle'])[h])));
  const sleepInUse = old !== undefined && hooks(old).some((h) => set(h['sleep']));
  if (!opts.sleepAction && !sleepInUse) for (const h of hooks(spec)) delete h['sleep'];
}

function json(v: unknown): string {
  return JSON.stringify(v ?? null);
}

/**
 * The spec-immutability part of `ValidatePodUpdate`. Upstream appends a go-cmp diff of the two
 * specs to the message; go-cmp deliberately randomises its layout, so kube-skew lists the changed
 * fields as `-`/`+` lines of JSON instead.
 */
function validatePodSpecUpdate(spec: Rec, old: Rec): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['containers', 'initContainers']) {
    const next = containersOf(spec, key);
    const before = containersOf(old, key);
    if (next.length !== before.length) return [...errs, forbidden(`spec.${key}`, 'pod updates may not add or remove containers')];
  }
  const ads = spec['activeDeadlineSeconds'];
  const oldAds = old['activeDeadlineSeconds'];
  if (typeof ads === 'number') {
    if (ads < 0 || ads > 2147483647) return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be between 0 and 2147483647, inclusive')];
    if (typeof oldAds === 'number' && oldAds < ads) return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (typeof oldAds === 'number') {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const oldTolerations = arr(old['tolerations']).map(json);
  const newTolerations = new Set(arr(spec['tolerations']).map(json));
  if (oldTolerations.some((t) => !newTolerations.has(t))) {
    errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  if (json(spec) === json(old)) return errs;
  const munged: Rec = { ...spec };
  for (const key of ['containers', 'initContainers']) {
    const before = containersOf(old, key);
    if (munged[key] !== undefined) munged[key] = containersOf(spec, key).map((c, i) => ({ ...c, image: before[i]?.['image'] }));
  }
  for (const key of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations']) {
    if (old[key] === undefined) delete munged[key];
    else munged[key] = old[key];
  }
  const oldGrace = old['terminationGracePeriodSeconds'];
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged['terminationGracePeriodSeconds'] === 1) munged['terminationGracePeriodSeconds'] = oldGrace;
  const keys = [...new Set([...Object.keys(old), ...Object.keys(munged)])].filter((k) => json(old[k]) !== json(munged[k]));
  if (keys.length === 0) return errs;
  const diff = keys.map((k) => `- ${k}: ${json(old[k])}\n+ ${k}: ${json(munged[k])}`).join('\n');
  errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}\n`));
  return errs;
}

/** `validateContainersOnlyForPod`: an image without leading or trailing whitespace. */
function validateImagesOnlyForPod(spec: Rec): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['containers', 'initContainers']) {
    containersOf(spec, key).forEach((c, i) => {
      const image = str(c['image']);
      if (image.trim() !== image) errs.push(invalid(`spec.${key}[${i}].image`, image, 'must not have leading or trailing whitespace'));
    });
  }
  return errs;
}

/** The field errors of a Pod beyond its metadata; `old` marks an update. */
export function validatePod(pod: KubeObject, old: KubeObject | undefined, type?: ResourceType): FieldError[] {
  const spec = obj(pod['spec']);
  const opts = podSpecOptions(type, true);
  dropDisabledPodSpecFields(spec, old ? obj(old['spec']) : undefined, opts);
  const errs = validatePodSpec(spec, 'spec', opts);
  errs.push(...validateImagesOnlyForPod(spec));
  if (!old) {
    if (containersOf(spec, 'ephemeralContainers').length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
    if (str(spec['nodeName']) && arr(spec['schedulingGates']).length > 0) errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
    return errs;
  }
  errs.push(...validatePodSpecUpdate(spec, obj(old['spec'])));
  return errs;
}
