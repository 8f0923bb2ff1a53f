/**
 * `kube-skew scenario run`: resolve scenario files or library names, run them with live progress,
 * print the summary table, write reports, and exit 1 when any expectation failed. Invalid files are
 * reported with file, line and field, never with a stack trace.
 */
import type { LeafCommand } from '../definition.js';
import { repeatable } from '../parsers.js';

interface Options {
  report: string[];
  seed: string;
  keepData?: boolean;
  logLevel: string;
}

/** The `scenario run` command. */
export const command: LeafCommand<Options> = {
  arguments: [{ name: '<scenarios...>', help: 'files or library names' }],
  options: [
    { flags: '--report <kind=file>', help: 'write a report: junit=FILE, json=FILE or html=FILE (a timeline to open in a browser; repeatable)', default: [], parse: repeatable },
    { flags: '--seed <n>', help: 'seed of every random choice (peer choice, front door, load)', default: '1' },
    { flags: '--keep-data', help: "keep each run's data directory (kubeconfig, store, server logs in logs/<server>.log) and print where it is" },
    { flags: '--log-level <level>', help: "the servers' log level: silent, error, warn, info, debug", default: 'error' },
  ],
  examples: [
    'kube-skew scenario run scenarios/*.yaml',
    'kube-skew scenario run rolling-upgrade-mvp --report junit=report.xml --seed 7',
    'kube-skew scenario run peer-crash --report html=peer-crash.html',
  ],
  async run(refs, opts) {
    const { checkReportSpec, formatStep, formatSummary, writeReports } = await import('../../../scenarios/engine/report.js');
    for (const r of opts.report) {
      const problem = checkReportSpec(r);
      if (problem) throw new Error(problem);
    }
    if (!/^\d+$/.test(opts.seed)) throw new Error(`--seed ${opts.seed}: expected a non-negative integer`);
    const { LOG_LEVELS } = await import('../../../server/cluster/up-options.js');
    if (!LOG_LEVELS.includes(opts.logLevel)) throw new Error(`--log-level ${opts.logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
    const { resolveScenario } = await import('../../../scenarios/engine/library.js');
    const { readScenarioFile } = await import('../../../scenarios/engine/scenario-file.js');
    const { runScenario } = await import('../../../scenarios/engine/runner.js');
    const files = refs.map(resolveScenario);
    const scenarios = files.map((f) => ({ file: f, scenario: readScenarioFile(f) }));
    const results = [];
    for (const { file, scenario } of scenarios) {
      process.stdout.write(`\n${scenario.metadata.name}  (${file})\n`);
      const result = await runScenario(scenario, file, {
        seed: Number(opts.seed),
        keep: opts.keepData === true,
        logLevel: opts.logLevel,
        ...(opts.keepData ? { onDataDir: (dir: string) => process.stdout.write(`  data: ${dir} (server logs in ${dir}/logs)\n`) } : {}),
        onStep: (s) => process.stdout.write(`${formatStep(s)}\n`),
      });
      if (result.error) process.stdout.write(`  ERROR ${result.error}\n`);
      results.push(result);
    }
    process.stdout.write(`\n${formatSummary(results)}\n`);
    await writeReports(opts.report, results);
    return results.every((r) => r.ok) ? 0 : 1;
  },
};
