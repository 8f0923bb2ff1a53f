/**
 * Pod and container security contexts, after pkg/apis/core/validation's
 * `validatePodSpecSecurityContext`, `ValidateSecurityContext`, `validateSysctls`,
 * `validateSeccompProfileField`, `ValidateAppArmorProfileField` and `validateHostUsers`: user and
 * group IDs in 0..2147483647, shareProcessNamespace with hostPID, sysctl names (unique, not a
 * namespaced one shared with the host), fsGroupChangePolicy, seccomp and AppArmor profile types with
 * their localhost paths, supplementalGroupsPolicy, seLinuxChangePolicy, procMount, and the
 * allowPrivilegeEscalation=false combinations with privileged and CAP_SYS_ADMIN.
 *
 * `privileged: true` is accepted, as a kube-apiserver started with `--allow-privileged=true`
 * (what kubeadm and kind set) accepts it. Windows options are not checked here.
 * A struct in a bad value (the security context of the allowPrivilegeEscalation errors, the seccomp
 * profile) prints as JSON: Go's `%#v` of it carries pointer addresses no one can reproduce.
 */
import type { FieldError } from '../../errors/status.js';
import { tooLongDetail } from '../validation.js';
import { arr, duplicate, invalid, notSupported, obj, required, str } from './field.js';

type Rec = Record<string, unknown>;

const MAX_ID = 2147483647;
const ID_RANGE = `must be between 0 and ${MAX_ID}, inclusive`;

const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_RE = `^(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}$`;
const SYSCTL_MAX_LENGTH = 253;

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** `IsValidUserID`/`IsValidGroupID` as an Invalid error at `field`. */
function validateId(v: unknown, field: string): FieldError[] {
  if (typeof v !== 'number') return [];
  return v < 0 || v > MAX_ID ? [invalid(field, v, ID_RANGE)] : [];
}

/** `validateLocalDescendingPath`: relative, no `..` segment. */
export function validateLocalDescendingPath(path: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (path.startsWith('/')) errs.push(invalid(field, path, 'must be a relative path'));
  if (path.replace(/\\/g, '/').split('/').includes('..')) errs.push(invalid(field, path, "must not contain '..'"));
  return errs;
}

function validateSeccompProfile(sp: unknown, field: string): FieldError[] {
  if (!isSet(sp)) return [];
  const p = obj(sp);
  const errs: FieldError[] = [];
  const type = str(p['type']);
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!type) errs.push(required(`${field}.type`, 'type is required when seccompProfile is set'));
  else if (!types.includes(type)) errs.push(notSupported(`${field}.type`, type, types));
  if (type === 'Localhost') {
    if (!isSet(p['localhostProfile'])) errs.push(required(`${field}.localhostProfile`, 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(str(p['localhostProfile']), `${field}.localhostProfile`));
  } else if (isSet(p['localhostProfile'])) {
    errs.push(invalid(`${field}.localhostProfile`, p, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateAppArmorProfile(ap: unknown, field: string): FieldError[] {
  if (!isSet(ap)) return [];
  const p = obj(ap);
  const errs: FieldError[] = [];
  const local = p['localhostProfile'];
  switch (str(p['type'])) {
    case 'Localhost': {
      if (!isSet(local)) {
        errs.push(required(`${field}.localhostProfile`, 'must be set when AppArmor type is Localhost'));
        break;
      }
      const s = str(local);
      if (s.trim() !== s) errs.push(invalid(`${field}.localhostProfile`, s, 'must not be padded with whitespace'));
      else if (s === '') errs.push(required(`${field}.localhostProfile`, 'must be set when AppArmor type is Localhost'));
      if (Buffer.byteLength(s) > 4095) errs.push({ type: 'FieldValueTooLong', field: `${field}.localhostProfile`, value: '', detail: tooLongDetail(4095) });
      break;
    }
    case 'RuntimeDefault':
    case 'Unconfined':
      if (isSet(local)) errs.push(invalid(`${field}.localhostProfile`, local, 'can only be set when AppArmor type is Localhost'));
      break;
    case '':
      errs.push(required(`${field}.type`, 'type is required when appArmorProfile is set'));
      break;
    default:
      errs.push(notSupported(`${field}.type`, str(p['type']), ['Localhost', 'RuntimeDefault', 'Unconfined']));
  }
  return errs;
}

/** The namespace a sysctl belongs to (component-helpers' `GetNamespace`): `ipc`, `net` or none. */
function sysctlNamespace(name: string): 'ipc' | 'net' | undefined {
  const n = name.replace(/\//g, '.');
  if (n === 'kernel.sem' || n.startsWith('kernel.shm') || n.startsWith('kernel.msg') || n.startsWith('fs.mqueue.')) return 'ipc';
  if (n.startsWith('net.')) return 'net';
  return undefined;
}

function validateSysctls(sysctls: Rec[], spec: Rec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const re = new RegExp(SYSCTL_RE);
  sysctls.forEach((s, i) => {
    const at = `${field}[${i}].name`;
    const name = str(s['name']);
    if (!name) errs.push(required(at, ''));
    else if (name.length > SYSCTL_MAX_LENGTH || !re.test(name)) errs.push(invalid(at, name, `must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_RE}`));
    else if (names.has(name)) errs.push(duplicate(at, name));
    const ns = sysctlNamespace(name);
    if (spec['hostNetwork'] === true && ns === 'net') errs.push(invalid(at, name, "may not be specified when 'hostNetwork' is true"));
    else if (spec['hostIPC'] === true && ns === 'ipc') errs.push(invalid(at, name, "may not be specified when 'hostIPC' is true"));
    names.add(name);
  });
  return errs;
}

/** `validatePodSpecSecurityContext` (the pod-level security context; host namespaces are in `spec`). */
export function validatePodSecurityContext(spec: Rec, path: string): FieldError[] {
  // core/v1 defaulting gives every pod spec a securityContext, so the checks run without one too.
  const s = obj(spec['securityContext']);
  const at = `${path}.securityContext`;
  const errs: FieldError[] = [];
  errs.push(...validateId(s['fsGroup'], `${at}.fsGroup`));
  errs.push(...validateId(s['runAsUser'], `${at}.runAsUser`));
  errs.push(...validateId(s['runAsGroup'], `${at}.runAsGroup`));
  arr(s['supplementalGroups']).forEach((g, i) => errs.push(...validateId(g, `${at}.supplementalGroups[${i}]`)));
  if (spec['shareProcessNamespace'] === true && spec['hostPID'] === true) {
    errs.push(invalid(`${at}.shareProcessNamespace`, true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  const sysctls = arr(s['sysctls']).map(obj);
  if (sysctls.length > 0) errs.push(...validateSysctls(sysctls, spec, `${at}.sysctls`));
  if (isSet(s['fsGroupChangePolicy']) && !['Always', 'OnRootMismatch'].includes(str(s['fsGroupChangePolicy']))) {
    errs.push(notSupported(`${at}.fsGroupChangePolicy`, str(s['fsGroupChangePolicy']), ['Always', 'OnRootMismatch']));
  }
  errs.push(...validateSeccompProfile(s['seccompProfile'], `${at}.seccompProfile`));
  errs.push(...validateAppArmorProfile(s['appArmorProfile'], `${at}.appArmorProfile`));
  if (isSet(s['supplementalGroupsPolicy']) && !['Merge', 'Strict'].includes(str(s['supplementalGroupsPolicy']))) {
    errs.push(notSupported(`${at}.supplementalGroupsPolicy`, str(s['supplementalGroupsPolicy']), ['Merge', 'Strict']));
  }
  if (isSet(s['seLinuxChangePolicy']) && !['MountOption', 'Recursive'].includes(str(s['seLinuxChangePolicy']))) {
    errs.push(notSupported(`${at}.seLinuxChangePolicy`, str(s['seLinuxChangePolicy']), ['MountOption', 'Recursive']));
  }
  return errs;
}

/** Whether the pod uses the host's user namespace (`hostUsers` unset or true). */
export function podUsesHostUsers(spec: Rec): boolean {
  return spec['hostUsers'] !== false;
}

/** `validateHostUsers`: with hostUsers false, no host network, PID or IPC namespace. */
export function validateHostUsers(spec: Rec, path: string): FieldError[] {
  if (podUsesHostUsers(spec)) return [];
  const errs: FieldError[] = [];
  // Upstream names the last two by their Go field names.
  if (spec['hostNetwork'] === true) errs.push({ type: 'FieldValueForbidden', field: `${path}.hostNetwork`, detail: 'when `pod.Spec.HostUsers` is false' });
  if (spec['hostPID'] === true) errs.push({ type: 'FieldValueForbidden', field: `${path}.HostPID`, detail: 'when `pod.Spec.HostUsers` is false' });
  if (spec['hostIPC'] === true) errs.push({ type: 'FieldValueForbidden', field: `${path}.HostIPC`, detail: 'when `pod.Spec.HostUsers` is false' });
  return errs;
}

/** `ValidateSecurityContext` of one container. */
export function validateContainerSecurityContext(c: Rec, path: string, hostUsers: boolean): FieldError[] {
  const sc = c['securityContext'];
  if (!isSet(sc)) return [];
  const s = obj(sc);
  const at = `${path}.securityContext`;
  const errs: FieldError[] = [];
  errs.push(...validateId(s['runAsUser'], `${at}.runAsUser`));
  errs.push(...validateId(s['runAsGroup'], `${at}.runAsGroup`));
  if (isSet(s['procMount'])) {
    const pm = str(s['procMount']);
    if (!['Default', 'Unmasked'].includes(pm)) errs.push(notSupported(`${at}.procMount`, pm, ['Default', 'Unmasked']));
    if (hostUsers && pm === 'Unmasked') errs.push(invalid(`${at}.procMount`, pm, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(s['seccompProfile'], `${at}.seccompProfile`));
  if (s['allowPrivilegeEscalation'] === false) {
    if (s['privileged'] === true) errs.push(invalid(at, s, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of arr(obj(s['capabilities'])['add'])) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(invalid(at, s, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateAppArmorProfile(s['appArmorProfile'], `${at}.appArmorProfile`));
  return errs;
}
