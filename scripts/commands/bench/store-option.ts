/** The `--store sqlite|etcd|both` option of the benchmarks that run on either store. */
import { InvalidArgumentError } from 'commander';
import type { OptionSpec } from '../definition.js';
import { STORE_CHOICES, type StoreChoice } from '../../bench/bench-store.js';

/** Parses `--store`, or throws commander's usage error. */
function storeChoice(value: string): StoreChoice {
  if (!(STORE_CHOICES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${STORE_CHOICES.join(', ')}.`);
  return value as StoreChoice;
}

/** The option, with what the store is in this benchmark. */
export function storeOption(help: string): OptionSpec<StoreChoice> {
  return { flags: '--store <store>', help, default: 'sqlite', parse: storeChoice };
}
