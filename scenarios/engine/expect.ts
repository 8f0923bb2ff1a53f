/**
 * Matching what came back against what a step expects. Each matcher returns the list of mismatches
 * as sentences (empty when everything holds), so a failing step can say exactly what differed.
 */
import type { TextExpect } from './format.js';

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Check a text against contains / notContains / matches / equals. */
export function matchText(what: string, text: string, expect: TextExpect | undefined): string[] {
  if (!expect) return [];
  const out: string[] = [];
  for (const s of list(expect.contains)) if (!text.includes(s)) out.push(`${what} should contain ${JSON.stringify(s)}`);
  for (const s of list(expect.notContains)) if (text.includes(s)) out.push(`${what} should not contain ${JSON.stringify(s)}`);
  if (expect.matches !== undefined && !new RegExp(expect.matches, 'm').test(text)) out.push(`${what} should match /${expect.matches}/`);
  if (expect.equals !== undefined && text !== expect.equals) out.push(`${what} should equal ${JSON.stringify(expect.equals)}`);
  return out;
}

/** Check that `actual` contains `expected` as a subset (objects by key, arrays element by element). */
export function matchSubset(path: string, actual: unknown, expected: unknown): string[] {
  if (expected === null || typeof expected !== 'object') {
    return actual === expected ? [] : [`${path || 'body'} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path || 'body'} is ${JSON.stringify(actual)}, expected a list`];
    if (actual.length < expected.length) return [`${path || 'body'} has ${actual.length} items, expected at least ${expected.length}`];
    return expected.flatMap((e, i) => matchSubset(`${path}[${i}]`, actual[i], e));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path || 'body'} is ${JSON.stringify(actual)}, expected an object`];
  return Object.entries(expected as Record<string, unknown>).flatMap(([k, v]) => matchSubset(path ? `${path}.${k}` : k, (actual as Record<string, unknown>)[k], v));
}
