/** `kube-skew bench contention`: many processes writing into one store (SQLite, etcd or both). */
import type { LeafCommand } from '../definition.js';
import { positiveInt } from '../parsers.js';
import { storeOption } from './store-option.js';
import type { StoreChoice } from '../../bench/bench-store.js';
import { jsonOption, progressTo, writeJson } from './progress.js';

interface Options {
  store: StoreChoice;
  processes: number;
  duration: number;
  quick?: boolean;
  json?: string;
}

/** The `bench contention` command. */
export const command: LeafCommand<Options> = {
  options: [
    storeOption('the store written: sqlite, etcd (a local etcd started for each run) or both, side by side'),
    { flags: '--processes <n>', help: 'the most writer processes', default: 6, parse: positiveInt },
    { flags: '--duration <seconds>', help: 'seconds per run', default: 5, parse: positiveInt },
    { flags: '--quick', help: 'a tiny run (half a second per run), for tests' },
    jsonOption(),
  ],
  notes: 'Progress goes to stderr, the table to stdout. --store etcd needs the etcd binary (Debian: apt-get install etcd-server).',
  examples: ['kube-skew bench contention', 'kube-skew bench contention --store both', 'kube-skew bench contention --processes 8 --duration 10 --json contention.json'],
  async run(_args, opts) {
    const { runContentionBench } = await import('../../bench/contention.js');
    const { formatContentionTable } = await import('../../bench/contention-report.js');
    const { storesOf } = await import('../../bench/bench-store.js');
    const report = await runContentionBench({ stores: storesOf(opts.store), maxProcesses: opts.processes, durationSeconds: opts.duration, quick: opts.quick === true, progress: progressTo('bench') });
    process.stdout.write(`${formatContentionTable(report)}\n`);
    await writeJson(opts.json, report);
    return 0;
  },
};
