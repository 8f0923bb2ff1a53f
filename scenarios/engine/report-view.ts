/**
 * What the HTML report draws, built from a run's result and timeline: a lane per server with the
 * segments of its life (starting, ready, paused, stopping, each with its minor) and what happened to
 * it (killed, upgraded, exited), every request on the lane of the server that answered with its
 * proxy hop from the server that received it, kubectl runs, faults on the peer hop, the identity and
 * endpoint leases over time, and the steps with their pass or fail. Times are milliseconds from the
 * start of the run.
 */
import type { ScenarioResult } from './runner.js';
import { FRONT_DOOR_LANE, type KubectlData, type LeaseData, type RequestData, type TimelineEvent } from './timeline.js';

/** A stretch of a server's life. */
export interface SegmentView {
  from: number;
  to: number;
  state: 'starting' | 'ready' | 'paused' | 'stopping';
  minor?: string;
}

/** A labelled moment on a lane (killed, upgraded 1.35 → 1.36, exited with code 1, …). */
export interface LaneMarkView {
  at: number;
  label: string;
}

/** A stretch during which a lease existed. */
export interface LeaseSpanView {
  from: number;
  to: number;
  /** Identity leases: whether it had expired by the cluster's clock; endpoint leases: the address. */
  expired?: boolean;
  detail: string;
}

/** One lane: a server (or the front door, for answers no server is known to have given). */
export interface LaneView {
  name: string;
  segments: SegmentView[];
  marks: LaneMarkView[];
  identityLease: LeaseSpanView[];
  endpointLease: LeaseSpanView[];
  /** Requests answered on this lane that the timeline counted but did not keep. */
  droppedRequests: number;
}

/** One request, placed on the lane of the server that answered it. */
export interface RequestView extends RequestData {
  at: number;
  lane: string;
  /** The hop from the server that received it to the peer that answered. */
  hop?: { from: string; to: string };
}

/** One kubectl run, on the lane of the server it was sent to (the front door's when sent there). */
export interface KubectlView extends KubectlData {
  at: number;
  lane: string;
}

/** A fault on the peer hop, from when it was set until it was healed (or the run ended). */
export interface FaultView {
  from: number;
  to: number;
  source: string;
  target: string;
  fault: string;
  delayMs?: number;
}

/** A step: when it ran and whether its expectations held. */
export interface StepView {
  index: number;
  title: string;
  kind: string;
  ok: boolean;
  from: number;
  to: number;
  failures: string[];
  note?: string;
}

/** A change of the cluster's clock. */
export interface ClockView {
  at: number;
  scale: number;
  advanceMs?: number;
}

/** One scenario run, ready to draw. */
export interface ScenarioView {
  name: string;
  file: string;
  description?: string;
  ok: boolean;
  seed: number;
  error?: string;
  /** When the run started (ms since the epoch). */
  started: number;
  duration: number;
  lanes: LaneView[];
  requests: RequestView[];
  kubectl: KubectlView[];
  faults: FaultView[];
  steps: StepView[];
  clock: ClockView[];
}

/** Everything the page shows. */
export interface ReportView {
  generated: string;
  scenarios: ScenarioView[];
}

const LIVE = new Set(['starting', 'ready', 'paused', 'stopping']);

/** The lanes of one run, with the segments and marks of each server's life. */
function buildLanes(events: TimelineEvent[], start: number, duration: number): Map<string, LaneView> {
  const lanes = new Map<string, LaneView>();
  const lane = (name: string): LaneView => {
    let l = lanes.get(name);
    if (!l) lanes.set(name, (l = { name, segments: [], marks: [], identityLease: [], endpointLease: [], droppedRequests: 0 }));
    return l;
  };
  const open = new Map<string, SegmentView>();
  const minorOf = new Map<string, string>();
  const close = (name: string, at: number): void => {
    const seg = open.get(name);
    if (seg) {
      seg.to = at;
      open.delete(name);
    }
  };
  const begin = (name: string, at: number, state: SegmentView['state']): void => {
    close(name, at);
    const minor = minorOf.get(name);
    const seg: SegmentView = { from: at, to: duration, state, ...(minor ? { minor } : {}) };
    lane(name).segments.push(seg);
    open.set(name, seg);
  };
  for (const e of events) {
    if (e.kind !== 'server') continue;
    const d = e.data;
    const at = e.at - start;
    const l = lane(d.server);
    const before = minorOf.get(d.server);
    if (d.minor && (d.state === 'starting' || d.state === 'ready')) minorOf.set(d.server, d.minor);
    const current = open.get(d.server)?.state;
    switch (d.state) {
      case 'starting':
        if (d.change && before && d.minor && before !== d.minor) l.marks.push({ at, label: `${d.change === 'downgrade' ? 'downgraded' : 'upgraded'} ${before} → ${d.minor}` });
        else if (d.change === 'restart') l.marks.push({ at, label: 'restarted' });
        begin(d.server, at, 'starting');
        break;
      case 'ready':
      case 'resumed':
        begin(d.server, at, 'ready');
        if (d.state === 'resumed') l.marks.push({ at, label: 'resumed' });
        break;
      case 'paused':
        begin(d.server, at, 'paused');
        l.marks.push({ at, label: 'paused' });
        break;
      case 'stopping':
        begin(d.server, at, 'stopping');
        break;
      case 'stopped':
        close(d.server, at);
        if (!d.change) l.marks.push({ at, label: 'stopped' });
        break;
      case 'killed':
        close(d.server, at);
        l.marks.push({ at, label: 'killed' });
        break;
      case 'exited':
        // A stop or kill step has closed the lane already; an exit of a live server was unasked.
        if (current && LIVE.has(current) && current !== 'stopping') {
          close(d.server, at);
          l.marks.push({ at, label: `exited (${d.signal ?? `code ${d.exitCode}`})` });
        }
        break;
    }
  }
  return lanes;
}

/** Spans of each server's identity and endpoint leases, from the snapshots (each holds until the next). */
function addLeases(lanes: Map<string, LaneView>, events: TimelineEvent[], start: number, duration: number): void {
  const snapshots = events.filter((e): e is Extract<TimelineEvent, { kind: 'leases' }> => e.kind === 'leases');
  const identity = new Map<string, LeaseSpanView>();
  const endpoint = new Map<string, LeaseSpanView>();
  const roll = (
    open: Map<string, LeaseSpanView>,
    at: number,
    now: Map<string, { expired?: boolean; detail: string }>,
    target: (l: LaneView) => LeaseSpanView[],
  ): void => {
    for (const [server, span] of open) {
      const next = now.get(server);
      if (!next || next.expired !== span.expired || next.detail !== span.detail) {
        span.to = at;
        open.delete(server);
      }
    }
    for (const [server, next] of now) {
      if (open.has(server)) continue;
      const l = lanes.get(server);
      if (!l) continue;
      const span: LeaseSpanView = { from: at, to: duration, detail: next.detail, ...(next.expired !== undefined ? { expired: next.expired } : {}) };
      target(l).push(span);
      open.set(server, span);
    }
  };
  for (const s of snapshots) {
    const at = s.at - start;
    const d: LeaseData = s.data;
    const ids = new Map<string, { expired?: boolean; detail: string }>();
    for (const l of d.identity) if (l.server) ids.set(l.server, { expired: l.expired, detail: `${l.id}${l.holder ? ` held by ${l.holder}` : ''}${l.durationSeconds !== undefined ? `, ${l.durationSeconds} s` : ''}` });
    const eps = new Map<string, { detail: string }>();
    for (const e of d.endpoints) if (e.server) eps.set(e.server, { detail: e.address });
    roll(identity, at, ids, (l) => l.identityLease);
    roll(endpoint, at, eps, (l) => l.endpointLease);
  }
}

/** The drawable view of one run. */
export function scenarioView(result: ScenarioResult): ScenarioView {
  const tl = result.timeline ?? { start: 0, end: result.ms, events: [], droppedRequests: {} };
  const start = tl.start;
  const duration = Math.max(1, tl.end - start);
  const lanes = buildLanes(tl.events, start, duration);
  const lane = (name: string): LaneView => {
    let l = lanes.get(name);
    if (!l) lanes.set(name, (l = { name, segments: [], marks: [], identityLease: [], endpointLease: [], droppedRequests: 0 }));
    return l;
  };
  addLeases(lanes, tl.events, start, duration);
  const requests: RequestView[] = [];
  const kubectl: KubectlView[] = [];
  const faults: FaultView[] = [];
  const clock: ClockView[] = [];
  const openFaults = new Map<string, FaultView>();
  const stepTimes = new Map<number, { from: number; to?: number }>();
  for (const e of tl.events) {
    const at = e.at - start;
    switch (e.kind) {
      case 'request': {
        const r = e.data;
        const laneName = r.servedBy ?? (r.via === FRONT_DOOR_LANE ? FRONT_DOOR_LANE : r.via);
        lane(laneName);
        const hop = r.receivedBy && r.servedBy && r.receivedBy !== r.servedBy ? { from: r.receivedBy, to: r.servedBy } : undefined;
        if (hop) lane(hop.from);
        requests.push({ ...r, at, lane: laneName, ...(hop ? { hop } : {}) });
        break;
      }
      case 'kubectl': {
        const k = e.data;
        const laneName = k.via === FRONT_DOOR_LANE ? FRONT_DOOR_LANE : k.via;
        lane(laneName);
        kubectl.push({ ...k, at, lane: laneName });
        break;
      }
      case 'fault': {
        const f = e.data;
        const key = `${f.from}\u0000${f.to}`;
        const current = openFaults.get(key);
        if (current) {
          current.to = at;
          openFaults.delete(key);
        }
        if (f.fault !== 'heal') {
          const view: FaultView = { from: at, to: duration, source: f.from, target: f.to, fault: f.fault, ...(f.delayMs !== undefined ? { delayMs: f.delayMs } : {}) };
          faults.push(view);
          openFaults.set(key, view);
          lane(f.from);
        }
        break;
      }
      case 'clock':
        clock.push({ at, scale: e.data.scale, ...(e.data.advanceMs !== undefined ? { advanceMs: e.data.advanceMs } : {}) });
        break;
      case 'step': {
        const s = stepTimes.get(e.data.index) ?? { from: at };
        if (e.data.phase === 'start') s.from = at;
        else s.to = at;
        stepTimes.set(e.data.index, s);
        break;
      }
      default:
        break;
    }
  }
  for (const [name, n] of Object.entries(tl.droppedRequests)) lane(name).droppedRequests = n;
  const steps: StepView[] = result.steps.map((s) => {
    const t = stepTimes.get(s.index);
    const from = t?.from ?? 0;
    return { index: s.index, title: s.title, kind: s.kind, ok: s.ok, from, to: t?.to ?? from + s.ms, failures: s.failures, ...(s.note ? { note: s.note } : {}) };
  });
  // Servers first, in the order they appeared; the front door's lane last.
  const ordered = [...lanes.values()].sort((a, b) => Number(a.name === FRONT_DOOR_LANE) - Number(b.name === FRONT_DOOR_LANE));
  return {
    name: result.name,
    file: result.file,
    ...(result.description ? { description: result.description } : {}),
    ok: result.ok,
    seed: result.seed,
    ...(result.error ? { error: result.error } : {}),
    started: start,
    duration,
    lanes: ordered,
    requests,
    kubectl,
    faults,
    steps,
    clock,
  };
}

/** The view of several runs. */
export function reportView(results: ScenarioResult[], generated: Date = new Date()): ReportView {
  return { generated: generated.toISOString(), scenarios: results.map(scenarioView) };
}
