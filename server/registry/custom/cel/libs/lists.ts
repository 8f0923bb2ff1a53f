/**
 * Kubernetes' lists library (k8s.io/apiserver/pkg/cel/library/lists.go): `isSorted()`, `sum()`,
 * `min()`, `max()` on lists of comparable (or summable) elements and `indexOf(x)`,
 * `lastIndexOf(x)` on any list.
 */
import { CelScalar, celMethod, isCelList, listType } from '@bufbuild/cel';
import { method } from '../overloads.js';
import { BOOL, BYTES, DOUBLE, DURATION, INT, STRING, TIMESTAMP, UINT, list, param, type CelT } from '../types.js';
import type { CelLibraryImpl } from './library.js';

const COMPARABLE: CelT[] = [INT, UINT, DOUBLE, BOOL, STRING, BYTES, DURATION, TIMESTAMP];
const SUMMABLE: CelT[] = [INT, UINT, DOUBLE, DURATION];
const A = param('A');

/** The list a list method receives, as a JS array. */
export function items(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isCelList(v)) return [...(v as Iterable<unknown>)];
  return [];
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return Number(a) - Number(b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function equal(a: unknown, b: unknown): boolean {
  return a === b || ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number') && Number(a) === Number(b));
}

const LIST = listType(CelScalar.DYN);

function extreme(name: 'min' | 'max', xs: unknown[]): unknown {
  if (xs.length === 0) throw new Error(`${name} called on empty list`);
  return xs.reduce((m, x) => (name === 'min' ? (compare(x, m) < 0 ? x : m) : compare(x, m) > 0 ? x : m));
}

/** The lists library. */
export const LISTS: CelLibraryImpl = {
  decls: [
    ...COMPARABLE.flatMap((t) => [method('isSorted', list(t), [], BOOL), method('min', list(t), [], t), method('max', list(t), [], t)]),
    ...SUMMABLE.map((t) => method('sum', list(t), [], t)),
    method('indexOf', list(A), [A], INT),
    method('lastIndexOf', list(A), [A], INT),
  ],
  funcs: [
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
      return extreme('min', items(this)) as never;
    }),
    celMethod('max', LIST, [], CelScalar.DYN, function () {
      return extreme('max', items(this)) as never;
    }),
    celMethod('indexOf', LIST, [CelScalar.DYN], CelScalar.INT, function (v) {
      return BigInt(items(this).findIndex((x) => equal(x, v)));
    }),
    celMethod('lastIndexOf', LIST, [CelScalar.DYN], CelScalar.INT, function (v) {
      const xs = items(this);
      for (let i = xs.length - 1; i >= 0; i--) if (equal(xs[i], v)) return BigInt(i);
      return -1n;
    }),
  ],
};
