/**
 * Container resource requirements, after pkg/apis/core/validation's
 * `ValidateContainerResourceRequirements`, `validateContainerResourceName`,
 * `ValidateResourceQuantityValue` and `validateResourceQuantityHugePageValue`, with the resource-name
 * helpers of pkg/apis/core/helper: each name qualified and standard (or fully qualified, native or a
 * valid extended resource), quantities non-negative (integers for extended resources), requests not
 * above limits (equal for resources that cannot be overcommitted, whose limit is then required),
 * hugepages multiples of their page size and only with cpu or memory.
 *
 * Limits are checked before requests, each in its written order (upstream ranges over Go maps, so
 * its order varies between calls). Quantities print in their canonical form (quantity.ts); the
 * integer check's bad value, a Go struct upstream, prints that way too.
 */
import type { FieldError } from '../../errors/status.js';
import { compareQuantity, parseQuantity, type Dec } from '../custom/cel/libs/quantity.js';
import { isQualifiedName } from '../validation.js';
import { canonicalQuantity } from './quantity.js';
import { invalid, invalidEach, obj, required } from './field.js';

type Rec = Record<string, unknown>;

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'quotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const INTEGER_RESOURCES = new Set(['pods', 'quotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
const HUGEPAGES_PREFIX = 'hugepages-';

function isHugePage(name: string): boolean {
  return name.startsWith(HUGEPAGES_PREFIX);
}

function isStandardResourceName(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || isHugePage(name) || name.startsWith(`requests.${HUGEPAGES_PREFIX}`);
}

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePage(name);
}

function isIntegerResourceName(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

/** `validateResourceName` then the container rules of `validateContainerResourceName`. */
function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = invalidEach(field, name, isQualifiedName(name));
  if (errs.length === 0 && !name.includes('/') && !isStandardResourceName(name)) {
    errs.push(invalid(field, name, 'must be a standard resource type or fully qualified'));
  }
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePage(name)) errs.push(invalid(field, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function parse(value: unknown): Dec | undefined {
  try {
    return parseQuantity(String(value));
  } catch {
    // A malformed quantity is refused when the body is decoded, not here.
    return undefined;
  }
}

/** `resource.Quantity.Value()`: the quantity rounded up to an integer. */
function ceilValue(d: Dec): bigint {
  if (d.e >= 0) return d.m * 10n ** BigInt(d.e);
  const div = 10n ** BigInt(-d.e);
  const q = d.m / div;
  return d.m > 0n && d.m % div !== 0n ? q + 1n : q;
}

/** `IsHugePageResourceValueDivisible`: the page size from the name is positive and whole, and divides the value. */
function hugePageDivisible(name: string, q: Dec): boolean {
  const size = parse(name.slice(HUGEPAGES_PREFIX.length));
  if (!size || size.m <= 0n || size.e < 0) return false;
  const pageSize = ceilValue(size);
  return ceilValue(q) % pageSize === 0n;
}

function validateQuantity(name: string, value: unknown, field: string): { errs: FieldError[]; q: Dec | undefined } {
  const errs: FieldError[] = [];
  const q = parse(value);
  if (!q) return { errs, q };
  const text = canonicalQuantity(value);
  if (q.m < 0n) errs.push(invalid(field, text, 'must be greater than or equal to 0'));
  if (isIntegerResourceName(name) && q.e < 0) errs.push(invalid(field, text, 'must be an integer'));
  if (isHugePage(name) && !hugePageDivisible(name, q)) errs.push(invalid(field, text, `${text} is not positive integer multiple of ${name}`));
  return { errs, q };
}

/** `ValidateContainerResourceRequirements` (without resource claims). */
export function validateResources(resources: Rec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = obj(resources['limits']);
  const requests = obj(resources['requests']);
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, value] of Object.entries(limits)) {
    const at = `${limPath}[${name}]`;
    errs.push(...validateContainerResourceName(name, at));
    errs.push(...validateQuantity(name, value, at).errs);
    if (isHugePage(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, value] of Object.entries(requests)) {
    const at = `${reqPath}[${name}]`;
    errs.push(...validateContainerResourceName(name, at));
    const { errs: qErrs, q } = validateQuantity(name, value, at);
    errs.push(...qErrs);
    if (name in limits) {
      const limit = parse(limits[name]);
      if (q && limit) {
        const cmp = compareQuantity(q, limit);
        const [req, lim] = [canonicalQuantity(value), canonicalQuantity(limits[name])];
        if (cmp !== 0 && !isOvercommitAllowed(name)) errs.push(invalid(reqPath, req, `must be equal to ${name} limit of ${lim}`));
        else if (cmp > 0) errs.push(invalid(reqPath, req, `must be less than or equal to ${name} limit of ${lim}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePage(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (hugePages && !cpuOrMemory) errs.push({ type: 'FieldValueForbidden', field: path, detail: 'HugePages require cpu or memory' });
  return errs;
}
