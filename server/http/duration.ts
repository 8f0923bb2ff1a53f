/**
 * Go's `time.ParseDuration`, for the duration flags (`--request-timeout=1m0s`) and the `timeout`
 * query parameter, with Go's error text (`time: invalid duration "abc"`).
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A duration that does not parse; the message is Go's. */
export class DurationError extends Error {}

function quote(text: string): string {
  return JSON.stringify(text);
}

/**
 * Parse a Go duration (`300ms`, `-1.5h`, `2h45m`, `0`) into milliseconds. Throws a
 * {@link DurationError} with Go's message for anything else.
 */
export function parseGoDuration(text: string): number {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new DurationError(`time: invalid duration ${quote(text)}`);
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [whole, int = '', frac] = number;
    if (whole === '' || (int === '' && (frac === undefined || frac === ''))) throw new DurationError(`time: invalid duration ${quote(text)}`);
    rest = rest.slice(whole.length);
    const unit = /^[^\d.]+/.exec(rest)?.[0];
    if (unit === undefined) throw new DurationError(`time: missing unit in duration ${quote(text)}`);
    const scale = UNITS[unit];
    if (scale === undefined) throw new DurationError(`time: unknown unit ${quote(unit)} in duration ${quote(text)}`);
    rest = rest.slice(unit.length);
    total += Number(`${int || '0'}.${frac ?? '0'}`) * scale;
  }
  return sign * total;
}

/**
 * Go's `time.Duration.String` of `ns` nanoseconds (a whole number): `0s`, `850ns`, `1.5µs`,
 * `12.345678ms`, `1.5s`, `2m3.5s`, `1h0m0s`, as upstream's logs print latencies.
 */
export function formatGoDuration(ns: number): string {
  const sign = ns < 0 ? '-' : '';
  let n = Math.round(Math.abs(ns));
  if (n === 0) return '0s';
  const fraction = (value: number, digits: number): string => {
    const whole = Math.floor(value / 10 ** digits);
    const rest = String(value % 10 ** digits).padStart(digits, '0').replace(/0+$/, '');
    return rest === '' ? String(whole) : `${whole}.${rest}`;
  };
  if (n < 1_000) return `${sign}${n}ns`;
  if (n < 1_000_000) return `${sign}${fraction(n, 3)}µs`;
  if (n < 1_000_000_000) return `${sign}${fraction(n, 6)}ms`;
  const hours = Math.floor(n / 3_600_000_000_000);
  n -= hours * 3_600_000_000_000;
  const minutes = Math.floor(n / 60_000_000_000);
  n -= minutes * 60_000_000_000;
  const seconds = `${fraction(n, 9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
