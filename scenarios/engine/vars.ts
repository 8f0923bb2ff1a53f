/**
 * Scenario variables: a `request` step may `capture` values of its JSON answer (`ownerUID:
 * metadata.uid`), and any later step uses them as `${ownerUID}` in any string — a path, a body, a
 * header, a kubectl argument, an expectation. Uses are checked when the scenario loads (a variable
 * must be captured by an earlier step) and substituted just before a step runs.
 */

/** `${name}` in a string. */
const USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The variable names a value (any JSON) uses, in order of appearance. */
export function variablesUsed(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(USE)) out.push(m[1]!);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

/** A copy of `value` with every `${name}` replaced; throws on a variable that has no value. */
export function substitute<T>(value: T, vars: ReadonlyMap<string, string>): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(USE, (_m, name: string) => {
        const got = vars.get(name);
        if (got === undefined) throw new Error(`variable \${${name}} has no value: no earlier step captured it`);
        return got;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The value at a dotted path of a JSON value, as a string; undefined when absent or not a scalar. */
export function valueAt(json: unknown, path: string): string | undefined {
  let v: unknown = json;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Array.isArray(v) && /^\d+$/.test(part) ? v[Number(part)] : (v as Record<string, unknown>)[part];
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** Apply a step's captures to `vars`; returns the failures (a path not in the answer). */
export function applyCaptures(capture: Record<string, string> | undefined, json: unknown, vars: Map<string, string>): string[] {
  const failures: string[] = [];
  for (const [name, path] of Object.entries(capture ?? {})) {
    const value = valueAt(json, path);
    if (value === undefined) failures.push(`capture ${name}: the answer has no value at ${path}`);
    else vars.set(name, value);
  }
  return failures;
}
