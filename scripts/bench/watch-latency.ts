/**
 * Cross-process watch latency: a watch held open over HTTPS on one server, ConfigMaps created one at
 * a time through another server process of the same cluster (so each event crosses the SQLite file
 * from the writing process to the watching one), timed from just before each create is sent to the
 * arrival of its ADDED event at the watching client.
 */
import { createInterface } from 'node:readline';
import { ApiClient } from './client.js';
import { configMapBody } from './seed.js';
import { percentile } from './stats.js';

/** What a watch latency run needs. */
export interface WatchLatencyOptions {
  /** The client of the server that serves the watch. */
  watcher: ApiClient;
  /** The client of another server process that takes the writes. */
  writer: ApiClient;
  namespace: string;
  /** Measured writes. */
  writes: number;
  /** Writes made first and not counted (connections, JIT). */
  warmupWrites: number;
  /** How long one event may take before the run fails, in milliseconds. */
  eventTimeoutMs?: number;
}

/** Watch latency percentiles, in milliseconds. */
export interface WatchLatency {
  p50Ms: number;
  p99Ms: number;
  writes: number;
}

/** Measures the latency of `writes` sequential creates' events; throws when an event does not arrive. */
export async function measureWatchLatency(opts: WatchLatencyOptions): Promise<WatchLatency> {
  const base = `/api/v1/namespaces/${opts.namespace}/configmaps`;
  const list = await opts.watcher.expect<{ metadata: { resourceVersion: string } }>(200, 'GET', base);
  const stream = await opts.watcher.open('GET', `${base}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
  if (stream.statusCode !== 200) throw new Error(`watch ${base}: status ${stream.statusCode}`);

  const waiting = new Map<string, (at: number) => void>();
  createInterface({ input: stream }).on('line', (line) => {
    const at = performance.now();
    const event = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
    const name = event.object.metadata?.name;
    if (event.type === 'ADDED' && name !== undefined) waiting.get(name)?.(at);
  });
  const streamEnded = new Promise<never>((_, reject) => stream.once('close', () => reject(new Error('the watch stream ended early'))));
  streamEnded.catch(() => undefined);

  const latencies: number[] = [];
  try {
    for (let i = 0; i < opts.warmupWrites + opts.writes; i++) {
      const name = `watch-${String(i).padStart(5, '0')}`;
      const arrived = new Promise<number>((resolve) => waiting.set(name, resolve));
      const sentAt = performance.now();
      const res = await opts.writer.call('POST', base, configMapBody(opts.namespace, name));
      if (res.status !== 201) throw new Error(`POST ${base}: status ${res.status}: ${res.body.slice(0, 300)}`);
      const at = await within(Promise.race([arrived, streamEnded]), opts.eventTimeoutMs ?? 10_000, `no watch event for ${name}`);
      waiting.delete(name);
      if (i >= opts.warmupWrites) latencies.push(at - sentAt);
    }
  } finally {
    stream.destroy();
  }
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), writes: latencies.length };
}

/** `promise`, or a rejection with `message` after `ms` milliseconds (the timer is always cleared). */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
