/**
 * Kubernetes' quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go): `quantity(s)` parses
 * a resource.Quantity (`1.5Gi`, `100m`, `1e3`) into a `kubernetes.Quantity`, `isQuantity(s)` tests
 * it, and a quantity answers `sign()`, `isInteger()`, `asInteger()`, `asApproximateFloat()`,
 * `add()`/`sub()` (a quantity or an int), `compareTo()`, `isGreaterThan()` and `isLessThan()`.
 * kube-skew keeps a quantity exactly, as mantissa × 10^exponent; parse errors are
 * resource.ParseQuantity's.
 */
import { CelScalar, celFunc, celMethod } from '@bufbuild/cel';
import { fn, method } from '../overloads.js';
import { expectOpaque, wrapOpaque } from '../opaque.js';
import { BOOL, DOUBLE, INT, STRING, opaque } from '../types.js';
import type { CelLibraryImpl } from './library.js';

const NAME = 'kubernetes.Quantity';
const QUANTITY = opaque(NAME);

/** An exact decimal: m × 10^e. */
export interface Dec {
  m: bigint;
  e: number;
}

const SPLIT = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const FORMAT_WRONG = `quantities must match the regular expression '${SPLIT.source}'`;
const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

function normalize(d: Dec): Dec {
  let { m, e } = d;
  if (m === 0n) return { m: 0n, e: 0 };
  while (m % 10n === 0n) {
    m /= 10n;
    e += 1;
  }
  return { m, e };
}

/** Parse a quantity as resource.ParseQuantity accepts it; throws its errors. */
export function parseQuantity(s: string): Dec {
  const parts = SPLIT.exec(s);
  if (!parts) throw new Error(FORMAT_WRONG);
  const [, number, suffix] = parts as unknown as [string, string, string];
  const num = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(number);
  if (!num || (num[2] === '' && (num[3] ?? '') === '')) throw new Error('unable to parse numeric part of quantity');
  const sign = num[1] === '-' ? -1n : 1n;
  const frac = num[3] ?? '';
  let d: Dec = { m: sign * BigInt(`${num[2] || '0'}${frac}` || '0'), e: -frac.length };
  if (suffix in BINARY) d = { m: d.m * BINARY[suffix]!, e: d.e };
  else if (suffix in DECIMAL) d = { m: d.m, e: d.e + DECIMAL[suffix]! };
  else {
    const exp = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
    if (!exp) throw new Error("unable to parse quantity's suffix");
    d = { m: d.m, e: d.e + Number(exp[1]) };
  }
  return normalize(d);
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

/** Compares two parsed quantities: -1, 0 or 1. */
export function compareQuantity(a: Dec, b: Dec): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function isInteger(d: Dec): boolean {
  return d.e >= 0;
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

function asInteger(d: Dec): bigint {
  if (!isInteger(d)) throw new Error('cannot convert value to integer');
  const v = d.m * 10n ** BigInt(d.e);
  if (v > MAX_INT64 || v < MIN_INT64) throw new Error('cannot convert value to integer');
  return v;
}

function wrap(d: Dec): unknown {
  const n = normalize(d);
  return wrapOpaque(NAME, `${n.m}e${n.e}`, n);
}

/** A quantity or an int as an exact decimal (add/sub accept both). */
function operand(v: unknown): Dec {
  if (typeof v === 'bigint') return { m: v, e: 0 };
  return expectOpaque<Dec>(v, NAME);
}

const q = (self: unknown): Dec => expectOpaque<Dec>(self, NAME);

/** The quantity library. */
export const QUANTITY_LIB: CelLibraryImpl = {
  decls: [
    fn('quantity', [STRING], QUANTITY),
    fn('isQuantity', [STRING], BOOL),
    method('sign', QUANTITY, [], INT),
    method('isInteger', QUANTITY, [], BOOL),
    method('asInteger', QUANTITY, [], INT),
    method('asApproximateFloat', QUANTITY, [], DOUBLE),
    method('add', QUANTITY, [QUANTITY], QUANTITY),
    method('add', QUANTITY, [INT], QUANTITY),
    method('sub', QUANTITY, [QUANTITY], QUANTITY),
    method('sub', QUANTITY, [INT], QUANTITY),
    method('compareTo', QUANTITY, [QUANTITY], INT),
    method('isGreaterThan', QUANTITY, [QUANTITY], BOOL),
    method('isLessThan', QUANTITY, [QUANTITY], BOOL),
  ],
  funcs: [
    celFunc('quantity', [CelScalar.STRING], CelScalar.DYN, (s) => wrap(parseQuantity(s)) as never),
    celFunc('isQuantity', [CelScalar.STRING], CelScalar.BOOL, (s) => {
      try {
        parseQuantity(s);
        return true;
      } catch {
        return false;
      }
    }),
    celMethod('sign', CelScalar.DYN, [], CelScalar.INT, function () {
      const m = q(this).m;
      return m > 0n ? 1n : m < 0n ? -1n : 0n;
    }),
    celMethod('isInteger', CelScalar.DYN, [], CelScalar.BOOL, function () {
      return isInteger(q(this));
    }),
    celMethod('asInteger', CelScalar.DYN, [], CelScalar.INT, function () {
      return asInteger(q(this));
    }),
    celMethod('asApproximateFloat', CelScalar.DYN, [], CelScalar.DOUBLE, function () {
      const d = q(this);
      return Number(d.m) * 10 ** d.e;
    }),
    celMethod('add', CelScalar.DYN, [CelScalar.DYN], CelScalar.DYN, function (o) {
      const [x, y, e] = align(q(this), operand(o));
      return wrap({ m: x + y, e }) as never;
    }),
    celMethod('sub', CelScalar.DYN, [CelScalar.DYN], CelScalar.DYN, function (o) {
      const [x, y, e] = align(q(this), operand(o));
      return wrap({ m: x - y, e }) as never;
    }),
    celMethod('compareTo', CelScalar.DYN, [CelScalar.DYN], CelScalar.INT, function (o) {
      return BigInt(compareQuantity(q(this), q(o)));
    }),
    celMethod('isGreaterThan', CelScalar.DYN, [CelScalar.DYN], CelScalar.BOOL, function (o) {
      return compareQuantity(q(this), q(o)) > 0;
    }),
    celMethod('isLessThan', CelScalar.DYN, [CelScalar.DYN], CelScalar.BOOL, function (o) {
      return compareQuantity(q(this), q(o)) < 0;
    }),
  ],
};
