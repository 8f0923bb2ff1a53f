/** `kube-skew bench soak`'s one table: each figure, and the bound it must hold where there is one. */
import { READYZ_BOUND_MS } from './readyz.js';
import type { SoakReport } from './soak.js';

/** A bound in ms as the table prints it: `1 s`, `1.5 s`, `250 ms`. */
function boundText(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

interface Row {
  metric: string;
  value: string;
  /** The figure must be 0 (or "ok"); absent for figures that only inform. */
  must?: string;
  held?: boolean;
}

/** The rows of the table, in reading order. */
export function soakRows(r: SoakReport): Row[] {
  const zero = (metric: string, n: number, applies = true): Row => (applies ? { metric, value: String(n), must: '0', held: n === 0 } : { metric, value: String(n), must: 'n/a without MVP' });
  const byStatus = new Map<string, number>();
  for (const [key, n] of Object.entries(r.outcomes)) {
    const status = key.split(' ')[1]!;
    byStatus.set(status, (byStatus.get(status) ?? 0) + n);
  }
  const statuses = [...byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}: ${n}`).join(', ');
  const m = r.misbehaving;
  const ops = new Map<string, number>();
  for (const [key, n] of Object.entries(r.outcomes)) ops.set(key.split(' ')[0]!, (ops.get(key.split(' ')[0]!) ?? 0) + n);
  return [
    { metric: 'requests', value: `${r.requests} (${r.requestsPerSecond.toFixed(0)}/s over ${r.elapsedSeconds.toFixed(0)} s)` },
    { metric: 'requests by operation', value: [...ops].map(([o, n]) => `${o}: ${n}`).join(', ') },
    { metric: 'requests by outcome', value: statuses },
    { metric: 'requests shed (too many waiting)', value: String(r.shed) },
    { metric: 'faults', value: r.faults.map((f) => f.label).join('; ') || 'none' },
    zero('false 404s (a live, ready server served it)', r.falseNotFound, r.settings.mvp),
    { metric: 'acknowledged writes checked', value: `${r.acknowledgedWrites} (${r.uncertainObjects} objects with an unanswered write left out)` },
    zero('acknowledged writes lost', r.lostWrites),
    { metric: 'watch streams / reconnects / relists', value: `${r.watch.streams} / ${r.watch.reconnects} / ${r.watch.relists}` },
    { metric: 'watch events expected', value: String(r.watch.expected) },
    zero('watch events missed', r.watch.missed),
    zero('watch events duplicated', r.watch.duplicated),
    zero('watch events out of order', r.watch.outOfOrder),
    { metric: '5xx (all)', value: String(r.fiveXX.total) },
    zero('5xx outside fault windows', r.fiveXX.outsideFaultWindows),
    { metric: 'transport errors (all)', value: String(r.transportErrors.total) },
    zero('transport errors outside fault windows', r.transportErrors.outsideFaultWindows),
    { metric: 'misbehaving: cut requests (front door / to a proxying server)', value: `${m.frontDoor + m.proxying} (${m.frontDoor} / ${m.proxying})` },
    { metric: 'misbehaving: cut where asked, by point', value: Object.entries(m.cuts).map(([p, c]) => `${p}: ${c.cut}/${c.sent}`).join(', ') },
    { metric: 'misbehaving: slow readers dropped', value: `${m.slowReaders} (${(m.slowBytes / 1e6).toFixed(1)} MB read)` },
    { metric: 'misbehaving: connection storms', value: `${m.storms} (${m.stormConnections} connections, ${m.halfHandshakes} TLS handshakes dropped half way)` },
    zero('creates cut mid-body that were stored', r.cutWritesStored),
    { metric: 'server exits the chaos caused', value: String(r.askedExits) },
    zero('server processes that exited unasked', r.unaskedExits),
    { metric: '/readyz probes (left out: a server down or starting / the soak itself stalled)', value: `${r.readyz.probes} (${r.readyz.excluded} / ${r.readyz.soakStalled})` },
    { metric: '/readyz latency worst / mean', value: `${Math.round(r.readyz.worstMs)} ms / ${Math.round(r.readyz.meanMs)} ms (the soak's own event loop blocked at most ${Math.round(r.readyz.soakLoopWorstMs)} ms)` },
    zero(`/readyz probes over ${boundText(r.settings.readyzBoundMs ?? READYZ_BOUND_MS)} or not 200`, r.readyz.overBound),
    { metric: 'PRAGMA integrity_check', value: r.integrityCheck, must: 'ok', held: r.integrityCheck === 'ok' },
  ];
}

/** True when every bound of the table held. */
export function soakHeld(r: SoakReport): boolean {
  return soakRows(r).every((row) => row.held !== false);
}

export function formatSoakTable(r: SoakReport): string {
  const rows = soakRows(r);
  const body = rows.map((row) => [row.metric, row.must === undefined ? '—' : row.held === undefined ? row.must : `${row.must}: ${row.held ? 'held' : 'FAILED'}`, row.value]);
  const header = ['metric', 'must be', 'value'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd();
  const { machine, settings } = r;
  return [
    `kube-skew bench soak: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}; servers ${settings.minors.join(', ')}${settings.mvp ? ', MVP on' : ', MVP off'}; ${settings.rate} requests/s for ${settings.durationSeconds} s; SIGKILL every ${settings.killEverySeconds} s; ${settings.cutRate} cut requests/s; seed ${settings.seed}`,
    line(header),
    line(widths.map((w, i) => '-'.repeat(i === 2 ? Math.min(w, 40) : w))),
    ...body.map(line),
    ...(r.examples.length ? ['', 'examples:', ...r.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}
