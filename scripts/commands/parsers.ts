/**
 * Parsers of option values shared by the commands. Each returns the value or throws commander's
 * `InvalidArgumentError`, which commander prints as `error: option '<flags>' argument '<value>' is
 * invalid. <message>` and exits 1.
 */
import { InvalidArgumentError } from 'commander';

/** Parses a positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** Parses a non-negative integer (a seed, a rate that may be 0). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/** Collects a repeatable flag's values in order (give the option `default: []`). */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}
