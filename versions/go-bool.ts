/**
 * Go's strconv.ParseBool, which kube-apiserver uses for `--feature-gates` and `--runtime-config`
 * values: the accepted spellings and the exact error text.
 */

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Parses a boolean the way Go's strconv.ParseBool does; undefined for anything else. */
export function parseGoBool(value: string): boolean | undefined {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return undefined;
}

/** Returns the error text of a failed strconv.ParseBool (Go's %q quoting approximated by JSON). */
export function goParseBoolError(value: string): string {
  return `strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`;
}
