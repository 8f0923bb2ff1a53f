/** `kube-skew bench proxy`: the cost of the Mixed Version Proxy's hop, and cluster start times. */
import type { LeafCommand } from '../definition.js';
import { positiveInt } from '../parsers.js';
import { jsonOption, progressTo, writeJson } from './progress.js';

interface Options {
  duration: number;
  connections: number;
  quick?: boolean;
  json?: string;
}

/** The `bench proxy` command. */
export const command: LeafCommand<Options> = {
  options: [
    { flags: '--duration <seconds>', help: 'seconds per autocannon run', default: 5, parse: positiveInt },
    { flags: '--connections <n>', help: 'concurrent connections per run', default: 10, parse: positiveInt },
    { flags: '--quick', help: 'a tiny run (200 requests per GET run, one start per cluster), for tests' },
    jsonOption(),
  ],
  notes: 'Progress goes to stderr, the table to stdout. Targets are reported, not enforced.',
  examples: ['kube-skew bench proxy', 'kube-skew bench proxy --duration 10 --json proxy.json'],
  async run(_args, opts) {
    const { runProxyBench } = await import('../../bench/proxy.js');
    const { formatProxyTable } = await import('../../bench/proxy-report.js');
    const report = await runProxyBench({ durationSeconds: opts.duration, connections: opts.connections, quick: opts.quick === true, progress: progressTo('bench') });
    process.stdout.write(`${formatProxyTable(report)}\n`);
    await writeJson(opts.json, report);
    return 0;
  },
};
