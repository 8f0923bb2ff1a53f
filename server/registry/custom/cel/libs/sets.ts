/**
 * cel-go's sets extension (ext.Sets): `sets.contains(a, b)` (every element of b is in a),
 * `sets.equivalent(a, b)` (each contains the other) and `sets.intersects(a, b)` (some element in
 * common), with CEL equality between elements.
 */
import { CelScalar, celFunc, listType } from '@bufbuild/cel';
import { fn } from '../overloads.js';
import { BOOL, list, param } from '../types.js';
import type { CelLibraryImpl } from './library.js';
import { items } from './lists.js';

const A = param('A');
const LIST = listType(CelScalar.DYN);

/** CEL equality of two elements (ints and doubles compare numerically). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return (typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number') && Number(a) === Number(b);
}

const contains = (a: unknown[], b: unknown[]) => b.every((y) => a.some((x) => same(x, y)));

/** The sets extension. */
export const SETS: CelLibraryImpl = {
  decls: ['sets.contains', 'sets.equivalent', 'sets.intersects'].map((name) => fn(name, [list(A), list(A)], BOOL)),
  funcs: [
    celFunc('sets.contains', [LIST, LIST], CelScalar.BOOL, (a, b) => contains(items(a), items(b))),
    celFunc('sets.equivalent', [LIST, LIST], CelScalar.BOOL, (a, b) => contains(items(a), items(b)) && contains(items(b), items(a))),
    celFunc('sets.intersects', [LIST, LIST], CelScalar.BOOL, (a, b) => items(b).some((y) => items(a).some((x) => same(x, y)))),
  ],
};
