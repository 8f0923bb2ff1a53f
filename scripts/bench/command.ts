/**
 * The `kube-skew bench` command group. The benchmark modules (and autocannon) load only when a
 * benchmark runs, so other commands start without them.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { NEWEST_MINOR, PREVIOUS_MINOR, SUPPORTED_MINORS } from '../../versions/manifest.js';
import { STORE_CHOICES, storesOf, type StoreChoice } from './bench-store.js';

/** Parses a positive integer option value, or throws commander's usage error. */
function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** Parses a list of supported minors (`1.36,1.36,1.37`), or throws commander's usage error. */
function minorList(value: string): string[] {
  const minors = value.split(',').map((m) => m.trim());
  if (minors.length < 2 || minors.some((m) => !SUPPORTED_MINORS.includes(m))) {
    throw new InvalidArgumentError(`expected two or more comma-separated minors from ${SUPPORTED_MINORS[0]} to ${NEWEST_MINOR}, e.g. ${PREVIOUS_MINOR},${PREVIOUS_MINOR},${NEWEST_MINOR}.`);
  }
  return minors;
}

/** Parses `--store`, or throws commander's usage error. */
function storeChoice(value: string): StoreChoice {
  if (!(STORE_CHOICES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${STORE_CHOICES.join(', ')}.`);
  return value as StoreChoice;
}

/** Parses a non-negative integer option value (a seed), or throws commander's usage error. */
function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/** Adds `bench` and its subcommands (`bench core`, `bench contention`, `bench proxy`, `bench soak`, `bench fuzz`) to `program`. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks and soak runs, each figure beside a baseline or a bound');
  bench
    .command('core')
    .description('GET/LIST/CREATE throughput, p99 and CPU per request vs a bare fastify + better-sqlite3 server, cross-process watch latency, server RSS, on SQLite, etcd or both')
    .option('--store <store>', 'the store kube-skew runs on: sqlite, etcd (a local etcd started for the run) or both, side by side', storeChoice, 'sqlite' as StoreChoice)
    .option('--duration <seconds>', 'seconds per autocannon run of a fast operation', positiveInt, 5)
    .option('--slow-requests <n>', 'requests per run of a slow operation (LIST of 10,000 objects)', positiveInt, 40)
    .option('--connections <n>', 'concurrent connections per run', positiveInt, 10)
    .option('--quick', 'a tiny run (a few hundred requests), for tests')
    .option('--json <file>', 'also write the figures as JSON to FILE')
    .addHelpText('after', '\nProgress goes to stderr, the table to stdout. --store etcd needs the etcd binary (Debian: apt-get install etcd-server).\n\nExamples:\n  kube-skew bench core\n  kube-skew bench core --store both\n  kube-skew bench core --duration 10 --connections 20 --json bench.json\n')
    .action(async (opts: { store: StoreChoice; duration: number; slowRequests: number; connections: number; quick?: boolean; json?: string }) => {
      const { runCoreBench } = await import('./core.js');
      const { formatTable } = await import('./report.js');
      const report = await runCoreBench({
        stores: storesOf(opts.store),
        durationSeconds: opts.duration,
        slowRequests: opts.slowRequests,
        connections: opts.connections,
        quick: opts.quick === true,
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      process.stdout.write(`${formatTable(report)}\n`);
      if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    });
  bench
    .command('contention')
    .description('1, 2, 4 … N processes writing into one store (SQLite, etcd or both) at full speed: writes/s, BUSY retries, write latency, failed writes')
    .option('--store <store>', 'the store written: sqlite, etcd (a local etcd started for each run) or both, side by side', storeChoice, 'sqlite' as StoreChoice)
    .option('--processes <n>', 'the most writer processes', positiveInt, 6)
    .option('--duration <seconds>', 'seconds per run', positiveInt, 5)
    .option('--quick', 'a tiny run (half a second per run), for tests')
    .option('--json <file>', 'also write the figures as JSON to FILE')
    .addHelpText('after', '\nProgress goes to stderr, the table to stdout. --store etcd needs the etcd binary (Debian: apt-get install etcd-server).\n\nExamples:\n  kube-skew bench contention\n  kube-skew bench contention --store both\n  kube-skew bench contention --processes 8 --duration 10 --json contention.json\n')
    .action(async (opts: { store: StoreChoice; processes: number; duration: number; quick?: boolean; json?: string }) => {
      const { runContentionBench } = await import('./contention.js');
      const { formatContentionTable } = await import('./contention-report.js');
      const report = await runContentionBench({
        stores: storesOf(opts.store),
        maxProcesses: opts.processes,
        durationSeconds: opts.duration,
        quick: opts.quick === true,
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      process.stdout.write(`${formatContentionTable(report)}\n`);
      if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    });
  bench
    .command('proxy')
    .description('GET direct vs through the Mixed Version Proxy vs through a bare @fastify/reply-from hop; time to a ready 3- and 10-server cluster; RSS per server')
    .option('--duration <seconds>', 'seconds per autocannon run', positiveInt, 5)
    .option('--connections <n>', 'concurrent connections per run', positiveInt, 10)
    .option('--quick', 'a tiny run (200 requests per GET run, one start per cluster), for tests')
    .option('--json <file>', 'also write the figures as JSON to FILE')
    .addHelpText('after', '\nProgress goes to stderr, the table to stdout. Targets are reported, not enforced.\n\nExamples:\n  kube-skew bench proxy\n  kube-skew bench proxy --duration 10 --json proxy.json\n')
    .action(async (opts: { duration: number; connections: number; quick?: boolean; json?: string }) => {
      const { runProxyBench } = await import('./proxy.js');
      const { formatProxyTable } = await import('./proxy-report.js');
      const report = await runProxyBench({
        durationSeconds: opts.duration,
        connections: opts.connections,
        quick: opts.quick === true,
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      process.stdout.write(`${formatProxyTable(report)}\n`);
      if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    });
  bench
    .command('soak')
    .description('a mixed-minor cluster under steady mixed traffic and misbehaving clients while it is upgraded, SIGKILLed and paused; counts false 404s, lost writes, watch gaps, 5xx outside fault windows, servers that exit unasked, slow /readyz')
    .option('--duration <seconds>', 'seconds of traffic', positiveInt, 180)
    .option('--rate <n>', 'requests per second through the front door', positiveInt, 200)
    .option('--servers <minors>', 'minors of the servers at the start; all are upgraded to the newest', minorList, [PREVIOUS_MINOR, PREVIOUS_MINOR, NEWEST_MINOR])
    .option('--kill-every <seconds>', 'SIGKILL a random server this often (then restart it)', positiveInt, 30)
    .option('--watchers <n>', 'watch streams held through the front door', positiveInt, 4)
    .option('--cut-rate <n>', 'requests per second that misbehaving clients cut short, beside slow readers and connection storms (0: none)', nonNegativeInt, 20)
    .option('--grace <seconds>', 'how long after a fault recovers its 5xx still count as the fault\'s', positiveInt, 20)
    .option('--seed <n>', 'seed of every random choice', positiveInt, 1)
    .option('--readyz-bound <ms>', 'the bound on one /readyz probe', positiveInt, 1000)
    .option('--no-mvp', 'run without the Mixed Version Proxy (false 404s are then expected)')
    .option('--json <file>', 'also write the figures as JSON to FILE')
    .addHelpText('after', '\nProgress goes to stderr, the table to stdout; the exit code is 1 when a bound did not hold.\n\nExamples:\n  kube-skew bench soak\n  kube-skew bench soak --duration 60 --rate 200 --json soak.json\n  kube-skew bench soak --servers 1.32,1.33,1.33 --kill-every 20\n')
    .action(async (opts: { duration: number; rate: number; servers: string[]; killEvery: number; watchers: number; cutRate: number; grace: number; seed: number; readyzBound: number; mvp: boolean; json?: string }) => {
      const { runSoak } = await import('./soak/soak.js');
      const { formatSoakTable, soakHeld } = await import('./soak/report.js');
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
        progress: (line) => process.stderr.write(`soak: ${line}\n`),
      });
      process.stdout.write(`${formatSoakTable(report)}\n`);
      if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
      if (!soakHeld(report)) process.exitCode = 1;
    });
  bench
    .command('fuzz')
    .description('hostile requests against one real server over mTLS: counts crashes, hangs, non-Status error bodies, 500s and store changes from rejected requests')
    .option('--requests <n>', 'requests to send', positiveInt, 100_000)
    .option('--seed <n>', 'seed of the request generator (the same seed sends the same requests)', nonNegativeInt, 1)
    .option('--connections <n>', 'concurrent requests', positiveInt, 8)
    .option('--json <file>', 'also write the figures and findings as JSON to FILE')
    .addHelpText('after', '\nProgress goes to stderr, the table to stdout. Exits 1 when any defect counter is not 0.\n\nExamples:\n  kube-skew bench fuzz\n  kube-skew bench fuzz --requests 10000 --seed 7 --json fuzz.json\n')
    .action(async (opts: { requests: number; seed: number; connections: number; json?: string }) => {
      const { runFuzzBench } = await import('../fuzz/bench.js');
      const { defects, formatFuzzTable } = await import('../fuzz/report.js');
      const report = await runFuzzBench({
        requests: opts.requests,
        seed: opts.seed,
        connections: opts.connections,
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      process.stdout.write(`${formatFuzzTable(report)}\n`);
      for (const f of report.findings) process.stdout.write(`${f.kind} [${f.category}/${f.variant}] ${f.detail}\n    request: ${f.request}\n`);
      if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
      process.exitCode = defects(report) === 0 && report.healthyAfter ? 0 : 1;
    });
}
