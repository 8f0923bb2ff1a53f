/**
 * The soak's traffic through the front door at a steady rate: reads of single objects, lists that
 * follow `continue`, creates, updates with a resourceVersion precondition, deletes, and reads of a
 * resource only the newest minor serves (the probe for false 404s). Every answer is counted by
 * operation and status. Writes to one object never overlap, so a ledger of acknowledged writes
 * says what each object must look like afterwards; an object whose write got no answer is left out
 * of that check, since either outcome is then correct.
 */
import type { ApiClient } from '../client.js';
import { SERVED_BY_HEADER } from '../../../server/filters/served-by.js';

/** What the ledger knows about one object. */
interface Entry {
  /** present/absent after an acknowledged write; uncertain after a write without an answer. */
  state: 'present' | 'absent' | 'uncertain';
  value: number;
  rv: string;
  busy: boolean;
}

/** The figures the traffic collects. */
export interface TrafficStats {
  requests: number;
  /** `op status` → count; transport failures have status `error`. */
  outcomes: Record<string, number>;
  /** Resource-level 404s ("the server could not find the requested resource") while a live, ready server served the resource. */
  falseNotFound: number;
  /** 5xx or transport failures, with when they were sent and answered, for the fault-window check. */
  failures: Array<{ op: string; status: string; from: number; to: number }>;
  /** Requests not sent because too many were already waiting (a paused server holds them). */
  shed: number;
  examples: string[];
}

export interface TrafficOptions {
  clients: ApiClient[];
  random: () => number;
  rate: number;
  namespace: string;
  /** A collection only some servers serve (the newest minor's API). */
  probe: string;
  /** The live servers that have been ready for a moment and serve the resource of `path`. */
  servingNow: (path: string, at: number) => string[];
  /** A server and a moment, for examples: its name, how long it had been ready, the time into the run. */
  describe: (server: string | undefined, at: number) => string;
}

const OPS = [
  ['get', 30],
  ['list', 15],
  ['probe', 15],
  ['create', 20],
  ['update', 12],
  ['delete', 8],
] as const;
type Op = (typeof OPS)[number][0];

/** A cap on requests in flight, so that a paused server cannot make the generator pile up without end. */
const MAX_IN_FLIGHT = 400;
const REQUEST_TIMEOUT_MS = 15_000;

/** The 404 a server gives for a resource it does not serve (as opposed to an object that does not exist). */
export function isResourceNotFound(status: number, body: string): boolean {
  if (status !== 404) return false;
  try {
    const s = JSON.parse(body) as { kind?: string; message?: string; details?: { name?: string } };
    return s.kind === 'Status' && s.details?.name === undefined;
  } catch {
    return true;
  }
}

export class Traffic {
  readonly stats: TrafficStats = { requests: 0, outcomes: {}, falseNotFound: 0, failures: [], shed: 0, examples: [] };
  readonly ledger = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private seq = 0;
  private next = 0;

  constructor(private readonly o: TrafficOptions) {}

  private get collection(): string {
    return `/api/v1/namespaces/${this.o.namespace}/configmaps`;
  }

  start(): void {
    const interval = 1000 / this.o.rate;
    let due = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      while (due <= now) {
        due += interval;
        if (this.inflight.size >= MAX_IN_FLIGHT) {
          this.stats.shed++;
          continue;
        }
        const p = this.one().finally(() => this.inflight.delete(p));
        this.inflight.add(p);
      }
    }, Math.min(interval, 10));
  }

  /** Stop sending and wait for every answer. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inflight]);
  }

  private client(): ApiClient {
    this.next = (this.next + 1) % this.o.clients.length;
    return this.o.clients[this.next]!;
  }

  private pickOp(): Op {
    let r = this.o.random() * 100;
    for (const [op, weight] of OPS) {
      if (r < weight) return op;
      r -= weight;
    }
    return 'get';
  }

  /** A present object no write is touching, marked busy; undefined when there is none. */
  private take(): [string, Entry] | undefined {
    const names = [...this.ledger.keys()];
    for (let tries = 0; tries < 8 && names.length; tries++) {
      const name = names[Math.floor(this.o.random() * names.length)]!;
      const e = this.ledger.get(name)!;
      if (e.state === 'present' && !e.busy) return [name, e];
    }
    return undefined;
  }

  /** Send one request and count its answer; resolves with status and body ('error' on a transport failure). */
  private async send(op: string, method: string, path: string, body?: unknown): Promise<{ status: number | 'error'; text: string }> {
    const from = Date.now();
    this.stats.requests++;
    let status: number | 'error';
    let text = '';
    let answeredBy: string | undefined;
    try {
      const res = await Promise.race([
        this.client().call(method, path, body),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), REQUEST_TIMEOUT_MS).unref()),
      ]);
      status = res.status;
      text = res.body;
      const by = res.headers[SERVED_BY_HEADER];
      answeredBy = typeof by === 'string' ? by : undefined;
    } catch {
      status = 'error';
    }
    const to = Date.now();
    const key = `${op} ${status}`;
    this.stats.outcomes[key] = (this.stats.outcomes[key] ?? 0) + 1;
    if (status === 'error' || status >= 500) this.stats.failures.push({ op, status: String(status), from, to });
    const serving = status !== 'error' && isResourceNotFound(status, text) ? this.o.servingNow(path, from) : [];
    if (serving.length) {
      this.stats.falseNotFound++;
      if (this.stats.examples.length < 5) this.stats.examples.push(`404 for ${method} ${path} from ${this.o.describe(answeredBy, from)}, while ${serving.join(', ')} served it`);
    }
    return { status, text };
  }

  private async one(): Promise<void> {
    const op = this.pickOp();
    if (op === 'probe') {
      await this.send('probe', 'GET', `${this.o.probe}?limit=1`);
      return;
    }
    if (op === 'list') {
      let cont = '';
      for (let page = 0; page < 5; page++) {
        const res = await this.send('list', 'GET', `${this.collection}?limit=20${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
        if (res.status !== 200) return;
        cont = (JSON.parse(res.text) as { metadata?: { continue?: string } }).metadata?.continue ?? '';
        if (!cont) return;
      }
      return;
    }
    if (op === 'create') {
      const name = `soak-${++this.seq}`;
      const entry: Entry = { state: 'uncertain', value: 0, rv: '', busy: true };
      this.ledger.set(name, entry);
      const res = await this.send('create', 'POST', this.collection, { metadata: { name }, data: { value: '0' } });
      if (res.status === 201) Object.assign(entry, { state: 'present', rv: resourceVersion(res.text) });
      entry.busy = false;
      return;
    }
    const picked = this.take();
    if (!picked) return;
    const [name, entry] = picked;
    entry.busy = true;
    try {
      if (op === 'get') {
        await this.send('get', 'GET', `${this.collection}/${name}`);
      } else if (op === 'update') {
        const value = entry.value + 1;
        const res = await this.send('update', 'PUT', `${this.collection}/${name}`, { metadata: { name, resourceVersion: entry.rv }, data: { value: String(value) } });
        if (res.status === 200) Object.assign(entry, { value, rv: resourceVersion(res.text) });
        else if (res.status !== 409) entry.state = 'uncertain';
      } else {
        const res = await this.send('delete', 'DELETE', `${this.collection}/${name}`);
        entry.state = res.status === 200 ? 'absent' : 'uncertain';
      }
    } finally {
      entry.busy = false;
    }
  }
}

function resourceVersion(text: string): string {
  try {
    return (JSON.parse(text) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? '';
  } catch {
    return '';
  }
}
