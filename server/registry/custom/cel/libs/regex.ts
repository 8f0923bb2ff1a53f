/**
 * Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go): `find(re)` (the first
 * match or ''), `findAll(re)` and `findAll(re, n)` on strings. Patterns are RE2 in upstream;
 * kube-skew runs them as JavaScript regular expressions, which agree on the common syntax.
 */
import { CelScalar, celMethod } from '@bufbuild/cel';
import { method } from '../overloads.js';
import { INT, STRING, list } from '../types.js';
import type { CelLibraryImpl } from './library.js';

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'gu');
  } catch (err) {
    throw new Error(`error parsing regexp: ${(err as Error).message}`);
  }
}

function findAll(s: string, pattern: string, n: number): string[] {
  if (n === 0) return [];
  const out: string[] = [];
  for (const m of s.matchAll(compile(pattern))) {
    out.push(m[0]);
    if (n > 0 && out.length >= n) break;
  }
  return out;
}

/** The regex library. */
export const REGEX: CelLibraryImpl = {
  decls: [method('find', STRING, [STRING], STRING), method('findAll', STRING, [STRING], list(STRING)), method('findAll', STRING, [STRING, INT], list(STRING))],
  funcs: [
    celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (re) {
      return findAll(this, re, 1)[0] ?? '';
    }),
    celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], CelScalar.DYN, function (re) {
      return findAll(this, re, -1) as never;
    }),
    celMethod('findAll', CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], CelScalar.DYN, function (re, n) {
      return findAll(this, re, Number(n)) as never;
    }),
  ],
};
