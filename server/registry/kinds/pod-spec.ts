/**
 * `ValidatePodSpec` of pkg/apis/core/validation, shared by Pods and the pod templates of workloads,
 * in upstream's order: terminationGracePeriodSeconds, volumes, containers (name, image,
 * terminationMessagePolicy, ports, env and envFrom, volumeMounts, imagePullPolicy, resources, security context,
 * then duplicate names, lifecycle, probes and the restartPolicy only sidecars may set), init
 * containers (the same, with probes and lifecycle only for restartPolicy=Always sidecars), ephemeral
 * container names, host ports, restartPolicy, dnsPolicy, nodeSelector, the pod security context,
 * affinity, dnsConfig, readinessGates, schedulingGates, topology spread, hostUsers, serviceAccountName,
 * nodeName, activeDeadlineSeconds, hostname, subdomain, tolerations, hostAliases,
 * priorityClassName, runtimeClassName, preemptionPolicy and spec.os.
 *
 * Not covered: volume source details beyond their names, volumeDevices,
 * resize policies, resource claims, pod-level resources, overhead, imagePullSecrets, Windows
 * options and host-process pods.
 */
import type { FieldError } from '../../errors/status.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, regexError, validateLabels } from '../validation.js';
import { arr, duplicate, forbidden, invalid, invalidEach, notFound, notSupported, obj, required, str } from './field.js';
import { isValidIP } from './ip.js';
import { validateContainerEnv } from './pod-env.js';
import { isValidPortName, validatePortNum, validateProtocol } from './ports.js';
import { validatePodOS } from './pod-os.js';
import { validateLifecycle, validateProbes, type HandlerOptions } from './pod-probes.js';
import { validateResources } from './pod-resources.js';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './pod-scheduling.js';
import { podUsesHostUsers, validateContainerSecurityContext, validateHostUsers, validatePodSecurityContext } from './pod-security.js';

type Rec = Record<string, unknown>;

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
/** `supportedPullPolicies`, sorted as `sets.List` lists them. */
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];
const MAX_INT32 = 2147483647;
const MAX_DNS_NAMESERVERS = 3;
const MAX_DNS_SEARCH_PATHS = 32;
const MAX_DNS_SEARCH_LIST_CHARS = 2048;

/** The volume sources in the order upstream's validateVolumeSource counts them. */
export const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs', 'flocker',
  'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte',
  'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

/** What pod spec validation takes from where the spec sits and from the serving minor. */
export interface PodSpecOptions {
  /** The spec is a Pod's own (not a template): hostPort must equal containerPort under hostNetwork. */
  resourceIsPod: boolean;
  /** The SidecarContainers gate: init containers may set restartPolicy (Always). */
  sidecarContainers: boolean;
  /** The PodLifecycleSleepActionAllowZero gate: a sleep hook of 0 s is allowed. */
  allowZeroSleep: boolean;
  /** The RelaxedDNSSearchValidation gate: search domains may hold '_', and '.' is allowed. */
  relaxedDNSSearch: boolean;
  /** The RelaxedEnvironmentVariableValidation gate: env names of any printable ASCII but '='. */
  relaxedEnvNames: boolean;
  /** The ProcMountType gate: containers may set securityContext.procMount. */
  procMountType: boolean;
  /** The AppArmorFields gate: pods and containers may set securityContext.appArmorProfile. */
  appArmorFields: boolean;
  /** The PodLifecycleSleepAction gate: lifecycle hooks may sleep. */
  sleepAction: boolean;
}

const DNS1123_LABEL_WITH_UNDERSCORE = '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_WITH_UNDERSCORE = `${DNS1123_LABEL_WITH_UNDERSCORE}(\\.${DNS1123_LABEL_WITH_UNDERSCORE})*`;
const DNS1123_SUBDOMAIN_WITH_UNDERSCORE_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character";

/** apimachinery's `IsDNS1123SubdomainWithUnderscore`. */
function isDNS1123SubdomainWithUnderscore(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${DNS1123_SUBDOMAIN_WITH_UNDERSCORE}$`).test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_WITH_UNDERSCORE_ERR, DNS1123_SUBDOMAIN_WITH_UNDERSCORE, 'example.com'));
  return errs;
}

function has(o: Rec, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

/** The containers of a spec under `key`, as objects. */
export function containersOf(spec: Rec, key: string): Rec[] {
  return arr(spec[key]).map(obj);
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

function validateVolumeMounts(mounts: Rec[], volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const at = `${path}[${i}]`;
    const name = str(m['name']);
    if (!name) errs.push(required(`${at}.name`, ''));
    if (!volumes.has(name)) errs.push(notFound(`${at}.name`, name));
    const mountPath = str(m['mountPath']);
    if (!mountPath) errs.push(required(`${at}.mountPath`, ''));
    if (paths.has(mountPath)) errs.push(invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
  });
  return errs;
}

/** `validateContainerCommon`: what every kind of container is checked for. */
function validateContainerCommon(c: Rec, path: string, volumes: Set<string>, hostUsers: boolean, relaxedEnvNames: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c['name']);
  if (!name) errs.push(required(`${path}.name`, ''));
  else errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
  if (!str(c['image'])) errs.push(required(`${path}.image`, ''));
  const tmp = c['terminationMessagePolicy'];
  if (!tmp) errs.push(required(`${path}.terminationMessagePolicy`, ''));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(str(tmp))) errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, TERMINATION_MESSAGE_POLICIES));
  errs.push(...validatePorts(containersOf(c, 'ports'), `${path}.ports`));
  errs.push(...validateContainerEnv(c, path, relaxedEnvNames));
  errs.push(...validateVolumeMounts(containersOf(c, 'volumeMounts'), volumes, `${path}.volumeMounts`));
  const pull = c['imagePullPolicy'];
  if (!pull) errs.push(required(`${path}.imagePullPolicy`, ''));
  else if (!PULL_POLICIES.includes(str(pull))) errs.push(notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  errs.push(...validateResources(obj(c['resources']), `${path}.resources`));
  errs.push(...validateContainerSecurityContext(c, path, hostUsers));
  return errs;
}

/**
 * `checkHostPortConflicts`: one protocol/hostIP/hostPort per list. Upstream checks each init
 * container alone, as a list of one, so its errors always name `initContainers[0]`.
 */
function hostPortConflicts(containers: Rec[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    containersOf(c, 'ports').forEach((p, pi) => {
      const port = typeof p['hostPort'] === 'number' ? p['hostPort'] : 0;
      if (port === 0) return;
      const key = `${str(p['protocol'])}/${str(p['hostIP'])}/${port}`;
      if (seen.has(key)) errs.push(duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    });
  });
  return errs;
}

function validateContainers(spec: Rec, path: string, volumes: Set<string>, handler: HandlerOptions, hostUsers: boolean, relaxedEnvNames: boolean): FieldError[] {
  const containers = containersOf(spec, 'containers');
  if (containers.length === 0) return [required(`${path}.containers`, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    errs.push(...validateContainerCommon(c, at, volumes, hostUsers, relaxedEnvNames));
    const name = str(c['name']);
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    else names.add(name);
    if (has(c, 'lifecycle')) errs.push(...validateLifecycle(obj(c['lifecycle']), `${at}.lifecycle`, handler));
    errs.push(...validateProbes(c, at, handler));
    if (has(c, 'restartPolicy')) errs.push(forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(containers, `${path}.containers`));
  return errs;
}

const INIT_FORBIDDEN = 'may not be set for init containers without restartPolicy=Always';

function validateInitContainers(spec: Rec, path: string, volumes: Set<string>, handler: HandlerOptions, hostUsers: boolean, relaxedEnvNames: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(containersOf(spec, 'containers').map((c) => str(c['name'])));
  containersOf(spec, 'initContainers').forEach((c, i) => {
    const at = `${path}.initContainers[${i}]`;
    errs.push(...validateContainerCommon(c, at, volumes, hostUsers, relaxedEnvNames));
    let restartAlways = false;
    if (has(c, 'restartPolicy')) {
      if (c['restartPolicy'] !== 'Always') errs.push(notSupported(`${at}.restartPolicy`, str(c['restartPolicy']), ['Always']));
      restartAlways = c['restartPolicy'] === 'Always';
    }
    const name = str(c['name']);
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    else if (name) names.add(name);
    errs.push(...hostPortConflicts([c], `${path}.initContainers`));
    if (restartAlways) {
      if (has(c, 'lifecycle')) errs.push(...validateLifecycle(obj(c['lifecycle']), `${at}.lifecycle`, handler));
      errs.push(...validateProbes(c, at, handler));
    } else {
      for (const key of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) if (has(c, key)) errs.push(forbidden(`${at}.${key}`, INIT_FORBIDDEN));
    }
  });
  return errs;
}

function validateEphemeralContainerNames(spec: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set([...containersOf(spec, 'containers'), ...containersOf(spec, 'initContainers')].map((c) => str(c['name'])));
  containersOf(spec, 'ephemeralContainers').forEach((c, i) => {
    const at = `${path}.ephemeralContainers[${i}].name`;
    const name = str(c['name']);
    if (!name) errs.push(required(at, ''));
    else errs.push(...invalidEach(at, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(at, name));
    else names.add(name);
  });
  return errs;
}

function validateVolumes(volumes: Rec[], path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const at = `${path}.volumes[${i}]`;
    const name = str(v['name']);
    if (!name) errs.push(required(`${at}.name`, ''));
    else errs.push(...invalidEach(`${at}.name`, name, isDNS1123Label(name)));
    if (name && names.has(name)) errs.push(duplicate(`${at}.name`, name));
    else if (name) names.add(name);
    const sources = VOLUME_SOURCES.filter((s) => has(v, s));
    if (sources.length === 0) errs.push(required(at, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(forbidden(`${at}.${extra}`, 'may not specify more than 1 volume type'));
  });
  return { errs, names };
}

/** `validatePodHostNetworkDeps`: under hostNetwork a hostPort equals its containerPort (0 allowed in templates). */
function validateHostNetworkPorts(spec: Rec, path: string, resourceIsPod: boolean): FieldError[] {
  if (spec['hostNetwork'] !== true) return [];
  const errs: FieldError[] = [];
  containersOf(spec, 'containers').forEach((c, i) => {
    containersOf(c, 'ports').forEach((p, j) => {
      const hp = typeof p['hostPort'] === 'number' ? p['hostPort'] : 0;
      const cp = typeof p['containerPort'] === 'number' ? p['containerPort'] : 0;
      if ((resourceIsPod || hp !== 0) && hp !== cp) errs.push(invalid(`${path}.containers[${i}].ports[${j}].hostPort`, hp, 'must match `containerPort` when `hostNetwork` is true'));
    });
  });
  return errs;
}

/** `validatePodDNSConfig`. */
function validateDNSConfig(spec: Rec, path: string, relaxedSearch: boolean): FieldError[] {
  const at = `${path}.dnsConfig`;
  if (spec['dnsPolicy'] === 'None') {
    if (!has(spec, 'dnsConfig')) return [required(at, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(obj(spec['dnsConfig'])['nameservers']).length === 0) return [required(`${at}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!has(spec, 'dnsConfig')) return [];
  const cfg = obj(spec['dnsConfig']);
  const errs: FieldError[] = [];
  const nameservers = arr(cfg['nameservers']).map(str);
  if (nameservers.length > MAX_DNS_NAMESERVERS) errs.push(invalid(`${at}.nameservers`, nameservers, `must not have more than ${MAX_DNS_NAMESERVERS} nameservers`));
  nameservers.forEach((ns, i) => errs.push(...isValidIP(`${at}.nameservers[${i}]`, ns)));
  const searches = arr(cfg['searches']).map(str);
  if (searches.length > MAX_DNS_SEARCH_PATHS) errs.push(invalid(`${at}.searches`, searches, `must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`));
  if (searches.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) {
    errs.push(invalid(`${at}.searches`, searches, `must not have more than ${MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list`));
  }
  searches.forEach((s, i) => {
    if (relaxedSearch && s === '.') return;
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    const msgs = relaxedSearch ? isDNS1123SubdomainWithUnderscore(trimmed) : isDNS1123Subdomain(trimmed);
    errs.push(...invalidEach(`${at}.searches[${i}]`, trimmed, msgs));
  });
  arr(cfg['options']).map(obj).forEach((o, i) => {
    if (!str(o['name'])) errs.push(required(`${at}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}

function validateNames(spec: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['serviceAccountName', 'nodeName']) {
    const v = str(spec[key]);
    if (v) errs.push(...invalidEach(`${path}.${key}`, v, isDNS1123Subdomain(v)));
  }
  if (has(spec, 'activeDeadlineSeconds')) {
    const v = spec['activeDeadlineSeconds'];
    if (typeof v === 'number' && (v < 1 || v > MAX_INT32)) errs.push(invalid(`${path}.activeDeadlineSeconds`, v, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  for (const key of ['hostname', 'subdomain']) {
    const v = str(spec[key]);
    if (v) errs.push(...invalidEach(`${path}.${key}`, v, isDNS1123Label(v)));
  }
  const tolerations = arr(spec['tolerations']);
  if (tolerations.length > 0) errs.push(...validateTolerations(tolerations, `${path}.tolerations`));
  arr(spec['hostAliases']).map(obj).forEach((a, i) => {
    errs.push(...isValidIP(`${path}.hostAliases[${i}].ip`, str(a['ip'])));
    arr(a['hostnames']).forEach((h, j) => errs.push(...invalidEach(`${path}.hostAliases[${i}].hostnames[${j}]`, str(h), isDNS1123Subdomain(str(h)))));
  });
  const pc = str(spec['priorityClassName']);
  if (pc) errs.push(...invalidEach(`${path}.priorityClassName`, pc, isDNS1123Subdomain(pc)));
  if (has(spec, 'runtimeClassName')) {
    const rc = str(spec['runtimeClassName']);
    errs.push(...invalidEach(`${path}.runtimeClassName`, rc, isDNS1123Subdomain(rc)));
  }
  if (has(spec, 'preemptionPolicy')) {
    const pp = str(spec['preemptionPolicy']);
    if (!pp) errs.push(required(`${path}.preemptionPolicy`, ''));
    else if (!PREEMPTION_POLICIES.includes(pp)) errs.push(notSupported(`${path}.preemptionPolicy`, pp, PREEMPTION_POLICIES));
  }
  return errs;
}

/** `ValidatePodSpec` at `path` (`spec`, `spec.template.spec`, …), as far as the module comment says. */
export function validatePodSpec(spec: Rec, path: string, opts: PodSpecOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (!has(spec, 'terminationGracePeriodSeconds')) errs.push(required(`${path}.terminationGracePeriodSeconds`, ''));
  const grace = spec['terminationGracePeriodSeconds'];
  const handler: HandlerOptions = { gracePeriod: typeof grace === 'number' ? grace : undefined, allowZeroSleep: opts.allowZeroSleep };
  const hostUsers = podUsesHostUsers(spec);
  const { errs: volErrs, names: volumes } = validateVolumes(containersOf(spec, 'volumes'), path);
  errs.push(...volErrs);
  errs.push(...validateContainers(spec, path, volumes, handler, hostUsers, opts.relaxedEnvNames));
  errs.push(...validateInitContainers(spec, path, volumes, handler, hostUsers, opts.relaxedEnvNames));
  errs.push(...validateEphemeralContainerNames(spec, path));
  errs.push(...validateHostNetworkPorts(spec, path, opts.resourceIsPod));
  const restart = spec['restartPolicy'];
  if (!restart) errs.push(required(`${path}.restartPolicy`, ''));
  else if (!RESTART_POLICIES.includes(str(restart))) errs.push(notSupported(`${path}.restartPolicy`, restart, RESTART_POLICIES));
  const dns = spec['dnsPolicy'];
  if (!dns) errs.push(required(`${path}.dnsPolicy`, ''));
  else if (!DNS_POLICIES.includes(str(dns))) errs.push(notSupported(`${path}.dnsPolicy`, dns, DNS_POLICIES));
  errs.push(...validateLabels(obj(spec['nodeSelector']) as Record<string, string>, `${path}.nodeSelector`));
  errs.push(...validatePodSecurityContext(spec, path));
  errs.push(...validateAffinity(spec, path));
  errs.push(...validateDNSConfig(spec, path, opts.relaxedDNSSearch));
  arr(spec['readinessGates']).map(obj).forEach((g, i) => {
    const t = str(g['conditionType']);
    errs.push(...invalidEach(`${path}.readinessGates[${i}].conditionType`, t, isQualifiedName(t)));
  });
  const gates = new Set<string>();
  arr(spec['schedulingGates']).map(obj).forEach((g, i) => {
    const name = str(g['name']);
    errs.push(...invalidEach(`${path}.schedulingGates[${i}]`, name, isQualifiedName(name)));
    if (gates.has(name)) errs.push(duplicate(`${path}.schedulingGates[${i}]`, name));
    gates.add(name);
  });
  errs.push(...validateTopologySpreadConstraints(arr(spec['topologySpreadConstraints']), `${path}.topologySpreadConstraints`));
  errs.push(...validateHostUsers(spec, path));
  errs.push(...validateNames(spec, path));
  errs.push(...validatePodOS(spec, path));
  return errs;
}
