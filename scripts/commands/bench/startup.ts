/** `kube-skew bench startup`: time to ready through `up` and the library, and of `--help`, beside bare Node floors. */
import type { LeafCommand } from '../definition.js';
import { positiveInt } from '../parsers.js';
import { jsonOption, progressTo, writeJson } from './progress.js';

interface Options {
  runs: number;
  quick?: boolean;
  json?: string;
}

/** The `bench startup` command. */
export const command: LeafCommand<Options> = {
  options: [
    { flags: '--runs <n>', help: 'fresh starts per figure (the table shows medians)', default: 3, parse: positiveInt },
    { flags: '--quick', help: 'a tiny run (1 run, 1 and 3 servers only), for tests' },
    jsonOption(),
  ],
  notes: 'Progress goes to stderr, the table to stdout. Each row is beside its floor: N bare fastify + better-sqlite3 HTTPS processes spawned at once, or node -e 0 for --help.',
  examples: ['kube-skew bench startup', 'kube-skew bench startup --runs 5 --json startup.json'],
  async run(_args, opts) {
    const { runStartupBench, formatStartupTable } = await import('../../bench/startup.js');
    const report = await runStartupBench({ runs: opts.runs, quick: opts.quick === true, progress: progressTo('bench') });
    process.stdout.write(`${formatStartupTable(report)}\n`);
    await writeJson(opts.json, report);
    return 0;
  },
};
