/**
 * One load phase with autocannon: a warm-up run, then the measured run, over mTLS. Latencies are
 * taken from every response at full resolution (autocannon's own histogram rounds to whole
 * milliseconds), and throughput is completed requests over the time from the run's start to its
 * last response (autocannon ends a run only at its next sample tick, which would add idle time).
 */
import autocannon, { type AutocannonOptions, type AutocannonRequest } from 'autocannon';
import { cpuTicks, waitUntilIdle } from './proc.js';
import { percentile } from './stats.js';

/** Client TLS material: the CA that signed the server and the client certificate and key. */
export interface ClientTLS {
  ca: string;
  cert: string;
  key: string;
}

/** How long a phase runs: for a number of seconds, or for a number of requests (the quick mode). */
export type PhaseLength = { seconds: number } | { requests: number };

/** What one phase sends and how hard. */
export interface Phase {
  /** The server's base URL, `https://127.0.0.1:<port>`. */
  url: string;
  /** The server's process id: each run starts once the server has finished earlier work. */
  pid: number;
  /** Every process on the request's path when there are several (a hop, then the server behind it); default `[pid]`. */
  pids?: number[];
  /** The store's own process where it has one (etcd): its CPU per request is measured too, and each run waits for it to settle. */
  storePid?: number;
  tls: ClientTLS;
  /** The request; called again before each send when it has `setupRequest`. */
  request: AutocannonRequest;
  connections: number;
  warmup: PhaseLength;
  measure: PhaseLength;
}

/** The figures of one measured run. */
export interface PhaseResult {
  /** Completed requests per second over the run. */
  rps: number;
  /** The median latency in milliseconds. */
  p50Ms: number;
  /** The 99th percentile latency in milliseconds. */
  p99Ms: number;
  /** How many requests completed. */
  requests: number;
  /** CPU time (user + system) of `pid` per completed request, in microseconds; NaN where /proc cannot tell. */
  cpuUsPerRequest: number;
  /** CPU time of the phase's `storePid` per completed request, in microseconds; absent without one. */
  storeCpuUsPerRequest?: number;
}

/**
 * Runs the phase's warm-up and then its measured run; throws when any request failed or was not 2xx.
 * A timed run too short for every connection to complete a request (a slow request on a busy
 * machine: autocannon drops what is in flight when the time is up) is measured again by count
 * instead, two requests per connection, so a slow row is measured rather than lost.
 */
export async function runPhase(phase: Phase): Promise<PhaseResult> {
  await run(phase, phase.warmup);
  const measured = await run(phase, phase.measure);
  if ('seconds' in phase.measure && measured.requests < phase.connections) return run(phase, { requests: phase.connections * 2 });
  return measured;
}

async function run(phase: Phase, length: PhaseLength): Promise<PhaseResult> {
  await Promise.all([...(phase.pids ?? [phase.pid]), ...(phase.storePid !== undefined ? [phase.storePid] : [])].map((pid) => waitUntilIdle(pid)));
  const options: AutocannonOptions = {
    url: phase.url,
    connections: 'requests' in length ? Math.min(phase.connections, length.requests) : phase.connections,
    timeout: 120,
    sampleInt: 100,
    tlsOptions: phase.tls,
    requests: [phase.request],
    ...('requests' in length ? { amount: length.requests } : { duration: length.seconds }),
  };
  const latencies: number[] = [];
  const ticksBefore = (await cpuTicks(phase.pid)) ?? Number.NaN;
  const storeTicksBefore = phase.storePid === undefined ? undefined : ((await cpuTicks(phase.storePid)) ?? Number.NaN);
  const started = performance.now();
  let lastResponse = started;
  const instance = autocannon(options);
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    lastResponse = performance.now();
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  const ticks = ((await cpuTicks(phase.pid)) ?? Number.NaN) - ticksBefore;
  const storeTicks = phase.storePid === undefined || storeTicksBefore === undefined ? undefined : ((await cpuTicks(phase.storePid)) ?? Number.NaN) - storeTicksBefore;
  const seconds = (lastResponse - started) / 1000;
  const tooSlowForTheWindow = 'seconds' in length && result.errors === 0 && result.non2xx === 0 && latencies.length === 0;
  if (tooSlowForTheWindow) return { rps: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, requests: 0, cpuUsPerRequest: Number.NaN };
  // Linux clock ticks are 10 ms.
  const perRequest = (t: number): number => (t * 10_000) / latencies.length;
  if (result.errors > 0 || result.non2xx > 0 || latencies.length === 0) {
    const codes = Object.entries(result.statusCodeStats).map(([code, s]) => `${code}×${s.count}`).join(', ');
    throw new Error(`${phase.request.method ?? 'GET'} ${phase.url}${phase.request.path ?? ''}: ${result.errors} errors, ${result.timeouts} timeouts, status codes ${codes || 'none'}`);
  }
  return {
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
    cpuUsPerRequest: perRequest(ticks),
    ...(storeTicks === undefined ? {} : { storeCpuUsPerRequest: perRequest(storeTicks) }),
  };
}
