/**
 * Values of the libraries' own types (URL, Quantity, IP, CIDR, named formats) at run time.
 * @bufbuild/cel only passes its own value kinds through an evaluation, so such a value travels as
 * a one-entry CEL map whose key names the type and whose value is the canonical form (so that `==`
 * compares two quantities or addresses by value, as upstream's Equal does); the parsed value rides
 * beside it in a WeakMap. The checker keeps rules from treating these maps as maps.
 */
import { celMap, type CelMap } from '@bufbuild/cel';

const parsed = new WeakMap<object, { type: string; value: unknown }>();

/** Wrap `value` of library type `type`, compared by `canonical`. */
export function wrapOpaque(type: string, canonical: string, value: unknown): CelMap {
  const m = celMap(new Map([[`@${type}`, canonical]]));
  parsed.set(m, { type, value });
  return m;
}

/** The parsed value of a wrapped `type` value, or undefined when `v` is not one. */
export function unwrapOpaque<T>(v: unknown, type: string): T | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const entry = parsed.get(v);
  return entry && entry.type === type ? (entry.value as T) : undefined;
}

/** The parsed value of a wrapped `type` value; throws cel-go's no-such-overload when it is not one. */
export function expectOpaque<T>(v: unknown, type: string): T {
  const out = unwrapOpaque<T>(v, type);
  if (out === undefined) throw new Error('no such overload');
  return out;
}
