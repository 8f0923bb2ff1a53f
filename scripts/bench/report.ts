/**
 * The result of `kube-skew bench core` and its rendering: a table with, for each metric, the
 * kube-skew figure on each measured store, the bare baseline's, and each ratio kube-skew/bare; then,
 * per store, a table of the custom resource figures beside the built-in ConfigMap figures of the
 * same run, with the ratio CR/ConfigMap.
 */
import type { BenchStore } from './bench-store.js';
import type { PhaseResult } from './load.js';
import type { WatchLatency } from './watch-latency.js';

/** Where the benchmark ran. */
export interface MachineInfo {
  nproc: number;
  cpu: string;
  node: string;
  platform: string;
}

/** One operation's figures on one side. */
export interface OperationFigures {
  name: string;
  result: PhaseResult;
}

/** One custom resource operation, measured on kube-skew only, and the built-in operation it is compared with. */
export interface CustomResourceFigures {
  name: string;
  /** The name of the built-in (ConfigMap) operation of the same run and store in {@link StoreFigures.operations}. */
  builtIn: string;
  kubeSkew: PhaseResult;
}

/** What one store's kube-skew server measured. */
export interface StoreFigures {
  store: BenchStore;
  /** The built-in operations, in table order; with etcd, `result.storeCpuUsPerRequest` is etcd's CPU. */
  operations: OperationFigures[];
  /** Custom resource operations on the same kube-skew server, after the built-in ones. */
  customResources: CustomResourceFigures[];
  /** Cross-process watch latency on a two-server cluster over this store. */
  watch: WatchLatency;
  /** The server's resident set size after the built-in load, in MiB (absent where /proc cannot tell). */
  rssMiB?: number;
  /** The local etcd's resident set size then, in MiB (etcd only). */
  etcdRssMiB?: number;
}

/** Everything one run measured (what `--json FILE` writes). */
export interface CoreReport {
  machine: MachineInfo;
  settings: { durationSeconds: number; connections: number; quick: boolean; kubeSkewMinor: string; stores: BenchStore[];
    /** Operations measured over a fixed number of requests rather than for `durationSeconds` (too slow for a timed window), and that number. */
    slowOperations: string[];
    slowOperationRequests: number;
  };
  /** The bare fastify + better-sqlite3 server: the baseline of every store's column. */
  bare: { operations: OperationFigures[]; rssMiB?: number };
  /** One entry per measured store, in `settings.stores` order. */
  stores: StoreFigures[];
  /** The 1-minute load average when the run started and when it ended: other work on the machine skews every figure. */
  loadAverage: { start: number; end: number };
}

/**
 * One row of the table: a metric with a figure per store (`null`: the metric does not apply to that
 * store) and, where the metric has one, the bare figure.
 */
export interface TableRow {
  metric: string;
  stores: Array<number | undefined | null>;
  bare?: number | undefined;
}

/**
 * The table's rows, in order: req/s, p99 and CPU per request for each operation (and etcd's CPU per
 * request where a store is etcd), watch latency of each store, RSS.
 */
export function tableRows(report: CoreReport): TableRow[] {
  const rows: TableRow[] = [];
  const withEtcd = report.stores.some((s) => s.store === 'etcd');
  const byStore = (f: (s: StoreFigures) => number | undefined | null): Array<number | undefined | null> => report.stores.map(f);
  report.bare.operations.forEach((bare, i) => {
    const op = (s: StoreFigures): PhaseResult | undefined => s.operations[i]?.result;
    rows.push({ metric: `${bare.name}  req/s`, stores: byStore((s) => op(s)?.rps), bare: bare.result.rps });
    rows.push({ metric: `${bare.name}  p99 ms`, stores: byStore((s) => op(s)?.p99Ms), bare: bare.result.p99Ms });
    rows.push({ metric: `${bare.name}  CPU us/req`, stores: byStore((s) => op(s)?.cpuUsPerRequest), bare: bare.result.cpuUsPerRequest });
    if (withEtcd) rows.push({ metric: `${bare.name}  etcd CPU us/req`, stores: byStore((s) => (s.store === 'etcd' ? op(s)?.storeCpuUsPerRequest : null)) });
  });
  for (const p of ['p50', 'p99'] as const) {
    const writes = [...new Set(report.stores.map((s) => s.watch.writes))].join('/');
    rows.push({ metric: `watch latency ${p} ms (${writes} writes, cross-process)`, stores: byStore((s) => (p === 'p50' ? s.watch.p50Ms : s.watch.p99Ms)) });
  }
  rows.push({ metric: 'server RSS MiB (after load)', stores: byStore((s) => s.rssMiB), bare: report.bare.rssMiB });
  if (withEtcd) rows.push({ metric: 'etcd RSS MiB (after load)', stores: byStore((s) => (s.store === 'etcd' ? s.etcdRssMiB : null)) });
  return rows;
}

/** One row of the custom resource table: a custom resource figure and the ConfigMap figure of the same run and store. */
export interface CustomResourceRow {
  metric: string;
  customResource: number;
  configMap: number | undefined;
}

/** One store's custom resource rows, in order: req/s, p99 and CPU per request for each custom resource operation. */
export function customResourceRows(figures: StoreFigures): CustomResourceRow[] {
  const rows: CustomResourceRow[] = [];
  for (const cr of figures.customResources) {
    const builtIn = figures.operations.find((op) => op.name === cr.builtIn)?.result;
    rows.push({ metric: `${cr.name}  req/s`, customResource: cr.kubeSkew.rps, configMap: builtIn?.rps });
    rows.push({ metric: `${cr.name}  p99 ms`, customResource: cr.kubeSkew.p99Ms, configMap: builtIn?.p99Ms });
    rows.push({ metric: `${cr.name}  CPU us/req`, customResource: cr.kubeSkew.cpuUsPerRequest, configMap: builtIn?.cpuUsPerRequest });
  }
  return rows;
}

/** What the bare column is, and what an etcd column is measured on. */
function baselineNote(report: CoreReport): string {
  const etcd = report.stores.some((s) => s.store === 'etcd')
    ? '; etcd: the kube-skew server over a fresh single-member local etcd (its own process, whose CPU and RSS have their own rows), compared with the same bare server'
    : '';
  return `bare: fastify + better-sqlite3 over one SQLite file doing only the work each request needs${etcd}`;
}

/**
 * Renders the report as plain-text tables under header lines naming the machine, the load and the
 * baseline. With one store the columns are `kube-skew`, `bare` and their ratio; with several, a
 * column per store, `bare`, and each store's ratio to bare.
 */
export function formatTable(report: CoreReport): string {
  const names = report.stores.map((s) => s.store);
  const single = names.length === 1;
  const header = single ? ['metric', 'kube-skew', 'bare', 'kube-skew/bare'] : ['metric', ...names, 'bare', ...names.map((n) => `${n}/bare`)];
  const main = renderTable(
    header,
    tableRows(report).map((row) => [
      row.metric,
      ...row.stores.map(cell),
      'bare' in row ? num(row.bare) : '—',
      ...row.stores.map((v) => ('bare' in row && v !== null ? ratio(v, row.bare) : '—')),
    ]),
  );
  const custom = report.stores
    .filter((s) => s.customResources.length > 0)
    .flatMap((s) => [
      '',
      ...renderTable(
        [single ? 'custom resource (kube-skew)' : `custom resource (kube-skew on ${s.store})`, 'CR', 'ConfigMap', 'CR/ConfigMap'],
        customResourceRows(s).map((row) => [row.metric, num(row.customResource), num(row.configMap), ratio(row.customResource, row.configMap)]),
      ),
    ]);
  const { machine, settings } = report;
  return [
    `kube-skew bench core: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, ${settings.quick ? 'quick mode' : `${settings.durationSeconds} s per run`}, ${settings.connections} connections, ` +
      `${settings.slowOperations.map((o) => `${o} over ${settings.slowOperationRequests} requests`).join(', ')}, kube-skew ${settings.kubeSkewMinor} over mTLS, store ${names.join(' and ')}`,
    baselineNote(report),
    `load average (1 min) ${report.loadAverage.start.toFixed(2)} at start, ${report.loadAverage.end.toFixed(2)} at end`,
    ...main,
    ...custom,
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

function cell(value: number | undefined | null): string {
  return value === null ? '—' : num(value);
}

function num(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 2);
}
