/** `kube-skew bench soak`: a mixed-minor cluster under traffic and faults while it is upgraded; exits 1 when a bound did not hold. */
import { InvalidArgumentError } from 'commander';
import type { LeafCommand } from '../definition.js';
import { nonNegativeInt, positiveInt } from '../parsers.js';
import { jsonOption, progressTo, writeJson } from './progress.js';
import { NEWEST_MINOR, PREVIOUS_MINOR, SUPPORTED_MINORS } from '../../../versions/manifest.js';

interface Options {
  duration: number;
  rate: number;
  servers: string[];
  killEvery: number;
  watchers: number;
  cutRate: number;
  grace: number;
  seed: number;
  readyzBound: number;
  mvp: boolean;
  json?: string;
}

/** Parses a list of two or more supported minors (`1.36,1.36,1.37`). */
function minorList(value: string): string[] {
  const minors = value.split(',').map((m) => m.trim());
  if (minors.length < 2 || minors.some((m) => !SUPPORTED_MINORS.includes(m))) {
    throw new InvalidArgumentError(`expected two or more comma-separated minors from ${SUPPORTED_MINORS[0]} to ${NEWEST_MINOR}, e.g. ${PREVIOUS_MINOR},${PREVIOUS_MINOR},${NEWEST_MINOR}.`);
  }
  return minors;
}

/** The `bench soak` command. */
export const command: LeafCommand<Options> = {
  options: [
    { flags: '--duration <seconds>', help: 'seconds of traffic', default: 180, parse: positiveInt },
    { flags: '--rate <n>', help: 'requests per second through the front door', default: 200, parse: positiveInt },
    { flags: '--servers <minors>', help: 'minors of the servers at the start; all are upgraded to the newest', default: [PREVIOUS_MINOR, PREVIOUS_MINOR, NEWEST_MINOR], parse: minorList },
    { flags: '--kill-every <seconds>', help: 'SIGKILL a random server this often (then restart it)', default: 30, parse: positiveInt },
    { flags: '--watchers <n>', help: 'watch streams held through the front door', default: 4, parse: positiveInt },
    { flags: '--cut-rate <n>', help: 'requests per second that misbehaving clients cut short, beside slow readers and connection storms (0: none)', default: 20, parse: nonNegativeInt },
    { flags: '--grace <seconds>', help: "how long after a fault recovers its 5xx still count as the fault's", default: 20, parse: positiveInt },
    { flags: '--seed <n>', help: 'seed of every random choice', default: 1, parse: positiveInt },
    { flags: '--readyz-bound <ms>', help: 'the bound on one /readyz probe', default: 1000, parse: positiveInt },
    { flags: '--no-mvp', help: 'run without the Mixed Version Proxy (false 404s are then expected)' },
    jsonOption(),
  ],
  notes: 'Progress goes to stderr, the table to stdout; the exit code is 1 when a bound did not hold.',
  examples: ['kube-skew bench soak', 'kube-skew bench soak --duration 60 --rate 200 --json soak.json', 'kube-skew bench soak --servers 1.32,1.33,1.33 --kill-every 20'],
  async run(_args, opts) {
    const { runSoak } = await import('../../bench/soak/soak.js');
    const { formatSoakTable, soakHeld } = await import('../../bench/soak/report.js');
    const report = await runSoak({
      durationSeconds: opts.duration,
      rate: opts.rate,
      minors: opts.servers,
      killEverySeconds: opts.killEvery,
      watchers: opts.watchers,
      cutRate: opts.cutRate,
      graceSeconds: opts.grace,
      seed: opts.seed,
      readyzBoundMs: opts.readyzBound,
      mvp: opts.mvp,
      progress: progressTo('soak'),
    });
    process.stdout.write(`${formatSoakTable(report)}\n`);
    await writeJson(opts.json, report);
    return soakHeld(report) ? 0 : 1;
  },
};
