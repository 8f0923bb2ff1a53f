/**
 * resource.Quantity's canonical string (`Quantity.String()`, `CanonicalizeBytes`), the form
 * kube-apiserver prints a quantity in field errors: the format follows the written suffix (binary
 * `Ki`…`Ei`, an `e` exponent, or decimal SI otherwise); decimal forms use an exponent that is a
 * multiple of 3 with its SI suffix (`1500m`, `2k`); binary forms the largest power of 1024 that
 * divides the value (`2Gi`, `1536Mi`), falling back to decimal SI below 1024 or for fractions.
 * Quantities finer than a nano-unit are not rounded here as upstream's parser rounds them.
 */
import { parseQuantity, type Dec } from '../custom/cel/libs/quantity.js';

const DECIMAL_SUFFIXES: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

type Format = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

function formatOf(s: string): Format {
  if (/(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(s)) return 'BinarySI';
  if (/[eE][-+]?[0-9]+$/.test(s)) return 'DecimalExponent';
  return 'DecimalSI';
}

function decimal(d: Dec, format: Format): string {
  let amount = d.m;
  let exponent = d.e;
  const r = exponent % 3;
  if (r === 1 || r === -2) {
    amount *= 10n;
    exponent -= 1;
  } else if (r === 2 || r === -1) {
    amount *= 100n;
    exponent -= 2;
  }
  if (format === 'DecimalSI' && exponent in DECIMAL_SUFFIXES) return `${amount}${DECIMAL_SUFFIXES[exponent]}`;
  return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
}

/** The canonical form of a quantity as written; an unparsable one is returned as given. */
export function canonicalQuantity(written: unknown): string {
  const s = String(written);
  let d: Dec;
  try {
    d = parseQuantity(s);
  } catch {
    return s;
  }
  if (d.m === 0n) return '0';
  const format = formatOf(s);
  if (format !== 'BinarySI') return decimal(d, format);
  if (d.e < 0) return decimal(d, 'DecimalSI');
  let v = d.m * 10n ** BigInt(d.e);
  if (v > -1024n && v < 1024n) return decimal(d, 'DecimalSI');
  let i = 0;
  while (i < BINARY_SUFFIXES.length - 1 && v % 1024n === 0n) {
    v /= 1024n;
    i++;
  }
  return `${v}${BINARY_SUFFIXES[i]}`;
}
