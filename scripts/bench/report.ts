/**
 * The result of `kube-skew bench core` and its one-table rendering: for each metric the kube-skew
 * figure, the bare baseline's, and the ratio kube-skew/bare.
 */
import type { PhaseResult } from './load.js';
import type { WatchLatency } from './watch-latency.js';

/** Where the benchmark ran. */
export interface MachineInfo {
  nproc: number;
  cpu: string;
  node: string;
  platform: string;
}

/** One operation measured on both sides. */
export interface OperationFigures {
  name: string;
  kubeSkew: PhaseResult;
  bare: PhaseResult;
}

/** Everything one run measured (what `--json FILE` writes). */
export interface CoreReport {
  machine: MachineInfo;
  settings: { durationSeconds: number; connections: number; quick: boolean; kubeSkewMinor: string };
  operations: OperationFigures[];
  watch: WatchLatency;
  /** Resident set size after the load phases, in MiB (absent where /proc cannot tell). */
  rssMiB: { kubeSkew?: number; bare?: number };
}

/** One row of the table: a metric with its kube-skew figure and, where there is one, the bare figure. */
export interface TableRow {
  metric: string;
  kubeSkew: number | undefined;
  bare?: number | undefined;
}

/** The table's rows, in order: req/s and p99 for each operation, watch latency, server RSS. */
export function tableRows(report: CoreReport): TableRow[] {
  const rows: TableRow[] = [];
  for (const op of report.operations) {
    rows.push({ metric: `${op.name}  req/s`, kubeSkew: op.kubeSkew.rps, bare: op.bare.rps });
    rows.push({ metric: `${op.name}  p99 ms`, kubeSkew: op.kubeSkew.p99Ms, bare: op.bare.p99Ms });
  }
  rows.push({ metric: `watch latency p50 ms (${report.watch.writes} writes, cross-process)`, kubeSkew: report.watch.p50Ms });
  rows.push({ metric: `watch latency p99 ms (${report.watch.writes} writes, cross-process)`, kubeSkew: report.watch.p99Ms });
  rows.push({ metric: 'server RSS MiB (after load)', kubeSkew: report.rssMiB.kubeSkew, bare: report.rssMiB.bare });
  return rows;
}

/** Renders the report as one plain-text table with a header line naming the machine. */
export function formatTable(report: CoreReport): string {
  const body = tableRows(report).map((row) => [
    row.metric,
    num(row.kubeSkew),
    'bare' in row ? num(row.bare) : '—',
    row.kubeSkew !== undefined && row.bare !== undefined && row.bare > 0 ? (row.kubeSkew / row.bare).toFixed(2) : '—',
  ]);
  const header = ['metric', 'kube-skew', 'bare', 'kube-skew/bare'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ').trimEnd();
  const { machine, settings } = report;
  return [
    `kube-skew bench core: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, ${settings.quick ? 'quick mode' : `${settings.durationSeconds} s per run`}, ${settings.connections} connections, kube-skew ${settings.kubeSkewMinor} over mTLS`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

function num(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 2);
}
