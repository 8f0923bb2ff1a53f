/** `kube-skew bench fuzz`: hostile requests against one real server; exits 1 when any defect counter is not 0. */
import type { LeafCommand } from '../definition.js';
import { nonNegativeInt, positiveInt } from '../parsers.js';
import { jsonOption, progressTo, writeJson } from './progress.js';

interface Options {
  requests: number;
  seed: number;
  connections: number;
  json?: string;
}

/** The `bench fuzz` command. */
export const command: LeafCommand<Options> = {
  options: [
    { flags: '--requests <n>', help: 'requests to send', default: 100_000, parse: positiveInt },
    { flags: '--seed <n>', help: 'seed of the request generator (the same seed sends the same requests)', default: 1, parse: nonNegativeInt },
    { flags: '--connections <n>', help: 'concurrent requests', default: 8, parse: positiveInt },
    jsonOption('the figures and findings'),
  ],
  notes: 'Progress goes to stderr, the table to stdout. Exits 1 when any defect counter is not 0.',
  examples: ['kube-skew bench fuzz', 'kube-skew bench fuzz --requests 10000 --seed 7 --json fuzz.json'],
  async run(_args, opts) {
    const { runFuzzBench } = await import('../../fuzz/bench.js');
    const { defects, formatFuzzTable } = await import('../../fuzz/report.js');
    const report = await runFuzzBench({ requests: opts.requests, seed: opts.seed, connections: opts.connections, progress: progressTo('bench') });
    process.stdout.write(`${formatFuzzTable(report)}\n`);
    for (const f of report.findings) process.stdout.write(`${f.kind} [${f.category}/${f.variant}] ${f.detail}\n    request: ${f.request}\n`);
    await writeJson(opts.json, report);
    return defects(report) === 0 && report.healthyAfter ? 0 : 1;
  },
};
