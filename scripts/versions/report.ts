/**
 * The text forms of `kube-skew versions list` and `versions diff`: aligned tables a person reads
 * and `grep` can filter, one row per minor or per changed group/version/resource.
 */
import type { MinorDiff } from '../../versions/diff.js';
import type { FeatureGateSpec } from '../../versions/types.js';

/** One row of `versions list`. */
export interface MinorRow {
  minor: string;
  gitVersion: string;
  mvpGeneration: string;
  /** The UnknownVersionInteroperabilityProxy gate as the minor ships it; absent where it does not exist. */
  proxyGate?: Pick<FeatureGateSpec, 'stage' | 'default' | 'lockToDefault'>;
  aggregatedDiscovery: string[];
}

/** Left-aligned columns separated by two spaces, as kubectl prints tables. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function gateText(gate: MinorRow['proxyGate']): string {
  if (!gate) return '-';
  return `${gate.stage.toLowerCase()}, ${gate.default ? 'on' : 'off'} by default${gate.lockToDefault ? ' (locked)' : ''}`;
}

/** The `versions list` table. */
export function formatMinorList(rows: MinorRow[]): string {
  return table(
    ['MINOR', 'GIT VERSION', 'MVP', 'PROXY GATE', 'AGGREGATED DISCOVERY'],
    rows.map((r) => [r.minor, r.gitVersion, r.mvpGeneration, gateText(r.proxyGate), r.aggregatedDiscovery.join(', ') || 'none (legacy only)']),
  );
}

const CHANGE_TEXT: Record<string, string> = {
  added: 'added',
  removed: 'removed',
  'enabled-by-default': 'on by default',
  'disabled-by-default': 'off by default',
};

/** The `versions diff` report: a heading, then one row per change, or a line saying there is none. */
export function formatMinorDiff(d: MinorDiff): string {
  const rows: string[][] = [];
  for (const gv of d.groupVersions) {
    const note =
      gv.change === 'disabled-by-default' ? `--runtime-config=${gv.groupVersion}=true serves it again` : gv.change === 'enabled-by-default' ? 'was off by default' : '';
    for (const r of gv.resources) rows.push([CHANGE_TEXT[gv.change]!, gv.groupVersion, r.resource, r.kind, [note, r.replacement ? `use ${r.replacement}` : ''].filter(Boolean).join('; ')]);
  }
  for (const r of d.removedResources) rows.push(['removed', r.groupVersion, r.resource, r.kind, r.replacement ? `use ${r.replacement}` : '']);
  for (const r of d.addedResources) rows.push(['added', r.groupVersion, r.resource, r.kind, '']);
  for (const r of d.deprecated) {
    const note = [`deprecated in v${r.deprecatedIn}`, r.removedIn ? `unavailable in v${r.removedIn}` : '', r.replacement ? `use ${r.replacement}` : ''].filter(Boolean).join('; ');
    rows.push(['deprecated', r.groupVersion, r.resource, r.kind, note]);
  }
  for (const p of d.preferredVersionChanges) rows.push(['preferred version', p.group || 'core', '-', '-', `${p.from ?? '(not served)'} → ${p.to ?? '(not served)'}`]);

  const heading = `From ${d.from} to ${d.to}, as a client of a server with default flags sees it:\n\n`;
  if (rows.length === 0) return `${heading}no group/version or resource changes.\n`;
  return heading + table(['CHANGE', 'GROUP/VERSION', 'RESOURCE', 'KIND', 'NOTE'], rows);
}
