/**
 * The `kube-skew bench` command group. The benchmark modules (and autocannon) load only when a
 * benchmark runs, so other commands start without them.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';

/** Parses a positive integer option value, or throws commander's usage error. */
function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** Adds `bench` and its subcommands (`bench core`, `bench contention`, `bench proxy`) to `program`. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks of kube-skew against a bare baseline');
  bench
    .command('core')
    .description('GET/LIST/CREATE throughput and p99 vs a bare fastify + better-sqlite3 server, cross-process watch latency, server RSS')
    .option('--duration <seconds>', 'seconds per autocannon run', positiveInt, 5)
    .option('--connections <n>', 'concurrent connections per run', positiveInt, 10)
    .option('--quick', 'a tiny run (a few hundred requests), for tests')
    .option('--json <file>', 'also write the figures as JSON to FILE')
    .addHelpText('after', '\nProgress goes to stderr, the table to stdout.\n\nExamples:\n  kube-skew bench core\n  kube-skew bench core --duration 10 --connections 20 --json bench.json\n')
    .action(async (opts: { duration: number; connections: number; quick?: boolean; json?: string }) => {
      const { runCoreBench } = await import('./core.js');
      const { formatTable } = await import('./report.js');
      const report = await runCoreBench({
        durationSeconds: opts.duration,
        connections: opts.connections,
        quick: opts.quick === true,
        progress: (line) => process.stderr.write(`bench: ${line}\n`),
      });
      process.stdout.write(`${formatTable(report)}\n`);
      if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    });
  bench
    .command('contention')
    .description('1, 2, 4 … N processes writing into one SQLite store at full speed: writes/s, BUSY retries, write latency, failed writes')
    .option('--processes <n>', 'the most writer processes', positiveInt, 6)
    .option('--duration <seconds>', 'seconds per run', positiveInt, 5)
    .option('--quick', 'a tiny run (half a second per run), for tests')
    .option('--json <file>', 'also write the figures as JSON to FILE')
    .addHelpText('after', '\nProgress goes to stderr, the table to stdout.\n\nExamples:\n  kube-skew bench contention\n  kube-skew bench contention --processes 8 --duration 10 --json contention.json\n')
    .action(async (opts: { processes: number; duration: number; quick?: boolean; json?: string }) => {
      const { runContentionBench } = await import('./contention.js');
      const { formatContentionTable } = await import('./contention-report.js');
      const report = await runContentionBench({
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
}
