/**
 * The result of `kube-skew bench proxy` and its one-table rendering: each metric with its value and,
 * where the design sets one, its target and whether this run met it (targets are reported, never
 * asserted).
 */
import type { GetFigures } from './proxy-load.js';
import { NEWEST_MINOR, PREVIOUS_MINOR } from '../../versions/manifest.js';
import type { ReadinessFigures, UpCliFigures } from './proxy-startup.js';
import type { MachineInfo } from './report.js';

/** The GET of one object three ways: to the server that serves it, through kube-skew's peer proxy, through a bare hop. */
export interface GetComparison {
  direct: GetFigures;
  proxied: GetFigures;
  bareHop: GetFigures;
}

/** What the GET figures mean for the hop: ratios, and each hop's cost over the direct p50. */
export interface HopFigures {
  /** p50 proxied / p50 direct. */
  proxiedOverDirectP50: number;
  /** p99 proxied / p99 direct. */
  proxiedOverDirectP99: number;
  /** req/s proxied / req/s direct. */
  proxiedOverDirectRps: number;
  /** p50 proxied − p50 direct, in milliseconds. */
  kubeSkewHopMs: number;
  /** p50 through the bare hop − p50 direct, in milliseconds. */
  bareHopMs: number;
  /** kubeSkewHopMs / bareHopMs (target ≤ 1.2). */
  hopCostRatio: number;
  /** req/s proxied / req/s through the bare hop. */
  proxiedOverBareRps: number;
  /** CPU per request of the proxying server `a` / CPU per request of the bare hop process. */
  hopCpuRatio: number;
}

/** Everything one run measured (what `--json FILE` writes). */
export interface ProxyReport {
  machine: MachineInfo;
  settings: { durationSeconds: number; connections: number; quick: boolean; readinessRuns: number };
  /** The 1-minute load average when the run started and when it ended: other work on the machine skews every figure. */
  loadAverage: { start: number; end: number };
  get: GetComparison;
  hop: HopFigures;
  readiness: { three: ReadinessFigures; ten: ReadinessFigures; upCli: UpCliFigures };
}

/** The target of kube-skew's hop cost over the bare hop's. */
export const HOP_COST_TARGET = 1.2;
/** The target of the time to a ready 3-server cluster, in milliseconds. */
export const READY_3_TARGET_MS = 1500;

/** Derives the hop figures from the three GET runs. */
export function hopFigures(get: GetComparison): HopFigures {
  const kubeSkewHopMs = get.proxied.p50Ms - get.direct.p50Ms;
  const bareHopMs = get.bareHop.p50Ms - get.direct.p50Ms;
  return {
    proxiedOverDirectP50: get.proxied.p50Ms / get.direct.p50Ms,
    proxiedOverDirectP99: get.proxied.p99Ms / get.direct.p99Ms,
    proxiedOverDirectRps: get.proxied.rps / get.direct.rps,
    kubeSkewHopMs,
    bareHopMs,
    hopCostRatio: kubeSkewHopMs / bareHopMs,
    proxiedOverBareRps: get.proxied.rps / get.bareHop.rps,
    hopCpuRatio: get.proxied.cpuUsPerRequest / get.bareHop.cpuUsPerRequest,
  };
}

/** One row of the table; `target` is the bound a value should stay at or under. */
export interface ProxyTableRow {
  metric: string;
  value: number;
  target?: number;
}

/** The table's rows, in order: the three GETs, the hop figures, readiness, RSS per server. */
export function proxyTableRows(report: ProxyReport): ProxyTableRow[] {
  const { get, hop, readiness } = report;
  const rows: ProxyTableRow[] = [];
  const ways: Array<[string, GetFigures, string]> = [
    [`GET direct (b ${NEWEST_MINOR})`, get.direct, 'b'],
    [`GET proxied by kube-skew (a ${PREVIOUS_MINOR} -> b)`, get.proxied, 'a'],
    ['GET via bare reply-from hop (-> b)', get.bareHop, 'hop'],
  ];
  for (const [name, f, first] of ways) {
    rows.push(
      { metric: `${name}  p50 ms`, value: f.p50Ms },
      { metric: `${name}  p99 ms`, value: f.p99Ms },
      { metric: `${name}  req/s`, value: f.rps },
      { metric: `${name}  CPU us/req of ${first}`, value: f.cpuUsPerRequest },
    );
  }
  rows.push(
    { metric: 'proxied/direct  p50', value: hop.proxiedOverDirectP50 },
    { metric: 'proxied/direct  p99', value: hop.proxiedOverDirectP99 },
    { metric: 'proxied/direct  req/s', value: hop.proxiedOverDirectRps },
    { metric: 'hop cost ms, kube-skew (p50 proxied - p50 direct)', value: hop.kubeSkewHopMs },
    { metric: 'hop cost ms, bare (p50 bare hop - p50 direct)', value: hop.bareHopMs },
    { metric: 'hop cost kube-skew/bare', value: hop.hopCostRatio, target: HOP_COST_TARGET },
    { metric: 'req/s proxied/bare hop', value: hop.proxiedOverBareRps },
    { metric: 'hop CPU per request, a/bare hop', value: hop.hopCpuRatio },
  );
  const runs = readiness.three.runsMs.length;
  const median = runs > 1 ? `, median of ${runs}` : '';
  rows.push(
    { metric: `ready ms, 3 servers (${countMinors(readiness.three.minors)})${median}`, value: readiness.three.medianMs, target: READY_3_TARGET_MS },
    { metric: `ready ms, 10 servers (${countMinors(readiness.ten.minors)})${median}`, value: readiness.ten.medianMs },
    { metric: `ready ms, kube-skew up CLI to its ready line, 3 servers${median}`, value: readiness.upCli.medianMs, target: READY_3_TARGET_MS },
  );
  for (const [n, r] of [[3, readiness.three], [10, readiness.ten]] as const) {
    for (const key of ['min', 'median', 'max'] as const) rows.push({ metric: `RSS MiB per server, ${n} servers  ${key}`, value: r.rssMiB[key] });
  }
  return rows;
}

/** Renders the report as one plain-text table (`metric   value   target`) with a header line naming the machine. */
export function formatProxyTable(report: ProxyReport): string {
  const body = proxyTableRows(report).map((row) => [
    row.metric,
    num(row.value),
    row.target === undefined ? '—' : `<= ${num(row.target)} ${row.value <= row.target ? 'met' : 'MISSED'}`,
  ]);
  const header = ['metric', 'value', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ').trimEnd();
  const { machine, settings } = report;
  return [
    `kube-skew bench proxy: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, ${settings.quick ? 'quick mode' : `${settings.durationSeconds} s per run`}, ${settings.connections} connections, mTLS throughout`,
    `load average (1 min) ${report.loadAverage.start.toFixed(2)} at start, ${report.loadAverage.end.toFixed(2)} at end`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

/** `1.35,1.36,1.36` as `1.35, 2×1.36`. */
function countMinors(minors: string): string {
  const counts = new Map<string, number>();
  for (const m of minors.split(',')) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, n]) => (n > 1 ? `${n}×${m}` : m)).join(', ');
}

function num(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}
