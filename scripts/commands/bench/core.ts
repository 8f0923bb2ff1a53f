/** `kube-skew bench core`: the server's own throughput, latency and memory beside a bare baseline. */
import type { LeafCommand } from '../definition.js';
import { positiveInt } from '../parsers.js';
import { storeOption } from './store-option.js';
import type { StoreChoice } from '../../bench/bench-store.js';
import { jsonOption, progressTo, writeJson } from './progress.js';

interface Options {
  store: StoreChoice;
  duration: number;
  slowRequests: number;
  connections: number;
  quick?: boolean;
  json?: string;
}

/** The `bench core` command. */
export const command: LeafCommand<Options> = {
  options: [
    storeOption('the store kube-skew runs on: sqlite, etcd (a local etcd started for the run) or both, side by side'),
    { flags: '--duration <seconds>', help: 'seconds per autocannon run of a fast operation', default: 5, parse: positiveInt },
    { flags: '--slow-requests <n>', help: 'requests per run of a slow operation (LIST of 10,000 objects)', default: 40, parse: positiveInt },
    { flags: '--connections <n>', help: 'concurrent connections per run', default: 10, parse: positiveInt },
    { flags: '--quick', help: 'a tiny run (a few hundred requests), for tests' },
    jsonOption(),
  ],
  notes: 'Progress goes to stderr, the table to stdout. --store etcd needs the etcd binary (Debian: apt-get install etcd-server).',
  examples: ['kube-skew bench core', 'kube-skew bench core --store both', 'kube-skew bench core --duration 10 --connections 20 --json bench.json'],
  async run(_args, opts) {
    const { runCoreBench } = await import('../../bench/core.js');
    const { formatTable } = await import('../../bench/report.js');
    const { storesOf } = await import('../../bench/bench-store.js');
    const report = await runCoreBench({ stores: storesOf(opts.store), durationSeconds: opts.duration, slowRequests: opts.slowRequests, connections: opts.connections, quick: opts.quick === true, progress: progressTo('bench') });
    process.stdout.write(`${formatTable(report)}\n`);
    await writeJson(opts.json, report);
    return 0;
  },
};
