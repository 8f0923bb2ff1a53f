/**
 * Pod defaulting and validation for what a controller creating Pods commonly meets, after
 * pkg/apis/core/v1 defaulting and pkg/apis/core/validation's `ValidatePodCreate`/`ValidatePodUpdate`:
 * - defaults: restartPolicy Always, dnsPolicy ClusterFirst, schedulerName default-scheduler,
 *   terminationGracePeriodSeconds 30, container terminationMessagePath/Policy and imagePullPolicy
 *   (Always for `:latest` or untagged images, else IfNotPresent), port protocol TCP, and a volume
 *   without a source becomes an emptyDir;
 * - spec.containers required; container names DNS-1123 labels unique across init, regular and
 *   ephemeral containers; image required; ports (names, numbers, protocol, unique names); env
 *   names; restartPolicy; dnsPolicy; volume names unique with exactly one source; volumeMounts naming
 *   an existing volume at a unique path without ':'; resource requests not above limits;
 *   ephemeralContainers refused on create;
 * - on update, the spec may change only where upstream lets it (images, activeDeadlineSeconds,
 *   added tolerations, removed schedulingGates, terminationGracePeriodSeconds from negative to 1).
 * Not covered: probes, lifecycle, security contexts, affinity, topology spread, volume source
 * details (beyond their names), resource names and hugepages, DNS config, host aliases, overhead,
 * readiness gates, pod-level resources, resize, OS-specific rules and the pod-spec annotations.
 */
import type { FieldError } from '../../errors/status.js';
import type { KubeObject } from '../object.js';
import type { ResourceType } from '../resource-type.js';
import { compareQuantity, parseQuantity } from '../custom/cel/libs/quantity.js';
import { isDNS1123Label, regexError } from '../validation.js';
import { arr, duplicate, forbidden, invalid, invalidEach, notFound, notSupported, obj, required, str } from './field.js';
import { isValidPortName, validatePortNum, validateProtocol } from './ports.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

/** The volume sources in the order upstream's validateVolumeSource counts them. */
const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs', 'flocker',
  'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte',
  'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const ENV_VAR_NAME_ERR = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";

type Rec = Record<string, unknown>;

function containersOf(spec: Rec, key: string): Rec[] {
  return arr(spec[key]).map(obj);
}

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
}

/** Fills the core/v1 defaults of a Pod's spec that its validation depends on. */
export function defaultPod(pod: KubeObject): void {
  if (pod['spec'] === undefined || pod['spec'] === null) pod['spec'] = {};
  const spec = obj(pod['spec']);
  if (!spec['restartPolicy']) spec['restartPolicy'] = 'Always';
  if (!spec['dnsPolicy']) spec['dnsPolicy'] = 'ClusterFirst';
  if (!spec['schedulerName']) spec['schedulerName'] = 'default-scheduler';
  if (spec['terminationGracePeriodSeconds'] === undefined) spec['terminationGracePeriodSeconds'] = 30;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) containersOf(spec, key).forEach(defaultContainer);
  for (const v of arr(spec['volumes']).map(obj)) {
    if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v['emptyDir'] = {};
  }
}

function validateEnv(env: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const re = new RegExp(`^${ENV_VAR_NAME_FMT}$`);
  env.map(obj).forEach((e, i) => {
    const name = str(e['name']);
    const at = `${path}[${i}].name`;
    if (!name) errs.push(required(at, ''));
    else if (!re.test(name)) errs.push(invalid(at, name, regexError(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1')));
  });
  return errs;
}

function validatePorts(ports: Rec[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    const name = str(p['name']);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...invalidEach(`${at}.name`, name, msgs));
      else if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
      else names.add(name);
    }
    if (!p['containerPort']) errs.push(required(`${at}.containerPort`, ''));
    else errs.push(...validatePortNum(p['containerPort'], `${at}.containerPort`));
    if (p['hostPort']) errs.push(...validatePortNum(p['hostPort'], `${at}.hostPort`));
    errs.push(...validateProtocol(p['protocol'], `${at}.protocol`));
  });
  return errs;
}

function validateResources(resources: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = obj(resources['limits']);
  const requests = obj(resources['requests']);
  for (const [name, value] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined) continue;
    try {
      if (compareQuantity(parseQuantity(String(value)), parseQuantity(String(limit))) > 0) {
        // Quantities are printed as written; upstream prints their canonical form.
        errs.push(invalid(`${path}.requests`, String(value), `must be less than or equal to ${name} limit of ${String(limit)}`));
      }
    } catch {
      // A malformed quantity is refused when the body is decoded, not here.
    }
  }
  return errs;
}

function validateVolumeMounts(mounts: Rec[], volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const at = `${path}[${i}]`;
    const name = str(m['name']);
    if (!name) errs.push(required(`${at}.name`, ''));
    else if (!volumes.has(name)) errs.push(notFound(`${at}.name`, name));
    const mountPath = str(m['mountPath']);
    if (!mountPath) errs.push(required(`${at}.mountPath`, ''));
    else if (mountPath.includes(':')) errs.push(invalid(`${at}.mountPath`, mountPath, "must not contain ':'"));
    if (paths.has(mountPath)) errs.push(invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
  });
  return errs;
}

function validateContainer(c: Rec, path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(c['image'])) errs.push(required(`${path}.image`, ''));
  errs.push(...validatePorts(arr(c['ports']).map(obj), `${path}.ports`));
  errs.push(...validateEnv(arr(c['env']), `${path}.env`));
  errs.push(...validateVolumeMounts(arr(c['volumeMounts']).map(obj), volumes, `${path}.volumeMounts`));
  const tmp = c['terminationMessagePolicy'];
  if (!tmp) errs.push(required(`${path}.terminationMessagePolicy`, ''));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(str(tmp))) errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, TERMINATION_MESSAGE_POLICIES));
  const pull = c['imagePullPolicy'];
  if (!pull) errs.push(required(`${path}.imagePullPolicy`, ''));
  else if (!PULL_POLICIES.includes(str(pull))) errs.push(notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  errs.push(...validateResources(obj(c['resources']), `${path}.resources`));
  return errs;
}

function validateVolumes(volumes: Rec[]): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const at = `spec.volumes[${i}]`;
    const name = str(v['name']);
    if (!name) errs.push(required(`${at}.name`, ''));
    else errs.push(...invalidEach(`${at}.name`, name, isDNS1123Label(name)));
    if (name && names.has(name)) errs.push(duplicate(`${at}.name`, name));
    else if (name) names.add(name);
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) errs.push(required(at, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(forbidden(`${at}.${extra}`, 'may not specify more than 1 volume type'));
  });
  return { errs, names };
}

/** `ValidatePodSpec`, as far as the module comment says. */
function validatePodSpec(spec: Rec): FieldError[] {
  const { errs, names: volumeNames } = validateVolumes(arr(spec['volumes']).map(obj));
  const containers = containersOf(spec, 'containers');
  const init = containersOf(spec, 'initContainers');
  const ephemeral = containersOf(spec, 'ephemeralContainers');
  const seen = new Set<string>();
  const checkName = (c: Rec, path: string): void => {
    const name = str(c['name']);
    if (!name) errs.push(required(`${path}.name`, ''));
    else {
      errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
      if (seen.has(name)) errs.push(duplicate(`${path}.name`, name));
      else seen.add(name);
    }
  };
  if (containers.length === 0) errs.push(required('spec.containers', ''));
  containers.forEach((c, i) => {
    checkName(c, `spec.containers[${i}]`);
    errs.push(...validateContainer(c, `spec.containers[${i}]`, volumeNames));
  });
  init.forEach((c, i) => {
    checkName(c, `spec.initContainers[${i}]`);
    errs.push(...validateContainer(c, `spec.initContainers[${i}]`, volumeNames));
  });
  ephemeral.forEach((c, i) => checkName(c, `spec.ephemeralContainers[${i}]`));
  const restart = spec['restartPolicy'];
  if (!restart) errs.push(required('spec.restartPolicy', ''));
  else if (!RESTART_POLICIES.includes(str(restart))) errs.push(notSupported('spec.restartPolicy', restart, RESTART_POLICIES));
  const dns = spec['dnsPolicy'];
  if (!dns) errs.push(required('spec.dnsPolicy', ''));
  else if (!DNS_POLICIES.includes(str(dns))) errs.push(notSupported('spec.dnsPolicy', dns, DNS_POLICIES));
  return errs;
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

/** The field errors of a Pod beyond its metadata; `old` marks an update. */
export function validatePod(pod: KubeObject, old: KubeObject | undefined, _type?: ResourceType): FieldError[] {
  const spec = obj(pod['spec']);
  const errs = validatePodSpec(spec);
  if (!old) {
    if (containersOf(spec, 'ephemeralContainers').length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
    if (str(spec['nodeName']) && arr(spec['schedulingGates']).length > 0) errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
    return errs;
  }
  errs.push(...validatePodSpecUpdate(spec, obj(old['spec'])));
  return errs;
}
