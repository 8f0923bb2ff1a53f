/**
 * Upstream's validateDeprecationWarning (apiextensions-apiserver
 * pkg/apis/apiextensions/validation/validation.go) for one version's `deprecationWarning`: only on
 * a deprecated version, at most 256 bytes, not empty, and printable (Go's unicode.IsPrint: letters,
 * marks, numbers, punctuation, symbols and the ASCII space), the first offending character named
 * by its byte index as Go's range over a string gives it.
 */
import type { FieldError } from '../../errors/status.js';
import type { CrdVersion } from './crd.js';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const CONTROL = /^\p{Cc}$/u;

function problems(deprecated: boolean, warning: string): string[] {
  if (!deprecated) return ['can only be set for deprecated versions'];
  const out: string[] = [];
  if (Buffer.byteLength(warning, 'utf8') > 256) out.push('must be <= 256 characters long');
  if (warning === '') out.push('must not be an empty string');
  let index = 0;
  for (const ch of warning) {
    if (!PRINTABLE.test(ch)) {
      out.push(`must only contain printable UTF-8 characters; non-printable character found at index ${index}`);
      break;
    }
    // Unreachable while control characters are not printable, kept as upstream's order has it.
    if (CONTROL.test(ch)) {
      out.push(`must only contain printable UTF-8 characters; control character found at index ${index}`);
      break;
    }
    index += Buffer.byteLength(ch, 'utf8');
  }
  return out;
}

/** The field errors of `version.deprecationWarning` at `path` (`spec.versions[i].deprecationWarning`). */
export function validateDeprecationWarning(version: CrdVersion | undefined, path: string): FieldError[] {
  const warning = version?.deprecationWarning;
  if (typeof warning !== 'string') return [];
  return problems(version?.deprecated === true, warning).map((detail) => ({ type: 'FieldValueInvalid' as const, field: path, value: warning, detail }));
}
