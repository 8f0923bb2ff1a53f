/**
 * The result of a fuzz run and its one-table rendering: requests by category and status class,
 * then the defect counters (each must be 0), the allowed plain-text answers, and the throughput.
 */
import { CATEGORIES, type Category } from './case.js';
import { PLAIN_TEXT_CASES, UPSTREAM_500S, type PlainTextCase, type Upstream500 } from './verdict.js';

/** Counts of one category. */
export interface CategoryCounts {
  requests: number;
  /** By status class (`2xx`, `4xx`, …) and `none` for no answer. */
  classes: Record<string, number>;
}

/** One defect seen, with the request that caused it (trimmed), for reproduction. */
export interface Finding {
  kind: 'crash' | 'hang' | 'no-answer' | 'non-status-error' | 'internal-error' | 'store-change' | 'not-sent';
  category: Category | 'store';
  variant: string;
  request: string;
  detail: string;
}

/** Everything one run measured (what `--json FILE` writes). */
export interface FuzzReport {
  settings: { requests: number; seed: number; connections: number; minor: string; proxyingMinor?: string };
  machine?: { nproc: number; cpu: string; node: string };
  /** Cases sent (fewer than asked only after a crash). */
  sent: number;
  durationSeconds: number;
  requestsPerSecond: number;
  byCategory: Record<Category, CategoryCounts>;
  byClass: Record<string, number>;
  /** A server process exited (the one under test, or the one proxying to it). */
  crashes: number;
  /** No answer within the timeout. */
  hangs: number;
  /** The connection ended without any answer while the server kept running. */
  noAnswer: number;
  /** 4xx/5xx answers with neither a Status body nor an allowed plain-text answer. */
  nonStatusErrors: number;
  /** 500 answers (InternalError or any other): bad input must never cause one. */
  internalErrors: number;
  /** Store changes no accepted write explains. */
  storeChanges: number;
  /** The allowed plain-text answers, by case. */
  plainText: Record<PlainTextCase, number>;
  /** The 500s upstream gives to the same input (not counted in internalErrors), by case. */
  upstream500s: Record<Upstream500, number>;
  /** Writes the server accepted (2xx) — inputs that were valid after all. */
  acceptedWrites: number;
  /** Store changes explained by accepted writes, and by controllers acting on accepted objects. */
  explainedChanges: { byWrites: number; byControllers: number };
  /** Store comparisons made (one per batch). */
  storeChecks: number;
  /** Requests Node's client refused to send (a generator bug, not a server defect). */
  notSent: number;
  /** Requests the client cut short by design: sent, sent to the proxying server, and where they got. */
  cuts: { sent: number; proxied: number; cut: number; answeredFirst: number; failed: number };
  /** The server answered a normal request after the run. */
  healthyAfter: boolean;
  /** Up to a few findings of each kind. */
  findings: Finding[];
}

/** The defect counters that must all be 0. */
export function defects(r: FuzzReport): number {
  return r.crashes + r.hangs + r.noAnswer + r.nonStatusErrors + r.internalErrors + r.storeChanges;
}

const CLASSES = ['2xx', '3xx', '4xx', '5xx', 'none', 'cut'];

/** Renders the report as one plain-text table. */
export function formatFuzzTable(r: FuzzReport): string {
  const header = ['category', 'requests', ...CLASSES];
  const rows: string[][] = CATEGORIES.map((c) => {
    const counts = r.byCategory[c];
    return [c, fmt(counts.requests), ...CLASSES.map((k) => fmt(counts.classes[k] ?? 0))];
  });
  rows.push(['total', fmt(r.sent), ...CLASSES.map((k) => fmt(r.byClass[k] ?? 0))]);
  const summary: Array<[string, string]> = [
    ['crashes (a server process exited)', fmt(r.crashes)],
    ['hangs (no answer in time)', fmt(r.hangs)],
    ['connections closed unanswered', fmt(r.noAnswer)],
    ['non-Status error bodies', fmt(r.nonStatusErrors)],
    ['500 answers (other than upstream\'s own, below)', fmt(r.internalErrors)],
    ['store changes from rejected requests', fmt(r.storeChanges)],
    ...Object.entries(PLAIN_TEXT_CASES).map(([k, desc]): [string, string] => [`allowed plain text: ${desc.split(' (')[0]}`, fmt(r.plainText[k as PlainTextCase] ?? 0)]),
    ...Object.entries(UPSTREAM_500S).map(([k, desc]): [string, string] => [`upstream's own 500: ${desc.split(' (')[0]!.replace(/^500 /, '')}`, fmt(r.upstream500s[k as Upstream500] ?? 0)]),
    ['requests cut by the client (to the proxying server)', `${fmt(r.cuts.sent)} (${fmt(r.cuts.proxied)})`],
    ['  cut where asked / answered first / failed', `${fmt(r.cuts.cut)} / ${fmt(r.cuts.answeredFirst)} / ${fmt(r.cuts.failed)}`],
    ['accepted writes (valid after all)', fmt(r.acceptedWrites)],
    ['store checks', fmt(r.storeChecks)],
    ['server answers afterwards', r.healthyAfter ? 'yes' : 'NO'],
    ['duration s', r.durationSeconds.toFixed(1)],
    ['throughput req/s', fmt(Math.round(r.requestsPerSecond))],
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ').trimEnd();
  const labelWidth = Math.max(...summary.map(([k]) => k.length));
  const m = r.machine;
  return [
    `kube-skew bench fuzz: ${fmt(r.sent)} requests, seed ${r.settings.seed}, ${r.settings.connections} connections, kube-skew ${r.settings.minor}${r.settings.proxyingMinor ? ` (cut requests also through a ${r.settings.proxyingMinor} server proxying to it)` : ''} over mTLS${m ? `, ${m.nproc} × ${m.cpu}, Node ${m.node}` : ''}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '-'.repeat(Math.max(labelWidth + 3 + 10, widths.reduce((s, w) => s + w + 3, -3))),
    ...summary.map(([k, v]) => `${k.padEnd(labelWidth)}   ${v.padStart(10)}`),
  ].join('\n');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
