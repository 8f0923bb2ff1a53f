/**
 * The result of `kube-skew bench core` and its rendering: a table with, for each metric, the
 * kube-skew figure, the bare baseline's, and the ratio kube-skew/bare; then a table of the custom
 * resource figures beside the built-in ConfigMap figures of the same run, with the ratio CR/ConfigMap.
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

/** One custom resource operation, measured on kube-skew only, and the built-in operation it is compared with. */
export interface CustomResourceFigures {
  name: string;
  /** The name of the built-in (ConfigMap) operation of the same run in {@link CoreReport.operations}. */
  builtIn: string;
  kubeSkew: PhaseResult;
}

/** Everything one run measured (what `--json FILE` writes). */
export interface CoreReport {
  machine: MachineInfo;
  settings: { durationSeconds: number; connections: number; quick: boolean; kubeSkewMinor: string };
  operations: OperationFigures[];
  /** Custom resource operations on the same kube-skew server, after the built-in ones. */
  customResources: CustomResourceFigures[];
  watch: WatchLatency;
  /** Resident set size after the load phases, in MiB (absent where /proc cannot tell). */
  rssMiB: { kubeSkew?: number; bare?: number };
  /** The 1-minute load average when the run started and when it ended: other work on the machine skews every figure. */
  loadAverage: { start: number; end: number };
}

/** One row of the table: a metric with its kube-skew figure and, where there is one, the bare figure. */
export interface TableRow {
  metric: string;
  kubeSkew: number | undefined;
  bare?: number | undefined;
}

/** The table's rows, in order: req/s, p99 and CPU per request for each operation, watch latency, server RSS. */
export function tableRows(report: CoreReport): TableRow[] {
  const rows: TableRow[] = [];
  for (const op of report.operations) {
    rows.push({ metric: `${op.name}  req/s`, kubeSkew: op.kubeSkew.rps, bare: op.bare.rps });
    rows.push({ metric: `${op.name}  p99 ms`, kubeSkew: op.kubeSkew.p99Ms, bare: op.bare.p99Ms });
    rows.push({ metric: `${op.name}  CPU us/req`, kubeSkew: op.kubeSkew.cpuUsPerRequest, bare: op.bare.cpuUsPerRequest });
  }
  rows.push({ metric: `watch latency p50 ms (${report.watch.writes} writes, cross-process)`, kubeSkew: report.watch.p50Ms });
  rows.push({ metric: `watch latency p99 ms (${report.watch.writes} writes, cross-process)`, kubeSkew: report.watch.p99Ms });
  rows.push({ metric: 'server RSS MiB (after load)', kubeSkew: report.rssMiB.kubeSkew, bare: report.rssMiB.bare });
  return rows;
}

/** One row of the custom resource table: a custom resource figure and the ConfigMap figure of the same run. */
export interface CustomResourceRow {
  metric: string;
  customResource: number;
  configMap: number | undefined;
}

/** The custom resource table's rows, in order: req/s, p99 and CPU per request for each custom resource operation. */
export function customResourceRows(report: CoreReport): CustomResourceRow[] {
  const rows: CustomResourceRow[] = [];
  for (const cr of report.customResources) {
    const builtIn = report.operations.find((op) => op.name === cr.builtIn)?.kubeSkew;
    rows.push({ metric: `${cr.name}  req/s`, customResource: cr.kubeSkew.rps, configMap: builtIn?.rps });
    rows.push({ metric: `${cr.name}  p99 ms`, customResource: cr.kubeSkew.p99Ms, configMap: builtIn?.p99Ms });
    rows.push({ metric: `${cr.name}  CPU us/req`, customResource: cr.kubeSkew.cpuUsPerRequest, configMap: builtIn?.cpuUsPerRequest });
  }
  return rows;
}

/** Renders the report as plain-text tables under a header line naming the machine. */
export function formatTable(report: CoreReport): string {
  const main = renderTable(
    ['metric', 'kube-skew', 'bare', 'kube-skew/bare'],
    tableRows(report).map((row) => [row.metric, num(row.kubeSkew), 'bare' in row ? num(row.bare) : '—', ratio(row.kubeSkew, row.bare)]),
  );
  const custom = renderTable(
    ['custom resource (kube-skew)', 'CR', 'ConfigMap', 'CR/ConfigMap'],
    customResourceRows(report).map((row) => [row.metric, num(row.customResource), num(row.configMap), ratio(row.customResource, row.configMap)]),
  );
  const { machine, settings } = report;
  return [
    `kube-skew bench core: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, ${settings.quick ? 'quick mode' : `${settings.durationSeconds} s per run`}, ${settings.connections} connections, kube-skew ${settings.kubeSkewMinor} over mTLS`,
    `load average (1 min) ${report.loadAverage.start.toFixed(2)} at start, ${report.loadAverage.end.toFixed(2)} at end`,
    ...main,
    ...(report.customResources.length > 0 ? ['', ...custom] : []),
  ].join('\n');
}

/** A table's lines: header, rule, body; the first column left-aligned, the others right-aligned. */
function renderTable(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

function ratio(value: number | undefined, base: number | undefined): string {
  return value !== undefined && base !== undefined && base > 0 ? (value / base).toFixed(2) : '—';
}

function num(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 2);
}
