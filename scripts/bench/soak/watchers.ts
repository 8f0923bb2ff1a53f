/**
 * A watch held through the front door the way a client-go reflector holds one: on any end of the
 * stream (a killed server, a timeout) it watches again from the last resourceVersion it saw (events
 * and bookmarks alike); on 410 Gone it lists again and starts a new span. What it saw is checked
 * afterwards against the store's revision log, span by span: every change in the span exactly once
 * and in order.
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../client.js';

/** A stretch of resourceVersions watched without a relist in between. */
export interface WatchSpan {
  /** The resourceVersion the span started from (exclusive). */
  from: number;
  /** The last resourceVersion the span reached (inclusive). */
  to: number;
  /** Revisions of the events seen in the span, in arrival order. */
  seen: number[];
}

export class WatchStream {
  readonly spans: WatchSpan[] = [];
  reconnects = 0;
  expired = 0;
  private stopped = false;
  private current: { destroy(): void } | undefined;
  private done: Promise<void> | undefined;

  /** `client` makes a new client (a new connection through the front door) for each attempt. */
  constructor(
    private readonly client: () => ApiClient,
    private readonly collection: string,
  ) {}

  async start(): Promise<void> {
    this.spans.push({ from: await this.listRv(), to: 0, seen: [] });
    this.span.to = this.span.from;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.destroy();
    await this.done;
  }

  private get span(): WatchSpan {
    return this.spans[this.spans.length - 1]!;
  }

  private async listRv(): Promise<number> {
    for (;;) {
      const client = this.client();
      try {
        const res = await client.call('GET', `${this.collection}?limit=1`);
        if (res.status === 200) return Number((JSON.parse(res.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
      } catch {
        /* a server went away: try again */
      } finally {
        client.close();
      }
      await sleep(200);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.watchOnce();
      } catch {
        /* the stream broke: watch again from where it was */
      }
      if (this.stopped) return;
      this.reconnects++;
      await sleep(100);
    }
  }

  private async watchOnce(): Promise<void> {
    const path = `${this.collection}?watch=1&allowWatchBookmarks=true&timeoutSeconds=20&resourceVersion=${this.span.to}`;
    const client = this.client();
    try {
      await this.follow(client, path);
    } finally {
      client.close();
    }
  }

  private async follow(client: ApiClient, path: string): Promise<void> {
    const res = await client.open('GET', path);
    this.current = res;
    if (res.statusCode !== 200) {
      res.resume();
      if (res.statusCode === 410) await this.relist();
      return;
    }
    const lines = createInterface({ input: res });
    // readline does not end on a destroyed stream (a killed server, stop()): close it on the socket's end.
    res.once('close', () => lines.close());
    for await (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as { type: string; object: { code?: number; metadata?: { resourceVersion?: string } } };
      if (event.type === 'ERROR') {
        if (event.object.code === 410) await this.relist();
        res.destroy();
        return;
      }
      const rv = Number(event.object.metadata?.resourceVersion);
      if (event.type !== 'BOOKMARK') this.span.seen.push(rv);
      if (rv > this.span.to) this.span.to = rv;
    }
  }

  private async relist(): Promise<void> {
    this.expired++;
    const from = await this.listRv();
    this.spans.push({ from, to: from, seen: [] });
  }
}

/** Missed, duplicated and out-of-order events of `spans` against the revisions that changed the collection. */
export function auditSpans(spans: WatchSpan[], revisionsIn: (from: number, to: number) => number[]): { expected: number; missed: number; duplicated: number; outOfOrder: number } {
  const out = { expected: 0, missed: 0, duplicated: 0, outOfOrder: 0 };
  for (const span of spans) {
    const expected = revisionsIn(span.from, span.to);
    out.expected += expected.length;
    const seen = new Map<number, number>();
    let last = span.from;
    for (const rv of span.seen) {
      seen.set(rv, (seen.get(rv) ?? 0) + 1);
      if (rv < last) out.outOfOrder++;
      last = Math.max(last, rv);
    }
    for (const rv of expected) if (!seen.has(rv)) out.missed++;
    for (const n of seen.values()) if (n > 1) out.duplicated += n - 1;
  }
  return out;
}
