/**
 * `kube-skew scenario run|list|validate`: resolve scenario files or library names, run them with
 * live progress, print the summary table, write reports, and exit non-zero when any expectation
 * failed. Invalid files are reported with file, line and field, never with a stack trace.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadScenario, ScenarioError } from './loader.js';
import { runScenario, type ScenarioResult } from './runner.js';
import { checkReportSpec, formatStep, formatSummary, writeReports } from './report.js';

/** The scenario library shipped with kube-skew. */
export const LIBRARY_DIR = fileURLToPath(new URL('../../../scenarios/', import.meta.url));

/** The library's scenario files, sorted. */
export function libraryFiles(): string[] {
  return readdirSync(LIBRARY_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(LIBRARY_DIR, f));
}

/** A file path as given, or a library scenario by file stem or metadata.name. */
export function resolveScenario(ref: string): string {
  if (existsSync(ref)) return resolve(ref);
  for (const file of libraryFiles()) {
    if (file.endsWith(`/${ref}.yaml`)) return file;
    try {
      if (loadScenario(file).metadata.name === ref) return file;
    } catch {
      /* reported when run */
    }
  }
  throw new Error(`no scenario file or library scenario named "${ref}" (see: kube-skew scenario list)`);
}

/** Register the scenario commands. */
export function registerScenario(program: Command): void {
  const scenario = program.command('scenario').description('run upgrade scenarios (see scenarios/*.yaml)');
  scenario
    .command('run')
    .description('run scenario files or library scenarios; exits 1 when any expectation fails')
    .argument('<scenarios...>', 'files or library names')
    .option('--report <kind=file>', 'write a report: junit=FILE, json=FILE or html=FILE (a timeline to open in a browser; repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--seed <n>', 'seed of every random choice (peer choice, front door, load)', '1')
    .option('--keep-data', 'keep each run\'s data directory (kubeconfig, store, server logs in logs/<server>.log) and print where it is')
    .option('--log-level <level>', 'the servers\' log level: silent, error, warn, info, debug', 'error')
    .addHelpText('after', '\nExamples:\n  kube-skew scenario run scenarios/*.yaml\n  kube-skew scenario run rolling-upgrade-mvp --report junit=report.xml --seed 7\n  kube-skew scenario run peer-crash --report html=peer-crash.html\n')
    .action(async (refs: string[], opts: { report: string[]; seed: string; keepData?: boolean; logLevel: string }) => {
      for (const r of opts.report) {
        const problem = checkReportSpec(r);
        if (problem) throw new Error(problem);
      }
      if (!/^\d+$/.test(opts.seed)) throw new Error(`--seed ${opts.seed}: expected a non-negative integer`);
      const { LOG_LEVELS } = await import('../../server/cluster/up.js');
      if (!LOG_LEVELS.includes(opts.logLevel)) throw new Error(`--log-level ${opts.logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
      const files = refs.map(resolveScenario);
      const loaded = files.map((f) => ({ file: f, scenario: loadScenario(f) }));
      const results: ScenarioResult[] = [];
      for (const { file, scenario } of loaded) {
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
      process.exitCode = results.every((r) => r.ok) ? 0 : 1;
    });
  scenario
    .command('list')
    .description('list the library scenarios')
    .action(() => {
      for (const file of libraryFiles()) {
        const s = loadScenario(file);
        process.stdout.write(`${s.metadata.name.padEnd(36)} ${s.metadata.description?.split('\n')[0] ?? ''}\n`);
      }
    });
  scenario
    .command('validate')
    .description('check scenario files without running them')
    .argument('<files...>')
    .action((files: string[]) => {
      let bad = 0;
      for (const f of files) {
        try {
          loadScenario(f);
          process.stdout.write(`${f}: valid\n`);
        } catch (err) {
          if (!(err instanceof ScenarioError)) throw err;
          bad++;
          process.stderr.write(`${err.message}\n`);
        }
      }
      process.exitCode = bad ? 1 : 0;
    });
}
