/**
 * The CEL environment of CRD validation rules: @bufbuild/cel's standard library and its strings
 * extension, plus the parts of Kubernetes' CEL library rules most often use that @bufbuild/cel
 * lacks (the lists library: `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf`) and the
 * optional methods an `optionalOldSelf` rule calls on `oldSelf` (`hasValue`, `value`, `orValue`;
 * `oldSelf` is null when there is no old value).
 */
import { CelScalar, celEnv, celMethod, isCelList, listType, type CelEnv, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** The list a list method receives, as a JS array. */
function items(list: unknown): unknown[] {
  if (Array.isArray(list)) return list;
  if (isCelList(list)) return [...(list as Iterable<unknown>)];
  return [];
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function equal(a: unknown, b: unknown): boolean {
  return a === b || ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number') && Number(a) === Number(b));
}

const LIST = listType(CelScalar.DYN);

/** Kubernetes' lists library, as far as kube-skew provides it. */
const KUBE_LISTS: CelFunc[] = [
  celMethod('isSorted', LIST, [], CelScalar.BOOL, function () {
    const xs = items(this);
    return xs.every((x, i) => i === 0 || compare(xs[i - 1], x) <= 0);
  }),
  celMethod('sum', LIST, [], CelScalar.DYN, function () {
    const xs = items(this);
    if (xs.length === 0 || typeof xs[0] === 'bigint') return xs.reduce<bigint>((s, x) => s + (x as bigint), 0n);
    return xs.reduce<number>((s, x) => s + Number(x), 0);
  }),
  celMethod('min', LIST, [], CelScalar.DYN, function () {
    return items(this).reduce((m, x) => (compare(x, m) < 0 ? x : m)) as never;
  }),
  celMethod('max', LIST, [], CelScalar.DYN, function () {
    return items(this).reduce((m, x) => (compare(x, m) > 0 ? x : m)) as never;
  }),
  celMethod('indexOf', LIST, [CelScalar.DYN], CelScalar.INT, function (v) {
    return BigInt(items(this).findIndex((x) => equal(x, v)));
  }),
  celMethod('lastIndexOf', LIST, [CelScalar.DYN], CelScalar.INT, function (v) {
    const xs = items(this);
    for (let i = xs.length - 1; i >= 0; i--) if (equal(xs[i], v)) return BigInt(i);
    return -1n;
  }),
];

/** The optional methods of `oldSelf` in an `optionalOldSelf` rule (null stands for no value). */
const OPTIONAL_OLD_SELF: CelFunc[] = [
  celMethod('hasValue', CelScalar.DYN, [], CelScalar.BOOL, function () {
    return this !== null;
  }),
  celMethod('value', CelScalar.DYN, [], CelScalar.DYN, function () {
    return this as never;
  }),
  celMethod('orValue', CelScalar.DYN, [CelScalar.DYN], CelScalar.DYN, function (d) {
    return (this === null ? d : this) as never;
  }),
];

let env: CelEnv | undefined;
let optionalEnv: CelEnv | undefined;

/** The environment of ordinary rules (built once). */
export function ruleEnv(): CelEnv {
  return (env ??= celEnv({ funcs: [...strings, ...KUBE_LISTS] }));
}

/** The environment of `optionalOldSelf` rules (built once). */
export function optionalOldSelfEnv(): CelEnv {
  return (optionalEnv ??= celEnv({ funcs: [...strings, ...KUBE_LISTS, ...OPTIONAL_OLD_SELF] }));
}
