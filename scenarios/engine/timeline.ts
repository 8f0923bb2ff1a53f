/**
 * The timeline of a scenario run: what happened and when, as the runner, its HTTP client, the
 * server, fault, kubectl and clock steps and the lease sampler report it. Each event is a wall-clock
 * time, a kind and the kind's data; the HTML report draws them. Requests are kept up to a cap per
 * server, and the ones past it are counted.
 */
import type { ServerProcess } from '../../server/cluster/server-process.js';

/** How many requests of one server (or of the front door, for those no server answered) are kept. */
export const REQUESTS_PER_LANE = 3000;
/** How many bytes of a request or response body are kept. */
export const TIMELINE_BODY_BYTES = 300;
/** The lane of requests no server answered (a transport failure through the front door). */
export const FRONT_DOOR_LANE = 'front-door';

/** A change in a server's life: the runner and the server steps report it, an unasked exit too. */
export interface ServerData {
  server: string;
  state: 'starting' | 'ready' | 'stopping' | 'stopped' | 'killed' | 'paused' | 'resumed' | 'exited';
  /** The minor it runs (for `starting`, the one it starts at). */
  minor?: string;
  pid?: number;
  /** What the step asked for, when it is more than the state says (`upgrade`, `downgrade`, `restart`). */
  change?: string;
  /** How the process exited (`exited` only). */
  exitCode?: number | null;
  signal?: string | null;
}

/** One HTTP request the runner sent, and its answer. */
export interface RequestData {
  /** Who sent it: `step N` or `load NAME`. */
  origin: string;
  /** Where it was sent: a server's name or `front-door`. */
  via: string;
  method: string;
  path: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** Absent when no answer came (`error` says why). */
  status?: number;
  error?: string;
  /** The trace: who answered, who received it from the client, and whether the answerer got it through the peer hop. */
  servedBy?: string;
  receivedBy?: string;
  receivedProxied?: boolean;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** A fault set on (or healed from) the peer hop from one server to another. */
export interface FaultData {
  from: string;
  to: string;
  fault: 'partition' | 'refuse' | 'latency' | 'heal';
  delayMs?: number;
}

/** One kubectl run. */
export interface KubectlData {
  origin: string;
  via: string;
  binary: string;
  args: string[];
  exitCode: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

/** A change of the cluster's clock. */
export interface ClockData {
  scale: number;
  /** The cluster time after the change (ms since the epoch). */
  time: number;
  advanceMs?: number;
}

/** The identity leases and peer endpoint leases in the store at one moment. */
export interface LeaseData {
  identity: Array<{ id: string; server?: string; holder?: string; renewTime?: string; durationSeconds?: number; expired: boolean }>;
  endpoints: Array<{ id: string; server?: string; address: string }>;
}

/** A step beginning or ending (its result comes from the run's StepResults). */
export interface StepData {
  index: number;
  phase: 'start' | 'end';
}

/** The data of each kind of event. */
export interface TimelineKinds {
  step: StepData;
  server: ServerData;
  request: RequestData;
  fault: FaultData;
  kubectl: KubectlData;
  clock: ClockData;
  leases: LeaseData;
}

/** One event: when (ms since the epoch), what kind, and its data. */
export type TimelineEvent = { [K in keyof TimelineKinds]: { at: number; kind: K; data: TimelineKinds[K] } }[keyof TimelineKinds];

/** What a run's timeline holds once it is over. */
export interface TimelineRecord {
  start: number;
  end: number;
  events: TimelineEvent[];
  /** Requests past {@link REQUESTS_PER_LANE}, by lane: counted, not kept. */
  droppedRequests: Record<string, number>;
}

/** Cut a text to its first `bytes` characters, saying how much was left off. */
export function firstBytes(text: string, bytes = TIMELINE_BODY_BYTES): string {
  return text.length <= bytes ? text : `${text.slice(0, bytes)}… (${text.length - bytes} more)`;
}

/** Headers as one string per name (repeated values joined with `, `). */
export function flatHeaders(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** The recorder of one run. */
export class Timeline {
  readonly start: number;
  private end: number | undefined;
  private readonly events: TimelineEvent[] = [];
  private readonly perLane = new Map<string, number>();
  private readonly dropped: Record<string, number> = {};
  /** The step being played (1-based; 0 before the first), the origin of the requests it sends. */
  step = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.start = now();
  }

  /** Record an event of `kind` at `at` (default: now). Requests past the lane's cap are only counted. */
  record<K extends keyof TimelineKinds>(kind: K, data: TimelineKinds[K], at: number = this.now()): void {
    if (kind === 'request') {
      const req = data as RequestData;
      const lane = req.servedBy ?? (req.via === FRONT_DOOR_LANE ? FRONT_DOOR_LANE : req.via);
      const n = this.perLane.get(lane) ?? 0;
      if (n >= REQUESTS_PER_LANE) {
        this.dropped[lane] = (this.dropped[lane] ?? 0) + 1;
        return;
      }
      this.perLane.set(lane, n + 1);
    }
    this.events.push({ at, kind, data } as TimelineEvent);
  }

  /** Record when a server's process exits, whoever asked (a kill or stop step records its own event first). */
  watchExit(server: string, proc: ServerProcess): void {
    proc.child.once('exit', (exitCode, signal) => this.record('server', { server, state: 'exited', exitCode, signal }));
  }

  /** Mark the end of the run. */
  finish(): void {
    this.end = this.now();
  }

  /** The recorded events in time order, up to the end of the run (the teardown's exits are left out). */
  toRecord(): TimelineRecord {
    const end = this.end ?? this.now();
    const events = this.events.filter((e) => e.at <= end).sort((a, b) => a.at - b.at);
    return { start: this.start, end, events, droppedRequests: { ...this.dropped } };
  }
}
