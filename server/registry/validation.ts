/**
 * Object metadata validation with kube-apiserver's messages.
 *
 * The string checks follow k8s.io/apimachinery/pkg/util/validation/validation.go (DNS-1123
 * subdomain/label, DNS-1035 label, qualified names, label values, config keys) and
 * k8s.io/apimachinery/pkg/api/validation/path/name.go (path segment names); the metadata checks
 * follow k8s.io/apimachinery/pkg/api/validation/objectmeta.go (`ValidateObjectMeta`,
 * `ValidateObjectMetaUpdate`) plus the core additions of pkg/apis/core/validation (kube finalizer
 * names, ConfigMap and Secret data). Every check returns upstream's `field.Error`s as
 * {@link FieldError}s so a caller can answer with `invalid(...)` from status.ts.
 */
import { intToIP, ipToInt } from './service/cidr.js';
import type { FieldError } from '../errors/status.js';

// ---------------------------------------------------------------------------------------------
// String checks (k8s.io/apimachinery/pkg/util/validation)
// ---------------------------------------------------------------------------------------------

/** `must be no more than N characters`, upstream's `MaxLenError`. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/**
 * Upstream's `RegexError`: `msg (e.g. 'a',  or 'b', regex used for validation is 're')`. The double
 * space before `or` is upstream's: every example is followed by `, ` and then ` or ` is added.
 */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += ' or ';
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

/** `must be non-empty`, upstream's `EmptyError`. */
export function emptyError(): string {
  return 'must be non-empty';
}

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);

/** Max length of a DNS-1123 label and a DNS-1035 label. */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Max length of a DNS-1123 subdomain. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

/** Byte length as Go's `len(string)` counts it (UTF-8). */
function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Checks a DNS-1123 label (namespaces); returns upstream's messages, empty when valid. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a valid label (length already checked) must contain dots.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** Checks a DNS-1123 subdomain (most object names); returns upstream's messages, empty when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** Checks a DNS-1035 label (services); returns upstream's messages, empty when valid. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

const QUALIFIED_NAME_CHAR = '[A-Za-z0-9]';
const QUALIFIED_NAME_EXT_CHAR = '[-A-Za-z0-9_.]';
const QUALIFIED_NAME_FMT = `(${QUALIFIED_NAME_CHAR}${QUALIFIED_NAME_EXT_CHAR}*)?${QUALIFIED_NAME_CHAR}`;
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX_LENGTH = 63;
const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME_FMT}$`);

/**
 * Checks a qualified name (label keys, annotation keys, finalizers): an optional DNS-1123 subdomain
 * prefix and `/`, then a name of at most 63 characters. Returns upstream's messages.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else for (const msg of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
/** Max length of a label value. */
export const LABEL_VALUE_MAX_LENGTH = 63;
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** Checks a label value (empty allowed, at most 63 characters); returns upstream's messages. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const configMapKeyRe = new RegExp(`^${CONFIG_MAP_KEY_FMT}$`);

/** Checks a ConfigMap or Secret data key (upstream's `IsConfigMapKey`); returns upstream's messages. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!configMapKeyRe.test(value)) errs.push(regexError(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Checks a name that becomes one path segment (RBAC objects); returns upstream's messages. */
export function isValidPathSegmentName(name: string): string[] {
  for (const illegal of ['.', '..']) if (name === illegal) return [`may not be '${illegal}'`];
  return isValidPathSegmentPrefix(name);
}

/** Checks a path segment name prefix (for generateName): no `/`, no `%`. */
export function isValidPathSegmentPrefix(name: string): string[] {
  const errs: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) errs.push(`may not contain '${illegal}'`);
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Name validators (k8s.io/apimachinery/pkg/api/validation/generic.go)
// ---------------------------------------------------------------------------------------------

/** A `ValidateNameFunc`: messages for an invalid name; `prefix` is true for a generateName. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** Replaces a trailing dash of a generateName so the prefix can be checked (upstream's `maskTrailingDash`). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** Names that must be DNS-1123 subdomains (pods, configmaps, secrets, deployments, …). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** Names that must be DNS-1123 labels (namespaces; statefulsets from 1.27). */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/** Names that must be DNS-1035 labels (services). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Names that only have to be a safe path segment (RBAC roles and bindings). */
export const nameIsPathSegment: NameValidator = (name, prefix) => (prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name));

/** Names without constraint (CertificateSigningRequests: "We don't care what you call your certificate requests."). */
export const nameIsAnything: NameValidator = () => [];

/**
 * networking's `ValidateIPAddressName`: an IPAddress is named after its address, in canonical form.
 * The parse failure text is netip.ParseAddr's generic one (Go's says more for some inputs).
 */
export const nameIsIPAddress: NameValidator = (name) => {
  const family = name.includes(':') ? 'IPv6' : 'IPv4';
  const n = ipToInt(name, family);
  if (n === undefined) return [`ParseAddr(${JSON.stringify(name)}): unable to parse IP`];
  return intToIP(n, family) === name ? [] : ['must be a canonical format IP address'];
};

/** group/resource → validator, for resources that do not use a DNS-1123 subdomain. */
const NAME_VALIDATORS: Record<string, NameValidator> = {
  '/namespaces': nameIsDNSLabel,
  '/services': nameIsDNS1035Label,
  'rbac.authorization.k8s.io/roles': nameIsPathSegment,
  'rbac.authorization.k8s.io/clusterroles': nameIsPathSegment,
  'rbac.authorization.k8s.io/rolebindings': nameIsPathSegment,
  'rbac.authorization.k8s.io/clusterrolebindings': nameIsPathSegment,
  'certificates.k8s.io/certificatesigningrequests': nameIsAnything,
  // kube-aggregator's ValidateAPIService: a path segment (then `<version>.<group>`), so the core
  // group's APIService can be named `v1.`.
  'apiregistration.k8s.io/apiservices': nameIsPathSegment,
  'networking.k8s.io/ipaddresses': nameIsIPAddress,
};

/**
 * The name validator upstream uses for a resource: DNS-1123 label for namespaces (and statefulsets
 * where the minor's `statefulSetNameRule` says so, the newest minor's rule by default), DNS-1035 label for services, path segment names for
 * RBAC roles and bindings, none for CSRs, DNS-1123 subdomain for everything else.
 */
export function nameValidatorFor(group: string, resource: string, statefulSetNameRule: 'dns-subdomain' | 'dns-label' = 'dns-label'): NameValidator {
  if (group === 'apps' && resource === 'statefulsets') return statefulSetNameRule === 'dns-label' ? nameIsDNSLabel : nameIsDNSSubdomain;
  return NAME_VALIDATORS[`${group}/${resource}`] ?? nameIsDNSSubdomain;
}

// ---------------------------------------------------------------------------------------------
// ObjectMeta
// ---------------------------------------------------------------------------------------------

/** The metadata fields validated here. */
export interface ValidatedMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  deletionGracePeriodSeconds?: number | null;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  ownerReferences?: Array<Record<string, unknown>> | null;
  finalizers?: string[] | null;
  [key: string]: unknown;
}

/** Options of {@link validateObjectMeta}. */
export interface ObjectMetaOptions {
  /** Whether the resource is namespaced (namespace required) or cluster-scoped (namespace forbidden). */
  namespaced: boolean;
  /** The resource's name validator, e.g. from {@link nameValidatorFor}. */
  nameValidator: NameValidator;
  /** True on create. On update pass `old` to add the update checks (immutable fields, resourceVersion). */
  isCreate: boolean;
  /** The stored metadata, for the update checks. */
  old?: ValidatedMeta;
  /** The path prefix; `metadata` unless the metadata is nested (a pod template). */
  path?: string;
  /**
   * False for kinds validated by apimachinery's ValidateObjectMeta alone (CRDs, APIServices, custom
   * resources): finalizer names need not be standard or domain-qualified.
   */
  kubeFinalizerNames?: boolean;
}

/** Upstream's total annotation size limit, 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** The "Too long" detail for a byte limit, as upstream's `field.TooLong`. */
export function tooLongDetail(maxLength: number): string {
  return `must have at most ${maxLength} bytes`;
}

function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

/** Validates a label map (keys as qualified names, values as label values) at `path`. */
export function validateLabels(labels: Record<string, string> | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(path, k, msg));
    for (const msg of isValidLabelValue(String(v))) errs.push(invalid(path, v, msg));
  }
  return errs;
}

/** Validates annotations: keys (case-insensitively) as qualified names, total size at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    size += byteLength(k) + byteLength(String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push({ type: 'FieldValueTooLong', field: path, value: '', detail: tooLongDetail(TOTAL_ANNOTATION_SIZE_LIMIT) });
  return errs;
}

/** Kinds that may not own other objects (upstream's `BannedOwners`). */
const BANNED_OWNERS = new Set(['/v1/Event']);

function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Validates ownerReferences as upstream's `ValidateOwnerReferences` (paths are not indexed, as upstream's). */
export function validateOwnerReferences(refs: Array<Record<string, unknown>> | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = typeof ref['apiVersion'] === 'string' ? ref['apiVersion'] : '';
    const kind = typeof ref['kind'] === 'string' ? ref['kind'] : '';
    const name = typeof ref['name'] === 'string' ? ref['name'] : '';
    const uid = typeof ref['uid'] === 'string' ? ref['uid'] : '';
    const gv = parseApiVersion(apiVersion);
    if (gv.version === '') errs.push(invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (kind === '') errs.push(invalid(`${path}.kind`, kind, 'must not be empty'));
    if (name === '') errs.push(invalid(`${path}.name`, name, 'must not be empty'));
    if (uid === '') errs.push(invalid(`${path}.uid`, uid, 'must not be empty'));
    if (BANNED_OWNERS.has(`${gv.group}/${gv.version}/${kind}`)) {
      errs.push(invalid(path, ref, `${gv.group}/${gv.version}, Kind=${kind} is disallowed from being an owner`));
    }
    if (ref['controller'] === true) {
      const current = `${kind}/${name}`;
      if (firstController !== '') {
        errs.push(
          invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

/** The finalizers Kubernetes itself uses, allowed without a domain prefix. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/**
 * Validates finalizers: qualified names at `path`, `orphan` and `foregroundDeletion` not both, and
 * (as pkg/apis/core/validation adds for built-in kinds, when `kubeNames`) a domain prefix unless
 * standard, at `path[i]`.
 */
export function validateFinalizers(finalizers: string[] | null | undefined, path: string, kubeNames = true): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) for (const msg of isQualifiedName(f)) errs.push(invalid(path, f, msg));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  if (!kubeNames) return errs;
  list.forEach((f, i) => {
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalid(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The update-only checks of upstream's `ValidateObjectMetaAccessorUpdate`. */
function validateMetaUpdate(meta: ValidatedMeta, old: ValidatedMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const before = new Set(old.finalizers ?? []);
    const extra = [...new Set((meta.finalizers ?? []).filter((f) => !before.has(f)))].sort();
    if (extra.length > 0) {
      errs.push({
        type: 'FieldValueForbidden',
        field: `${path}.finalizers`,
        detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`,
      });
    }
  }
  if (!meta.resourceVersion) errs.push(invalid(`${path}.resourceVersion`, meta.resourceVersion ?? '', 'must be specified for an update'));
  if ((meta.generation ?? 0) < (old.generation ?? 0)) errs.push(invalid(`${path}.generation`, meta.generation ?? 0, 'must not be decremented'));
  const immutable: Array<[keyof ValidatedMeta, string]> = [
    ['name', 'name'],
    ['namespace', 'namespace'],
    ['uid', 'uid'],
    ['creationTimestamp', 'creationTimestamp'],
    ['deletionTimestamp', 'deletionTimestamp'],
    ['deletionGracePeriodSeconds', 'deletionGracePeriodSeconds'],
  ];
  for (const [key, child] of immutable) {
    const a = meta[key] === '' ? undefined : meta[key];
    const b = old[key] === '' ? undefined : old[key];
    if (!same(a, b)) errs.push(invalid(`${path}.${child}`, meta[key] ?? '', 'field is immutable'));
  }
  return errs;
}

/**
 * Validates object metadata as kube-apiserver does for built-in kinds: generateName and name
 * format (`name or generateName is required`), namespace required or forbidden
 * (`not allowed on this type`), generation not negative, labels, annotations (256 KiB in total),
 * ownerReferences and finalizers; on update (`isCreate` false with `old`), also the immutable fields
 * and `resourceVersion`. Returns upstream's field errors in upstream's order.
 */
export function validateObjectMeta(meta: ValidatedMeta | null | undefined, options: ObjectMetaOptions): FieldError[] {
  const m = meta ?? {};
  const path = options.path ?? 'metadata';
  const errs: FieldError[] = [];
  if (!options.isCreate && options.old !== undefined) errs.push(...validateMetaUpdate(m, options.old, path));
  if (m.generateName) for (const msg of options.nameValidator(m.generateName, true)) errs.push(invalid(`${path}.generateName`, m.generateName, msg));
  if (!m.name) errs.push({ type: 'FieldValueRequired', field: `${path}.name`, detail: 'name or generateName is required' });
  else for (const msg of options.nameValidator(m.name, false)) errs.push(invalid(`${path}.name`, m.name, msg));
  if (options.namespaced) {
    if (!m.namespace) errs.push({ type: 'FieldValueRequired', field: `${path}.namespace`, detail: '' });
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(invalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push({ type: 'FieldValueForbidden', field: `${path}.namespace`, detail: 'not allowed on this type' });
  }
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(invalid(`${path}.generation`, m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`, options.kubeFinalizerNames !== false));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// ConfigMap and Secret data (pkg/apis/core/validation)
// ---------------------------------------------------------------------------------------------

/** Upstream's `MaxSecretSize`, which also bounds a ConfigMap's data: 1 MiB. */
export const MAX_SECRET_SIZE = 1024 * 1024;

function base64Length(value: unknown): number {
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : 0;
}

function mapOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Validates a ConfigMap's `data` and `binaryData` (wire form: binaryData base64) as upstream's
 * `ValidateConfigMap` minus the metadata: config-key names at `data[key]`/`binaryData[key]`, no key
 * in both, and at most 1 MiB in total (reported at the empty path).
 */
export function validateConfigMapData(obj: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const data = mapOf(obj['data']);
  const binary = mapOf(obj['binaryData']);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, msg));
    if (Object.prototype.hasOwnProperty.call(binary, key)) errs.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    total += typeof value === 'string' ? byteLength(value) : 0;
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`binaryData[${key}]`, key, msg));
    total += base64Length(value);
  }
  if (total > MAX_SECRET_SIZE) errs.push({ type: 'FieldValueTooLong', field: '', value: '', detail: tooLongDetail(MAX_SECRET_SIZE) });
  return errs;
}

/**
 * Validates a Secret's data (wire form: `data` base64, `stringData` merged over it) as upstream's
 * `ValidateSecret` minus the metadata: config-key names at `data[key]`, at most 1 MiB at `data`,
 * and the keys each built-in `type` requires.
 */
export function validateSecretData(obj: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const sizes = new Map<string, number>();
  for (const [key, value] of Object.entries(mapOf(obj['data']))) sizes.set(key, base64Length(value));
  for (const [key, value] of Object.entries(mapOf(obj['stringData']))) sizes.set(key, typeof value === 'string' ? byteLength(value) : 0);
  let total = 0;
  for (const [key, size] of sizes) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, msg));
    total += size;
  }
  if (total > MAX_SECRET_SIZE) errs.push({ type: 'FieldValueTooLong', field: 'data', value: '', detail: tooLongDetail(MAX_SECRET_SIZE) });
  const required = (field: string): FieldError => ({ type: 'FieldValueRequired', field, detail: '' });
  const has = (key: string): boolean => sizes.has(key);
  const nonEmpty = (key: string): boolean => (sizes.get(key) ?? 0) > 0;
  switch (obj['type']) {
    case 'kubernetes.io/service-account-token': {
      const annotations = mapOf(mapOf(obj['metadata'])['annotations']);
      if (!annotations['kubernetes.io/service-account.name']) errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    }
    case 'kubernetes.io/dockercfg':
      if (!nonEmpty('.dockercfg')) errs.push(required('data[.dockercfg]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!nonEmpty('.dockerconfigjson')) errs.push(required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/basic-auth':
      // Upstream builds these paths from the literal "data[%s]", so they read `data[%s][username]`.
      if (!has('username') && !has('password')) errs.push(required('data[%s][username]'), required('data[%s][password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!nonEmpty('ssh-privatekey')) errs.push(required('data[%s][ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(required('data[tls.key]'));
      break;
  }
  return errs;
}
