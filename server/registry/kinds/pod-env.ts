/**
 * Container environment, after pkg/apis/core/validation's `ValidateEnv`, `validateEnvVarValueFrom`,
 * `validateObjectFieldSelector`, `validateContainerResourceFieldSelector`, the key selectors and
 * `ValidateEnvFrom`: names (apimachinery's `IsEnvVarName`, or `IsRelaxedEnvVarName` where
 * RelaxedEnvironmentVariableValidation is on), exactly one valueFrom source and none beside a value,
 * downward-API field paths (`v1` only, the supported paths and label/annotation subscripts),
 * resource field names, ConfigMap/Secret names and keys, envFrom prefixes and sources.
 * Not covered: resourceFieldRef divisors.
 */
import type { FieldError } from '../../errors/status.js';
import { isConfigMapKey, isQualifiedName, nameIsDNSSubdomain, regexError } from '../validation.js';
import { arr, invalid, invalidEach, notSupported, obj, required, str } from './field.js';

type Rec = Record<string, unknown>;

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const ENV_VAR_NAME_ERR = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const RELAXED_ENV_VAR_NAME_ERR = "a valid environment variable name must consist only of printable ASCII characters other than '='";

/** The downward-API paths an env var may read (`validEnvDownwardAPIFieldPathExpressions`), sorted. */
const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
/** The labels `ConvertDownwardAPIFieldLabel` accepts for a v1 pod. */
const CONVERTIBLE_FIELD_LABELS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy',
  'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);
/** `validContainerResourceFieldPathExpressions`, sorted. */
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const RESOURCE_FIELD_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];

function has(o: Rec, key: string): boolean {
  return o[key] !== undefined && o[key] !== null;
}

/** apimachinery's `hasChDirPrefix`. */
function chDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** `IsEnvVarName` or, relaxed, `IsRelaxedEnvVarName`. */
function envVarNameErrors(name: string, relaxed: boolean): string[] {
  if (relaxed) {
    const errs: string[] = [];
    if (name.length === 0) errs.push('environment variable name must be non-empty');
    if ([...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) > 0x7e || ch === '=')) errs.push(RELAXED_ENV_VAR_NAME_ERR);
    return errs;
  }
  const errs: string[] = [];
  if (!new RegExp(`^${ENV_VAR_NAME_FMT}$`).test(name)) errs.push(regexError(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  return [...errs, ...chDirPrefix(name)];
}

/** fieldpath's `SplitMaybeSubscriptedPath`: `metadata.labels['x']` → [`metadata.labels`, `x`]. */
function splitSubscript(path: string): [string, string] | undefined {
  if (!path.endsWith("']")) return undefined;
  const s = path.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return undefined;
  return [s.slice(0, i), s.slice(i + 2)];
}

function validateFieldRef(fs: Rec, field: string): FieldError[] {
  const apiVersion = str(fs['apiVersion']);
  const fieldPath = str(fs['fieldPath']);
  if (!apiVersion) return [required(`${field}.apiVersion`, '')];
  if (!fieldPath) return [required(`${field}.fieldPath`, '')];
  let convertError: string | undefined;
  const sub = splitSubscript(fieldPath);
  if (apiVersion !== 'v1') convertError = `unsupported pod version: ${apiVersion}`;
  else if (sub && sub[0] !== 'metadata.annotations' && sub[0] !== 'metadata.labels') convertError = `field label does not support subscript: ${fieldPath}`;
  else if (!sub && !CONVERTIBLE_FIELD_LABELS.has(fieldPath) && fieldPath !== 'spec.host') convertError = `field label not supported: ${fieldPath}`;
  if (convertError) return [invalid(`${field}.fieldPath`, fieldPath, `error converting fieldPath: ${convertError}`)];
  if (sub) {
    const key = sub[0] === 'metadata.annotations' ? sub[1].toLowerCase() : sub[1];
    return invalidEach(field, key, isQualifiedName(key));
  }
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  return ENV_FIELD_PATHS.includes(internal) ? [] : [notSupported(`${field}.fieldPath`, internal, ENV_FIELD_PATHS)];
}

function validateResourceFieldRef(fs: Rec, field: string): FieldError[] {
  const resource = str(fs['resource']);
  if (!resource) return [required(`${field}.resource`, '')];
  if (RESOURCE_FIELD_PATHS.includes(resource) || RESOURCE_FIELD_PREFIXES.some((p) => resource.startsWith(p))) return [];
  return [notSupported(`${field}.resource`, resource, RESOURCE_FIELD_PATHS)];
}

function validateKeySelector(s: Rec, field: string): FieldError[] {
  const name = str(s['name']);
  const errs = invalidEach(`${field}.name`, name, nameIsDNSSubdomain(name, false));
  const key = str(s['key']);
  if (!key) errs.push(required(`${field}.key`, ''));
  else errs.push(...invalidEach(`${field}.key`, key, isConfigMapKey(key)));
  return errs;
}

function validateValueFrom(ev: Rec, field: string): FieldError[] {
  if (!has(ev, 'valueFrom')) return [];
  const vf = obj(ev['valueFrom']);
  const errs: FieldError[] = [];
  let sources = 0;
  if (has(vf, 'fieldRef')) {
    sources++;
    errs.push(...validateFieldRef(obj(vf['fieldRef']), `${field}.fieldRef`));
  }
  if (has(vf, 'resourceFieldRef')) {
    sources++;
    errs.push(...validateResourceFieldRef(obj(vf['resourceFieldRef']), `${field}.resourceFieldRef`));
  }
  for (const key of ['configMapKeyRef', 'secretKeyRef']) {
    if (!has(vf, key)) continue;
    sources++;
    errs.push(...validateKeySelector(obj(vf[key]), `${field}.${key}`));
  }
  if (sources === 0) errs.push(invalid(field, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (str(ev['value'])) errs.push(invalid(field, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errs.push(invalid(field, '', 'may not have more than one field specified at a time'));
  return errs;
}

/** The core/v1 default of a downward-API env source: `fieldRef.apiVersion` v1. */
export function defaultEnv(c: Rec): void {
  for (const ev of arr(c['env']).map(obj)) {
    const fieldRef = obj(ev['valueFrom'])['fieldRef'];
    if (fieldRef !== undefined && fieldRef !== null && !obj(fieldRef)['apiVersion']) obj(fieldRef)['apiVersion'] = 'v1';
  }
}

/** `ValidateEnv` and `ValidateEnvFrom` of one container. */
export function validateContainerEnv(c: Rec, path: string, relaxedNames: boolean): FieldError[] {
  const errs: FieldError[] = [];
  arr(c['env']).map(obj).forEach((ev, i) => {
    const at = `${path}.env[${i}]`;
    const name = str(ev['name']);
    if (!name) errs.push(required(`${at}.name`, ''));
    else errs.push(...invalidEach(`${at}.name`, name, envVarNameErrors(name, relaxedNames)));
    errs.push(...validateValueFrom(ev, `${at}.valueFrom`));
  });
  arr(c['envFrom']).map(obj).forEach((ef, i) => {
    const at = `${path}.envFrom[${i}]`;
    const prefix = str(ef['prefix']);
    if (prefix) errs.push(...invalidEach(`${at}.prefix`, prefix, envVarNameErrors(prefix, relaxedNames)));
    let sources = 0;
    for (const key of ['configMapRef', 'secretRef']) {
      if (!has(ef, key)) continue;
      sources++;
      const name = str(obj(ef[key])['name']);
      if (!name) errs.push(required(`${at}.${key}.name`, ''));
      else errs.push(...invalidEach(`${at}.${key}.name`, name, nameIsDNSSubdomain(name, true)));
    }
    // Upstream reports both at the list's own path.
    if (sources === 0) errs.push(invalid(`${path}.envFrom`, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(`${path}.envFrom`, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}
