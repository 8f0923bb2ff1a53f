/**
 * `spec.os`, after pkg/apis/core/validation's `validateOS`, `validateLinux` and `validateWindows`:
 * the name is `linux` or `windows`; a linux pod may not carry Windows options, a windows pod none
 * of the Linux-only security fields (pod and every container, init and ephemeral included).
 */
import type { FieldError } from '../../errors/status.js';
import { arr, forbidden, notSupported, obj, required, str } from './field.js';

type Rec = Record<string, unknown>;

const VALID_OS = ['linux', 'windows'];
const WINDOWS_MSG = 'cannot be set for a windows pod';
const LINUX_MSG = 'windows options cannot be set for a linux pod';

/** Each container with its field path, in upstream's `VisitContainersWithPath` order. */
function containersWithPath(spec: Rec, path: string): Array<[Rec, string]> {
  const out: Array<[Rec, string]> = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    arr(spec[key]).forEach((c, i) => out.push([obj(c), `${path}.${key}[${i}]`]));
  }
  return out;
}

function has(o: Rec, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

function linuxRules(spec: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (has(obj(spec['securityContext']), 'windowsOptions')) errs.push(forbidden(`${path}.securityContext.windowsOptions`, LINUX_MSG));
  for (const [c, at] of containersWithPath(spec, path)) {
    if (has(obj(c['securityContext']), 'windowsOptions')) errs.push(forbidden(`${at}.securityContext.windowsOptions`, LINUX_MSG));
  }
  return errs;
}

const POD_SC_LINUX_ONLY = ['appArmorProfile', 'seLinuxOptions'];
const POD_SC_LINUX_ONLY_AFTER = ['seccompProfile', 'fsGroup', 'fsGroupChangePolicy'];
const CONTAINER_SC_LINUX_ONLY = ['appArmorProfile', 'seLinuxOptions', 'seccompProfile', 'capabilities', 'readOnlyRootFilesystem', 'privileged', 'allowPrivilegeEscalation', 'procMount', 'runAsUser', 'runAsGroup'];

function windowsRules(spec: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sc = obj(spec['securityContext']);
  const scPath = `${path}.securityContext`;
  for (const key of POD_SC_LINUX_ONLY) if (has(sc, key)) errs.push(forbidden(`${scPath}.${key}`, WINDOWS_MSG));
  if (has(spec, 'hostUsers')) errs.push(forbidden(`${path}.hostUsers`, WINDOWS_MSG));
  if (spec['hostPID'] === true) errs.push(forbidden(`${path}.hostPID`, WINDOWS_MSG));
  if (spec['hostIPC'] === true) errs.push(forbidden(`${path}.hostIPC`, WINDOWS_MSG));
  for (const key of POD_SC_LINUX_ONLY_AFTER) if (has(sc, key)) errs.push(forbidden(`${scPath}.${key}`, WINDOWS_MSG));
  if (arr(sc['sysctls']).length > 0) errs.push(forbidden(`${scPath}.sysctls`, WINDOWS_MSG));
  if (has(spec, 'shareProcessNamespace')) errs.push(forbidden(`${path}.shareProcessNamespace`, WINDOWS_MSG));
  for (const key of ['runAsUser', 'runAsGroup', 'supplementalGroups', 'supplementalGroupsPolicy', 'seLinuxChangePolicy']) {
    if (has(sc, key)) errs.push(forbidden(`${scPath}.${key}`, WINDOWS_MSG));
  }
  for (const [c, at] of containersWithPath(spec, path)) {
    const csc = obj(c['securityContext']);
    for (const key of CONTAINER_SC_LINUX_ONLY) if (has(csc, key)) errs.push(forbidden(`${at}.securityContext.${key}`, WINDOWS_MSG));
  }
  return errs;
}

/** `validateOS` and, when the name is valid, the rules of that OS; nothing without `spec.os`. */
export function validatePodOS(spec: Rec, path: string): FieldError[] {
  const os = spec['os'];
  if (os === undefined || os === null) return [];
  const name = str(obj(os)['name']);
  if (!name) return [required(`${path}.os.name`, 'cannot be empty')];
  if (!VALID_OS.includes(name)) return [notSupported(`${path}.os`, name, VALID_OS)];
  return name === 'linux' ? linuxRules(spec, path) : windowsRules(spec, path);
}
