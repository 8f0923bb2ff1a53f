/**
 * Key-space helpers shared by every backend: what a watch or list prefix selects, and the key range
 * it spans.
 */

/**
 * Whether `key` is selected by `prefix`: a prefix ending with `/` selects every key below it, any
 * other string selects exactly that one key (the two forms {@link Store.watch} accepts).
 */
export function matchesPrefix(prefix: string, key: string): boolean {
  return prefix.endsWith('/') ? key.startsWith(prefix) : key === prefix;
}

/**
 * The exclusive upper bound of the keys that start with `prefix`, in code-point order: the prefix
 * with its last character incremented (`/registry/pods/` → `/registry/pods0`). Throws a RangeError
 * for an empty prefix or one ending in a character that cannot be incremented within the BMP; the
 * store's prefixes end with `/`, so neither happens in practice.
 */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (Number.isNaN(last) || last >= 0xd7ff) throw new RangeError(`no key range for prefix ${JSON.stringify(prefix)}`);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
