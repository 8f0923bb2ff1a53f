/**
 * `kube-skew versions list|diff`: the minors kube-skew simulates, and what a client gains or loses
 * between two of them. Both read only the version data; no server is started.
 */
import type { Command } from 'commander';
import { diffMinors } from '../../versions/diff.js';
import { gatesFor } from '../../versions/features.js';
import { SUPPORTED_MINORS, normalizeMinor } from '../../versions/manifest.js';
import { aggregatedDiscoveryVersions, minorInfo } from '../../versions/minors.js';
import { formatMinorDiff, formatMinorList, type MinorRow } from './report.js';

const PROXY_GATE = 'UnknownVersionInteroperabilityProxy';

/** The `versions list` rows, oldest minor first. */
export function minorRows(): MinorRow[] {
  return SUPPORTED_MINORS.map((minor) => {
    const info = minorInfo(minor);
    const specs = gatesFor(minor);
    const defaults = new Map([...specs].map(([name, spec]) => [name, spec.default]));
    const gate = specs.get(PROXY_GATE);
    const row: MinorRow = { minor, gitVersion: info.gitVersion, mvpGeneration: info.mvpGeneration, aggregatedDiscovery: aggregatedDiscoveryVersions(minor, defaults) };
    if (gate) row.proxyGate = { stage: gate.stage, default: gate.default, lockToDefault: gate.lockToDefault };
    return row;
  });
}

/** Register `versions list` and `versions diff`. */
export function registerVersions(program: Command): void {
  const versions = program.command('versions').description('the Kubernetes minors kube-skew simulates, and what changes between two of them');
  versions
    .command('list')
    .description('each minor: its /version, Mixed Version Proxy generation, proxy gate and aggregated discovery')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { json?: boolean }) => {
      const rows = minorRows();
      process.stdout.write(opts.json ? JSON.stringify(rows, null, 2) + '\n' : formatMinorList(rows));
    });
  versions
    .command('diff')
    .description('what a client gains or loses from minor A to minor B (default flags): group/versions, resources, deprecations, preferred versions')
    .argument('<from>', 'the minor before, e.g. 1.31')
    .argument('<to>', 'the minor after, e.g. 1.32')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', '\nExamples:\n  kube-skew versions diff 1.31 1.32\n  kube-skew versions diff 1.36 1.33 --json\n')
    .action((from: string, to: string, opts: { json?: boolean }) => {
      const d = diffMinors(normalizeMinor(from), normalizeMinor(to));
      process.stdout.write(opts.json ? JSON.stringify(d, null, 2) + '\n' : formatMinorDiff(d));
    });
}
