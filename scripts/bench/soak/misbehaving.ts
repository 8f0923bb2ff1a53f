/**
 * The soak's misbehaving clients, beside its well-behaved traffic: requests cut by the client at
 * every point (before the answer's headers, between headers and body, mid-body, mid-watch, in the
 * middle of a create's own body), half sent through the front door and half straight to a server
 * that must proxy them (one whose minor does not serve the newest API); slow readers of a large
 * list and of a watch, dropped after a few seconds; and storms of connections opened at once,
 * some dropped before or in the middle of their TLS handshake. Everything is bounded: a fixed
 * number in flight and a fixed rate, all on loopback.
 */
import { CUT_POINTS, CutTarget, type CutPoint, type CutTLS } from '../cancel.js';

/** What the misbehaving clients did. */
export interface MisbehavingStats {
  /** Requests cut, by point: sent, and cut where asked (the rest were answered first or failed). */
  cuts: Record<CutPoint, { sent: number; cut: number }>;
  /** Cut requests sent through the front door, and straight to a server that had to proxy them. */
  frontDoor: number;
  proxying: number;
  /** Slow readers dropped, and what they had read. */
  slowReaders: number;
  slowBytes: number;
  /** Reconnect storms, their connections, and the TLS handshakes dropped half way. */
  storms: number;
  stormConnections: number;
  halfHandshakes: number;
}

export interface MisbehavingOptions {
  frontDoor: string;
  /** URLs of the live servers that must proxy `collection` now. */
  proxying: () => string[];
  tls: CutTLS;
  random: () => number;
  /** Cut requests per second (0: no misbehaving clients at all). */
  rate: number;
  /** A collection only the newest minor serves, filled with large objects (the proxied path). */
  collection: string;
  /** A valid object of `collection` named `name`, as the body of a create. */
  object: (name: string) => Buffer;
}

/** Cut requests go out in bursts, as a client's cancelled fan-out does. */
const BURST = 5;
const MAX_IN_FLIGHT = 60;
const SLOW_READERS = 2;
const STORM_EVERY_MS = 5000;
const STORM_SIZE = 24;

/** The prefix of the objects cut creates would make: none may exist afterwards. */
export const CUT_PREFIX = 'cut-';

export class Misbehaving {
  readonly stats: MisbehavingStats = {
    cuts: Object.fromEntries(CUT_POINTS.map((p) => [p, { sent: 0, cut: 0 }])) as MisbehavingStats['cuts'],
    frontDoor: 0,
    proxying: 0,
    slowReaders: 0,
    slowBytes: 0,
    storms: 0,
    stormConnections: 0,
    halfHandshakes: 0,
  };
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly targets = new Map<string, CutTarget>();
  private stopped = false;
  private seq = 0;

  constructor(private readonly o: MisbehavingOptions) {}

  start(): void {
    if (this.o.rate <= 0) return;
    this.timers.push(setInterval(() => this.burst(), (1000 * BURST) / this.o.rate));
    this.timers.push(setInterval(() => this.storm(), STORM_EVERY_MS));
    for (let i = 0; i < SLOW_READERS; i++) this.track(this.slowReaders());
  }

  /** Stop starting new ones and wait for those in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private target(url: string): CutTarget {
    let t = this.targets.get(url);
    if (!t) this.targets.set(url, (t = new CutTarget(url, this.o.tls)));
    return t;
  }

  private track<T>(p: Promise<T>): void {
    const tracked = p.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.o.random() * items.length)]!;
  }

  /** The front door or, half the time, a server that must proxy (when there is one). */
  private anyTarget(): { url: string; proxying: boolean } {
    const proxying = this.o.proxying();
    if (proxying.length && this.o.random() < 0.5) return { url: this.pick(proxying), proxying: true };
    return { url: this.o.frontDoor, proxying: false };
  }

  private burst(): void {
    for (let i = 0; i < BURST && this.inflight.size < MAX_IN_FLIGHT && !this.stopped; i++) this.track(this.cutOne());
  }

  private async cutOne(): Promise<void> {
    const { url, proxying } = this.anyTarget();
    const point = this.pick(CUT_POINTS);
    const s = this.stats;
    s.cuts[point].sent++;
    if (proxying) s.proxying++;
    else s.frontDoor++;
    const r = this.o.random;
    const c = this.o.collection;
    const t = this.target(url);
    let result;
    if (point === 'mid-request') {
      const body = this.o.object(`${CUT_PREFIX}${++this.seq}`);
      result = await t.cut(point, 'POST', c, { body, bytes: Math.floor(r() * body.length), delayMs: r() * 20 });
    } else if (point === 'mid-watch') {
      result = await t.cut(point, 'GET', `${c}?watch=1${r() < 0.5 ? '&resourceVersion=0' : ''}`, { bytes: 1 + Math.floor(r() * 20_000), delayMs: 50 + r() * 450 });
    } else if (point === 'mid-body') {
      result = await t.cut(point, 'GET', c, { bytes: 1 + Math.floor(r() * 100_000), delayMs: 1000 });
    } else {
      // 1–8 ms: while the server (or the peer it proxies to) is still working on the answer.
      result = await t.cut(point, 'GET', r() < 0.5 ? c : `${c}?limit=1`, { delayMs: 1 + r() * 7 });
    }
    if (result === 'cut') s.cuts[point].cut++;
  }

  private async slowReaders(): Promise<void> {
    while (!this.stopped) {
      const { url } = this.anyTarget();
      const path = this.o.random() < 0.5 ? this.o.collection : `${this.o.collection}?watch=1&resourceVersion=0`;
      this.stats.slowBytes += await this.target(url).slowRead(path, 200, 2000 + this.o.random() * 2000);
      this.stats.slowReaders++;
    }
  }

  private storm(): void {
    if (this.stopped) return;
    const { url } = this.anyTarget();
    const t = this.target(url);
    this.stats.storms++;
    for (let i = 0; i < STORM_SIZE; i++) {
      const kind = this.pick(['tcp', 'half-handshake', 'half-handshake', 'request'] as const);
      this.stats.stormConnections++;
      this.track(
        t.connection(kind).then((reached) => {
          if (reached && kind === 'half-handshake') this.stats.halfHandshakes++;
        }),
      );
    }
  }
}
